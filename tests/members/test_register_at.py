"""Register at a date: the one-query reconstruction equals a replay of the events."""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coop.errors import DomainError
from members.models import Member, RegisterEvent
from members.selectors import register_at
from members.services import (
    member_admit,
    member_exit,
    member_move_college,
    member_reject,
    member_update_contact,
    members_ratify,
)
from tests.coop.factories import StatutesFactory
from tests.members.factories import apply, standard_register

START = dt.date(2025, 1, 1)
ACTIONS = ("admit", "reject", "ratify", "move", "contact", "exit")


def _replay(on: dt.date) -> dict[int, dict]:
    """Reference: fold every event's changes in (date, id) order, member by member."""
    state: dict[int, dict] = {}
    for event in RegisterEvent.objects.filter(effective_on__lte=on).order_by("effective_on", "id"):
        state.setdefault(event.member_id, {}).update(event.changes)
    return {mid: entry for mid, entry in state.items() if entry.get("number") is not None}


def _apply_step(member, action, day, colleges, step):
    try:
        if action == "admit":
            member_admit(
                member=member,
                decided_on=day,
                decision_ref=f"CA {step}",
                college=colleges[step % 3],
                actor=None,
            )
        elif action == "reject":
            member_reject(member=member, decided_on=day, reason="non", actor=None)
        elif action == "ratify":
            members_ratify(members=[member], ratified_on=day, assembly_ref=f"AG {step}", actor=None)
        elif action == "move":
            member_move_college(
                member=member,
                college=colleges[(step + 1) % 3],
                effective_on=day,
                decision_ref=f"CA {step}",
                actor=None,
            )
        elif action == "contact":
            member_update_contact(member=member, changes={"city": f"Ville {step}"}, actor=None)
        elif action == "exit":
            member_exit(
                member=member,
                status="resigned",
                exited_on=day,
                decision_ref=f"Lettre {step}",
                actor=None,
            )
    except DomainError:
        pass  # an impossible step is refused and changes nothing: the replay must agree


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from(ACTIONS), st.integers(0, 20)),
        min_size=1,
        max_size=25,
    )
)
def test_register_at_every_date_equals_the_replay(steps):
    # Each example runs in a savepoint rolled back at its end: examples do not see each other.
    with transaction.atomic():
        _check_history(steps)
        transaction.set_rollback(True)


def _check_history(steps):
    StatutesFactory(effective_from=dt.date(2020, 1, 1))
    register = standard_register()
    colleges = list(register["colleges"].values())
    members = [
        apply(register["categories"]["volunteer"], last_name=f"M{i}", applied_on=START)
        for i in range(4)
    ]
    day = START
    for step, (who, action, gap) in enumerate(steps):
        day = day + dt.timedelta(days=gap)
        member = Member.objects.get(pk=members[who].pk)
        _apply_step(member, action, day, colleges, step)
    dates = sorted(set(RegisterEvent.objects.values_list("effective_on", flat=True)))
    probes = {START - dt.timedelta(days=1), *dates, *(d + dt.timedelta(days=1) for d in dates)}
    for on in sorted(probes):
        expected = _replay(on)
        got = {event.member_id: event.snapshot for event in register_at(on=on)}
        assert set(got) == set(expected), on
        for member_id, entry in expected.items():
            for key, value in entry.items():
                assert got[member_id][key] == value, (on, member_id, key)
