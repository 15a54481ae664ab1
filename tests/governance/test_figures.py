"""The live figures and the quorum (RULES 12): who is counted, exact fractions rounded up to
whole members, and one query whatever the roll's size."""

import datetime as dt
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from coop.models import Statutes
from governance.models import Assembly, Proxy
from governance.selectors.figures import AssemblyFigures, assembly_figures, quorum_members
from governance.services.meeting import roll_entry_check_in
from governance.services.proxies import proxy_give
from tests.coop.factories import StatutesFactory
from tests.governance.factories import (
    convened_assembly,
    meeting_today,
    members_admitted,
    statutes_and_register,
    voted_at_distance,
)

# -- the arithmetic, against a reference written here ----------------------------------------


def reference_quorum(fraction: Fraction, roll_size: int) -> int:
    """The smallest number of members n with n / roll_size >= fraction, found by counting up."""
    n = 0
    while n * fraction.denominator < fraction.numerator * roll_size:
        n += 1
    return n


fractions = st.fractions(min_value=0, max_value=1, max_denominator=60)
rolls = st.integers(min_value=0, max_value=3000)


@given(fraction=fractions, roll_size=rolls)
def test_quorum_is_the_share_of_the_roll_rounded_up_to_whole_members(fraction, roll_size):
    required = quorum_members(fraction=fraction, roll_size=roll_size)
    assert isinstance(required, int)
    assert required == reference_quorum(fraction, roll_size)
    assert Fraction(required) >= fraction * roll_size > required - 1


def _figures(fraction, roll_size, present, represented, distance):
    return AssemblyFigures(
        roll_size=roll_size,
        present=present,
        represented=represented,
        distance=distance,
        quorum_fraction=fraction,
        quorum_required=quorum_members(fraction=fraction, roll_size=roll_size),
        proxies_active=represented,
    )


@given(fraction=fractions, roll_size=st.integers(min_value=1, max_value=3000), data=st.data())
def test_reaching_the_quorum_is_monotonic_in_attendance_and_exact(fraction, roll_size, data):
    present = data.draw(st.integers(min_value=0, max_value=roll_size))
    represented = data.draw(st.integers(min_value=0, max_value=roll_size - present))
    distance = data.draw(st.integers(min_value=0, max_value=roll_size - present - represented))
    before = _figures(fraction, roll_size, present, represented, distance)
    # exact: the share of the roll counted, compared as fractions (1/5 of 101 is 20.2: 21)
    assert before.reached == (Fraction(before.total, roll_size) >= fraction)
    assert before.missing == max(0, reference_quorum(fraction, roll_size) - before.total)
    # one more member present, represented or at distance never loses the quorum
    if before.total < roll_size:
        for more in (
            _figures(fraction, roll_size, present + 1, represented, distance),
            _figures(fraction, roll_size, present, represented + 1, distance),
            _figures(fraction, roll_size, present, represented, distance + 1),
        ):
            assert more.total == before.total + 1
            assert more.reached or not before.reached
            assert more.missing <= before.missing


def test_known_values():
    assert quorum_members(fraction=Fraction(1, 5), roll_size=101) == 21
    assert quorum_members(fraction=Fraction(1, 5), roll_size=100) == 20
    assert quorum_members(fraction=Fraction(1, 3), roll_size=3) == 1
    assert quorum_members(fraction=Fraction(1, 4), roll_size=0) == 0
    assert quorum_members(fraction=Fraction(0), roll_size=500) == 0
    with pytest.raises(ValueError):
        quorum_members(fraction=Fraction(-1, 5), roll_size=10)


# -- the figures of an assembly ----------------------------------------------------------------


@pytest.fixture
def assembly(db):
    register = statutes_and_register()
    return convened_assembly(starts_at=meeting_today(), members=members_admitted(register, 12))


def _entries(assembly):
    return list(assembly.roll.order_by("member_number"))


