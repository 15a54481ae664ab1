"""The erasure of a former member's personal data (administrators; RULES 5, docs/privacy.md):
a preview of what is erased and what is kept and why, then a confirmation by the number."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from coop.errors import DomainError
from coop.http import HtmxHttpRequest
from coop.roles import Role, role_required
from members.forms.erasure import ErasureConfirmForm
from members.models import Member
from members.services.erasure import member_erase_personal_data, member_erasure_plan


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def member_erasure(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(Member.objects.select_related("user"), pk=pk, number__isnull=False)
    context: dict = {"member": member, "plan": None, "refusal": None}
    try:
        context["plan"] = member_erasure_plan(member=member)
    except DomainError as exc:
        context["refusal"] = str(exc)
        return render(request, "members/member_erasure.html", context, status=409)
    form = ErasureConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            erased = member_erase_personal_data(
                member=member,
                confirm_number=form.cleaned_data["confirm_number"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "The personal data of %(member)s beyond the register is erased; the entry "
                    "is kept until %(date)s."
                )
                % {
                    "member": erased.display_name,
                    "date": date_format(context["plan"].keep_until, "DATE_FORMAT"),
                },
            )
            return redirect("members:member_detail", pk=member.pk)
    context["form"] = form
    return render(
        request,
        "members/member_erasure.html",
        context,
        status=422 if request.method == "POST" else 200,
    )
