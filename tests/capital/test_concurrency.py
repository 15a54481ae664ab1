"""Only-once and never-below rules of the ledger under real concurrency (threads, each with
its own database connection)."""

import datetime as dt
from decimal import Decimal

import pytest

from capital import selectors
from capital.models import ShareMovement
from capital.services import repayment_make, repayment_request_for_exit
from coop.errors import DomainError
from members.services import member_exit
from tests.capital.factories import approve_accounts, capital_setup, member, subscribe
from tests.threads import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_parallel_subscriptions_get_twenty_consecutive_numbers():
    register = capital_setup()
    members = [member(register, last_name=f"Parallèle {i}") for i in range(20)]

    errors = run_in_threads([lambda m=m: subscribe(m, 1) for m in members])

    assert errors == []
    assert list(ShareMovement.objects.values_list("seq", flat=True)) == list(range(1, 21))
    assert list(ShareMovement.objects.values_list("capital_after", flat=True)) == [
        Decimal(50 * i) for i in range(1, 21)
    ]


def test_parallel_repayments_near_the_floor_never_go_below_it():
    register = capital_setup()
    keeper = member(register, last_name="Reste")
    subscribe(keeper, 1)
    leavers = [member(register, last_name=f"Part {i}") for i in range(6)]
    for leaver in leavers:
        subscribe(leaver, 1)  # capital 350, highest 350, floor 87.50: at most 5 can be repaid
    requests = []
    for day, leaver in enumerate(leavers, start=1):
        member_exit(
            member=leaver,
            status="resigned",
            exited_on=dt.date(2025, 5, day),
            decision_ref="Lettre",
            actor=None,
        )
        requests.append(repayment_request_for_exit(member=leaver))
    approve_accounts(2025)

    def repay_head():
        # Each administrator repays the head of the queue, as they see it, until the queue is
        # empty or the floor stops them. A lost race (already repaid, no longer first) means
        # someone else progressed, so the bound is only a safety net.
        for _attempt in range(50):
            head = selectors.repayment_queue().first()
            if head is None:
                return
            try:
                repayment_make(
                    request=head, effective_on=dt.date(2026, 7, 1), decision_ref="AG", actor=None
                )
            except DomainError as exc:
                if exc.code == "below_capital_floor":
                    return
                assert exc.code in ("already_repaid", "not_first_in_queue"), exc.code

    errors = run_in_threads([repay_head] * 6)

    assert errors == []
    on = dt.date(2026, 7, 1)
    assert selectors.capital_at(on=on) >= selectors.capital_floor(on=on) == Decimal("87.50")
    repayments = ShareMovement.objects.filter(kind="repayment")
    assert repayments.count() == 5  # each repaid once, the sixth waits at the floor
    assert sorted(r.member_id for r in repayments) == sorted(m.pk for m in leavers[:5])
    assert list(selectors.repayment_queue()) == [requests[5]]
    assert selectors.capital_at(on=on) == sum(b.subscribed for b in selectors.balances_at(on=on))


def test_parallel_repayments_of_the_same_request_repay_once():
    register = capital_setup()
    keeper, leaver = member(register, last_name="Reste"), member(register, last_name="Part")
    subscribe(keeper, 4)
    subscribe(leaver, 1)
    member_exit(
        member=leaver,
        status="resigned",
        exited_on=dt.date(2025, 5, 1),
        decision_ref="L",
        actor=None,
    )
    request = repayment_request_for_exit(member=leaver)
    approve_accounts(2025)

    def repay():
        repayment_make(
            request=request, effective_on=dt.date(2026, 7, 1), decision_ref="AG", actor=None
        )

    errors = run_in_threads([repay] * 5)

    assert len(errors) == 4
    assert all(getattr(e, "code", None) == "already_repaid" for e in errors)
    assert ShareMovement.objects.filter(kind="repayment").count() == 1
