"""Only-once rules of the register under real concurrency (threads, each its own connection)."""

import datetime as dt

import pytest

from members.models import Member
from members.services import member_admit
from tests.coop.factories import StatutesFactory
from tests.members.factories import apply, standard_register
from tests.threads import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_parallel_admissions_get_twenty_consecutive_numbers():
    StatutesFactory(effective_from=dt.date(2020, 1, 1))
    register = standard_register()
    category, college = register["categories"]["employee"], register["colleges"]["employees"]
    applicants = [apply(category, last_name=f"Parallèle {i}") for i in range(20)]

    def admit(member):
        return lambda: member_admit(
            member=member,
            decided_on=dt.date(2025, 2, 1),
            decision_ref="CA",
            college=college,
            actor=None,
        )

    errors = run_in_threads([admit(m) for m in applicants])
    assert errors == []
    numbers = sorted(Member.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 21))


def test_the_same_applicant_admitted_twice_at_once_is_admitted_once():
    StatutesFactory(effective_from=dt.date(2020, 1, 1))
    register = standard_register()
    member = apply(register["categories"]["employee"])
    college = register["colleges"]["employees"]

    def admit():
        member_admit(
            member=member,
            decided_on=dt.date(2025, 2, 1),
            decision_ref="CA",
            college=college,
            actor=None,
        )

    errors = run_in_threads([admit] * 5)
    assert len(errors) == 4
    assert all("cannot be admitted" in str(e) for e in errors)
    member.refresh_from_db()
    assert member.number == 1
    assert member.events.filter(kind="admitted").count() == 1
