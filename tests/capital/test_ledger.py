"""The ledger core: each service's success and refusal, and the database's own guards."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from capital import selectors
from capital.models import RepaymentRequest, ShareMovement
from capital.services import (
    repayment_make,
    repayment_request_for_exit,
    share_correct,
    share_pay,
    share_subscribe,
    share_transfer,
)
from coop.errors import DomainError
from coop.models import AuditEvent
from members.services import member_exit
from tests.capital.factories import DAY, approve_accounts, capital_setup, member, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    return capital_setup()


def _exit(who, on=dt.date(2025, 6, 1)):
    member_exit(member=who, status="resigned", exited_on=on, decision_ref="Lettre", actor=None)


def _refused(code, fn, **kwargs):
    """Call a service expecting a refusal; check nothing was written."""
    before = (ShareMovement.objects.count(), AuditEvent.objects.count())
    with pytest.raises(DomainError) as info:
        fn(**kwargs)
    assert info.value.code == code, str(info.value)
    assert (ShareMovement.objects.count(), AuditEvent.objects.count()) == before
    return str(info.value)


# --- subscription ------------------------------------------------------------------------------


def test_subscription_at_nominal_value_with_a_quarter_paid(register):
    alice = member(register, last_name="Alice")
    movement = subscribe(alice, 4, paid="50.00", due_on=dt.date(2027, 3, 1))
    assert (movement.seq, movement.kind, movement.shares) == (1, "subscription", 4)
    assert movement.nominal_value == Decimal("50.00")
    assert movement.amount == Decimal("200.00")
    assert movement.paid_amount == Decimal("50.00")
    balance = selectors.member_balance(member=alice, on=DAY)
    assert (balance.shares, balance.subscribed, balance.paid) == (4, 200, 50)
    assert balance.unpaid == Decimal("150.00")
    assert selectors.capital_at(on=DAY) == Decimal("200.00")
    assert selectors.capital_at(on=DAY - dt.timedelta(days=1)) == 0
    assert AuditEvent.objects.filter(action="capital.subscription").count() == 1


def test_subscription_refusals_give_the_figures(register):
    alice = member(register, last_name="Alice")
    base = {
        "member": alice,
        "effective_on": DAY,
        "decision_ref": "Bulletin",
        "actor": None,
        "due_on": dt.date(2026, 1, 1),
    }
    message = _refused(
        "paying_up_minimum", share_subscribe, shares=4, paid_amount=Decimal("49.99"), **base
    )
    assert "€50.00" in message and "€200.00" in message
    _refused("paying_up_minimum", share_subscribe, shares=1, paid_amount=Decimal(60), **base)
    _refused(
        "bad_due_date",
        share_subscribe,
        shares=4,
        paid_amount=Decimal(50),
        **{**base, "due_on": dt.date(2030, 3, 2)},
    )
    _refused("no_shares", share_subscribe, shares=0, paid_amount=Decimal(0), **base)
    _refused(
        "no_ref",
        share_subscribe,
        shares=1,
        paid_amount=Decimal(50),
        **{**base, "decision_ref": " "},
    )


def test_first_subscription_respects_the_category_minimum(register):
    category = register["categories"]["employee"]
    category.minimum_shares = 3
    category.save()
    bob = member(register, "employee", last_name="Bob", requested_shares=3)
    message = _refused(
        "below_minimum_shares",
        share_subscribe,
        member=bob,
        shares=2,
        paid_amount=Decimal(100),
        effective_on=DAY,
        due_on=None,
        decision_ref="B",
        actor=None,
    )
    assert "at least 3 shares" in message
    subscribe(bob, 3)
    subscribe(bob, 1)  # later subscriptions may be of one share
    assert selectors.member_balance(member=bob, on=DAY).shares == 4


def test_only_a_current_member_subscribes(register):
    alice = member(register, last_name="Alice")
    _exit(alice, on=dt.date(2025, 2, 10))
    _refused(
        "not_a_member",
        share_subscribe,
        member=alice,
        shares=1,
        paid_amount=Decimal(50),
        effective_on=DAY,
        due_on=None,
        decision_ref="B",
        actor=None,
    )


def test_movements_are_recorded_in_date_order(register):
    alice = member(register, last_name="Alice")
    subscribe(alice, 1, on=DAY)
    message = _refused(
        "date_before_latest",
        share_subscribe,
        member=alice,
        shares=1,
        paid_amount=Decimal(50),
        effective_on=DAY - dt.timedelta(days=1),
        due_on=None,
        decision_ref="B",
        actor=None,
    )
    assert "no. 1" in message


# --- payment -------------------------------------------------------------------------------------


def test_payment_of_part_of_the_unpaid_amount(register):
    alice = member(register, last_name="Alice")
    subscribe(alice, 4, paid="50.00", due_on=dt.date(2026, 3, 1))
    share_pay(
        member=alice,
        amount=Decimal("100.00"),
        effective_on=DAY,
        decision_ref="Virement",
        actor=None,
    )
    balance = selectors.member_balance(member=alice, on=DAY)
    assert (balance.paid, balance.unpaid) == (Decimal("150.00"), Decimal("50.00"))
    assert selectors.capital_at(on=DAY) == Decimal("200.00")  # a payment does not change capital
    message = _refused(
        "payment_above_unpaid",
        share_pay,
        member=alice,
        amount=Decimal("50.01"),
        effective_on=DAY,
        decision_ref="Virement",
        actor=None,
    )
    assert "€50.00" in message and "€50.01" in message


def test_unpaid_calls_due_by_date(register):
    alice, bob = member(register, last_name="Alice"), member(register, last_name="Bob")
    subscribe(alice, 4, paid="50.00", due_on=dt.date(2026, 3, 1))
    subscribe(bob, 2)
    assert selectors.unpaid_calls_due(on=dt.date(2026, 2, 28)) == []
    assert selectors.unpaid_calls_due(on=dt.date(2026, 3, 1)) == [(alice.pk, Decimal("150.00"))]
    share_pay(
        member=alice,
        amount=Decimal("100"),
        effective_on=dt.date(2026, 3, 2),
        decision_ref="V",
        actor=None,
    )
    assert selectors.unpaid_calls_due(on=dt.date(2026, 3, 2)) == [(alice.pk, Decimal("50.00"))]


# --- transfer ------------------------------------------------------------------------------------


def test_transfer_between_two_members(register):
    alice, bob = member(register, last_name="Alice"), member(register, last_name="Bob")
    subscribe(alice, 5)
    subscribe(bob, 1)
    out, into = share_transfer(
        giver=alice, receiver=bob, shares=2, effective_on=DAY, decision_ref="CA 2025-03", actor=None
    )
    assert (out.seq, into.seq) == (3, 4)
    assert (out.counterparty, into.counterparty) == (bob, alice)
    assert out.decision_ref == into.decision_ref == "CA 2025-03"
    assert selectors.member_balance(member=alice, on=DAY).shares == 3
    assert selectors.member_balance(member=bob, on=DAY).shares == 3
    assert selectors.capital_at(on=DAY) == Decimal("300.00")


def test_transfer_refused_when_the_giver_does_not_hold_the_shares(register):
    alice, bob = member(register, last_name="Alice"), member(register, last_name="Bob")
    subscribe(alice, 2)
    message = _refused(
        "giver_does_not_hold",
        share_transfer,
        giver=alice,
        receiver=bob,
        shares=3,
        effective_on=DAY,
        decision_ref="CA",
        actor=None,
    )
    assert "holds 2 shares" in message


# --- public bodies -------------------------------------------------------------------------------


def test_public_bodies_hold_at_most_half_of_the_capital(register):
    alice = member(register, last_name="Alice")
    town = member(
        register, "public", person_kind="legal", legal_name="Commune", representative_name="Maire"
    )
    subscribe(alice, 10)
    subscribe(town, 10)  # exactly half
    message = _refused(
        "public_bodies_cap",
        share_subscribe,
        member=town,
        shares=1,
        paid_amount=Decimal(50),
        effective_on=DAY,
        due_on=None,
        decision_ref="B",
        actor=None,
    )
    assert "1/2" in message and "€550.00" in message and "€1,050.00" in message


# --- correction ----------------------------------------------------------------------------------


def test_correction_reverses_a_movement_once(register):
    alice = member(register, last_name="Alice")
    subscribe(alice, 2)
    wrong = subscribe(alice, 3)
    fix = share_correct(movement=wrong, effective_on=DAY, decision_ref="Erreur", actor=None)
    assert (fix.kind, fix.corrects, fix.shares, fix.amount) == ("correction", wrong, -3, -150)
    assert selectors.member_balance(member=alice, on=DAY).shares == 2
    assert selectors.capital_at(on=DAY) == Decimal("100.00")
    _refused(
        "already_corrected",
        share_correct,
        movement=wrong,
        effective_on=DAY,
        decision_ref="Erreur",
        actor=None,
    )
    _refused(
        "not_correctable",
        share_correct,
        movement=fix,
        effective_on=DAY,
        decision_ref="E",
        actor=None,
    )


# --- exit and repayment --------------------------------------------------------------------------


def test_exit_puts_shares_in_the_queue_in_the_order_of_exits(register):
    members = [member(register, last_name=f"M{i}") for i in range(4)]
    for m in members:
        subscribe(m, 10)
    _exit(members[2], on=dt.date(2025, 5, 1))
    _exit(members[1], on=dt.date(2025, 6, 1))
    first = repayment_request_for_exit(member=members[1])
    second = repayment_request_for_exit(member=members[2])
    assert repayment_request_for_exit(member=members[1]) == first  # only once
    assert list(selectors.repayment_queue()) == [second, first]
    assert second.shares == 10
    _refused("not_exited", repayment_request_for_exit, member=members[0])


def test_repayment_at_nominal_less_losses(register):
    alice, bob = member(register, last_name="Alice"), member(register, last_name="Bob")
    subscribe(alice, 10)
    subscribe(bob, 4, paid="100.00", due_on=dt.date(2026, 1, 1))
    _exit(bob)
    request = repayment_request_for_exit(member=bob)
    approve_accounts(2025, losses="2.50")  # 4 shares: 10 € of losses
    on = dt.date(2026, 7, 1)
    message = _refused(
        "bad_losses",
        repayment_make,
        request=request,
        effective_on=on,
        decision_ref="AG 2025",
        losses=Decimal(20),
        actor=None,
    )
    assert "charge €2.50 of losses a share: €10.00 for these 4 shares" in message
    movement = repayment_make(
        request=request, effective_on=on, decision_ref="AG 2025", losses=Decimal(10), actor=None
    )
    assert (movement.shares, movement.amount, movement.paid_amount) == (-4, -200, -100)
    assert movement.cash_amount == Decimal("90.00")
    assert selectors.member_balance(member=bob, on=on).shares == 0
    assert selectors.capital_at(on=on) == Decimal("500.00")
    assert list(selectors.repayment_queue()) == []
    _refused(
        "already_repaid",
        repayment_make,
        request=request,
        effective_on=on,
        decision_ref="AG",
        actor=None,
    )


def test_repayment_below_the_floor_is_refused_and_waits_in_order(register):
    alice, bob, carol = (member(register, last_name=n) for n in ("Alice", "Bob", "Carol"))
    subscribe(alice, 2)
    subscribe(bob, 6)
    subscribe(carol, 1)  # capital 450, highest 450, floor 112.50
    _exit(bob, on=dt.date(2025, 5, 1))
    _exit(carol, on=dt.date(2025, 6, 1))
    bob_request = repayment_request_for_exit(member=bob)
    carol_request = repayment_request_for_exit(member=carol)
    approve_accounts(2025)
    on = dt.date(2026, 7, 1)
    message = _refused(
        "not_first_in_queue",
        repayment_make,
        request=carol_request,
        effective_on=on,
        decision_ref="AG",
        actor=None,
    )
    assert "Bob" in message
    repayment_make(request=bob_request, effective_on=on, decision_ref="AG", actor=None)
    # capital 150 -> 100 would go below the floor 112.50
    message = _refused(
        "below_capital_floor",
        repayment_make,
        request=carol_request,
        effective_on=on,
        decision_ref="AG",
        actor=None,
    )
    assert "€150.00" in message and "€100.00" in message
    assert "€112.50" in message and "€450.00" in message
    assert list(selectors.repayment_queue()) == [carol_request]
    assert selectors.capital_floor(on=on) == Decimal("112.50")
    assert selectors.highest_capital(on=on) == Decimal("450.00")


# --- selectors -----------------------------------------------------------------------------------


def test_balances_at_in_one_query_and_running_totals_equal_the_sums(
    register, django_assert_num_queries
):
    members = [member(register, last_name=f"M{i}") for i in range(5)]
    for i, m in enumerate(members):
        subscribe(m, i + 1)
    with django_assert_num_queries(1):
        balances = selectors.balances_at(on=DAY)
    assert [b.shares for b in balances] == [1, 2, 3, 4, 5]
    assert sum(b.subscribed for b in balances) == selectors.capital_at(on=DAY)
    assert selectors.capital_at(on=DAY) == sum(
        ShareMovement.objects.values_list("amount", flat=True)
    )


# --- database guards -----------------------------------------------------------------------------


def test_the_database_refuses_update_and_delete_on_the_ledger(register):
    subscribe(member(register, last_name="Alice"), 1)
    for sql in (
        "UPDATE capital_sharemovement SET shares = 100",
        "DELETE FROM capital_sharemovement",
    ):
        with (
            pytest.raises(IntegrityError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert ShareMovement.objects.get().shares == 1


def test_the_database_refuses_inconsistent_rows(register):
    alice = member(register, last_name="Alice")
    base = {
        "seq": 99,
        "effective_on": DAY,
        "member": alice,
        "nominal_value": Decimal(50),
        "capital_after": 0,
        "highest_capital_after": 0,
        "decision_ref": "x",
    }
    bad_rows = [
        {"kind": "subscription", "shares": 2, "amount": Decimal(90), "paid_amount": 0},
        {"kind": "subscription", "shares": -1, "amount": Decimal(-50), "paid_amount": 0},
        {"kind": "payment", "shares": 1, "amount": Decimal(50), "paid_amount": Decimal(1)},
        {"kind": "transfer", "shares": 1, "amount": Decimal(50), "paid_amount": Decimal(50)},
        {"kind": "repayment", "shares": 1, "amount": Decimal(50), "paid_amount": 0},
        {"kind": "correction", "shares": 1, "amount": Decimal(50), "paid_amount": 0},
    ]
    for row in bad_rows:
        with pytest.raises(IntegrityError), transaction.atomic():
            ShareMovement.objects.create(**base, **row)
    assert not RepaymentRequest.objects.exists()


def test_recording_an_exit_in_the_register_queues_the_shares(register):
    leaver = member(register, last_name="Départ")
    subscribe(leaver, 4)
    stayer = member(register, last_name="Reste")
    assert not RepaymentRequest.objects.exists()
    _exit(leaver, on=dt.date(2025, 5, 1))
    (request,) = selectors.repayment_queue()
    assert (request.member_id, request.shares, request.exited_on) == (
        leaver.pk,
        4,
        dt.date(2025, 5, 1),
    )
    _exit(stayer, on=dt.date(2025, 6, 1))  # held no shares: nothing to repay
    assert [r.member_id for r in selectors.repayment_queue()] == [leaver.pk]
