"""The page of a job: its progress (polled by htmx, or refreshed by a link), then its file or
its report, or why it failed with a button to start it again.

Only the person who started the job, or an administrator, sees it: anyone else gets a 404,
as if the job did not exist.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from coop import formatting
from coop.errors import DomainError
from coop.http import HtmxHttpRequest, wants_partial
from coop.jobs.registry import kind_named
from coop.jobs.services import job_retry, job_visible_to
from coop.models import Job
from coop.roles import Role, has_role, has_totp, mfa_setup_redirect


def _job_for(request: HtmxHttpRequest, pk: str) -> Job | HttpResponse:
    job = get_object_or_404(Job.objects.select_related("created_by"), pk=pk)
    if not job_visible_to(job=job, user=request.user):
        raise Http404
    # An administrator looking at someone else's job: the administrative pages' rule.
    others = job.created_by_id != request.user.pk
    if others and has_role(request.user, Role.ADMINISTRATOR) and not has_totp(request.user):
        return mfa_setup_redirect(request)
    return job


def stamp(job: Job) -> str:
    """What the page shows of the job, in short: the same stamp, nothing new to show."""
    return f"{job.status}:{job.progress_done}:{job.progress_total}:{len(job.message)}"


STATUS_TITLES = {
    Job.Status.QUEUED: _lazy("Waiting for a worker to start"),
    Job.Status.RUNNING: _lazy("In progress"),
    Job.Status.DONE: _lazy("Finished"),
    Job.Status.FAILED: _lazy("Failed"),
}


def _progress_text(job: Job) -> str:
    if not job.progress_total:
        return _("Getting ready…")
    return _("%(done)s of %(total)s done (%(percent)s)") % {
        "done": formatting.number(job.progress_done),
        "total": formatting.number(job.progress_total),
        "percent": formatting.percent_points(job.percent or 0, places=0),
    }


def _result_size(job: Job) -> str:
    try:
        return filesizeformat(job.result_file.size) if job.result_file else ""
    except OSError:
        return ""


def _context(job: Job) -> dict[str, Any]:
    kind = kind_named(job.kind)
    back_url = ""
    if kind is not None and kind.back_url:
        try:
            if callable(kind.back_url):
                back_url = kind.back_url(job.parameters)
            else:
                back_url = reverse(kind.back_url)
        except NoReverseMatch:
            back_url = ""
    when = date_format(timezone.localtime(job.created_at), "DATETIME_FORMAT")
    if job.created_by is not None:
        started = _("Started on %(when)s by %(who)s.") % {"when": when, "who": job.created_by}
    else:
        started = _("Started on %(when)s.") % {"when": when}
    return {
        "job": job,
        "job_label": kind.label if kind is not None else job.kind,
        "description": kind.describe(job.parameters) if kind and kind.describe else "",
        "back_url": back_url,
        "back_label": kind.back_label if kind is not None else "",
        "stamp": stamp(job),
        "status_title": STATUS_TITLES[Job.Status(job.status)],
        "progress_text": _progress_text(job),
        "started_text": started,
        "result_size": _result_size(job) if job.status == Job.Status.DONE else "",
        "problems": job.result.get("problems", []),
        "problems_total": job.result.get("problems_total", 0),
    }


@require_GET
@login_required
def job_detail(request: HtmxHttpRequest, pk: str) -> HttpResponse:
    job = _job_for(request, pk)
    if isinstance(job, HttpResponse):
        return job
    if wants_partial(request):
        if request.GET.get("seen") == stamp(job):
            response = HttpResponse(status=204)  # nothing new: htmx keeps the page as it is
        else:
            response = render(request, "coop/job_detail.html#job-status", _context(job))
    else:
        response = render(request, "coop/job_detail.html", _context(job))
    patch_vary_headers(response, ("HX-Request",))
    add_never_cache_headers(response)
    return response


@require_GET
@login_required
def job_download(request: HtmxHttpRequest, pk: str) -> HttpResponse:
    job = _job_for(request, pk)
    if isinstance(job, HttpResponse):
        return job
    if job.status != Job.Status.DONE or not job.result_file:
        raise Http404
    try:
        handle = job.result_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=job.result_name)
    add_never_cache_headers(response)
    return response


@require_POST
@login_required
def job_retry_view(request: HtmxHttpRequest, pk: str) -> HttpResponse:
    job = _job_for(request, pk)
    if isinstance(job, HttpResponse):
        return job
    try:
        job_retry(job=job, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The work starts again."))
    return redirect("jobs:detail", pk=job.pk)
