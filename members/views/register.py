"""The register desk (administrators): the register, a member's entry and its history, and the
changes an administrator records on it (contact details, college, exit)."""

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coop.errors import DomainError
from coop.http import HtmxHttpRequest, render, wants_partial
from coop.roles import Role, role_required
from members.forms.register import ContactForm, ExitForm, MoveCollegeForm, RegisterFilterForm
from members.models import Member, RegisterEvent
from members.selectors import member_history, register_search
from members.services import (
    SNAPSHOT_FIELDS,
    categories_missing_compulsory,
    member_exit,
    member_move_college,
    member_update_contact,
)

PAGE_SIZE = 50
PARIS = ZoneInfo("Europe/Paris")


@require_GET
@role_required(Role.ADMINISTRATOR)
def register_index(request: HtmxHttpRequest) -> HttpResponse:
    form = RegisterFilterForm(request.GET or None)
    filters = (
        form.filters()
        if form.is_bound
        else {"query": "", "status": "", "college": None, "category": None}
    )
    paginator = Paginator(register_search(**filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2)),
        "filtered": any(filters.values()),
    }
    partial = wants_partial(request)
    if not partial:
        context["missing_categories"] = categories_missing_compulsory()
    return render(
        request, "members/register.html", context, partial="register-results", use_partial=partial
    )


# How the history shows the values a register event recorded.
_LABELS = {
    "category_name": Member._meta.get_field("category").verbose_name,
    "college_name": Member._meta.get_field("college").verbose_name,
}
_CHOICES = {"status": Member.Status, "person_kind": Member.PersonKind}


def _label(key: str) -> str:
    if key in _LABELS:
        return str(_LABELS[key])
    try:
        return str(Member._meta.get_field(key).verbose_name)
    except FieldDoesNotExist:
        return key


def _shown(key: str, value: Any) -> str:
    """A value of a snapshot as a person reads it, in the current language."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key in _CHOICES:
        try:
            return str(_CHOICES[key](value).label)
        except ValueError:
            return str(value)
    if isinstance(value, str) and key.endswith("_on"):
        try:
            return date_format(dt.date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    if isinstance(value, str) and key.endswith("_at"):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            moment = moment.astimezone(PARIS)
        return date_format(moment, "DATETIME_FORMAT")
    return str(value)


def _order(key: str) -> int:
    """The place of a detail in the register's order (the database keeps no key order)."""
    name = key.removesuffix("_name") if key in ("category_name", "college_name") else key
    return SNAPSHOT_FIELDS.index(name) if name in SNAPSHOT_FIELDS else len(SNAPSHOT_FIELDS)


def _changed_items(changes: dict[str, Any], before: dict[str, Any]) -> list[dict[str, str]]:
    items = []
    for key in sorted(changes, key=_order):
        value = changes[key]
        # The code of the category or college goes with its name: show the name only.
        if key in ("category", "college") and f"{key}_name" in changes:
            continue
        items.append(
            {
                "label": _label(key),
                "before": _shown(key, before[key]) if key in before else "",
                "after": _shown(key, value),
            }
        )
    return items


def _history_rows(events: Iterable[RegisterEvent]) -> list[dict[str, Any]]:
    """Each event with what it changed, from the entry before it (the previous snapshot).

    The event that opened the entry lists what was recorded, leaving out empty details.
    """
    rows = []
    before: dict[str, Any] | None = None
    for event in events:
        if before is None:
            changes = {
                key: value for key, value in event.changes.items() if value not in ("", None)
            }
            items = _changed_items(changes, {})
        else:
            items = _changed_items(event.changes, before)
        rows.append({"event": event, "items": items, "opening": before is None})
        before = event.snapshot
    return rows


@require_GET
@role_required(Role.ADMINISTRATOR)
def member_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(register_search(), pk=pk)
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "language_name": dict(settings.LANGUAGES).get(member.language, member.language),
            "history": _history_rows(member_history(member=member)),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def member_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(register_search(), pk=pk)
    if request.method == "POST":
        form = ContactForm(request.POST, member=member)
        if form.is_valid():
            changes = form.changes()
            if not changes:
                messages.info(request, _("Nothing was changed: the register is as it was."))
                return redirect("members:member_detail", pk=member.pk)
            try:
                member_update_contact(member=member, changes=changes, actor=request.user)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("The contact details of %(member)s are recorded.")
                    % {"member": member.display_name},
                )
                return redirect("members:member_detail", pk=member.pk)
    else:
        form = ContactForm(member=member)
    return render(request, "members/member_edit.html", {"member": member, "form": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def member_college(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(register_search(), pk=pk)
    if request.method == "POST":
        form = MoveCollegeForm(request.POST, member=member)
        if form.is_valid():
            try:
                moved = member_move_college(
                    member=member,
                    college=form.cleaned_data["college"],
                    effective_on=form.cleaned_data["effective_on"],
                    decision_ref=form.cleaned_data["decision_ref"],
                    actor=request.user,
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("%(member)s votes in the college “%(college)s” from %(date)s.")
                    % {
                        "member": moved.display_name,
                        "college": moved.college.name,
                        "date": date_format(form.cleaned_data["effective_on"], "DATE_FORMAT"),
                    },
                )
                return redirect("members:member_detail", pk=member.pk)
    else:
        form = MoveCollegeForm(member=member)
    return render(request, "members/member_college.html", {"member": member, "form": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def member_exit_record(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(register_search(), pk=pk)
    if request.method == "POST":
        form = ExitForm(request.POST)
        if form.is_valid():
            try:
                left = member_exit(
                    member=member,
                    status=form.cleaned_data["status"],
                    exited_on=form.cleaned_data["exited_on"],
                    decision_ref=form.cleaned_data["decision_ref"],
                    actor=request.user,
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("The exit of %(member)s on %(date)s is recorded (%(status)s).")
                    % {
                        "member": left.display_name,
                        "date": date_format(left.exited_on, "DATE_FORMAT"),
                        "status": left.get_status_display(),
                    },
                )
                return redirect("members:member_detail", pk=member.pk)
    else:
        form = ExitForm()
    return render(request, "members/member_exit.html", {"member": member, "form": form})
