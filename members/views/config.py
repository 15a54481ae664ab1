"""The register's configuration (administrators): colleges (RULES 7) and categories (RULES 1)."""

from decimal import Decimal

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coop.errors import DomainError
from coop.http import HtmxHttpRequest
from coop.roles import Role, role_required
from members.forms.register import CategoryForm, college_formset, college_rows_posted
from members.models import Category
from members.selectors import categories_with_counts, colleges_with_counts
from members.services import categories_missing_compulsory, category_save, colleges_configure


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def colleges(request: HtmxHttpRequest) -> HttpResponse:
    """The colleges, changed as a whole. "Add a row" (a submit button, no JavaScript needed)
    shows what was typed again with one more blank row, and records nothing."""
    current = list(colleges_with_counts())
    if request.method == "POST" and "add_row" in request.POST:
        rows, blank = college_rows_posted(request.POST)
        formset = college_formset(extra=blank + 1)(initial=rows)
    elif request.method == "POST":
        formset = college_formset(extra=0)(request.POST)
        if formset.is_valid():
            try:
                colleges_configure(drafts=formset.drafts(), actor=request.user)
            except DomainError as exc:
                formset.add_refusal(str(exc))
            else:
                messages.success(request, _("The configuration of the colleges is recorded."))
                return redirect("members:colleges")
    else:
        formset = college_formset(extra=1)(
            initial=[
                {
                    "code": college.code,
                    "name": college.name,
                    "weight": college.weight,
                    "position": college.position,
                }
                for college in current
            ]
        )
    total = sum((college.weight for college in current), start=Decimal(0))
    return render(
        request,
        "members/colleges.html",
        {"colleges": current, "total_weight": total, "formset": formset},
    )


@require_GET
@role_required(Role.ADMINISTRATOR)
def categories(request: HtmxHttpRequest) -> HttpResponse:
    return render(
        request,
        "members/categories.html",
        {
            "categories": list(categories_with_counts()),
            "missing_categories": categories_missing_compulsory(),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def category_create(request: HtmxHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = CategoryForm(request.POST)
        if form.is_valid():
            try:
                category = category_save(data=form.data_for_service(), actor=request.user)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("The category “%(category)s” is created.") % {"category": category.name},
                )
                return redirect("members:categories")
    else:
        form = CategoryForm()
    return render(request, "members/categories_form.html", {"form": form, "category": None})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def category_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(Category, pk=pk)
    heading = category.name  # the form changes the instance it validates; keep the name shown
    if request.method == "POST":
        form = CategoryForm(request.POST, instance=category)
        if form.is_valid():
            if not form.has_changed():
                messages.info(request, _("Nothing was changed."))
                return redirect("members:categories")
            try:
                saved = category_save(
                    category=category, data=form.data_for_service(), actor=request.user
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("The category “%(category)s” is recorded.") % {"category": saved.name},
                )
                return redirect("members:categories")
    else:
        form = CategoryForm(instance=category)
    return render(
        request,
        "members/categories_form.html",
        {"form": form, "category": category, "heading": heading},
    )
