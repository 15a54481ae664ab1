"""Reading the share capital: capital, floor, balances and queues at any date.

Every figure is a sum of the ledger. The running totals stored on each movement
(`capital_after`, `highest_capital_after`) are computed under the ledger lock from the same
sums; capital_at and highest_capital read the last one on or before the date.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from capital.models import RepaymentRequest, ShareMovement
from coop.statutes import statutes_in_force
from members.models import Member

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Balance:
    """A member's holding on a date."""

    member_id: int
    shares: int
    subscribed: Decimal
    paid: Decimal

    @property
    def unpaid(self) -> Decimal:
        return self.subscribed - self.paid


def _last_on(on: dt.date) -> ShareMovement | None:
    return ShareMovement.objects.filter(effective_on__lte=on).order_by("-seq").first()


def capital_at(*, on: dt.date) -> Decimal:
    """The subscribed capital at the end of `on`."""
    last = _last_on(on)
    return last.capital_after if last else ZERO


def highest_capital(*, on: dt.date) -> Decimal:
    """The highest capital ever reached up to the end of `on`."""
    last = _last_on(on)
    return last.highest_capital_after if last else ZERO


def capital_floor(*, on: dt.date) -> Decimal:
    """The floor a repayment may not cross on `on` (RULES 21), rounded up to the cent."""
    ratio = statutes_in_force(on=on).ratio("capital_floor")
    exact = ratio * Fraction(highest_capital(on=on)) * 100
    return (Decimal(-(-exact.numerator // exact.denominator)) / 100).quantize(CENT)


def member_balance(*, member: Member, on: dt.date) -> Balance:
    totals = ShareMovement.objects.filter(member=member, effective_on__lte=on).aggregate(
        shares=Coalesce(Sum("shares"), 0),
        subscribed=Coalesce(Sum("amount"), ZERO),
        paid=Coalesce(Sum("paid_amount"), ZERO),
    )
    return Balance(member_id=member.pk, **totals)


def balances_at(*, on: dt.date) -> list[Balance]:
    """Every member who has ever had a movement up to `on`, with their holding (one query)."""
    rows = (
        ShareMovement.objects.filter(effective_on__lte=on)
        .values("member_id")
        .annotate(shares=Sum("shares"), subscribed=Sum("amount"), paid=Sum("paid_amount"))
        .order_by("member_id")
    )
    return [Balance(**row) for row in rows]


def repayment_queue() -> QuerySet[RepaymentRequest]:
    """The requests waiting for repayment, in the order of exits."""
    return (
        RepaymentRequest.objects.filter(repayment__isnull=True)
        .select_related("member")
        .order_by("exited_on", "id")
    )


def unpaid_calls_due(*, on: dt.date) -> list[tuple[int, Decimal]]:
    """(member id, amount due and unpaid) for each member whose unpaid subscribed capital had
    to be paid by `on`; payments settle the earliest due amounts first (one query)."""
    due_or_settled = Q(due_on__isnull=True) | Q(due_on__lte=on)
    rows = (
        ShareMovement.objects.filter(effective_on__lte=on)
        .values("member_id")
        .annotate(due=Coalesce(Sum("amount", filter=due_or_settled), ZERO) - Sum("paid_amount"))
        .filter(due__gt=0)
        .order_by("member_id")
    )
    return [(row["member_id"], row["due"]) for row in rows]


def public_bodies_capital(*, on: dt.date | None = None) -> Decimal:
    """The capital held by members whose category is a public body (RULES 2), at the end of
    `on`, or now."""
    movements = ShareMovement.objects.filter(member__category__is_public_body=True)
    if on is not None:
        movements = movements.filter(effective_on__lte=on)
    return movements.aggregate(total=Sum("amount"))["total"] or ZERO


def member_movements(*, member: Member, on: dt.date | None = None) -> QuerySet[ShareMovement]:
    """The member's movements in the order of the ledger, up to `on` when given."""
    movements = ShareMovement.objects.filter(member=member).select_related(
        "counterparty", "corrects"
    )
    if on is not None:
        movements = movements.filter(effective_on__lte=on)
    return movements.order_by("seq")
