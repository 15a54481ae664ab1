"""Property-based: whatever the sequence of movements, the ledger balances."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from capital import selectors
from capital.models import ShareMovement
from capital.services import (
    repayment_make,
    repayment_request_for_exit,
    share_correct,
    share_pay,
    share_subscribe,
    share_transfer,
)
from coop.errors import DomainError
from members.services import member_exit
from tests.capital.factories import approve_accounts, capital_setup, member

START = dt.date(2025, 3, 1)
STEP = dt.timedelta(days=30)  # a step a month: exits of one year are repaid the next
# The accounts of each year are approved on 20 January of the next, with these losses a share.
LOSSES_PER_SHARE = {2025: Decimal("7.50"), 2026: Decimal(0), 2027: Decimal(60)}
ACTIONS = ("subscribe", "subscribe", "pay", "transfer", "exit", "repay", "correct")


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(ACTIONS),
            st.integers(0, 2),
            st.integers(0, 2),
            st.integers(1, 12),
            st.integers(0, 2),
        ),
        min_size=1,
        max_size=30,
    )
)
@example(
    steps=[
        ("subscribe", 0, 0, 8, 1),
        ("subscribe", 1, 0, 2, 1),
        ("pay", 1, 0, 3, 0),
        ("transfer", 0, 1, 2, 0),
        ("exit", 0, 0, 1, 0),
        ("repay", 0, 0, 1, 1),
        ("correct", 0, 0, 1, 0),
    ]
)
def test_random_movements_keep_the_ledger_balanced(steps):
    # Each example runs in a savepoint rolled back at its end: examples do not see each other.
    with transaction.atomic(), translation.override("en"):
        _check(steps)
        transaction.set_rollback(True)


def _act(action, who, other, n, days, members, on):
    if action == "subscribe":
        share_subscribe(
            member=members[who],
            shares=n,
            paid_amount=Decimal(50 * n) if n % 2 else Decimal(50 * n) / 4,
            effective_on=on,
            due_on=on + dt.timedelta(days=30 * days),
            decision_ref="B",
            actor=None,
        )
    elif action == "pay":
        share_pay(
            member=members[who],
            amount=Decimal(n * 5),
            effective_on=on,
            decision_ref="V",
            actor=None,
        )
    elif action == "transfer":
        share_transfer(
            giver=members[who],
            receiver=members[other],
            shares=n,
            effective_on=on,
            decision_ref="CA",
            actor=None,
        )
    elif action == "exit":
        member_exit(
            member=members[who], status="resigned", exited_on=on, decision_ref="L", actor=None
        )
        repayment_request_for_exit(member=members[who])
    elif action == "repay":
        head = selectors.repayment_queue().first()
        if head is not None:
            held = selectors.member_balance(member=head.member, on=on)
            movement = repayment_make(request=head, effective_on=on, decision_ref="AG", actor=None)
            # Nominal value less the approved losses per share, at most down to nothing.
            losses = min(held.paid, LOSSES_PER_SHARE[head.exited_on.year] * held.shares)
            assert movement.cash_amount == held.paid - losses
            return "repaid"
    elif action == "correct":
        target = (
            ShareMovement.objects.filter(kind__in=("subscription", "payment"))
            .order_by("-seq")[days : days + 1]
            .first()
        )
        if target is not None:
            share_correct(movement=target, effective_on=on, decision_ref="E", actor=None)
    return None


def _check(steps):
    register = capital_setup()
    for year, losses in LOSSES_PER_SHARE.items():
        approve_accounts(year, on=dt.date(year + 1, 1, 20), losses=losses)
    members = [member(register, last_name=f"M{i}") for i in range(3)]
    for index, (action, who, other, n, days) in enumerate(steps):
        on = START + STEP * index
        for m in members:
            m.refresh_from_db()
        try:
            outcome = _act(action, who, other, n, days, members, on)
            event(f"{action} done")
        except DomainError as exc:
            outcome = None
            event(f"{action} refused: {exc.code}")
        capital = selectors.capital_at(on=on)
        balances = selectors.balances_at(on=on)
        movements = list(ShareMovement.objects.order_by("seq"))
        assert capital == sum((b.subscribed for b in balances), Decimal(0))
        assert capital == sum((m.amount for m in movements), Decimal(0))
        assert [m.seq for m in movements] == list(range(1, len(movements) + 1))
        running, highest = Decimal(0), Decimal(0)
        for movement in movements:
            running += movement.amount
            highest = max(highest, running)
            assert (movement.capital_after, movement.highest_capital_after) == (running, highest)
        for balance in balances:
            assert balance.shares >= 0
            assert 0 <= balance.paid <= balance.subscribed
            assert balance.subscribed == balance.shares * Decimal(50)
        if outcome == "repaid":
            assert capital >= selectors.capital_floor(on=on)
