"""The assemblies' desk (administrators): the list of assemblies, one assembly's page, and the
details of a draft. Its agenda is in agenda.py, convening and what follows in convocation.py."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coop.errors import DomainError
from coop.http import HtmxHttpRequest, render
from governance.documents import LETTERS_PER_PART
from governance.forms.admin import (
    AssemblyForm,
)
from governance.lifecycle import Action, assembly_allows, written_questions_closing
from governance.models import Assembly, Minutes, RollEntry
from governance.selectors.assemblies import (
    assemblies_drafts,
    assemblies_past,
    assemblies_upcoming,
    assembly_statutes,
    convocation_channel_counts,
    convocation_latest_day,
    distance_vote_deadline_default,
    notice_days,
    opening_quorum,
    quorum_text,
    roll_cancellation_letters,
)
from governance.selectors.documents import assembly_documents, assembly_questions
from governance.services.assembly import (
    assembly_create,
    assembly_update,
)
from governance.views.desk import administrator, assembly_majorities, managed_assembly

PAST_SHOWN = 50


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
    assembly = managed_assembly(pk)
    statutes = assembly_statutes(assembly=assembly)
    majorities = assembly_majorities(assembly)
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
    assembly = managed_assembly(pk)
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
