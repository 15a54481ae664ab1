"""The minutes: completed and published by an administrator, read by members for 3 years."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coop.errors import DomainError
from coop.http import HtmxHttpRequest
from coop.roles import Role, is_verified_administrator, role_required
from governance.forms.voting import MinutesForm
from governance.jobs import attendance_sheet_start
from governance.models import Assembly, Minutes
from governance.pdfs.minutes import minutes_pdf
from governance.selectors.documents import assembly_questions
from governance.selectors.minutes import minutes_archive
from governance.services.minutes import minutes_publish, minutes_save


def _assembly(pk: int) -> Assembly:
    return get_object_or_404(Assembly.objects.select_related("statutes"), pk=pk)


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    minutes = Minutes.objects.filter(assembly=assembly).first()
    initial = (
        {
            "debate_summary": minutes.debate_summary,
            "documents_presented": minutes.documents_presented,
        }
        if minutes
        else {}
    )
    form = MinutesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            minutes_save(assembly=assembly, actor=request.user, **form.cleaned_data)
        except DomainError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("The minutes are saved (not published yet)."))
            return redirect("governance:minutes_edit", pk=assembly.pk)
    questions = list(assembly_questions(assembly=assembly))
    context = {
        "assembly": assembly,
        "minutes": minutes,
        "form": form,
        "questions": questions,
        "questions_unanswered": sum(1 for q in questions if q.answered_at is None),
    }
    return render(request, "governance/minutes/edit.html", context)


@require_POST
@role_required(Role.ADMINISTRATOR)
def publish(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    try:
        minutes_publish(assembly=assembly, actor=request.user)
    except DomainError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The minutes are published: members can read them."))
    return redirect("governance:minutes_edit", pk=assembly.pk)


@require_GET
@role_required(Role.MEMBER, Role.ADMINISTRATOR)
def pdf(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Administrators read drafts; members read the published minutes of the last 3 years."""
    assembly = _assembly(pk)
    administrator = is_verified_administrator(request)
    if not administrator and not minutes_archive().filter(assembly=assembly).exists():
        raise Http404
    response = HttpResponse(minutes_pdf(assembly=assembly), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="minutes-{assembly.pk}.pdf"'
    return response


@require_POST
@role_required(Role.MEMBER, Role.ADMINISTRATOR)
def attendance(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The attendance sheet of an assembly whose minutes are in the members' archive: a job
    prints it (see its page)."""
    assembly = _assembly(pk)
    if not minutes_archive().filter(assembly=assembly).exists():
        raise Http404
    job = attendance_sheet_start(assembly=assembly, actor=request.user, back="archive")
    return redirect("jobs:detail", pk=job.pk)


@require_GET
@role_required(Role.MEMBER)
def archive(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "governance/minutes/archive.html", {"archive": minutes_archive()})
