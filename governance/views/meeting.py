"""The meeting desk (administrators): check-in by search or by the QR code of the convocation,
the live figures (htmx polling, a refresh link without JavaScript), the bureau, opening the
meeting, and the attendance sheet (PDF)."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coop import formatting
from coop.errors import DomainError
from coop.http import HtmxHttpRequest, render, wants_partial
from coop.roles import Role, role_required
from governance.forms.meeting import BureauSeatForm, CheckInSearchForm, RollEntryForm
from governance.jobs import attendance_sheet_start
from governance.lifecycle import Action, assembly_allows
from governance.models import Assembly, BureauSeat, Proxy, RollEntry
from governance.selectors.figures import (
    assembly_figures,
    live_figures,
    meeting_opening,
    meeting_roll_search,
)
from governance.services.meeting import (
    bureau_missing,
    bureau_seat_add,
    bureau_seat_remove,
    meeting_open,
    roll_entry_check_in,
    roll_entry_check_in_undo,
)
from governance.services.proxies import proxies_open, proxy_revoke


def _assembly(pk: int) -> Assembly:
    return get_object_or_404(
        Assembly.objects.select_related("statutes").exclude(status=Assembly.Status.DRAFT), pk=pk
    )


def _desk_url(assembly: Assembly, query: str = "") -> str:
    url = reverse("governance:meeting", args=[assembly.pk])
    return f"{url}?{urlencode({'q': query})}" if query else url


def _live(pk: int) -> dict[str, Any]:
    """The context of the live figures' partial, from the cache when fresh."""
    live = live_figures(assembly_pk=pk)
    if live is None:
        raise Http404
    return {"figures_pk": live.assembly_pk, "figures": live.figures, "opening": live.opening}


@require_GET
@role_required(Role.ADMINISTRATOR)
def desk(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    form = CheckInSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    context = _live(assembly.pk)
    context.update(
        assembly=assembly,
        search_form=form,
        query=query,
        results=list(meeting_roll_search(assembly=assembly, query=query)),
        can_check_in=assembly_allows(assembly, Action.CHECK_IN),
        proxies_open=proxies_open(assembly),
        refresh_url=_desk_url(assembly, query),
    )
    return render(
        request,
        "governance/meeting/desk.html",
        context,
        partial="checkin-results",
        use_partial=wants_partial(request) and request.htmx.target == "checkin-results",
    )


@require_GET
@role_required(Role.ADMINISTRATOR)
def figures(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The live figures: the whole page, or the figures alone for htmx's polling (which reads
    no assembly: the figures come from the cache while they are fresh)."""
    context = _live(pk)
    if request.htmx:
        context["refresh_url"] = request.htmx.current_url_abs_path or request.path
        # Rendered without the request: the partial needs no context processor (navigation,
        # roles), and it is what every screen of the meeting polls.
        html = render_to_string("governance/meeting/figures.html#figures", context)
        response = HttpResponse(html)
        patch_vary_headers(response, ("HX-Request",))
        return response
    context.update(assembly=_assembly(pk), refresh_url=request.path)
    return render(request, "governance/meeting/figures.html", context, partial="figures")


def _after_action(request: HtmxHttpRequest, assembly: Assembly, query: str) -> HttpResponse:
    return redirect(_desk_url(assembly, query))


@require_POST
@role_required(Role.ADMINISTRATOR)
def check_in(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    form = RollEntryForm(request.POST, assembly=assembly)
    query = request.POST.get("q", "")
    if not form.is_valid():
        messages.error(request, _("This member is not on the roll of this assembly."))
        return _after_action(request, assembly, query)
    try:
        entry = roll_entry_check_in(roll_entry=form.cleaned_data["roll_entry"], actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(name)s (no. %(number)s) is checked in as present.")
            % {"name": entry.name, "number": entry.member_number},
        )
    return _after_action(request, assembly, query)


@require_POST
@role_required(Role.ADMINISTRATOR)
def check_in_undo(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    form = RollEntryForm(request.POST, assembly=assembly)
    query = request.POST.get("q", "")
    if not form.is_valid():
        messages.error(request, _("This member is not on the roll of this assembly."))
        return _after_action(request, assembly, query)
    try:
        entry = roll_entry_check_in_undo(
            roll_entry=form.cleaned_data["roll_entry"], actor=request.user
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            formatting.interpolate(
                _("The check-in of %(name)s (no. %(number)s) is undone."),
                {"name": entry.name, "number": entry.member_number},
            ),
        )
    return _after_action(request, assembly, query)


@require_POST
@role_required(Role.ADMINISTRATOR)
def proxy_revoke_at_desk(request: HtmxHttpRequest, pk: int, proxy_pk: int) -> HttpResponse:
    """A member who gave a proxy came in person and asks to revoke it, to be checked in."""
    assembly = _assembly(pk)
    proxy = get_object_or_404(
        Proxy.objects.select_related("giver", "holder", "assembly"),
        pk=proxy_pk,
        assembly=assembly,
    )
    query = request.POST.get("q", "")
    try:
        proxy_revoke(proxy=proxy, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            formatting.interpolate(
                _("The proxy of %(name)s to %(holder)s is revoked: %(name)s can be checked in."),
                {"name": proxy.giver.name, "holder": proxy.holder.name},
            ),
        )
    return _after_action(request, assembly, query)


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def check_in_token(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The address in the QR code of a convocation: who it is, and a button to check them in."""
    entry = get_object_or_404(
        RollEntry.objects.select_related("assembly__statutes", "college").exclude(
            assembly__status=Assembly.Status.DRAFT
        ),
        check_in_token=token,
    )
    assembly = entry.assembly
    error = ""
    if request.method == "POST":
        try:
            roll_entry_check_in(roll_entry=entry, actor=request.user)
        except DomainError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                _("%(name)s (no. %(number)s) is checked in as present.")
                % {"name": entry.name, "number": entry.member_number},
            )
            return redirect("governance:meeting", pk=assembly.pk)
        entry.refresh_from_db()
    proxy = (
        Proxy.objects.filter(giver=entry, revoked_at__isnull=True).select_related("holder").first()
    )
    context = {
        "assembly": assembly,
        "entry": entry,
        "proxy": proxy,
        "error": error,
        "can_check_in": assembly_allows(assembly, Action.CHECK_IN),
        "proxies_open": proxies_open(assembly),
    }
    return render(
        request, "governance/meeting/check_in_token.html", context, status=400 if error else 200
    )


