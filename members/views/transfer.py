"""Administrators' pages that move the register in and out: exports at a date, CSV import."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coop.errors import DomainError
from coop.http import HtmxHttpRequest
from coop.roles import Role, role_required
from members.forms.transfer import RegisterExportForm, RegisterImportForm
from members.imports import IMPORT_COLUMNS, REQUIRED_COLUMNS, import_template_csv
from members.jobs import register_export_start, register_import_start


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def register_export(request: HtmxHttpRequest) -> HttpResponse:
    """The register at a date: the form, then a job prints the file (see its page)."""
    if request.method == "POST":
        form = RegisterExportForm(request.POST)
        if form.is_valid():
            try:
                job = register_export_start(
                    on=form.cleaned_data["on"],
                    file_format=form.cleaned_data["format"],
                    actor=request.user,
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("jobs:detail", pk=job.pk)
    else:
        form = RegisterExportForm(initial={"on": timezone.localdate()})
    return render(request, "members/export.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def register_import_page(request: HtmxHttpRequest) -> HttpResponse:
    """Upload a CSV register: a job checks it and imports every member, or nothing with the
    report of every problem (see the job's page)."""
    if request.method == "POST":
        form = RegisterImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = register_import_start(upload=form.cleaned_data["file"], actor=request.user)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("jobs:detail", pk=job.pk)
    else:
        form = RegisterImportForm()
    return render(
        request,
        "members/import.html",
        {"form": form, "columns": IMPORT_COLUMNS, "required_columns": REQUIRED_COLUMNS},
    )


@require_GET
@role_required(Role.ADMINISTRATOR)
def import_template(request: HtmxHttpRequest) -> HttpResponse:
    """The import template: the header and one example row, to fill in a spreadsheet."""
    response = HttpResponse(import_template_csv(), content_type="text/csv; charset=utf-8")
    filename = slugify(_("register import template")) + ".csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
