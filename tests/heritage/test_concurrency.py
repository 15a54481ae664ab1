"""The last seats under real concurrency (threads, each with its own database connection)."""

import pytest

from heritage.models import Registration
from heritage.services import registration_cancel, registration_member_create
from tests.coop.factories import UserFactory
from tests.heritage.factories import gathering
from tests.threads import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_fifty_people_registering_at_once_for_ten_seats():
    event = gathering(capacity=10)
    people = [UserFactory(roles=["member"]) for _ in range(50)]

    def register(person):
        return lambda: registration_member_create(gathering=event, user=person)

    errors = run_in_threads([register(p) for p in people])
    assert errors == []
    event.refresh_from_db()
    assert event.seats_taken == 10
    registrations = Registration.objects.filter(gathering=event)
    assert registrations.filter(status="confirmed").count() == 10
    waiting = list(registrations.filter(status="waiting").order_by("position"))
    assert len(waiting) == 40
    assert [r.position for r in waiting] == list(range(1, 41))
    # The line is in the order people were served: later in line, later registered.
    assert [r.pk for r in waiting] == sorted(r.pk for r in waiting)
    assert [r.created_at for r in waiting] == sorted(r.created_at for r in waiting)
    confirmed_last = registrations.filter(status="confirmed").order_by("-pk").first()
    assert confirmed_last.pk < waiting[0].pk
    assert {r.user_id for r in registrations} == {p.pk for p in people}


def test_the_same_person_registering_five_times_at_once_is_registered_once():
    event = gathering(capacity=3)
    person = UserFactory(roles=["member"])
    errors = run_in_threads([lambda: registration_member_create(gathering=event, user=person)] * 5)
    assert len(errors) == 4
    assert all("already registered" in str(e) for e in errors)
    assert Registration.objects.filter(gathering=event).count() == 1
    event.refresh_from_db()
    assert event.seats_taken == 1


def test_seats_freed_at_once_go_to_the_first_of_the_line_in_order():
    event = gathering(capacity=5)
    people = [UserFactory(roles=["member"]) for _ in range(12)]
    registrations = [registration_member_create(gathering=event, user=p) for p in people]
    seated, line = registrations[:5], registrations[5:]

    def cancel(registration):
        return lambda: registration_cancel(registration=registration)

    errors = run_in_threads([cancel(r) for r in seated[:4]])
    assert errors == []
    event.refresh_from_db()
    assert event.seats_taken == 5
    states = {r.pk: r.status for r in Registration.objects.filter(gathering=event)}
    assert [states[r.pk] for r in line] == ["offered"] * 4 + ["waiting"] * 3
    assert all(states[r.pk] == "cancelled" for r in seated[:4])
