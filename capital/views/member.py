"""The member's shares: what they hold, every movement of theirs, a statement at a date and the
share certificate of each subscription (RULES 25)."""

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from capital.documents import certificate_pdf, statement_pdf
from capital.models import ShareMovement
from capital.selectors import member_balance, member_movements
from coop.fields import GuardedForm
from coop.http import HtmxHttpRequest
from coop.roles import Role, administrator_mfa_redirect, has_role, is_administrator, role_required
from members.models import Member
from members.selectors import member_for_user


class StatementForm(GuardedForm):
    on = forms.DateField(
        label=gettext_lazy("Statement at the end of"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_on(self) -> dt.date:
        on: dt.date = self.cleaned_data["on"]
        today = timezone.localdate()
        if on > today:
            raise forms.ValidationError(
                _(
                    "A statement can only be drawn up to today (%(today)s): "
                    "%(date)s is in the future."
                )
                % {
                    "today": date_format(today, "DATE_FORMAT"),
                    "date": date_format(on, "DATE_FORMAT"),
                }
            )
        return on


def _shares_page(request: HtmxHttpRequest, member: Member, form: StatementForm) -> HttpResponse:
    today = timezone.localdate()
    context: dict[str, Any] = {
        "member": member,
        "today": today,
        "balance": member_balance(member=member, on=today),
        "movements": member_movements(member=member),
        "form": form,
    }
    return render(request, "capital/me_shares.html", context)


def _none_page(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "capital/me_none.html")


@require_GET
@role_required(Role.MEMBER)
def me(request: HtmxHttpRequest) -> HttpResponse:
    member = member_for_user(user=request.user)
    if member is None:
        return _none_page(request)
    return _shares_page(request, member, StatementForm(initial={"on": timezone.localdate()}))


@require_GET
@role_required(Role.MEMBER)
def me_statement(request: HtmxHttpRequest) -> HttpResponse:
    member = member_for_user(user=request.user)
    if member is None:
        return _none_page(request)
    data = request.GET.copy()
    if not data.get("on"):
        data["on"] = timezone.localdate().isoformat()
    form = StatementForm(data)
    if not form.is_valid():
        response = _shares_page(request, member, form)
        response.status_code = 400
        return response
    on: dt.date = form.cleaned_data["on"]
    response = HttpResponse(statement_pdf(member=member, on=on), content_type="application/pdf")
    filename = f"statement-{member.number or member.pk}-{on.isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def certificate(request: HtmxHttpRequest, movement_pk: int) -> HttpResponse:
    """The certificate of a subscription: for the member it belongs to, and for administrators
    (who must have set up two-factor authentication). Anyone else is told it does not exist."""
    movement = get_object_or_404(
        ShareMovement.objects.select_related("member"),
        pk=movement_pk,
        kind=ShareMovement.Kind.SUBSCRIPTION,
    )
    member = member_for_user(user=request.user)
    own = (
        member is not None
        and movement.member_id == member.pk
        and has_role(request.user, Role.MEMBER)
    )
    if not own:
        if not is_administrator(request.user):
            raise Http404
        detour = administrator_mfa_redirect(request)  # TOTP passed by this session
        if detour is not None:
            return detour
    response = HttpResponse(certificate_pdf(movement=movement), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{movement.seq}.pdf"'
    return response
