"""Subscriptions, payments, transfers and corrections (RULES 19-20, 23-24)."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from capital.models import ShareMovement
from capital.services.certificates import certificate_notify
from capital.services.ledger import (
    ZERO,
    check_current,
    check_date,
    check_decision,
    euros,
    holding,
    ledger_lock,
    record_movements,
    row_base,
)
from coop.actors import Actor
from coop.errors import DomainError
from coop.statutes import statutes_in_force
from members.models import Member

Kind = ShareMovement.Kind


def _fresh(member: Member) -> Member:
    return Member.objects.select_related("category").get(pk=member.pk)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def share_subscribe(
    *,
    member: Member,
    shares: int,
    paid_amount: Decimal,
    effective_on: dt.date,
    due_on: dt.date | None,
    decision_ref: str,
    actor: Actor,
) -> ShareMovement:
    """Record a subscription of `shares` at the nominal value in force, `paid_amount` paid now
    (at least the statutes' share), the rest due by `due_on` (within the statutes' delay),
    and queue the member's share certificate notice."""
    counter = ledger_lock()
    member = _fresh(member)
    ref = check_decision(decision_ref)
    check_current(member=member, on=effective_on)
    check_date(effective_on=effective_on)
    statutes = statutes_in_force(on=effective_on)
    if shares < 1:
        raise DomainError(_("Subscribe at least one share."), code="no_shares")
    held = holding(member=member)
    minimum = max(statutes.minimum_shares, member.category.minimum_shares)
    if held["shares"] == 0 and shares < minimum:
        raise DomainError(
            _(
                "A member of the category “%(category)s” subscribes at least %(minimum)s shares, "
                "not %(shares)s."
            )
            % {"category": member.category.name, "minimum": minimum, "shares": shares},
            code="below_minimum_shares",
        )
    nominal = statutes.nominal_share_value
    amount = nominal * shares
    paid_amount = Decimal(paid_amount)
    ratio = statutes.ratio("paying_up_minimum")
    if paid_amount < 0 or paid_amount > amount or Fraction(paid_amount) < ratio * Fraction(amount):
        raise DomainError(
            _(
                "For %(shares)s shares at %(nominal)s (%(amount)s), pay now between %(minimum)s "
                "and %(amount)s, not %(paid)s."
            )
            % {
                "shares": shares,
                "nominal": euros(nominal),
                "amount": euros(amount),
                "minimum": euros((ratio * Fraction(amount) * 100).__ceil__() / Fraction(100)),
                "paid": euros(paid_amount),
            },
            code="paying_up_minimum",
        )
    if paid_amount == amount:
        due_on = None
    else:
        latest_due = _add_years(effective_on, statutes.paying_up_delay_years)
        if due_on is None or not effective_on <= due_on <= latest_due:
            raise DomainError(
                _("The rest (%(rest)s) must be due on a date between %(start)s and %(end)s.")
                % {
                    "rest": euros(amount - paid_amount),
                    "start": date_format(effective_on, "DATE_FORMAT"),
                    "end": date_format(latest_due, "DATE_FORMAT"),
                },
                code="bad_due_date",
            )
    row = row_base(
        kind=Kind.SUBSCRIPTION,
        member=member,
        effective_on=effective_on,
        decision_ref=ref,
        actor=actor,
    )
    row.update(
        shares=shares, nominal_value=nominal, amount=amount, paid_amount=paid_amount, due_on=due_on
    )
    (movement,) = record_movements(
        counter=counter, rows=[row], actor=actor, cap=statutes.ratio("public_bodies_capital_cap")
    )
    # RULES 25: the member receives their share certificate (sent after commit).
    certificate_notify(movement=movement, actor=actor)
    return movement


@transaction.atomic
def share_pay(
    *, member: Member, amount: Decimal, effective_on: dt.date, decision_ref: str, actor: Actor
) -> ShareMovement:
    """Record a payment of part of a member's unpaid subscribed capital."""
    counter = ledger_lock()
    member = _fresh(member)
    ref = check_decision(decision_ref)
    check_date(effective_on=effective_on)
    statutes = statutes_in_force(on=effective_on)
    held = holding(member=member)
    unpaid = held["subscribed"] - held["paid"]
    amount = Decimal(amount)
    if amount <= 0 or amount > unpaid:
        raise DomainError(
            _(
                "%(member)s owes %(unpaid)s on their shares: a payment of %(amount)s is not "
                "possible."
            )
            % {"member": member.display_name, "unpaid": euros(unpaid), "amount": euros(amount)},
            code="payment_above_unpaid",
        )
    row = row_base(
        kind=Kind.PAYMENT, member=member, effective_on=effective_on, decision_ref=ref, actor=actor
    )
    row.update(
        shares=0, nominal_value=statutes.nominal_share_value, amount=ZERO, paid_amount=amount
    )
    return record_movements(counter=counter, rows=[row], actor=actor, cap=None)[0]


