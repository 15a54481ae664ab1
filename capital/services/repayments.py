"""Exit, the repayment queue and repayments within the capital floor (RULES 21-22)."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from capital.models import AccountsApproval, RepaymentRequest, ShareMovement
from capital.selectors import exit_terms_for
from capital.services.ledger import (
    CENT,
    ZERO,
    check_date,
    check_decision,
    euros,
    holding,
    ledger_lock,
    record_movements,
    row_base,
)
from coop import formatting
from coop.actors import Actor
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError
from coop.statutes import statutes_in_force
from members.models import Member


@transaction.atomic
def repayment_request_for_exit(*, member: Member, actor: Actor = None) -> RepaymentRequest | None:
    """Put an exited member's shares in the repayment queue, in the order of exits. Returns the
    request (the existing one if called twice), or None if the member holds no shares."""
    ledger_lock()
    member = Member.objects.get(pk=member.pk)
    if member.status not in Member.EXITED_STATUSES or member.exited_on is None:
        raise DomainError(
            _("%(member)s has not left the cooperative: their shares cannot be repaid.")
            % {"member": member.display_name},
            code="not_exited",
        )
    existing = RepaymentRequest.objects.filter(member=member).first()
    if existing is not None:
        return existing
    shares = holding(member=member)["shares"]
    if shares <= 0:
        return None
    request = RepaymentRequest.objects.create(
        member=member, exited_on=member.exited_on, shares=shares
    )
    audit_record(
        actor=actor,
        action=AuditAction.REPAYMENT_REQUESTED,
        target=request,
        data={"member": member.pk, "shares": shares, "exited_on": member.exited_on.isoformat()},
    )
    return request


def _approval_of_exit_year(*, request: RepaymentRequest, effective_on: dt.date) -> AccountsApproval:
    """The approval of the accounts of the financial year the member left in; refuses the
    repayment when they are not approved yet, or when it is dated before their approval."""
    terms = exit_terms_for(exited_on=request.exited_on)
    if terms is None:  # the caller checked the statutes in force: only without any version
        raise DomainError(_("No statutes are recorded."), code="no_statutes_in_force")
    if terms.approval is None:
        raise DomainError(
            _(
                "%(member)s left on %(exit)s: their shares are repaid only after the accounts "
                "of the financial year ending on %(end)s are approved. Record that approval "
                "first; the request stays in the queue."
            )
            % {
                "member": request.member.display_name,
                "exit": date_format(request.exited_on, "DATE_FORMAT"),
                "end": date_format(terms.financial_year_end, "DATE_FORMAT"),
            },
            code="accounts_not_approved",
        )
    if effective_on < terms.approval.approved_on:
        raise DomainError(
            _(
                "The accounts of the financial year ending on %(end)s were approved on "
                "%(date)s: the repayment cannot be dated before, not %(repaid)s."
            )
            % {
                "end": date_format(terms.financial_year_end, "DATE_FORMAT"),
                "date": date_format(terms.approval.approved_on, "DATE_FORMAT"),
                "repaid": date_format(effective_on, "DATE_FORMAT"),
            },
            code="before_accounts_approval",
        )
    return terms.approval


@transaction.atomic
def repayment_make(
    *,
    request: RepaymentRequest,
    effective_on: dt.date,
    decision_ref: str,
    losses: Decimal | None = None,
    actor: Actor,
) -> ShareMovement:
    """Repay an exited member's shares at nominal value less the losses per share of the
    approved accounts of the year of exit (RULES 22), in the order of exits, never bringing
    the capital below the floor (the request then stays in the queue).

    The repayment waits for the approval of those accounts and is dated on or after it.
    `losses`, when given, is the total the administrator expects to charge: it must be what
    the approved accounts charge, so a figure typed from another source is never applied."""
    counter = ledger_lock()
    request = RepaymentRequest.objects.select_related("member__category").get(pk=request.pk)
    ref = check_decision(decision_ref)
    if not request.is_pending:
        raise DomainError(
            formatting.interpolate(
                _("The shares of %(member)s have already been repaid."),
                {"member": request.member.display_name},
            ),
            code="already_repaid",
        )
    earlier = (
        RepaymentRequest.objects.filter(repayment__isnull=True)
        .exclude(pk=request.pk)
        .filter(exited_on__lte=request.exited_on)
        .select_related("member")
        .order_by("exited_on", "id")
    )
    first = next(
        (r for r in earlier if (r.exited_on, r.pk) < (request.exited_on, request.pk)), None
    )
    if first is not None:
        raise DomainError(
            _(
                "Repayments follow the order of exits: %(member)s, who left earlier, is repaid "
                "first."
            )
            % {"member": first.member.display_name},
            code="not_first_in_queue",
        )
    check_date(effective_on=effective_on)
    if effective_on < request.exited_on:
        raise DomainError(
            _("A repayment cannot be dated before the member's exit."), code="before_exit"
        )
    statutes = statutes_in_force(on=effective_on)
    held = holding(member=request.member)
    if held["shares"] <= 0:
        raise DomainError(
            _("%(member)s holds no shares any more.") % {"member": request.member.display_name},
            code="nothing_to_repay",
        )
    approval = _approval_of_exit_year(request=request, effective_on=effective_on)
    # Losses per share reduce what is paid back, at most to nothing.
    charged = min(held["paid"], approval.losses_per_share * held["shares"])
    if losses is not None and Decimal(losses) != charged:
        raise DomainError(
            _(
                "The accounts approved on %(date)s charge %(per_share)s of losses a share: "
                "%(charged)s for these %(shares)s shares (at most what was paid up), not "
                "%(losses)s. Leave the losses empty to charge what the accounts show."
            )
            % {
                "date": date_format(approval.approved_on, "DATE_FORMAT"),
                "per_share": euros(approval.losses_per_share),
                "charged": euros(charged),
                "shares": held["shares"],
                "losses": euros(Decimal(losses)),
            },
            code="bad_losses",
        )
    latest = ShareMovement.objects.order_by("-seq").first()
    capital = latest.capital_after if latest else ZERO
    highest = latest.highest_capital_after if latest else ZERO
    floor = statutes.ratio("capital_floor") * Fraction(highest)
    capital_after = capital - held["subscribed"]
    if Fraction(capital_after) < floor:
        raise DomainError(
            _(
                "This repayment of %(amount)s would bring the capital from %(capital)s to "
                "%(after)s, below the floor of %(floor)s (%(ratio)s of the highest capital "
                "reached, %(highest)s). The request stays in the queue."
            )
            % {
                "amount": euros(held["subscribed"]),
                "capital": euros(capital),
                "after": euros(capital_after),
                "floor": euros(floor),
                "ratio": statutes.capital_floor,
                "highest": euros(highest),
            },
            code="below_capital_floor",
        )
    nominal = (held["subscribed"] / held["shares"]).quantize(CENT)
    if nominal * held["shares"] != held["subscribed"]:
        raise DomainError(
            _(
                "%(member)s holds shares subscribed at different nominal values (%(subscribed)s "
                "for %(shares)s shares): repay them in the admin of the accounts first."
            )
            % {
                "member": request.member.display_name,
                "subscribed": euros(held["subscribed"]),
                "shares": held["shares"],
            },
            code="mixed_nominal_values",
        )
    row = row_base(
        kind=ShareMovement.Kind.REPAYMENT,
        member=request.member,
        effective_on=effective_on,
        decision_ref=ref,
        actor=actor,
    )
    row.update(
        shares=-held["shares"],
        nominal_value=nominal,
        amount=-held["subscribed"],
        paid_amount=-held["paid"],
        cash_amount=held["paid"] - charged,
    )
    (movement,) = record_movements(
        counter=counter, rows=[row], actor=actor, cap=statutes.ratio("public_bodies_capital_cap")
    )
    request.repayment = movement
    request.save(update_fields=["repayment"])
    return movement
