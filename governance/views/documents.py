"""The assembly's documents and the written questions (RULES 35).

Members on the roll download the documents from the convocation on and send their questions
from the assembly's page; administrators attach and remove documents and answer the questions
from the assembly's management page. A document is served only here, after the check of who
reads it, never from a public address.
"""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coop import formatting
from coop.errors import DomainError
from coop.http import HtmxHttpRequest
from coop.roles import Role, has_totp, is_administrator, role_required
from governance.forms.documents import (
    AnswerForm,
    DocumentForm,
    PostalQuestionForm,
    QuestionForm,
)
from governance.lifecycle import Action, assembly_allows
from governance.models import Assembly
from governance.selectors.assemblies import assembly_for_management
from governance.selectors.documents import assembly_document, assembly_question
from governance.selectors.member import member_roll_entry
from governance.services.documents import assembly_document_add, assembly_document_remove
from governance.services.questions import (
    written_question_answer,
    written_question_ask,
    written_question_record_postal,
)
from governance.views.member import _detail_context, _own_entry
from members.selectors import member_for_user

administrator = role_required(Role.ADMINISTRATOR)


def _managed(pk: int) -> Assembly:
    try:
        return assembly_for_management(pk=pk)
    except Assembly.DoesNotExist as exc:
        raise Http404 from exc


# --- Members ---------------------------------------------------------------------------------


@require_GET
@role_required(Role.MEMBER, Role.ADMINISTRATOR)
def document_download(request: HtmxHttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """A document of the assembly, for a member on its roll or an administrator (with TOTP).
    Anyone else is told it does not exist."""
    document = assembly_document(assembly_pk=pk, document_pk=document_pk)
    if document is None:
        raise Http404
    if not (is_administrator(request.user) and has_totp(request.user)):
        member = member_for_user(user=request.user)
        if member is None or member_roll_entry(assembly_pk=pk, member=member) is None:
            raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    filename = f"{slugify(document.title) or 'document'}.pdf"
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@role_required(Role.MEMBER)
def question_ask(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    entry = _own_entry(request, pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            written_question_ask(
                roll_entry=entry, text=form.cleaned_data["text"], actor=request.user
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "Your question is sent to the board. Its answer will be given at the "
                    "meeting, and shown here."
                ),
            )
            return redirect(reverse("governance:detail", args=[pk]) + "#questions")
    context = _detail_context(entry, question_form=form)
    return render(request, "governance/member/detail.html", context, status=400)


# --- Administrators --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@administrator
def manage_document_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = _managed(pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = assembly_document_add(
                assembly=assembly,
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error("file" if exc.code != "wrong_state" else None, str(exc))
        else:
            messages.success(
                request,
                _("The document “%(title)s” is attached to the assembly.")
                % {"title": document.title},
            )
            return redirect(reverse("governance:manage_detail", args=[pk]) + "#documents")
    context = {
        "assembly": assembly,
        "form": form,
        "allowed": assembly_allows(assembly, Action.ADD_DOCUMENT),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "governance/admin/document_form.html", context, status=status)


@require_POST
@administrator
def manage_document_remove(request: HtmxHttpRequest, pk: int, document_pk: int) -> HttpResponse:
    document = assembly_document(assembly_pk=pk, document_pk=document_pk)
    if document is None:
        raise Http404
    try:
        assembly_document_remove(document=document, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("The document “%(title)s” is removed.") % {"title": document.title}
        )
    return redirect(reverse("governance:manage_detail", args=[pk]) + "#documents")


@require_http_methods(["GET", "POST"])
@administrator
def manage_question_answer(request: HtmxHttpRequest, pk: int, question_pk: int) -> HttpResponse:
    question = assembly_question(assembly_pk=pk, question_pk=question_pk)
    if question is None:
        raise Http404
    form = AnswerForm(request.POST or None, initial={"answer": question.answer})
    if request.method == "POST" and form.is_valid():
        try:
            written_question_answer(
                question=question, answer=form.cleaned_data["answer"], actor=request.user
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                formatting.interpolate(
                    _("The board's answer to the question of %(name)s is saved."),
                    {"name": question.roll_entry.name},
                ),
            )
            return redirect(reverse("governance:manage_detail", args=[pk]) + "#questions")
    context = {"assembly": question.assembly, "question": question, "form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "governance/admin/answer_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@administrator
def manage_question_record(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Record a written question a member sent by post."""
    assembly = _managed(pk)
    form = PostalQuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            question = written_question_record_postal(
                assembly=assembly, **form.cleaned_data, actor=request.user
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                formatting.interpolate(
                    _("The question of %(name)s received by post is recorded."),
                    {"name": question.roll_entry.name},
                ),
            )
            return redirect(reverse("governance:manage_detail", args=[pk]) + "#questions")
    context = {"assembly": assembly, "form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "governance/admin/question_record.html", context, status=status)
