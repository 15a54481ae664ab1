"""Shares on the home page: the member's holding and certificates and, for administrators,
the repayments that can be made now or are overdue (RULES 21-22)."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from capital.models import ShareMovement
from capital.selectors import member_balance, repayment_queue_with_terms
from coop.home import HomeItem, home_section
from coop.roles import Role
from members.home import home_member

CERTIFICATES_SHOWN = 3


@home_section(
    role=Role.MEMBER, order=30, name="capital.shares", template="capital/home/member_shares.html"
)
def member_shares_section(request: HttpRequest) -> dict[str, Any] | None:
    member = home_member(request.user)
    if member is None:
        return None
    today = timezone.localdate()
    subscriptions = list(
        ShareMovement.objects.filter(member=member, kind=ShareMovement.Kind.SUBSCRIPTION)
        .only("pk", "seq", "effective_on", "shares")
        .order_by("-seq")[: CERTIFICATES_SHOWN + 1]
    )
    return {
        "balance": member_balance(member=member, on=today) if subscriptions else None,
        "certificates": subscriptions[:CERTIFICATES_SHOWN],
        "more_certificates": len(subscriptions) > CERTIFICATES_SHOWN,
    }


@home_section(role=Role.ADMINISTRATOR, order=20, name="capital.repayments")
def repayments_section(request: HttpRequest) -> dict[str, Any]:
    queue = repayment_queue_with_terms(on=timezone.localdate())
    payable = sum(1 for item in queue if item.payable)
    overdue = sum(1 for item in queue if item.overdue)
    url = reverse("capital:overview") + "#queue"
    waiting = []
    if payable:
        waiting.append(
            HomeItem(
                label=ngettext("repayment due", "repayments due", payable),
                url=url,
                count=payable,
                urgent=True,
            )
        )
    if overdue:
        waiting.append(
            HomeItem(
                label=ngettext(
                    "repayment past its deadline", "repayments past their deadline", overdue
                ),
                url=url,
                count=overdue,
                urgent=True,
            )
        )
    if len(queue) > payable:
        waiting.append(
            HomeItem(
                label=ngettext(
                    "repayment waiting for the accounts of the year of exit",
                    "repayments waiting for the accounts of the year of exit",
                    len(queue) - payable,
                ),
                url=url,
                count=len(queue) - payable,
            )
        )
    return {"waiting": waiting}
