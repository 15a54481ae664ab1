"""Convening an assembly and what follows (administrators): the convocation, cancelling, the
second convocation when the first did not reach its quorum, the proof of sending and the
printed letters."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coop.errors import DomainError
from coop.http import HtmxHttpRequest, render
from coop.models import NoticeDelivery
from governance.documents import LETTERS_PER_PART, cancellation_letters_pdf, letters_pdf
from governance.forms.admin import (
    CancelForm,
    ProofFilterForm,
    SecondConvocationForm,
)
from governance.forms.letters import LetterOptionsForm
from governance.jobs import assembly_convene_start, convocation_proof_start
from governance.models import Assembly, RollEntry
from governance.selectors.assemblies import (
    convocation_proof,
    convocation_status_counts,
    opening_quorum,
    roll_cancellation_letters,
    roll_letters,
)
from governance.services.assembly import (
    assembly_prepare_second_convocation,
)
from governance.services.convocation import assembly_cancel
from governance.views.desk import PAGE_SIZE, administrator, managed_assembly
from members.selectors import members_on_roll

# --- Convening, cancelling, second convocation -----------------------------------------------


@require_http_methods(["GET", "POST"])
@administrator
def manage_convene(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = managed_assembly(pk)
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
    assembly = managed_assembly(pk)
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
    first = managed_assembly(pk)
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


@require_POST
@administrator
def manage_proof_csv(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Start writing the proof of sending as CSV, one line per member on the roll (a job:
    tens of thousands of lines for a large cooperative); its page then offers the file."""
    assembly = _convened(pk)
    form = ProofFilterForm(request.POST or None)
    status = form.cleaned_data["status"] if form.is_bound and form.is_valid() else ""
    job = convocation_proof_start(assembly=assembly, status=status, actor=request.user)
    return redirect("jobs:detail", pk=job.pk)


# --- Letters ---------------------------------------------------------------------------------


@require_GET
@administrator
def manage_letter(request: HtmxHttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """One member's convocation letter (PDF)."""
    assembly = _convened(pk)
    entry = get_object_or_404(
        RollEntry.objects.select_related("member"), pk=entry_pk, assembly=assembly
    )
    large_type = LetterOptionsForm(request.GET or None).chosen_large_type()
    response = HttpResponse(
        letters_pdf(assembly=assembly, entries=[entry], large_type=large_type),
        content_type="application/pdf",
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
