"""The capital desk (administrators): the capital at a date, the floor, public bodies' share,
the repayment queue and unpaid calls; recording a subscription, a payment, a transfer and a
repayment."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from capital import selectors
from capital.forms.admin import (
    CapitalDateForm,
    MemberActionForm,
    PayForm,
    RepayForm,
    SubscribeForm,
    TransferForm,
)
from capital.models import RepaymentRequest, ShareMovement
from capital.services import repayment_make, share_pay, share_subscribe, share_transfer
from coop import formatting
from coop.errors import DomainError
from coop.http import HtmxHttpRequest
from coop.models import NoticeDelivery
from coop.roles import Role, role_required
from coop.statutes import statutes_in_force
from members.models import Member

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def _money(value: Decimal) -> str:
    """An amount for a message, in the reader's language ("1 234,50 €", "€1,234.50")."""
    return formatting.money(value)


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * 100 / whole).quantize(Decimal("0.1")) if whole else None


def _overview_context(*, on: dt.date) -> dict[str, Any]:
    capital = selectors.capital_at(on=on)
    public = selectors.public_bodies_capital(on=on)
    context: dict[str, Any] = {
        "on": on,
        "capital": capital,
        "highest": selectors.highest_capital(on=on),
        "public_capital": public,
        "public_percent": _percent(public, capital),
        "statutes_error": "",
        "floor": None,
        "public_cap_percent": None,
    }
    try:
        statutes = statutes_in_force(on=on)
        context["floor"] = selectors.capital_floor(on=on)
        cap = statutes.ratio("public_bodies_capital_cap")
        context["public_cap_percent"] = (Decimal(cap.numerator) * 100 / cap.denominator).quantize(
            Decimal("0.1")
        )
    except DomainError as exc:
        context["statutes_error"] = str(exc)
    queue = selectors.repayment_queue_with_terms(on=timezone.localdate())
    context["queue"] = queue
    context["first_request"] = queue[0].request if queue else None
    dues = selectors.unpaid_calls_due(on=on)
    names = Member.objects.in_bulk([member_id for member_id, _due in dues])
    context["unpaid_calls"] = [
        {"member": names[member_id], "amount": amount} for member_id, amount in dues
    ]
    context["unpaid_total"] = sum((amount for _id, amount in dues), ZERO)
    return context


@require_GET
@role_required(Role.ADMINISTRATOR)
def overview(request: HtmxHttpRequest) -> HttpResponse:
    date_form = CapitalDateForm(request.GET or None)
    on = timezone.localdate()
    if date_form.is_bound and date_form.is_valid() and date_form.cleaned_data["on"]:
        on = date_form.cleaned_data["on"]
    context = _overview_context(on=on)
    context.update(date_form=date_form, repay_form=RepayForm(), member_form=MemberActionForm())
    return render(request, "capital/admin_overview.html", context)


@require_GET
@role_required(Role.ADMINISTRATOR)
def member_action(request: HtmxHttpRequest) -> HttpResponse:
    """The overview's "record for member no. N" form: on to the right page, or the errors."""
    form = MemberActionForm(request.GET)
    if form.is_valid():
        return redirect(f"capital:{form.cleaned_data['action']}", member_pk=form.member.pk)
    context = _overview_context(on=timezone.localdate())
    context.update(date_form=CapitalDateForm(), repay_form=RepayForm(), member_form=form)
    return render(request, "capital/admin_overview.html", context, status=400)


