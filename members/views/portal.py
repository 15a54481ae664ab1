"""The member's own pages: my membership, my contact details, my consent, my personal data."""

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coop.errors import DomainError
from coop.http import HtmxHttpRequest
from coop.roles import Role, role_required
from members.forms.portal import ENoticesForm, MemberContactForm
from members.gdpr import personal_data_export, recorded_by_member
from members.models import Member, RegisterEvent
from members.selectors import member_for_user, member_history
from members.services import (
    SELF_EDITABLE_FIELDS,
    SNAPSHOT_FIELDS,
    member_set_e_notices,
    member_update_contact,
)

# Events whose `changes` are the whole entry: the history names the event, not every field.
WHOLE_ENTRY_KINDS = (RegisterEvent.Kind.APPLIED, RegisterEvent.Kind.IMPORTED)
# Snapshot keys shown by their name rather than their code.
SHOWN_AS = {"category_name": "category", "college_name": "college"}
HIDDEN_KEYS = {"category", "college"}


def _shown_value(name: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if name == "status":
        return str(dict(Member.Status.choices).get(value, value))
    if name == "person_kind":
        return str(dict(Member.PersonKind.choices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name.endswith("_at"):
        moment = dt.datetime.fromisoformat(value)
        return date_format(timezone.localtime(moment), "DATETIME_FORMAT")
    if name.endswith("_on"):
        return date_format(dt.date.fromisoformat(value), "DATE_FORMAT")
    return str(value)


def _changes(event: RegisterEvent) -> list[tuple[str, str]]:
    """What an event changed, as (label, new value) pairs in the order of the register."""
    if event.kind in WHOLE_ENTRY_KINDS:
        return []
    shown = []
    order = {name: index for index, name in enumerate(SNAPSHOT_FIELDS)}
    keys = [key for key in event.changes if key not in HIDDEN_KEYS]
    for key in sorted(keys, key=lambda key: order.get(SHOWN_AS.get(key, key), len(order))):
        name = SHOWN_AS.get(key, key)
        try:
            label = capfirst(str(Member._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:  # a key the model no longer has: show it as it is
            label = name
        shown.append((label, _shown_value(name, event.changes[key])))
    return shown


def _history(member: Member) -> list[dict[str, Any]]:
    return [
        {
            "event": event,
            "changes": _changes(event),
            "by_member": recorded_by_member(event, member),
        }
        for event in member_history(member=member)
    ]


def _me_context(member: Member, notices_form: ENoticesForm | None = None) -> dict[str, Any]:
    return {
        "member": member,
        "history": _history(member),
        "notices_form": notices_form or ENoticesForm(initial={"consent": member.e_notices}),
    }


@require_GET
@role_required(Role.MEMBER)
def me(request: HtmxHttpRequest) -> HttpResponse:
    member = member_for_user(user=request.user)
    if member is None:
        return render(request, "members/me_none.html")
    return render(request, "members/me.html", _me_context(member))


@require_http_methods(["GET", "POST"])
@role_required(Role.MEMBER)
def me_edit(request: HtmxHttpRequest) -> HttpResponse:
    member = member_for_user(user=request.user)
    if member is None:
        return redirect("members:me")
    if request.method == "POST":
        form = MemberContactForm(request.POST, member=member)
        if form.is_valid():
            if not form.has_changed():
                messages.info(request, _("Nothing was changed."))
                return redirect("members:me")
            had_consent = member.e_notices
            try:
                member = member_update_contact(
                    member=member,
                    changes=form.cleaned_data,
                    actor=request.user,
                    allowed=SELF_EDITABLE_FIELDS,
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Your contact details are saved."))
                if had_consent and not member.e_notices:
                    messages.warning(
                        request,
                        _(
                            "Without an e-mail address, the cooperative's notices will be sent "
                            "to you by post."
                        ),
                    )
                return redirect("members:me")
    else:
        form = MemberContactForm(member=member)
    return render(request, "members/me_edit.html", {"member": member, "form": form})


@require_POST
@role_required(Role.MEMBER)
def me_notices(request: HtmxHttpRequest) -> HttpResponse:
    member = member_for_user(user=request.user)
    if member is None:
        return redirect("members:me")
    form = ENoticesForm(request.POST)
    saved = False
    if form.is_valid():
        try:
            member = member_set_e_notices(
                member=member, consent=form.cleaned_data["consent"], actor=request.user
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            saved = True
    if saved and not request.htmx:
        messages.success(request, _("Your choice about e-mail notices is saved."))
        return redirect("members:me")
    if request.htmx:
        return render(
            request,
            "members/me.html#notices",
            {"member": member, "notices_form": form, "notices_saved": saved},
        )
    context = _me_context(member, notices_form=form)
    context["form"] = form  # the page's title then says there is an error
    return render(request, "members/me.html", context)


@require_GET
@role_required(Role.MEMBER)
def me_data(request: HtmxHttpRequest) -> HttpResponse:
    member = member_for_user(user=request.user)
    if member is None:
        return redirect("members:me")
    data = personal_data_export(member=member)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    filename = f"personal-data-{member.number or 'applicant'}-{stamp}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
