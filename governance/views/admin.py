"""The assemblies' desk (administrators): the list, preparing a draft (details, agenda items,
resolutions), convening it, the proof of sending, the printed letters, cancelling, and the
second convocation when the first did not reach its quorum."""

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coop.csv_export import csv_download, csv_lines
from coop.errors import DomainError
from coop.http import HtmxHttpRequest, render
from coop.models import NoticeDelivery
from coop.roles import Role, role_required
from governance.documents import LETTERS_PER_PART, cancellation_letters_pdf, letters_pdf
from governance.forms.admin import (
    AgendaItemForm,
    AssemblyForm,
    CancelForm,
    ProofFilterForm,
    ResolutionForm,
    SecondConvocationForm,
)
from governance.jobs import assembly_convene_start
from governance.lifecycle import Action, assembly_allows, written_questions_closing
from governance.models import AgendaItem, Assembly, Minutes, Resolution, RollEntry
from governance.selectors.assemblies import (
    assemblies_drafts,
    assemblies_past,
    assemblies_upcoming,
    assembly_for_management,
    assembly_statutes,
    convocation_channel_counts,
    convocation_latest_day,
    convocation_proof,
    convocation_status_counts,
    distance_vote_deadline_default,
    majority_text,
    notice_days,
    opening_quorum,
    quorum_text,
    roll_cancellation_letters,
    roll_letters,
)
from governance.selectors.documents import assembly_documents, assembly_questions
from governance.services.assembly import (
    agenda_item_add,
    agenda_item_move,
    agenda_item_remove,
    agenda_item_update,
    assembly_create,
    assembly_prepare_second_convocation,
    assembly_update,
    resolution_add,
    resolution_move,
    resolution_remove,
    resolution_update,
)
from governance.services.convocation import assembly_cancel
from members.selectors import members_on_roll

PAGE_SIZE = 50
PAST_SHOWN = 50
administrator = role_required(Role.ADMINISTRATOR)


def _assembly(pk: int) -> Assembly:
    try:
        return assembly_for_management(pk=pk)
    except Assembly.DoesNotExist as exc:
        raise Http404 from exc


def _majorities(assembly: Assembly) -> dict[str, str]:
    statutes = assembly_statutes(assembly=assembly)
    if statutes is None:
        return {}
    return {kind: majority_text(statutes=statutes, kind=kind) for kind in Assembly.Kind.values}


# --- The list and one assembly ---------------------------------------------------------------


@require_GET
@administrator
def manage(request: HtmxHttpRequest) -> HttpResponse:
    now = timezone.now()
    context = {
        "drafts": list(assemblies_drafts()),
        "upcoming": list(assemblies_upcoming(now=now)),
        "past": list(assemblies_past(now=now)[:PAST_SHOWN]),
    }
    return render(request, "governance/admin/list.html", context)


@require_GET
@administrator
def manage_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    statutes = assembly_statutes(assembly=assembly)
    majorities = _majorities(assembly)
    items = [
        {
            "item": item,
            "resolutions": [
                {"resolution": r, "majority": majorities.get(r.majority_kind, "")}
                for r in item.resolutions.all()
            ],
        }
        for item in assembly.agenda_items.all()
    ]
    context: dict[str, Any] = {
        "assembly": assembly,
        "statutes": statutes,
        "items": items,
        "quorum": (
            quorum_text(statutes=statutes, kind=assembly.kind, convocation=assembly.convocation)
            if statutes
            else ""
        ),
    }
    if statutes is not None and assembly.is_draft:
        days = notice_days(statutes=statutes, convocation=assembly.convocation)
        context["notice_days"] = days
        context["latest_day"] = convocation_latest_day(starts_at=assembly.starts_at, days=days)
        context["too_late"] = timezone.localdate() > context["latest_day"]
    if not assembly.is_draft:
        context["roll_size"] = RollEntry.objects.filter(assembly=assembly).count()
        context["channels"] = convocation_channel_counts(assembly=assembly)
        context["letter_parts"] = _letter_parts(context["channels"]["letter"])
        context["opening"] = opening_quorum(assembly=assembly)
        context["second"] = Assembly.objects.filter(first_convocation=assembly).first()
    context.update(_documents_and_questions(assembly))
    if assembly.status == Assembly.Status.CANCELLED:
        context["cancellation_parts"] = _letter_parts(
            roll_cancellation_letters(assembly=assembly).count()
        )
    return render(request, "governance/admin/detail.html", context)


