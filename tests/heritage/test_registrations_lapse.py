"""When an offer of a freed seat lapses, its person is told, once, in the expiry's transaction:
they are off the waiting list, and what registering again would give them."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from coop.models import NoticeDelivery
from heritage import tasks
from heritage.models import Gathering, Registration
from heritage.services import (
    OFFER_DELAY,
    notices,
    offers_expire,
    registration_cancel,
    registration_guest_request,
    registration_guest_verify,
    registration_member_create,
)
from heritage.tokens import verify_token
from tests.coop.factories import UserFactory
from tests.heritage.factories import gathering
from tests.threads import run_in_threads

Status = Registration.Status
LATER = OFFER_DELAY + dt.timedelta(minutes=1)


def _people(n):
    return [UserFactory(roles=["member"]) for _ in range(n)]


def _copies(kind):
    return NoticeDelivery.objects.filter(notice__kind=kind).order_by("id")


def _line(capacity=1, waiting=2, **overrides):
    """A full gathering whose only seat was freed: the first of the line has an offer."""
    event = gathering(capacity=capacity, **overrides)
    people = _people(capacity + waiting)
    registrations = [registration_member_create(gathering=event, user=p) for p in people]
    registration_cancel(registration=registrations[0])
    return event, people, registrations


@pytest.mark.django_db
def test_a_lapsed_offer_is_told_once_and_the_next_person_still_gets_theirs():
    event, people, registrations = _line(waiting=2)
    lapsed, next_in_line = registrations[1], registrations[2]
    assert offers_expire(now=timezone.now() + LATER) == 1
    lapsed.refresh_from_db()
    assert lapsed.status == Status.EXPIRED
    notice = _copies(notices.OFFER_LAPSED).get()
    assert notice.to_email == people[1].email
    assert notice.notice.reference == f"registration:{lapsed.pk}"
    assert notice.subject == "The seat offered to you was not taken in time: Balade des traboules"
    body = notice.body_text
    assert f"Hello {people[1].get_full_name()}," in body
    assert "you are no longer registered for this gathering, nor on its waiting list" in body
    assert "The seat was offered to the next person on the waiting list." in body
    assert "you will be placed at the end of the waiting list" in body
    assert f"/heritage/gatherings/{event.pk}/" in body
    # No link to cancel what is no longer there, nor to take the lapsed seat.
    assert "/heritage/registrations/cancel/" not in body
    assert "/heritage/registrations/offer/" not in body
    # The next person's offer goes out as before.
    next_in_line.refresh_from_db()
    assert next_in_line.status == Status.OFFERED
    offers = _copies(notices.SEAT_OFFERED)
    assert [c.to_email for c in offers] == [people[1].email, people[2].email]


@pytest.mark.django_db
def test_the_beat_running_twice_sends_no_second_notice():
    _event, people, registrations = _line(waiting=1)
    Registration.objects.filter(pk=registrations[1].pk).update(
        offer_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert tasks.heritage_expire_offers.apply().get() == 1
    assert tasks.heritage_expire_offers.apply().get() == 0
    assert offers_expire(now=timezone.now() + LATER) == 0
    assert [c.to_email for c in _copies(notices.OFFER_LAPSED)] == [people[1].email]


@pytest.mark.django_db
def test_with_nobody_left_in_line_the_notice_says_the_seat_is_still_free():
    event, people, _registrations = _line(waiting=1)
    assert offers_expire(now=timezone.now() + LATER) == 1
    event.refresh_from_db()
    assert event.seats_left == 1
    body = _copies(notices.OFFER_LAPSED).get().body_text
    assert "A seat is still free as we write." in body
    assert "next person on the waiting list" not in body
    # What the notice says is true: registering again gives the seat.
    again = registration_member_create(gathering=event, user=people[1])
    assert again.status == Status.CONFIRMED


@pytest.mark.django_db
def test_when_registrations_have_closed_the_notice_says_so():
    start = timezone.now() + dt.timedelta(hours=5)
    event, _persons, registrations = _line(waiting=2, starts_at=start)
    lapsed = registrations[1]
    lapsed.refresh_from_db()
    assert lapsed.offer_expires_at == event.starts_at  # the offer ran to the start
    assert offers_expire(now=event.starts_at) == 1
    body = _copies(notices.OFFER_LAPSED).get().body_text
    assert "Registrations for this gathering are now closed." in body
    assert "register again" not in body


@pytest.mark.django_db
def test_a_guest_is_told_at_their_address_in_their_language():
    event = gathering(capacity=1)
    registration_member_create(gathering=event, user=UserFactory(roles=["member"]))
    seated = Registration.objects.get(gathering=event)
    with translation.override("fr"):
        guest = registration_guest_request(
            gathering=event, name="Louise Labé", email="louise@example.org"
        )
    registration_guest_verify(token=verify_token(guest.pk))
    registration_cancel(registration=seated)
    assert offers_expire(now=timezone.now() + LATER) == 1
    notice = _copies(notices.OFFER_LAPSED).get()
    assert notice.to_email == "louise@example.org"
    assert notice.language == "fr"
    # A guest's name was typed by a stranger to the address: mails greet without it (issue 15).
    assert notice.body_text.startswith("Bonjour,\n")


@pytest.mark.django_db
def test_the_notice_is_in_the_expirys_transaction(monkeypatch):
    _event, _persons, registrations = _line(waiting=2)

    def broken(**_kwargs):
        raise RuntimeError("the outbox is unreachable")

    monkeypatch.setattr(notices, "notice_enqueue", broken)
    with pytest.raises(RuntimeError):
        offers_expire(now=timezone.now() + LATER)
    # Nothing half done: the offer still stands, and nobody else got the seat.
    states = [Registration.objects.get(pk=r.pk).status for r in registrations[1:]]
    assert states == [Status.OFFERED, Status.WAITING]
    assert not _copies(notices.OFFER_LAPSED).exists()


@pytest.mark.django_db(transaction=True)
def test_beats_expiring_at_once_tell_the_person_once():
    event, people, registrations = _line(waiting=2)
    later = timezone.now() + LATER
    errors = run_in_threads([lambda: offers_expire(now=later)] * 4)
    assert errors == []
    assert [c.to_email for c in _copies(notices.OFFER_LAPSED)] == [people[1].email]
    assert Registration.objects.get(pk=registrations[2].pk).status == Status.OFFERED
    assert [c.to_email for c in _copies(notices.SEAT_OFFERED)] == [
        people[1].email,
        people[2].email,
    ]
    assert Gathering.objects.get(pk=event.pk).seats_taken == 1
