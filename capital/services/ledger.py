"""The ledger core: the lock, the checks every movement passes, and the one writer of rows."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from capital.models import LedgerCounter, ShareMovement
from capital.selectors import public_bodies_capital
from coop import formatting
from coop.actors import Actor, actor_person
from coop.audit import audit_record
from coop.errors import DomainError
from members.models import Member

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def euros(value: Decimal | Fraction) -> str:
    """A sum of money for a message, in the reader's language: '1234.50 €', '1234,50 €'."""
    return formatting.money(value)


def ledger_lock() -> LedgerCounter:
    """Lock the ledger: every write to it holds this row lock until its transaction ends, so
    checks (floor, holdings, cap) and sequence numbers are computed on a ledger nobody else is
    changing at the same time."""
    counter, _created = LedgerCounter.objects.select_for_update().get_or_create(pk=1)
    return counter


def _latest() -> ShareMovement | None:
    return ShareMovement.objects.order_by("-seq").first()


def holding(*, member: Member) -> dict[str, Any]:
    """A member's current shares, subscribed and paid amounts (call it under the ledger lock)."""
    totals = ShareMovement.objects.filter(member=member).aggregate(
        shares=Sum("shares"), subscribed=Sum("amount"), paid=Sum("paid_amount")
    )
    return {
        "shares": totals["shares"] or 0,
        "subscribed": totals["subscribed"] or ZERO,
        "paid": totals["paid"] or ZERO,
    }


def check_date(*, effective_on: dt.date) -> None:
    latest = _latest()
    if latest is not None and effective_on < latest.effective_on:
        raise DomainError(
            _(
                "Movements are recorded in date order: the latest one (no. %(seq)s) is dated "
                "%(latest)s, so this one cannot be dated %(date)s."
            )
            % {
                "seq": latest.seq,
                "latest": date_format(latest.effective_on, "DATE_FORMAT"),
                "date": date_format(effective_on, "DATE_FORMAT"),
            },
            code="date_before_latest",
        )


def check_current(*, member: Member, on: dt.date) -> None:
    if not member.is_current_member or member.admitted_on is None or member.admitted_on > on:
        raise DomainError(
            _("%(member)s is not a current member on %(date)s: their status is “%(status)s”.")
            % {
                "member": member.display_name,
                "date": date_format(on, "DATE_FORMAT"),
                "status": member.get_status_display(),
            },
            code="not_a_member",
        )


def check_decision(decision_ref: str) -> str:
    ref = decision_ref.strip()
    if not ref:
        raise DomainError(_("Give the reference of the decision."), code="no_ref")
    return ref


def record_movements(
    *,
    counter: LedgerCounter,
    rows: list[dict[str, Any]],
    actor: Actor,
    cap: Fraction | None,
) -> list[ShareMovement]:
    """Write rows (already checked by the caller, under `counter`'s lock) with consecutive
    numbers and running capital, after checking the public bodies' cap (RULES 2)."""
    latest = _latest()
    capital = latest.capital_after if latest else ZERO
    highest = latest.highest_capital_after if latest else ZERO
    if cap is not None:
        public_before = public_bodies_capital()
        public_after = public_before + sum(
            (r["amount"] for r in rows if r["member"].category.is_public_body), ZERO
        )
        capital_after = capital + sum((r["amount"] for r in rows), ZERO)
        ratio_rises = capital == 0 or public_after * capital > public_before * capital_after
        if ratio_rises and Fraction(public_after) > cap * Fraction(capital_after):
            raise DomainError(
                _(
                    "Public bodies together may hold at most %(cap)s of the capital: after this "
                    "movement they would hold %(public)s of a capital of %(capital)s."
                )
                % {
                    "cap": f"{cap.numerator}/{cap.denominator}",
                    "public": euros(public_after),
                    "capital": euros(capital_after),
                },
                code="public_bodies_cap",
            )
    movements = []
    for row in rows:
        counter.last_seq += 1
        capital += row["amount"]
        highest = max(highest, capital)
        movement = ShareMovement.objects.create(
            seq=counter.last_seq, capital_after=capital, highest_capital_after=highest, **row
        )
        movements.append(movement)
        audit_record(
            actor=actor,
            action=f"capital.{movement.kind}",
            target=movement,
            data={
                "seq": movement.seq,
                "member": movement.member_id,
                "shares": movement.shares,
                "amount": str(movement.amount),
                "paid_amount": str(movement.paid_amount),
                "effective_on": movement.effective_on.isoformat(),
                "decision_ref": movement.decision_ref,
                **({"approved_by": movement.approved_by} if movement.approved_by else {}),
            },
        )
    counter.save(update_fields=["last_seq"])
    return movements


def row_base(
    *, kind: str, member: Member, effective_on: dt.date, decision_ref: str, actor: Actor
) -> dict[str, Any]:
    return {
        "kind": kind,
        "member": member,
        "effective_on": effective_on,
        "decision_ref": decision_ref,
        "actor": actor_person(actor),
        "counterparty": None,
        "due_on": None,
        "corrects": None,
        "cash_amount": ZERO,
        "approved_by": "",
    }
