"""Registrations: seats, the waiting line, offers of freed seats, guests, reminders."""

import datetime as dt
import re
import time
import zoneinfo

import pytest
from django.core import signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from coop.errors import DomainError
from coop.models import NoticeDelivery
from heritage.models import Gathering, Registration
from heritage.services import (
    OFFER_DELAY,
    notices,
    offers_expire,
    registration_cancel,
    registration_confirm_offer,
    registration_guest_request,
    registration_guest_verify,
    registration_member_create,
    reminders_send,
)
from heritage.tokens import verify_token, verify_token_read
from tests.coop.factories import UserFactory
from tests.heritage.factories import gathering

pytestmark = pytest.mark.django_db
Status = Registration.Status


def _people(n):
    return [UserFactory(roles=["member"]) for _ in range(n)]


def _copies(kind):
    return NoticeDelivery.objects.filter(notice__kind=kind).order_by("id")


def test_a_member_gets_a_seat_then_the_line_fills_in_order():
    event = gathering(capacity=2)
    people = _people(4)
    registrations = [registration_member_create(gathering=event, user=p) for p in people]
    assert [r.status for r in registrations] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert [r.position for r in registrations] == [None, None, 1, 2]
    event.refresh_from_db()
    assert event.seats_taken == 2
    confirmed = _copies(notices.REGISTRATION_CONFIRMED)
    assert [c.to_email for c in confirmed] == [people[0].email, people[1].email]
    assert "/heritage/registrations/cancel/" in confirmed[0].body_text
    assert _copies(notices.REGISTRATION_WAITING).count() == 2


def test_registering_twice_is_refused():
    event = gathering()
    person = UserFactory(roles=["member"])
    registration_member_create(gathering=event, user=person)
    with pytest.raises(DomainError, match="already registered"):
        registration_member_create(gathering=event, user=person)


