"""Administrators' pages that move the register in and out: exports at a date, CSV import."""

import io

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coop.errors import DomainError
from coop.http import HtmxHttpRequest
from coop.roles import Role, role_required
from members.exports import register_csv_lines, register_pdf
from members.forms.transfer import RegisterExportForm, RegisterImportForm
from members.imports import IMPORT_COLUMNS, REQUIRED_COLUMNS, import_template_csv, register_import

# The error report in the page shows at most this many problems (all are counted).
PROBLEMS_SHOWN = 500


def _filename(on, extension: str) -> str:
    return f"{slugify(_('register of members'))}-{on.isoformat()}.{extension}"


@require_GET
@role_required(Role.ADMINISTRATOR)
def register_export(request: HtmxHttpRequest) -> HttpResponse:
    """The register at a date: the form, then the file (a GET: it changes nothing)."""
    if "on" not in request.GET:
        form = RegisterExportForm(initial={"on": timezone.localdate()})
        return render(request, "members/export.html", {"form": form})
    form = RegisterExportForm(request.GET)
    if form.is_valid():
        on = form.cleaned_data["on"]
        if form.cleaned_data["format"] == RegisterExportForm.FORMAT_CSV:
            response = StreamingHttpResponse(
                register_csv_lines(on=on), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="{_filename(on, "csv")}"'
            return response
        try:
            pdf = register_pdf(on=on)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{_filename(on, "pdf")}"'
            return response
    return render(request, "members/export.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def register_import_page(request: HtmxHttpRequest) -> HttpResponse:
    """Upload a CSV register: either every member is created, or the page lists every problem."""
    report = None
    if request.method == "POST":
        form = RegisterImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            stream = io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline="")
            try:
                report = register_import(file=stream, actor=request.user)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                if report.ok and report.created:
                    for line in report.lines():
                        messages.success(request, line)
                    return redirect("members:register_import")
                if report.ok:
                    form.add_error("file", _("The file has no member to import."))
            finally:
                stream.detach()
    else:
        form = RegisterImportForm()
    return render(
        request,
        "members/import.html",
        {
            "form": form,
            "report": report if report is not None and not report.ok else None,
            "problems_shown": report.problems[:PROBLEMS_SHOWN] if report else [],
            "columns": IMPORT_COLUMNS,
            "required_columns": REQUIRED_COLUMNS,
        },
    )


@require_GET
@role_required(Role.ADMINISTRATOR)
def import_template(request: HtmxHttpRequest) -> HttpResponse:
    """The import template: the header and one example row, to fill in a spreadsheet."""
    response = HttpResponse(import_template_csv(), content_type="text/csv; charset=utf-8")
    filename = f"{slugify(_('register import template'))}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
