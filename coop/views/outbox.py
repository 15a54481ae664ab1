"""The notices outbox pages: what was sent to whom and when, the proof as CSV (a job),
requeueing."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from coop.errors import DomainError
from coop.fields import GuardedForm
from coop.http import HtmxHttpRequest, render
from coop.models import Notice, NoticeDelivery
from coop.outbox import (
    delivery_requeue,
    letters_mark_posted,
    notice_deliveries,
    notice_letters_waiting,
    notice_list_with_counts,
    notice_resent_count,
    notice_status_counts,
)
from coop.outbox.labels import describe_key, describe_keys, kind_label
from coop.outbox.printing import letters_print_start
from coop.outbox.proof import notice_proof_start
from coop.roles import Role, role_required

PAGE_SIZE = 50

Status = NoticeDelivery.Status


class LettersPostedForm(GuardedForm):
    posted_on = forms.DateField(
        label=_("Posted on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class DeliveryFilterForm(GuardedForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Every status")), *Status.choices],
    )


def _status_filter(data: QueryDict) -> tuple[DeliveryFilterForm, str]:
    form = DeliveryFilterForm(data or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["status"]
    return form, ""


def _name_notices(notices: list[Notice]) -> None:
    """The kind and the reference of each notice in words (coop.outbox.labels)."""
    references = describe_keys(notice.reference for notice in notices)
    for notice in notices:
        notice.kind_text = kind_label(notice.kind)
        notice.reference_text = references[notice.reference]


@require_GET
@role_required(Role.ADMINISTRATOR)
def outbox_index(request: HtmxHttpRequest) -> HttpResponse:
    """Every notice with how many of its copies are waiting, sent, failed or interrupted."""
    page = Paginator(notice_list_with_counts(), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    _name_notices(page.object_list)
    return render(request, "coop/outbox_index.html", {"page": page}, partial="outbox-notices")


@require_GET
@role_required(Role.ADMINISTRATOR)
def outbox_notice(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One notice: each recipient's copy with its status, filtered and paginated."""
    notice = get_object_or_404(Notice.objects.select_related("created_by"), pk=pk)
    form, status = _status_filter(request.GET)
    page = Paginator(notice_deliveries(notice=notice, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = list(page.object_list)
    _name_notices([notice])
    recipients = describe_keys(delivery.recipient_key for delivery in page.object_list)
    for delivery in page.object_list:
        delivery.recipient_text = recipients[delivery.recipient_key]
    counts = notice_status_counts(notice=notice)
    context: dict[str, Any] = {
        "notice": notice,
        "form": form,
        "status": status,
        "page": page,
        "status_counts": [(value, label, counts[value]) for value, label in Status.choices],
        "total": sum(counts.values()),
        "resent": notice_resent_count(notice=notice),
        "letters_waiting": notice_letters_waiting(notice=notice),
        "posted_form": LettersPostedForm(initial={"posted_on": timezone.localdate()}),
    }
    return render(request, "coop/outbox_notice.html", context, partial="outbox-deliveries")


@require_POST
@role_required(Role.ADMINISTRATOR)
def outbox_notice_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Start writing the proof of sending of one notice as CSV, one line per recipient (a
    job: a notice to every member has as many lines as the register); its page then offers
    the file."""
    notice = get_object_or_404(Notice, pk=pk)
    _form, status = _status_filter(request.POST)
    try:
        job = notice_proof_start(notice=notice, status=status, actor=request.user)
    except DomainError as refused:
        messages.error(request, str(refused))
        return redirect("coop:outbox_notice", pk=notice.pk)
    return redirect("jobs:detail", pk=job.pk)


@require_POST
@role_required(Role.ADMINISTRATOR)
def outbox_delivery_requeue(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator decides to send an interrupted or failed copy again."""
    delivery = get_object_or_404(NoticeDelivery, pk=pk)
    delivery_requeue(delivery=delivery, actor=request.user)
    messages.success(
        request,
        gettext("The notice to %(recipient)s (%(address)s) will be sent again.")
        % {"recipient": describe_key(delivery.recipient_key), "address": delivery.to_email},
    )
    target = reverse("coop:outbox_notice", args=[delivery.notice_id])
    _form, status = _status_filter(request.POST)
    if status:
        target += "?" + urlencode({"status": status})
    return redirect(target)


@require_POST
@role_required(Role.ADMINISTRATOR)
def outbox_letters_posted(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator records the day they posted the notice's printed letters."""
    notice = get_object_or_404(Notice, pk=pk)
    form = LettersPostedForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Enter the day the letters were posted."))
    else:
        try:
            posted = letters_mark_posted(
                notice=notice, posted_on=form.cleaned_data["posted_on"], actor=request.user
            )
        except DomainError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s letter is recorded as posted.",
                    "%(count)s letters are recorded as posted.",
                    posted,
                )
                % {"count": posted},
            )
    return redirect("coop:outbox_notice", pk=notice.pk)


@require_POST
@role_required(Role.ADMINISTRATOR)
def outbox_letters_print(request: HttpRequest, pk: int) -> HttpResponse:
    """Start printing every letter of the notice still to post (a job: see its page)."""
    notice = get_object_or_404(Notice, pk=pk)
    try:
        job = letters_print_start(notice=notice, actor=request.user)
    except DomainError as refused:
        messages.error(request, str(refused))
        return redirect("coop:outbox_notice", pk=notice.pk)
    return redirect("jobs:detail", pk=job.pk)