def test_the_database_refuses_a_second_active_registration():
    event = gathering()
    person = UserFactory()
    Registration.objects.create(gathering=event, user=person, status=Status.CONFIRMED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(gathering=event, user=person, status=Status.PENDING)


def test_the_database_refuses_more_seats_than_the_capacity():
    event = gathering(capacity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Gathering.objects.filter(pk=event.pk).update(seats_taken=2)


def test_registrations_close_at_the_deadline_and_drafts_take_none():
    draft = gathering(publish=False)
    with pytest.raises(DomainError, match="not open"):
        registration_member_create(gathering=draft, user=UserFactory(roles=["member"]))
    start = timezone.now() + dt.timedelta(days=3)
    closed = gathering(starts_at=start, registration_deadline=timezone.now() + dt.timedelta(days=1))
    Gathering.objects.filter(pk=closed.pk).update(
        registration_deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(DomainError, match="closed on"):
        registration_member_create(gathering=closed, user=UserFactory(roles=["member"]))


def test_members_only_gatherings_refuse_guests_and_visitors_without_membership():
    event = gathering(visibility=Gathering.Visibility.MEMBERS)
    with pytest.raises(DomainError, match="members only"):
        registration_guest_request(gathering=event, name="Ada", email="ada@example.org")
    with pytest.raises(DomainError, match="members only"):
        registration_member_create(gathering=event, user=UserFactory())
    assert registration_member_create(gathering=event, user=UserFactory(roles=["member"]))


def test_a_cancelled_seat_is_offered_to_the_first_in_line_who_confirms_it():
    event = gathering(capacity=1)
    first, second, third = _people(3)
    seat = registration_member_create(gathering=event, user=first)
    waiting_2 = registration_member_create(gathering=event, user=second)
    waiting_3 = registration_member_create(gathering=event, user=third)
    registration_cancel(registration=seat, actor=first)
    waiting_2.refresh_from_db()
    waiting_3.refresh_from_db()
    assert waiting_2.status == Status.OFFERED
    assert waiting_3.status == Status.WAITING
    assert waiting_2.offer_expires_at == pytest.approx(
        timezone.now() + OFFER_DELAY, abs=dt.timedelta(minutes=1)
    )
    offer = _copies(notices.SEAT_OFFERED).get()
    assert offer.to_email == second.email
    assert "/heritage/registrations/offer/" in offer.body_text
    registration_confirm_offer(registration=waiting_2)
    waiting_2.refresh_from_db()
    assert waiting_2.status == Status.CONFIRMED
    event.refresh_from_db()
    assert event.seats_taken == 1


def test_an_offer_not_taken_in_time_goes_to_the_next_in_line():
    event = gathering(capacity=1)
    first, second, third = _people(3)
    seat = registration_member_create(gathering=event, user=first)
    second_reg = registration_member_create(gathering=event, user=second)
    third_reg = registration_member_create(gathering=event, user=third)
    registration_cancel(registration=seat)
    assert offers_expire() == 0  # not yet due
    later = timezone.now() + OFFER_DELAY + dt.timedelta(minutes=1)
    assert offers_expire(now=later) == 1
    second_reg.refresh_from_db()
    third_reg.refresh_from_db()
    assert second_reg.status == Status.EXPIRED
    assert third_reg.status == Status.OFFERED
    with pytest.raises(DomainError, match="No seat is offered"):
        registration_confirm_offer(registration=second_reg)
    event.refresh_from_db()
    assert event.seats_taken == 1


def test_an_offer_ends_at_the_start_when_the_gathering_is_close():
    event = gathering(capacity=1, starts_at=timezone.now() + dt.timedelta(hours=5))
    first, second = _people(2)
    seat = registration_member_create(gathering=event, user=first)
    line = registration_member_create(gathering=event, user=second)
    registration_cancel(registration=seat)
    line.refresh_from_db()
    assert line.offer_expires_at == event.starts_at


def test_a_guest_holds_nothing_until_the_link_is_opened():
    event = gathering(capacity=1)
    guest = registration_guest_request(gathering=event, name="Louise Labé", email="l@example.org")
    assert guest.status == Status.PENDING
    event.refresh_from_db()
    assert event.seats_taken == 0
    check = _copies(notices.GUEST_VERIFY).get()
    token = re.search(r"/heritage/registrations/verify/([^/\s]+)/", check.body_text).group(1)
    assert verify_token_read(token) == guest.pk
    # Asking again while pending sends no second mail and makes no second registration.
    again = registration_guest_request(gathering=event, name="Louise Labé", email="L@example.org")
    assert again.pk == guest.pk
    assert _copies(notices.GUEST_VERIFY).count() == 1
    verified = registration_guest_verify(token=token)
    assert verified.status == Status.CONFIRMED
    assert registration_guest_verify(token=token).status == Status.CONFIRMED  # opened twice
    event.refresh_from_db()
    assert event.seats_taken == 1
    assert _copies(notices.REGISTRATION_CONFIRMED).get().to_email == "l@example.org"


def test_a_forged_link_is_refused():
    event = gathering()
    guest = registration_guest_request(gathering=event, name="Ada", email="ada@example.org")
    with pytest.raises(DomainError, match="not valid"):
        registration_guest_verify(token=verify_token(guest.pk) + "x")


def test_reminders_go_once_to_the_people_with_a_seat_of_tomorrows_gatherings():
    soon = gathering(capacity=1, starts_at=timezone.now() + dt.timedelta(hours=20))
    later = gathering(capacity=5, starts_at=timezone.now() + dt.timedelta(days=3))
    seated, waiting = _people(2)
    registration_member_create(gathering=soon, user=seated)
    registration_member_create(gathering=soon, user=waiting)
    registration_member_create(gathering=later, user=UserFactory(roles=["member"]))
    reminders_send()
    reminders_send()
    copies = _copies(notices.GATHERING_REMINDER)
    assert [c.to_email for c in copies] == [seated.email]


def test_a_guest_link_older_than_three_days_is_refused(monkeypatch):
    event = gathering()
    guest = registration_guest_request(gathering=event, name="Ada", email="ada@example.org")
    token = verify_token(guest.pk)
    later = time.time() + dt.timedelta(days=3, minutes=1).total_seconds()
    monkeypatch.setattr(signing.time, "time", lambda: later)
    with pytest.raises(DomainError, match="too old"):
        registration_guest_verify(token=token)
    guest.refresh_from_db()
    assert guest.status == Status.PENDING


def test_the_gathering_s_time_in_a_french_e_mail_reads_with_a_single_a():
    """ "le 6 janvier 2027 à 18 h 00, jusqu'à 20 h 00", never "du … à 18 h 00 à 20 h 00"."""
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    when = {
        "gathering": {
            "title": "Balade",
            "starts_at": dt.datetime(2027, 1, 6, 18, 0, tzinfo=paris),
            "ends_at": dt.datetime(2027, 1, 6, 20, 0, tzinfo=paris),
            "place": "Lyon",
        },
        "community": {"name": "Patrimoine"},
    }
    with translation.override("fr"):
        text = render_to_string("heritage/email/_gathering.txt", when)
    assert "Quand : le 6 janvier 2027 à 18\u00a0h\u00a000, jusqu\u2019à 20\u00a0h\u00a000" in text
    with translation.override("en"):
        text = render_to_string("heritage/email/_gathering.txt", when)
    assert "When: Jan. 6, 2027, 18:00 to 20:00" in text
