"""Reading the share capital: capital, floor, balances and queues at any date.

Every figure is a sum of the ledger. The running totals stored on each movement
(`capital_after`, `highest_capital_after`) are computed under the ledger lock from the same
sums; capital_at and highest_capital read the last one on or before the date.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from capital.models import AccountsApproval, InterestRateDecision, RepaymentRequest, ShareMovement
from coop.models import NoticeDelivery, Statutes
from coop.statutes import StatutesNotInForce, statutes_in_force, statutes_versions
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
    # Movements are kept in date order, so the last by (date, seq) is the last by seq; this
    # order walks the (effective_on, seq) index from the date down instead of the whole ledger.
    return (
        ShareMovement.objects.filter(effective_on__lte=on).order_by("-effective_on", "-seq").first()
    )


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


def balances_at(*, on: dt.date, member_ids: Sequence[int] | None = None) -> list[Balance]:
    """Every member who has ever had a movement up to `on` (or those of `member_ids`), with
    their holding (one query)."""
    movements = ShareMovement.objects.filter(effective_on__lte=on)
    if member_ids is not None:
        movements = movements.filter(member_id__in=list(member_ids))
    rows = (
        movements.values("member_id")
        .annotate(shares=Sum("shares"), subscribed=Sum("amount"), paid=Sum("paid_amount"))
        .order_by("member_id")
    )
    return [Balance(**row) for row in rows]


@dataclass(frozen=True)
class Holding:
    """A line of the balances page: a member of the register and their holding (or none)."""

    member: Member
    balance: Balance | None


def holdings_page(
    *, on: dt.date, page_number: str | int | None, per_page: int = 50
) -> tuple[Page[Member], list[Holding]]:
    """One page of the register (by member number) with each member's holding on `on`: two
    queries for the page whatever the size of the ledger (the count, the page's sums)."""
    members = (
        Member.objects.filter(number__isnull=False)
        .order_by("number")
        .only("pk", "number", "first_name", "last_name", "legal_name", "person_kind", "status")
    )
    page = Paginator(members, per_page).get_page(page_number)
    rows = list(page.object_list)
    balances = {b.member_id: b for b in balances_at(on=on, member_ids=[m.pk for m in rows])}
    return page, [Holding(member, balances.get(member.pk)) for member in rows]


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


def register_movements(*, start: dt.date, end: dt.date) -> QuerySet[ShareMovement]:
    """The entries of the register of share movements dated from `start` to `end` included,
    in the order of their numbers, with the members concerned (one query)."""
    return (
        ShareMovement.objects.filter(effective_on__gte=start, effective_on__lte=end)
        .select_related("member", "counterparty", "corrects")
        .order_by("seq")
    )


def movement_for_correction(*, pk: int) -> ShareMovement | None:
    """A movement with its member and what corrects it or what it corrects, or None."""
    return (
        ShareMovement.objects.select_related("member", "counterparty", "corrects", "corrected_by")
        .filter(pk=pk)
        .first()
    )


# --- Financial years, approvals of the accounts, repayment deadlines (RULES 22, 26) ---------


def _year_end(year: int, statutes: Statutes) -> dt.date:
    month = statutes.financial_year_end_month
    day = min(statutes.financial_year_end_day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def financial_year_end_after(*, day: dt.date, statutes: Statutes) -> dt.date:
    """The last day of the financial year `day` belongs to, per `statutes`."""
    end = _year_end(day.year, statutes)
    return end if end >= day else _year_end(day.year + 1, statutes)


def statutes_for_year(*, year: int) -> Statutes:
    """The statutes that fix the end of the financial year ending in `year`: those in force
    on the last day of that calendar year, or the earliest version for years before it."""
    try:
        return statutes_in_force(on=dt.date(year, 12, 31))
    except StatutesNotInForce:
        earliest = statutes_versions().last()
        if earliest is None:
            raise
        return earliest


def financial_year_end_in(*, year: int) -> dt.date:
    """The last day of the financial year that ends in the calendar year `year`."""
    return _year_end(year, statutes_for_year(year=year))


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def accounts_approvals() -> QuerySet[AccountsApproval]:
    """Every approval of the accounts, the latest financial year first."""
    return AccountsApproval.objects.select_related("actor").order_by("-financial_year_end")


def accounts_approval_for(*, financial_year_end: dt.date) -> AccountsApproval | None:
    return AccountsApproval.objects.filter(financial_year_end=financial_year_end).first()


def interest_rate_decisions() -> QuerySet[InterestRateDecision]:
    """Every interest rate decided, the latest financial year first."""
    return InterestRateDecision.objects.select_related("actor").order_by("-financial_year_end")


@dataclass(frozen=True)
class ExitTerms:
    """When an exited member's shares may and must be repaid (RULES 22)."""

    financial_year_end: dt.date
    deadline: dt.date
    approval: AccountsApproval | None

    def payable_on(self, day: dt.date) -> bool:
        return self.approval is not None and self.approval.approved_on <= day

    def overdue_on(self, day: dt.date) -> bool:
        return day > self.deadline


def _version_on(versions: list[Statutes], day: dt.date) -> Statutes | None:
    """The version in force on `day` among `versions` (latest effective date first), or the
    earliest when `day` precedes them all."""
    for version in versions:
        if version.effective_from <= day:
            return version
    return versions[-1] if versions else None


def exit_terms_for(
    *,
    exited_on: dt.date,
    versions: list[Statutes] | None = None,
    approvals: dict[dt.date, AccountsApproval] | None = None,
) -> ExitTerms | None:
    """The financial year of an exit, its approval if recorded, and the repayment deadline
    (the end of that year plus the statutes' repayment delay); None without statutes.
    `versions` and `approvals` may be given to read them once for many exits."""
    if versions is None:
        versions = list(statutes_versions())
    statutes = _version_on(versions, exited_on)
    if statutes is None:
        return None
    year_end = financial_year_end_after(day=exited_on, statutes=statutes)
    if approvals is None:
        approval = accounts_approval_for(financial_year_end=year_end)
    else:
        approval = approvals.get(year_end)
    return ExitTerms(
        financial_year_end=year_end,
        deadline=add_years(year_end, statutes.repayment_delay_years),
        approval=approval,
    )


@dataclass(frozen=True)
class QueueItem:
    """A request of the repayment queue with its terms."""

    request: RepaymentRequest
    terms: ExitTerms | None
    payable: bool
    overdue: bool


def repayment_queue_with_terms(*, on: dt.date) -> list[QueueItem]:
    """The repayment queue in the order of exits, each request with its financial year, its
    approval, whether it may be repaid on `on` and its deadline (three queries)."""
    queue = list(repayment_queue())
    versions = list(statutes_versions())
    approvals = {a.financial_year_end: a for a in AccountsApproval.objects.all()}
    items = []
    for request in queue:
        terms = exit_terms_for(exited_on=request.exited_on, versions=versions, approvals=approvals)
        items.append(
            QueueItem(
                request=request,
                terms=terms,
                payable=terms is not None and terms.payable_on(on),
                overdue=terms is not None and terms.overdue_on(on),
            )
        )
    return items


def subscription_proposal(*, member: Member) -> int | None:
    """The shares a current member intended to subscribe when applying, while they have no
    subscription yet (one that was corrected does not count): the proposal to confirm."""
    if not member.is_current_member or member.requested_shares < 1:
        return None
    subscribed = ShareMovement.objects.filter(
        member=member, kind=ShareMovement.Kind.SUBSCRIPTION, corrected_by__isnull=True
    ).exists()
    return None if subscribed else member.requested_shares


# The notice of a subscription's share certificate (RULES 25): one per subscription.
CERTIFICATE_NOTICE = "share-certificate"


def certificate_reference(movement: ShareMovement) -> str:
    return f"movement:{movement.pk}"


def certificate_delivery(*, movement: ShareMovement) -> NoticeDelivery | None:
    """The queued copy of a subscription's share certificate notice, if any."""
    return NoticeDelivery.objects.filter(
        notice__kind=CERTIFICATE_NOTICE, notice__reference=certificate_reference(movement)
    ).first()


def certificate_deliveries(*, movements: list[ShareMovement]) -> dict[int, NoticeDelivery]:
    """The queued copy of the certificate notice of each of `movements` (by movement id) that
    has one (one query)."""
    references = {certificate_reference(m): m.pk for m in movements}
    deliveries = NoticeDelivery.objects.filter(
        notice__kind=CERTIFICATE_NOTICE, notice__reference__in=list(references)
    ).select_related("notice")
    return {references[d.notice.reference]: d for d in deliveries}
