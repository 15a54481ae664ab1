"""The approval of the accounts of a financial year (RULES 22) and the interest rate on shares
the assembly decides for it (RULES 26). Both are append-only: one row per financial year."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from capital.models import AccountsApproval, InterestRateDecision
from capital.selectors import financial_year_end_in
from capital.services.ledger import check_decision, euros, ledger_lock
from coop import formatting
from coop.actors import Actor, actor_person
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError

# RULES 26: the rate is capped at the average TMO of the 3 previous years plus 2 points.
INTEREST_CAP_POINTS = Decimal(2)


def _actor(actor: Actor) -> Any:
    return actor_person(actor)


def _check_after_year_end(*, year_end: dt.date, day: dt.date) -> None:
    if day <= year_end:
        raise DomainError(
            _(
                "The financial year ends on %(end)s: its accounts cannot be approved, nor a "
                "decision taken on them, on %(date)s."
            )
            % {
                "end": date_format(year_end, "DATE_FORMAT"),
                "date": date_format(day, "DATE_FORMAT"),
            },
            code="before_year_end",
        )


@transaction.atomic
def accounts_approval_record(
    *,
    year: int,
    approved_on: dt.date,
    decision_ref: str,
    losses_per_share: Decimal,
    actor: Actor,
) -> AccountsApproval:
    """Record that the assembly approved the accounts of the financial year ending in `year`,
    with the losses per share they charge to the shares repaid (0 if none)."""
    ledger_lock()  # repayments read approvals under this lock: two approvals, one wins
    ref = check_decision(decision_ref)
    year_end = financial_year_end_in(year=year)
    _check_after_year_end(year_end=year_end, day=approved_on)
    losses_per_share = Decimal(losses_per_share)
    if losses_per_share < 0:
        raise DomainError(
            _("The losses per share cannot be negative (%(losses)s).")
            % {"losses": euros(losses_per_share)},
            code="bad_losses",
        )
    existing = AccountsApproval.objects.filter(financial_year_end=year_end).first()
    if existing is not None:
        raise DomainError(
            _(
                "The accounts of the financial year ending on %(end)s were already approved on "
                "%(date)s (%(ref)s)."
            )
            % {
                "end": date_format(year_end, "DATE_FORMAT"),
                "date": date_format(existing.approved_on, "DATE_FORMAT"),
                "ref": existing.decision_ref,
            },
            code="already_approved",
        )
    approval = AccountsApproval.objects.create(
        financial_year_end=year_end,
        approved_on=approved_on,
        decision_ref=ref,
        losses_per_share=losses_per_share,
        actor=_actor(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.ACCOUNTS_APPROVED,
        target=approval,
        data={
            "financial_year_end": year_end.isoformat(),
            "approved_on": approved_on.isoformat(),
            "decision_ref": ref,
            "losses_per_share": str(losses_per_share),
        },
    )
    return approval


def interest_rate_cap(*, tmo_average: Decimal) -> Decimal:
    return Decimal(tmo_average) + INTEREST_CAP_POINTS


@transaction.atomic
def interest_rate_record(
    *,
    year: int,
    rate: Decimal,
    tmo_average: Decimal,
    decided_on: dt.date,
    decision_ref: str,
    actor: Actor,
) -> InterestRateDecision:
    """Record the interest rate on shares the assembly decided for the financial year ending
    in `year`, refused above the average TMO of the 3 previous years plus 2 points."""
    ledger_lock()
    ref = check_decision(decision_ref)
    year_end = financial_year_end_in(year=year)
    _check_after_year_end(year_end=year_end, day=decided_on)
    rate, tmo_average = Decimal(rate), Decimal(tmo_average)
    cap = interest_rate_cap(tmo_average=tmo_average)
    if rate < 0:
        raise DomainError(_("The interest rate cannot be negative."), code="negative_rate")
    if rate > cap:
        raise DomainError(
            _(
                "An interest rate of %(rate)s is above the cap of %(cap)s: the average TMO "
                "of the 3 previous years (%(tmo)s) plus 2 points."
            )
            % {
                "rate": formatting.percent_points(rate),
                "cap": formatting.percent_points(cap),
                "tmo": formatting.percent_points(tmo_average),
            },
            code="above_interest_cap",
        )
    existing = InterestRateDecision.objects.filter(financial_year_end=year_end).first()
    if existing is not None:
        raise DomainError(
            _(
                "An interest rate of %(rate)s was already decided for the financial year "
                "ending on %(end)s (%(ref)s)."
            )
            % {
                "rate": formatting.percent_points(existing.rate),
                "end": date_format(year_end, "DATE_FORMAT"),
                "ref": existing.decision_ref,
            },
            code="already_decided",
        )
    decision = InterestRateDecision.objects.create(
        financial_year_end=year_end,
        rate=rate,
        tmo_average=tmo_average,
        decided_on=decided_on,
        decision_ref=ref,
        actor=_actor(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.INTEREST_RATE_DECIDED,
        target=decision,
        data={
            "financial_year_end": year_end.isoformat(),
            "rate": str(rate),
            "tmo_average": str(tmo_average),
            "decided_on": decided_on.isoformat(),
            "decision_ref": ref,
        },
    )
    return decision