@transaction.atomic
def share_transfer(
    *,
    giver: Member,
    receiver: Member,
    shares: int,
    effective_on: dt.date,
    decision_ref: str,
    actor: Actor,
) -> tuple[ShareMovement, ShareMovement]:
    """Record a transfer of fully paid shares between two current members, approved by the body
    the statutes in force name (RULES 23), whose decision `decision_ref` refers to: two
    movements, out of the giver and into the receiver, each naming that body."""
    counter = ledger_lock()
    giver, receiver = _fresh(giver), _fresh(receiver)
    ref = check_decision(decision_ref)
    if giver.pk == receiver.pk:
        raise DomainError(_("A member cannot transfer shares to themselves."), code="same_member")
    check_current(member=giver, on=effective_on)
    check_current(member=receiver, on=effective_on)
    check_date(effective_on=effective_on)
    statutes = statutes_in_force(on=effective_on)
    if shares < 1:
        raise DomainError(_("Transfer at least one share."), code="no_shares")
    held = holding(member=giver)
    nominal = statutes.nominal_share_value
    amount = nominal * shares
    if shares > held["shares"] or amount > held["paid"]:
        raise DomainError(
            _(
                "%(member)s holds %(held)s shares, paid up to %(paid)s: they cannot transfer "
                "%(shares)s fully paid shares (%(amount)s)."
            )
            % {
                "member": giver.display_name,
                "held": held["shares"],
                "paid": euros(held["paid"]),
                "shares": shares,
                "amount": euros(amount),
            },
            code="giver_does_not_hold",
        )
    rows = []
    for who, other, sign in ((giver, receiver, -1), (receiver, giver, 1)):
        row = row_base(
            kind=Kind.TRANSFER, member=who, effective_on=effective_on, decision_ref=ref, actor=actor
        )
        row.update(
            approved_by=statutes.transfer_approval_body,
            counterparty=other,
            shares=sign * shares,
            nominal_value=nominal,
            amount=sign * amount,
            paid_amount=sign * amount,
        )
        rows.append(row)
    out, into = record_movements(
        counter=counter, rows=rows, actor=actor, cap=statutes.ratio("public_bodies_capital_cap")
    )
    return out, into


@transaction.atomic
def share_correct(
    *, movement: ShareMovement, effective_on: dt.date, decision_ref: str, actor: Actor
) -> ShareMovement:
    """Reverse a subscription or a payment recorded by mistake, by a movement naming it.
    A movement is corrected at most once; transfers and repayments are undone by a new
    transfer or subscription, decided the same way."""
    counter = ledger_lock()
    movement = ShareMovement.objects.select_related("member__category").get(pk=movement.pk)
    ref = check_decision(decision_ref)
    if movement.kind not in (Kind.SUBSCRIPTION, Kind.PAYMENT):
        raise DomainError(
            _(
                "Only a subscription or a payment can be corrected; movement no. %(seq)s is a "
                "%(kind)s."
            )
            % {"seq": movement.seq, "kind": movement.get_kind_display()},
            code="not_correctable",
        )
    if ShareMovement.objects.filter(corrects=movement).exists():
        raise DomainError(
            _("Movement no. %(seq)s has already been corrected.") % {"seq": movement.seq},
            code="already_corrected",
        )
    check_date(effective_on=effective_on)
    held = holding(member=movement.member)
    shares_after = held["shares"] - movement.shares
    subscribed_after = held["subscribed"] - movement.amount
    paid_after = held["paid"] - movement.paid_amount
    if shares_after < 0 or paid_after < 0 or paid_after > subscribed_after:
        raise DomainError(
            _(
                "Correcting movement no. %(seq)s would leave %(member)s with %(shares)s shares, "
                "%(subscribed)s subscribed and %(paid)s paid: correct the later movements first."
            )
            % {
                "seq": movement.seq,
                "member": movement.member.display_name,
                "shares": shares_after,
                "subscribed": euros(subscribed_after),
                "paid": euros(paid_after),
            },
            code="correction_inconsistent",
        )
    row = row_base(
        kind=Kind.CORRECTION,
        member=movement.member,
        effective_on=effective_on,
        decision_ref=ref,
        actor=actor,
    )
    row.update(
        corrects=movement,
        shares=-movement.shares,
        nominal_value=movement.nominal_value,
        amount=-movement.amount,
        paid_amount=-movement.paid_amount,
        due_on=movement.due_on,
    )
    cap = statutes_in_force(on=effective_on).ratio("public_bodies_capital_cap")
    return record_movements(counter=counter, rows=[row], actor=actor, cap=cap)[0]