def _bureau_page(
    request: HtmxHttpRequest, assembly: Assembly, form: BureauSeatForm, status: int = 200
) -> HttpResponse:
    context = {
        "assembly": assembly,
        "form": form,
        "seats": BureauSeat.objects.filter(assembly=assembly)
        .select_related("roll_entry")
        .order_by("role", "recorded_at", "pk"),
        "missing": bureau_missing(assembly),
        "opening": meeting_opening(assembly=assembly),
        "figures": assembly_figures(assembly=assembly),
    }
    return render(request, "governance/meeting/bureau.html", context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def bureau(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    if request.method == "GET":
        return _bureau_page(request, assembly, BureauSeatForm(assembly=assembly))
    form = BureauSeatForm(request.POST, assembly=assembly)
    if form.is_valid():
        data = form.cleaned_data
        try:
            seat = bureau_seat_add(
                assembly=assembly,
                role=data["role"],
                name=data["name"],
                roll_entry=data["roll_entry"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(name)s is recorded as %(role)s.")
                % {"name": seat.name, "role": seat.get_role_display()},
            )
            return redirect("governance:meeting_bureau", pk=assembly.pk)
    return _bureau_page(request, assembly, form, status=400)


@require_POST
@role_required(Role.ADMINISTRATOR)
def bureau_remove(request: HtmxHttpRequest, pk: int, seat_pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    seat = get_object_or_404(BureauSeat, pk=seat_pk, assembly=assembly)
    try:
        bureau_seat_remove(seat=seat, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(name)s is removed from the bureau.") % {"name": seat.name})
    return redirect("governance:meeting_bureau", pk=assembly.pk)


@require_POST
@role_required(Role.ADMINISTRATOR)
def open_meeting(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    try:
        figures = meeting_open(assembly=assembly, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("governance:meeting_bureau", pk=assembly.pk)
    if figures.reached:
        messages.success(
            request,
            _(
                "The meeting is open: %(total)s members counted, the quorum of %(required)s "
                "is reached."
            )
            % {"total": figures.total, "required": figures.quorum_required},
        )
    else:
        messages.warning(
            request,
            _(
                "The meeting opened with %(total)s members counted: the quorum of %(required)s "
                "is not reached. The assembly takes no vote and decides nothing; "
                "prepare the second convocation from this page."
            )
            % {"total": figures.total, "required": figures.quorum_required},
        )
        return redirect("governance:manage_detail", pk=assembly.pk)
    return redirect("governance:meeting", pk=assembly.pk)


@require_POST
@role_required(Role.ADMINISTRATOR)
def attendance_sheet(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Start printing the attendance sheet (a job: thousands of lines for a large roll)."""
    assembly = _assembly(pk)
    job = attendance_sheet_start(assembly=assembly, actor=request.user, back="meeting")
    return redirect("jobs:detail", pk=job.pk)
