"""The member's share capital in their personal-data export (RULES 5, 24, 25).

Registered by `CapitalConfig.ready()`. The section "share_capital" holds the member's current
holding, every movement of theirs in the register of share movements (with the certificate of
each subscription) and their repayment request, if they left.

A transfer concerns two members. The export says whether the shares came in or went out and
gives the other member's number in the register, never their name or contact details: the
number is enough to find the entry in the register (RULES 24), and a file the member may hand
to anyone does not carry another person's identity. Who recorded a movement (an administrator)
is not the member's data either.
"""

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from capital.models import RepaymentRequest, ShareMovement
from capital.selectors import (
    certificate_deliveries,
    exit_terms_for,
    member_balance,
    member_movements,
)
from coop.models import NoticeDelivery
from members.gdpr import personal_data_section
from members.models import Member

Kind = ShareMovement.Kind


def _transfer(movement: ShareMovement) -> dict[str, Any] | None:
    if movement.kind != Kind.TRANSFER:
        return None
    return {
        "direction": "in" if movement.shares > 0 else "out",
        "other_member_number": movement.counterparty.number if movement.counterparty else None,
    }


def _certificate(movement: ShareMovement, delivery: NoticeDelivery | None) -> dict[str, Any] | None:
    """A subscription's certificate: its number (the movement's) and how it was sent."""
    if movement.kind != Kind.SUBSCRIPTION:
        return None
    path = reverse("capital:certificate", kwargs={"movement_pk": movement.pk})
    return {
        "number": movement.seq,
        "url": settings.SITE_URL.rstrip("/") + path,
        "sent_by": delivery.channel if delivery else None,
        "sending_status": delivery.status if delivery else None,
        "sent_at": delivery.sent_at if delivery else None,
    }


def _movement(movement: ShareMovement, delivery: NoticeDelivery | None) -> dict[str, Any]:
    corrected_by = getattr(movement, "corrected_by", None)
    return {
        "number": movement.seq,
        "effective_on": movement.effective_on,
        "kind": movement.kind,
        "kind_label": str(movement.get_kind_display()),
        "shares": movement.shares,
        "nominal_value": movement.nominal_value,
        "capital_change": movement.amount,
        "paid_up_change": movement.paid_amount,
        "unpaid_change": movement.amount - movement.paid_amount,
        "paid_back_to_member": movement.cash_amount,
        "rest_due_by": movement.due_on,
        "decision_ref": movement.decision_ref,
        "approved_by": movement.approved_by,
        "transfer": _transfer(movement),
        "corrects_number": movement.corrects.seq if movement.corrects else None,
        "corrected_by_number": corrected_by.seq if corrected_by else None,
        "certificate": _certificate(movement, delivery),
        "recorded_at": movement.recorded_at,
    }


def _repayment_request(request: RepaymentRequest) -> dict[str, Any]:
    terms = exit_terms_for(exited_on=request.exited_on)
    repayment = request.repayment
    return {
        "exited_on": request.exited_on,
        "shares": request.shares,
        "entered_queue_at": request.requested_at,
        "status": "queued" if repayment is None else "repaid",
        "accounts_of_year_ending": terms.financial_year_end if terms else None,
        "accounts_approved_on": terms.approval.approved_on if terms and terms.approval else None,
        "repay_by": terms.deadline if terms else None,
        "repayment": None
        if repayment is None
        else {
            "number": repayment.seq,
            "effective_on": repayment.effective_on,
            "shares": repayment.shares,
            "capital_change": repayment.amount,
            "paid_up_change": repayment.paid_amount,
            "paid_back_to_member": repayment.cash_amount,
            "decision_ref": repayment.decision_ref,
        },
    }


@personal_data_section
def share_capital(member: Member) -> tuple[str, Any]:
    """The member's holding today, their movements (oldest first) and their repayment request."""
    today = timezone.localdate()
    balance = member_balance(member=member, on=today)
    movements = list(member_movements(member=member).select_related("corrected_by"))
    deliveries = certificate_deliveries(
        movements=[m for m in movements if m.kind == Kind.SUBSCRIPTION]
    )
    requests = RepaymentRequest.objects.filter(member=member).select_related("repayment")
    return "share_capital", {
        "holding": {
            "on": today,
            "shares": balance.shares,
            "subscribed": balance.subscribed,
            "paid": balance.paid,
            "unpaid": balance.unpaid,
        },
        "movements": [_movement(m, deliveries.get(m.pk)) for m in movements],
        "repayment_requests": [_repayment_request(r) for r in requests.order_by("exited_on", "id")],
    }
