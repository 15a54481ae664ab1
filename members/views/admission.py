"""Administrators' admission pages: pending applications, admission or rejection of each,
and the ratification of admitted members by a general assembly."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coop.errors import DomainError
from coop.http import HtmxHttpRequest, render
from coop.roles import Role, role_required
from coop.statutes import StatutesNotInForce, statutes_in_force
from members.forms.admission import AdmitForm, RatifyForm, RejectForm
from members.letters import admission_letter_waiting
from members.models import Member
from members.selectors import applicants_pending, members_awaiting_ratification, register_search
from members.services import (
    InvitationOutcome,
    application_admit,
    application_reject,
    members_ratify,
)

PAGE_SIZE = 50

# What other apps propose to do next after an admission: callables taking the member and
# returning (label, url) or None. Apps register theirs in AppConfig.ready (capital proposes the
# subscription of the shares the applicant intended), so members never imports them.
admission_next_steps: list[Callable[[Member], tuple[str, str] | None]] = []


def _nominal() -> Any:
    try:
        return statutes_in_force().nominal_share_value
    except StatutesNotInForce:
        return None


def _member(pk: int) -> Member:
    return get_object_or_404(register_search(), pk=pk)


@require_GET
@role_required(Role.ADMINISTRATOR)
def applications(request: HtmxHttpRequest) -> HttpResponse:
    """Pending applications, oldest first."""
    page = Paginator(applicants_pending(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "members/applications.html", {"page": page}, partial="applications-list")


def _admit_initial(member: Member) -> dict[str, Any]:
    return {"decided_on": timezone.localdate(), "college": member.category.default_college_id}


def _detail(
    request: HttpRequest,
    member: Member,
    *,
    admit_form: AdmitForm | None = None,
    reject_form: RejectForm | None = None,
) -> HttpResponse:
    nominal = _nominal()
    context = {
        "member": member,
        "admit_form": admit_form or AdmitForm(prefix="admit", initial=_admit_initial(member)),
        "reject_form": reject_form
        or RejectForm(prefix="reject", initial={"decided_on": timezone.localdate()}),
        "nominal": nominal,
        "total": nominal * member.requested_shares if nominal is not None else None,
    }
    return render(request, "members/applications_detail.html", context)


@require_GET
@role_required(Role.ADMINISTRATOR)
def application_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One application: what the applicant wrote, and the forms to admit or reject it."""
    return _detail(request, _member(pk))


@require_POST
@role_required(Role.ADMINISTRATOR)
def application_admit_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    member = _member(pk)
    form = AdmitForm(request.POST, prefix="admit")
    if form.is_valid():
        try:
            admission = application_admit(
                member=member,
                decided_on=form.cleaned_data["decided_on"],
                decision_ref=form.cleaned_data["decision_ref"],
                college=form.cleaned_data["college"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
            member = _member(pk)  # show where the entry stands now
        else:
            if admission.invitation.outcome == InvitationOutcome.EMAIL_IN_USE:
                messages.warning(
                    request,
                    _(
                        "No login account was opened: the address %(email)s is already the "
                        "login of another member. Change the address in the register, then "
                        "invite them again."
                    )
                    % {"email": admission.member.email},
                )
            return redirect("members:application_admitted", pk=member.pk)
    return _detail(request, member, admit_form=form)


@require_POST
@role_required(Role.ADMINISTRATOR)
def application_reject_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    member = _member(pk)
    form = RejectForm(request.POST, prefix="reject")
    if form.is_valid():
        try:
            member = application_reject(
                member=member,
                decided_on=form.cleaned_data["decided_on"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
            member = _member(pk)
        else:
            if member.email:
                text = _(
                    "The application of %(name)s is rejected. The decision and its reason "
                    "were sent to %(email)s."
                ) % {"name": member.display_name, "email": member.email}
            else:
                text = _(
                    "The application of %(name)s is rejected. They have no e-mail address: "
                    "tell them of the decision and its reason by letter."
                ) % {"name": member.display_name}
            messages.success(request, text)
            return redirect("members:applications")
    return _detail(request, member, reject_form=form)


@require_GET
@role_required(Role.ADMINISTRATOR)
def application_admitted(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The confirmation of an admission: the member number, and whether they can sign in."""
    member = _member(pk)
    if member.status not in Member.ADMITTED_STATUSES:
        return redirect("members:application", pk=member.pk)
    steps = [step for hook in admission_next_steps if (step := hook(member)) is not None]
    context = {
        "member": member,
        "next_steps": steps,
        "letter_notice": admission_letter_waiting(member),
    }
    return render(request, "members/admit_done.html", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def ratify(request: HtmxHttpRequest) -> HttpResponse:
    """Mark admitted members as ratified by a general assembly: all those chosen, or none."""
    if request.method == "POST":
        form = RatifyForm(request.POST)
        if form.is_valid():
            try:
                ratified = members_ratify(
                    members=list(form.cleaned_data["members"]),
                    ratified_on=form.cleaned_data["ratified_on"],
                    assembly_ref=form.cleaned_data["assembly_ref"],
                    actor=request.user,
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d member ratified by the assembly of %(date)s (%(ref)s).",
                        "%(count)d members ratified by the assembly of %(date)s (%(ref)s).",
                        len(ratified),
                    )
                    % {
                        "count": len(ratified),
                        "date": date_format(form.cleaned_data["ratified_on"], "DATE_FORMAT"),
                        "ref": form.cleaned_data["assembly_ref"],
                    },
                )
                return redirect("members:ratify")
    else:
        form = RatifyForm()
    return render(
        request,
        "members/ratify.html",
        {
            "form": form,
            "awaiting": members_awaiting_ratification(),
            "selected": form.selected_ids(),
        },
    )
