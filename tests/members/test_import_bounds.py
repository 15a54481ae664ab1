"""An import keeps the register's numbers within what admissions after it need (issue 15): a
member number of 2,147,483,647 used to be imported, and then every admission failed."""

import datetime as dt

import pytest

from members.imports import register_import
from members.models import Member
from members.services import member_admit
from tests.coop.factories import StatutesFactory, UserFactory
from tests.members.factories import apply, standard_register
from tests.members.test_import import GOOD_ROWS, HEADER, csv_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(db):
    StatutesFactory(effective_from=dt.date(2010, 1, 1))
    return standard_register()


@pytest.fixture
def actor(db):
    return UserFactory(roles=["administrator"], is_staff=True)


def _row(number: str, shares: str = "") -> str:
    return GOOD_ROWS[0].replace("5;ratified;", f"{number};ratified;", 1) + (
        f";{shares}" if shares else ""
    )


@pytest.mark.parametrize("number", ["2147483647", "1000000000", "9" * 5000])
def test_a_number_beyond_what_admissions_need_is_refused_with_its_reason(register, actor, number):
    report = register_import(file=csv_file(HEADER, _row(number)), actor=actor)
    assert not report.ok
    [problem] = report.problems
    assert (problem.line, problem.column) == (2, "number")
    assert "is too large: member numbers go up to 999,999,999" in problem.message
    assert not Member.objects.exists()


@pytest.mark.parametrize("number", ["²", "١٢", "0", "-3"])
def test_digits_that_are_not_a_member_number_are_refused(register, actor, number):
    report = register_import(file=csv_file(HEADER, _row(number)), actor=actor)
    [problem] = report.problems
    assert problem.column == "number"
    assert "is not a member number" in problem.message


def test_the_highest_number_accepted_leaves_admissions_their_room(register, actor):
    assert register_import(file=csv_file(HEADER, _row("999999999")), actor=actor).ok
    newcomer = member_admit(
        member=apply(register["categories"]["volunteer"], last_name="Après"),
        decided_on=dt.date(2025, 2, 1),
        decision_ref="CA 2025-02",
        college=register["colleges"]["supporters"],
        actor=actor,
    )
    assert newcomer.number == 1_000_000_000


def test_a_number_of_shares_beyond_the_database_is_refused(register, actor):
    header = HEADER + ";requested_shares"
    report = register_import(file=csv_file(header, _row("5", "99999999999")), actor=actor)
    [problem] = report.problems
    assert problem.column == "requested_shares"
    assert "is more than a member can hold here (at most 1,000,000)" in problem.message


def test_a_nul_byte_in_a_cell_is_reported_not_a_crash(register, actor):
    row = GOOD_ROWS[0].replace("Claire", "Cla\x00ire")
    report = register_import(file=csv_file(HEADER, row), actor=actor)
    [problem] = report.problems
    assert (problem.line, problem.column) == (2, "first_name")
    assert "invisible control character" in problem.message
    assert not Member.objects.exists()
