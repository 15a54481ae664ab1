"""More of the capital desk (administrators): every member's holding on a date, a member's
shares and movements, the correction
of a movement, the register of share movements between two dates (CSV, PDF), the approvals of
the accounts and the interest rates on shares the assembly decided."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from capital import selectors
from capital.forms.admin import (
    AccountsApprovalForm,
    CapitalDateForm,
    CorrectForm,
    InterestRateForm,
    RegisterForm,
    default_period,
)
from capital.jobs import register_export_start
from capital.services import accounts_approval_record, interest_rate_record, share_correct
from coop import formatting
from coop.errors import DomainError
from coop.http import HtmxHttpRequest, render
from coop.roles import Role, role_required
from coop.statutes import statutes_in_force
from members.models import Member


@require_GET
@role_required(Role.ADMINISTRATOR)
def member_capital(request: HtmxHttpRequest, member_pk: int) -> HttpResponse:
    """A member's holding, the proposal from their application, every movement of theirs with
    its certificate or the link to correct it."""
    member = get_object_or_404(Member.objects.select_related("category"), pk=member_pk)
    today = timezone.localdate()
    proposal = selectors.subscription_proposal(member=member)
    movements = list(selectors.member_movements(member=member).select_related("corrected_by"))
    deliveries = selectors.certificate_deliveries(movements=movements)
    for movement in movements:
        movement.certificate_delivery = deliveries.get(movement.pk)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "member": member,
        "today": today,
        "balance": selectors.member_balance(member=member, on=today),
        "movements": movements,
        "proposal": proposal,
        "proposal_total": None,
    }
    if proposal:
        try:
            context["proposal_total"] = statutes_in_force().nominal_share_value * proposal
        except DomainError as exc:
            context["statutes_error"] = str(exc)
    return render(request, "capital/admin_member.html", context)


CORRECTABLE = ("subscription", "payment")


@require_GET
@role_required(Role.ADMINISTRATOR)
def balances(request: HtmxHttpRequest) -> HttpResponse:
    """Every member's holding on a date, page by page."""
    form = CapitalDateForm(request.GET or None)
    on = timezone.localdate()
    if form.is_bound and form.is_valid() and form.cleaned_data["on"]:
        on = form.cleaned_data["on"]
    page, holdings = selectors.holdings_page(on=on, page_number=request.GET.get("page"))
    context = {"form": form, "on": on, "page": page, "holdings": holdings}
    return render(request, "capital/admin_balances.html", context, partial="holdings")


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def correct(request: HtmxHttpRequest, movement_pk: int) -> HttpResponse:
    """Show a movement and, once confirmed, record the reversing movement that corrects it."""
    movement = selectors.movement_for_correction(pk=movement_pk)
    if movement is None:
        raise Http404
    form = CorrectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            correction = share_correct(
                movement=movement,
                effective_on=form.cleaned_data["effective_on"],
                decision_ref=form.cleaned_data["decision_ref"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                formatting.interpolate(
                    _("Movement no. %(seq)s corrects movement no. %(corrected)s of %(member)s."),
                    {
                        "seq": correction.seq,
                        "corrected": movement.seq,
                        "member": movement.member.display_name,
                    },
                ),
            )
            return redirect("capital:member", member_pk=movement.member_id)
    corrected_by = getattr(movement, "corrected_by", None)
    context = {
        "movement": movement,
        "member": movement.member,
        "form": form,
        "corrected_by": corrected_by,
        "correctable": movement.kind in CORRECTABLE and corrected_by is None,
    }
    return render(request, "capital/admin_correct.html", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def register(request: HtmxHttpRequest) -> HttpResponse:
    """The register of share movements between two dates: the form, then a job writes the
    file (see its page)."""
    if request.method != "POST":
        start, end = default_period()
        form = RegisterForm(initial={"start": start, "end": end})
        return render(request, "capital/admin_register.html", {"form": form})
    form = RegisterForm(request.POST)
    if form.is_valid():
        try:
            job = register_export_start(
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                file_format=form.cleaned_data["format"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("jobs:detail", pk=job.pk)
    return render(request, "capital/admin_register.html", {"form": form}, status=400)


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def accounts(request: HtmxHttpRequest) -> HttpResponse:
    """The approvals of the accounts (RULES 22): the list, and recording one."""
    form = AccountsApprovalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            approval = accounts_approval_record(
                year=data["year"],
                approved_on=data["approved_on"],
                decision_ref=data["decision_ref"],
                losses_per_share=data["losses_per_share"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "The accounts of the financial year ending on %(end)s are recorded as "
                    "approved on %(date)s."
                )
                % {
                    "end": date_format(approval.financial_year_end, "DATE_FORMAT"),
                    "date": date_format(approval.approved_on, "DATE_FORMAT"),
                },
            )
            return redirect("capital:accounts")
    context = {"form": form, "approvals": selectors.accounts_approvals()}
    return render(request, "capital/admin_accounts.html", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def interest(request: HtmxHttpRequest) -> HttpResponse:
    """The interest rates on shares the assembly decided (RULES 26): the list, and one more."""
    form = InterestRateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = interest_rate_record(
                year=data["year"],
                rate=data["rate"],
                tmo_average=data["tmo_average"],
                decided_on=data["decided_on"],
                decision_ref=data["decision_ref"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Interest rate of %(rate)s recorded for the financial year ending on %(end)s.")
                % {
                    "rate": formatting.percent_points(decision.rate),
                    "end": date_format(decision.financial_year_end, "DATE_FORMAT"),
                },
            )
            return redirect("capital:interest")
    context = {"form": form, "decisions": selectors.interest_rate_decisions()}
    return render(request, "capital/admin_interest.html", context)