def _certificate_message(movement: ShareMovement) -> str:
    delivery = selectors.certificate_delivery(movement=movement)
    if delivery is not None and delivery.channel == NoticeDelivery.Channel.EMAIL:
        return _("The share certificate is sent to %(email)s.") % {"email": delivery.to_email}
    return _(
        "The member does not receive notices by e-mail: print the share certificate and post "
        "it with the letter listed among the notices."
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def subscribe(request: HtmxHttpRequest, member_pk: int) -> HttpResponse:
    member = get_object_or_404(Member.objects.select_related("category"), pk=member_pk)
    if request.method == "POST":
        form = SubscribeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                movement = share_subscribe(
                    member=member,
                    shares=data["shares"],
                    paid_amount=data["paid_amount"],
                    effective_on=data["effective_on"],
                    due_on=data["due_on"],
                    decision_ref=data["decision_ref"],
                    actor=request.user,
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    ngettext(
                        "Movement no. %(seq)s: %(member)s subscribed %(shares)s share "
                        "(%(amount)s), %(paid)s paid.",
                        "Movement no. %(seq)s: %(member)s subscribed %(shares)s shares "
                        "(%(amount)s), %(paid)s paid.",
                        movement.shares,
                    )
                    % {
                        "seq": movement.seq,
                        "member": member.display_name,
                        "shares": movement.shares,
                        "amount": _money(movement.amount),
                        "paid": _money(movement.paid_amount),
                    },
                )
                messages.info(request, _certificate_message(movement))
                return redirect("capital:overview")
    proposal = selectors.subscription_proposal(member=member)
    if request.method != "POST":
        # An applicant's intended shares become the proposal the administrator confirms.
        form = SubscribeForm(initial={"shares": proposal} if proposal else None)
    cleaned = getattr(form, "cleaned_data", {})
    day = cleaned.get("effective_on") or timezone.localdate()
    context: dict[str, Any] = {
        "member": member,
        "form": form,
        "nominal": None,
        "total": None,
        "proposal": proposal,
        "proposal_total": None,
    }
    try:
        context["nominal"] = statutes_in_force(on=day).nominal_share_value
    except DomainError as exc:
        context["statutes_error"] = str(exc)
    if proposal and context["nominal"] is not None:
        context["proposal_total"] = context["nominal"] * proposal
    shares = cleaned.get("shares")
    if context["nominal"] is not None and shares:
        context["total"] = context["nominal"] * shares
    return render(request, "capital/admin_subscribe.html", context)


@require_POST
@role_required(Role.ADMINISTRATOR)
def repay(request: HtmxHttpRequest, request_pk: int) -> HttpResponse:
    repayment_request = get_object_or_404(
        RepaymentRequest.objects.select_related("member"), pk=request_pk
    )
    form = RepayForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            movement = repayment_make(
                request=repayment_request,
                effective_on=data["effective_on"],
                decision_ref=data["decision_ref"],
                losses=data["losses"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                formatting.interpolate(
                    _(
                        "Movement no. %(seq)s: the shares of %(member)s are repaid on %(date)s "
                        "(%(cash)s paid back)."
                    ),
                    {
                        "seq": movement.seq,
                        "member": repayment_request.member.display_name,
                        "date": date_format(movement.effective_on, "DATE_FORMAT"),
                        "cash": _money(movement.cash_amount),
                    },
                ),
            )
            return redirect("capital:overview")
    context = _overview_context(on=timezone.localdate())
    context.update(
        date_form=CapitalDateForm(),
        repay_form=form,
        failed_request=repayment_request,
    )
    return render(request, "capital/admin_overview.html", context)


def _movement_form_page(
    request: HtmxHttpRequest, *, template: str, member: Member, form: Any
) -> HttpResponse:
    """A payment or transfer form, with the member's holding and who approves transfers."""
    today = timezone.localdate()
    context: dict[str, Any] = {
        "member": member,
        "form": form,
        "balance": selectors.member_balance(member=member, on=today),
        "approval_body": "",
    }
    try:
        context["approval_body"] = statutes_in_force(on=today).get_transfer_approval_body_display()
    except DomainError as exc:
        context["statutes_error"] = str(exc)
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def pay(request: HtmxHttpRequest, member_pk: int) -> HttpResponse:
    member = get_object_or_404(Member.objects.select_related("category"), pk=member_pk)
    form = PayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            movement = share_pay(
                member=member,
                amount=data["amount"],
                effective_on=data["effective_on"],
                decision_ref=data["decision_ref"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Movement no. %(seq)s: %(member)s paid %(amount)s on their shares.")
                % {
                    "seq": movement.seq,
                    "member": member.display_name,
                    "amount": _money(movement.paid_amount),
                },
            )
            return redirect("capital:overview")
    return _movement_form_page(request, template="capital/admin_pay.html", member=member, form=form)


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def transfer(request: HtmxHttpRequest, member_pk: int) -> HttpResponse:
    giver = get_object_or_404(Member.objects.select_related("category"), pk=member_pk)
    try:
        body = statutes_in_force().get_transfer_approval_body_display()
    except DomainError:
        body = ""  # the page says why (see _movement_form_page)
    form = TransferForm(request.POST or None, giver=giver, approval_body=body)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            out, _into = share_transfer(
                giver=giver,
                receiver=data["receiver"],
                shares=data["shares"],
                effective_on=data["effective_on"],
                decision_ref=data["decision_ref"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Movement no. %(seq)s: %(giver)s transferred %(shares)s shares to %(receiver)s.")
                % {
                    "seq": out.seq,
                    "giver": giver.display_name,
                    "shares": -out.shares,
                    "receiver": data["receiver"].display_name,
                },
            )
            return redirect("capital:overview")
    return _movement_form_page(
        request, template="capital/admin_transfer.html", member=giver, form=form
    )


def admission_next_step(member: Member) -> tuple[str, str] | None:
    """After an admission: confirm the subscription the applicant intended (members' page)."""
    shares = selectors.subscription_proposal(member=member)
    if shares is None:
        return None
    label = ngettext(
        "Confirm the proposed subscription of %(shares)s share",
        "Confirm the proposed subscription of %(shares)s shares",
        shares,
    ) % {"shares": shares}
    return label, reverse("capital:member", kwargs={"member_pk": member.pk})