def test_figures_count_present_represented_and_distance_each_member_once(assembly):
    e = _entries(assembly)
    roll_entry_check_in(roll_entry=e[0], actor=None)
    roll_entry_check_in(roll_entry=e[1], actor=None)
    proxy_give(assembly=assembly, giver=e[2], holder=e[0], actor=None)  # holder present
    proxy_give(assembly=assembly, giver=e[3], holder=e[4], actor=None)  # holder absent
    proxy_give(assembly=assembly, giver=e[5], holder=e[6], actor=None)  # holder at distance
    voted_at_distance(e[6])
    voted_at_distance(e[5], cast_by=e[6])  # the holder's distance vote carried the principal's
    voted_at_distance(e[7])
    voted_at_distance(e[1])  # voted at distance, then came: counted once, as present

    figures = assembly_figures(assembly=Assembly.objects.select_related("statutes").get())

    assert figures.roll_size == 12
    assert figures.present == 2  # e0, e1
    assert figures.represented == 2  # e2 (by e0), e5 (by e6)
    assert figures.distance == 2  # e6, e7
    assert figures.total == 6
    assert figures.proxies_active == 3
    assert figures.quorum_fraction == Fraction(1, 5)
    assert figures.quorum_required == 3  # 12/5 = 2.4 -> 3
    assert figures.reached
    assert figures.missing == 0


def test_a_revoked_proxy_represents_nobody(assembly):
    e = _entries(assembly)
    roll_entry_check_in(roll_entry=e[0], actor=None)
    proxy = proxy_give(assembly=assembly, giver=e[1], holder=e[0], actor=None)
    assert assembly_figures(assembly=assembly).represented == 1
    Proxy.objects.filter(pk=proxy.pk).update(revoked_at=proxy.given_at)
    assert assembly_figures(assembly=assembly).represented == 0


def test_quorum_follows_the_frozen_statutes_for_the_kind_and_convocation(db):
    register = statutes_and_register()
    members = members_admitted(register, 21)
    extraordinary = convened_assembly(
        starts_at=meeting_today(), members=members, kind=Assembly.Kind.EXTRAORDINARY
    )
    figures = assembly_figures(assembly=extraordinary)
    assert (figures.quorum_fraction, figures.quorum_required) == (Fraction(1, 4), 6)
    assert not figures.reached
    assert figures.missing == 6

    StatutesFactory(effective_from=dt.date(2021, 1, 1), quorum_ordinary_first="1/3")
    ordinary = convened_assembly(starts_at=meeting_today(), members=members, title="AGO")
    assert ordinary.statutes == Statutes.objects.latest()
    figures = assembly_figures(assembly=ordinary)
    assert (figures.quorum_fraction, figures.quorum_required) == (Fraction(1, 3), 7)


def test_no_quorum_on_a_second_ordinary_convocation_is_always_reached(db):
    register = statutes_and_register()
    members = members_admitted(register, 5)
    first = convened_assembly(starts_at=meeting_today(), members=members)
    second = convened_assembly(
        members=members, convocation=Assembly.ConvocationNumber.SECOND, first_convocation=first
    )
    figures = assembly_figures(assembly=second)
    assert (figures.quorum_required, figures.total, figures.reached) == (0, 0, True)


def test_figures_take_one_query_whatever_the_roll(db, django_assert_num_queries):
    register = statutes_and_register()
    small = convened_assembly(starts_at=meeting_today(), members=members_admitted(register, 3))
    large = convened_assembly(
        starts_at=meeting_today(), members=members_admitted(register, 60), title="Grande"
    )
    for assembly in (small, large):
        entries = _entries(assembly)
        roll_entry_check_in(roll_entry=entries[0], actor=None)
        proxy_give(assembly=assembly, giver=entries[1], holder=entries[0], actor=None)
        voted_at_distance(entries[2])
    counts = []
    for assembly in (small, large):
        assembly = Assembly.objects.select_related("statutes").get(pk=assembly.pk)
        with CaptureQueriesContext(connection) as queries:
            figures = assembly_figures(assembly=assembly)
        counts.append(len(queries))
        assert figures.total == 3
    assert counts == [1, 1]


def test_live_figures_are_cached_and_dropped_when_a_check_in_or_proxy_changes_them(assembly):
    from governance.selectors.figures import live_figures

    e = _entries(assembly)
    assert live_figures(assembly_pk=assembly.pk).figures.present == 0
    with CaptureQueriesContext(connection) as queries:
        assert live_figures(assembly_pk=assembly.pk).figures.present == 0
    assert len(queries) == 0  # from the cache
    roll_entry_check_in(roll_entry=e[0], actor=None)
    assert live_figures(assembly_pk=assembly.pk).figures.present == 1
    proxy_give(assembly=assembly, giver=e[1], holder=e[0], actor=None)
    assert live_figures(assembly_pk=assembly.pk).figures.represented == 1
    assert live_figures(assembly_pk=0) is None