def _documents_and_questions(assembly: Assembly) -> dict[str, Any]:
    """The assembly's documents and written questions, and what may be done with them now."""
    now = timezone.now()
    questions = list(assembly_questions(assembly=assembly)) if not assembly.is_draft else []
    minutes_published = Minutes.objects.filter(
        assembly=assembly, published_at__isnull=False
    ).exists()
    return {
        "documents": list(assembly_documents(assembly=assembly)),
        "can_add_documents": assembly_allows(assembly, Action.ADD_DOCUMENT, now=now),
        "can_remove_documents": assembly_allows(assembly, Action.REMOVE_DOCUMENT, now=now),
        "questions": questions,
        "questions_until": written_questions_closing(assembly) - dt.timedelta(minutes=1),
        "can_answer": assembly_allows(assembly, Action.ANSWER_QUESTION, now=now)
        and not minutes_published,
    }


def _letter_parts(letters: int) -> list[dict[str, int]]:
    parts = -(-letters // LETTERS_PER_PART)
    return [
        {
            "part": part,
            "first": (part - 1) * LETTERS_PER_PART + 1,
            "last": min(part * LETTERS_PER_PART, letters),
        }
        for part in range(1, parts + 1)
    ]


# --- Details of a draft ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@administrator
def manage_create(request: HtmxHttpRequest) -> HttpResponse:
    form = AssemblyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assembly = assembly_create(**form.service_values(), actor=request.user)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("The assembly “%(title)s” is in preparation: now write its agenda.")
                % {"title": assembly.title},
            )
            return redirect("governance:manage_detail", pk=assembly.pk)
    return render(request, "governance/admin/assembly_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@administrator
def manage_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    if request.method == "POST":
        form = AssemblyForm(request.POST)
        if form.is_valid():
            try:
                assembly_update(assembly=assembly, **form.service_values(), actor=request.user)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The assembly's details are saved."))
                return redirect("governance:manage_detail", pk=assembly.pk)
    else:
        statutes = assembly_statutes(assembly=assembly)
        default = (
            distance_vote_deadline_default(starts_at=assembly.starts_at, statutes=statutes)
            if statutes
            else None
        )
        form = AssemblyForm.for_assembly(assembly, default_deadline=default)
    return render(
        request, "governance/admin/assembly_form.html", {"form": form, "assembly": assembly}
    )


# --- Agenda items ----------------------------------------------------------------------------


def _item(assembly: Assembly, item_pk: int) -> AgendaItem:
    return get_object_or_404(
        AgendaItem.objects.select_related("assembly"), pk=item_pk, assembly=assembly
    )


@require_http_methods(["GET", "POST"])
@administrator
def manage_item_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    form = AgendaItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agenda_item_add(assembly=assembly, **form.cleaned_data, actor=request.user)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The item is added to the agenda."))
            return redirect("governance:manage_detail", pk=assembly.pk)
    return render(request, "governance/admin/item_form.html", {"form": form, "assembly": assembly})


@require_http_methods(["GET", "POST"])
@administrator
def manage_item_edit(request: HtmxHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    item = _item(assembly, item_pk)
    if request.method == "POST":
        form = AgendaItemForm(request.POST)
        if form.is_valid():
            try:
                agenda_item_update(item=item, **form.cleaned_data, actor=request.user)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The agenda item is saved."))
                return redirect("governance:manage_detail", pk=assembly.pk)
    else:
        form = AgendaItemForm(initial={"title": item.title, "description": item.description})
    return render(
        request,
        "governance/admin/item_form.html",
        {"form": form, "assembly": assembly, "item": item},
    )


def _post_action(
    request: HtmxHttpRequest, assembly: Assembly, action: Callable[[], None], done: str
) -> HttpResponse:
    try:
        action()
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("governance:manage_detail", pk=assembly.pk)


@require_POST
@administrator
def manage_item_move(request: HtmxHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    item = _item(assembly, item_pk)
    up = request.POST.get("direction") == "up"
    return _post_action(
        request,
        assembly,
        lambda: agenda_item_move(item=item, up=up, actor=request.user),
        _("The agenda is reordered."),
    )


@require_POST
@administrator
def manage_item_remove(request: HtmxHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    item = _item(assembly, item_pk)
    return _post_action(
        request,
        assembly,
        lambda: agenda_item_remove(item=item, actor=request.user),
        _("The item “%(title)s” and its resolutions are removed from the agenda.")
        % {"title": item.title},
    )


# --- Resolutions -----------------------------------------------------------------------------


def _resolution(assembly: Assembly, resolution_pk: int) -> Resolution:
    return get_object_or_404(
        Resolution.objects.select_related("assembly"), pk=resolution_pk, assembly=assembly
    )


@require_http_methods(["GET", "POST"])
@administrator
def manage_resolution_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    majorities = _majorities(assembly)
    initial = {"agenda_item": request.GET.get("item")} if request.GET.get("item") else None
    form = ResolutionForm(
        request.POST or None, initial=initial, assembly=assembly, majorities=majorities
    )
    if request.method == "POST" and form.is_valid():
        try:
            resolution = resolution_add(assembly=assembly, **form.cleaned_data, actor=request.user)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Resolution %(number)s is added.") % {"number": resolution.number},
            )
            return redirect("governance:manage_detail", pk=assembly.pk)
    return render(
        request,
        "governance/admin/resolution_form.html",
        {"form": form, "assembly": assembly, "has_items": assembly.agenda_items.exists()},
    )


@require_http_methods(["GET", "POST"])
@administrator
def manage_resolution_edit(request: HtmxHttpRequest, pk: int, resolution_pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    resolution = _resolution(assembly, resolution_pk)
    majorities = _majorities(assembly)
    if request.method == "POST":
        form = ResolutionForm(request.POST, assembly=assembly, majorities=majorities)
        if form.is_valid():
            try:
                resolution_update(resolution=resolution, **form.cleaned_data, actor=request.user)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, _("Resolution %(number)s is saved.") % {"number": resolution.number}
                )
                return redirect("governance:manage_detail", pk=assembly.pk)
    else:
        form = ResolutionForm(
            initial={
                "agenda_item": resolution.agenda_item_id,
                "title": resolution.title,
                "text": resolution.text,
                "majority_kind": resolution.majority_kind,
            },
            assembly=assembly,
            majorities=majorities,
        )
    return render(
        request,
        "governance/admin/resolution_form.html",
        {"form": form, "assembly": assembly, "resolution": resolution, "has_items": True},
    )


@require_POST
@administrator
def manage_resolution_move(request: HtmxHttpRequest, pk: int, resolution_pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    resolution = _resolution(assembly, resolution_pk)
    up = request.POST.get("direction") == "up"
    return _post_action(
        request,
        assembly,
        lambda: resolution_move(resolution=resolution, up=up, actor=request.user),
        _("The resolutions are reordered."),
    )


@require_POST
@administrator
def manage_resolution_remove(request: HtmxHttpRequest, pk: int, resolution_pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    resolution = _resolution(assembly, resolution_pk)
    return _post_action(
        request,
        assembly,
        lambda: resolution_remove(resolution=resolution, actor=request.user),
        _("Resolution “%(title)s” is removed.") % {"title": resolution.title},
    )


# --- Convening, cancelling, second convocation -----------------------------------------------


@require_http_methods(["GET", "POST"])
@administrator
def manage_convene(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    error = ""
    if request.method == "POST":
        try:
            job = assembly_convene_start(assembly=assembly, actor=request.user)
        except DomainError as exc:
            error = str(exc)
        else:
            return redirect("jobs:detail", pk=job.pk)
    eligible = members_on_roll(on=timezone.localdate()).aggregate(
        total=Count("id"), emails=Count("id", filter=Q(e_notices=True) & ~Q(email=""))
    )
    context = {
        "assembly": assembly,
        "error": error,
        "eligible": eligible["total"],
        "emails": eligible["emails"],
        "letters": eligible["total"] - eligible["emails"],
        "items": assembly.agenda_items.count(),
        "resolutions": sum(len(item.resolutions.all()) for item in assembly.agenda_items.all()),
    }
    return render(request, "governance/admin/convene.html", context, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
@administrator
def manage_cancel(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notice = assembly_cancel(
                assembly=assembly, reason=form.cleaned_data["reason"], actor=request.user
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("The assembly is cancelled; %(count)s members are told why.")
                % {"count": notice.deliveries.count()},
            )
            return redirect("governance:manage_detail", pk=assembly.pk)
    return render(request, "governance/admin/cancel.html", {"form": form, "assembly": assembly})


@require_http_methods(["GET", "POST"])
@administrator
def manage_second(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    first = _assembly(pk)
    form = SecondConvocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            second = assembly_prepare_second_convocation(
                first=first, starts_at=form.starts_at(), actor=request.user
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "The second convocation is prepared with the same agenda. Check it, then "
                    "convene it."
                ),
            )
            return redirect("governance:manage_detail", pk=second.pk)
    context = {"form": form, "assembly": first, "opening": opening_quorum(assembly=first)}
    return render(request, "governance/admin/second.html", context)


# --- Proof of sending ------------------------------------------------------------------------


def _proof_filter(request: HtmxHttpRequest) -> tuple[ProofFilterForm, str]:
    form = ProofFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["status"]
    return form, ""


def _convened(pk: int) -> Assembly:
    assembly = get_object_or_404(
        Assembly.objects.select_related("convocation_notice", "statutes"), pk=pk
    )
    if assembly.is_draft:
        raise Http404
    return assembly


@require_GET
@administrator
def manage_proof(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Per member on the roll: how the convocation went, and when it was sent or why not."""
    assembly = _convened(pk)
    form, status = _proof_filter(request)
    page = Paginator(convocation_proof(assembly=assembly, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = convocation_status_counts(assembly=assembly)
    context = {
        "assembly": assembly,
        "form": form,
        "status": status,
        "page": page,
        "status_counts": [
            (value, label, counts[value]) for value, label in NoticeDelivery.Status.choices
        ],
        "total": sum(counts.values()),
        "csv_query": urlencode({"status": status}) if status else "",
    }
    return render(request, "governance/admin/proof.html", context, partial="proof-entries")


@require_GET
@administrator
def manage_proof_csv(request: HtmxHttpRequest, pk: int) -> StreamingHttpResponse:
    """The proof of sending as CSV (UTF-8 with BOM, `;`, CRLF), one line per member."""
    assembly = _convened(pk)
    _form, status = _proof_filter(request)
    entries = convocation_proof(assembly=assembly, status=status).iterator(chunk_size=2000)
    statuses = dict(NoticeDelivery.Status.choices)
    channels = dict(NoticeDelivery.Channel.choices)
    header = [
        _("member number"),
        _("name"),
        _("channel"),
        _("e-mail address"),
        _("status"),
        _("sent at"),
        _("attempts"),
        _("last error"),
        _("message id"),
    ]

    def rows() -> Iterator[list[object]]:
        for entry in entries:
            delivery = entry.convocation_delivery
            if delivery is None:
                yield [entry.member_number, entry.name] + [""] * 7
                continue
            sent_at = timezone.localtime(delivery.sent_at).isoformat() if delivery.sent_at else ""
            yield [
                entry.member_number,
                entry.name,
                channels.get(delivery.channel, delivery.channel),
                delivery.to_email,
                statuses.get(delivery.status, delivery.status),
                sent_at,
                delivery.attempts,
                delivery.last_error,
                delivery.message_id,
            ]

    filename = f"convocation-proof-{assembly.pk}" + (f"-{status}" if status else "")
    return csv_download(csv_lines(header, rows()), filename=filename)


# --- Letters ---------------------------------------------------------------------------------


@require_GET
@administrator
def manage_letter(request: HtmxHttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """One member's convocation letter (PDF)."""
    assembly = _convened(pk)
    entry = get_object_or_404(
        RollEntry.objects.select_related("member"), pk=entry_pk, assembly=assembly
    )
    response = HttpResponse(
        letters_pdf(assembly=assembly, entries=[entry]), content_type="application/pdf"
    )
    filename = f"convocation-{assembly.pk}-{entry.member_number}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _part(request: HtmxHttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("part", "1")))
    except ValueError:
        return 1


def _letters_response(
    entries: Any, part: int, build: Callable[..., bytes], assembly: Assembly, name: str
) -> HttpResponse:
    start = (part - 1) * LETTERS_PER_PART
    chosen = list(entries.select_related("member")[start : start + LETTERS_PER_PART])
    if not chosen:
        raise Http404
    response = HttpResponse(
        build(assembly=assembly, entries=chosen), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{name}-{assembly.pk}-{part}.pdf"'
    return response


@require_GET
@administrator
def manage_letters(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The letters of every member convened by post, to print and post (in parts)."""
    assembly = _convened(pk)
    return _letters_response(
        roll_letters(assembly=assembly), _part(request), letters_pdf, assembly, "convocation"
    )


@require_GET
@administrator
def manage_cancellation_letters(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The letters telling the members informed by post that the assembly is cancelled."""
    assembly = _convened(pk)
    return _letters_response(
        roll_cancellation_letters(assembly=assembly),
        _part(request),
        cancellation_letters_pdf,
        assembly,
        "cancellation",
    )
