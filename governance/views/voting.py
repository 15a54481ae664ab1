"""The vote: the member's ballot and receipt, the chair's controls, results and ballot box."""

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from coop.errors import DomainError
from coop.http import HtmxHttpRequest
from coop.roles import is_verified_administrator
from governance.forms.voting import (
    ABSTAIN_HELP,
    BallotForm,
    RecastForm,
    ReceiptForm,
)
from governance.jobs import ballot_box_export_start
from governance.models import Assembly
from governance.selectors import voting as selectors
from governance.selectors.room_counts import (
    room_count_corrections,
)
from governance.services.ballots import CastOutcome, ballot_recast, ballots_cast, voting_channel
from governance.services.receipt_mail import receipts_queue

VISIBLE_RESULTS = (Assembly.Status.PUBLISHED,)


def _assembly(pk: int) -> Assembly:
    return get_object_or_404(Assembly.objects.select_related("statutes"), pk=pk)


def _voting_state(assembly: Assembly) -> str:
    """Why the ballot is closed right now, or "" when it is open."""
    try:
        voting_channel(assembly=assembly, now=timezone.now())
    except DomainError as closed:
        return str(closed)
    return ""


def _receipt_mailer(request: HtmxHttpRequest, assembly: Assembly) -> Callable[..., list[bool]]:
    """What queues the receipt e-mails of a cast, once committed (to the voter's address)."""
    email = getattr(request.user, "email", "")
    results_url = request.build_absolute_uri(
        reverse("governance:results", kwargs={"pk": assembly.pk})
    )
    return partial(
        receipts_queue,
        to_email=email,
        language=request.LANGUAGE_CODE,
        voter_name=str(request.user.get_full_name() or email),
        assembly_title=assembly.title,
        results_url=results_url,
    )


def _send_receipts(
    request: HtmxHttpRequest, assembly: Assembly, outcomes: list[CastOutcome]
) -> list[bool]:
    """Queue the receipt e-mails of a vote changed, once it is committed."""
    queued: list[bool] = []
    mailer = _receipt_mailer(request, assembly)
    # The views run outside any transaction (no ATOMIC_REQUESTS): the change is committed
    # and this runs now, before the receipt page is rendered.
    transaction.on_commit(lambda: queued.extend(mailer(outcomes=outcomes)))
    return queued


@require_http_methods(["GET", "POST"])
@login_required
def ballot(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Choose, review, cast. Without JavaScript: three plain form steps."""
    situation = selectors.ballot_situation_for_user(assembly_pk=pk, user=request.user)
    if situation is None:
        raise Http404
    assembly = situation.assembly
    closed_reason = _voting_state(assembly)
    context: dict[str, Any] = {
        "assembly": assembly,
        "situation": situation,
        "closed_reason": closed_reason,
        "abstain_help": ABSTAIN_HELP,
    }
    open_voices = situation.open_voices
    if closed_reason or not open_voices:
        return render(request, "governance/voting/ballot.html", context)

    form = BallotForm(request.POST or None, resolutions=situation.resolutions, voices=open_voices)
    context["form"] = form
    step = request.POST.get("step", "")
    if request.method == "POST" and step == "edit":
        return render(request, "governance/voting/ballot.html", context)  # choices kept
    if request.method == "POST" and form.is_valid():
        voices = {v.entry.pk: v for v in open_voices}
        chosen = [voices[pk] for pk in form.cleaned_data["voices"]]
        if step != "cast":
            context.update(chosen=chosen, choice_labels=form.choice_labels())
            return render(request, "governance/voting/review.html", context)
        try:
            cast = ballots_cast(
                assembly=assembly,
                voter=situation.voter,
                for_entries=[voice.entry for voice in chosen],
                choices=form.choices(),
                actor=request.user,
                receipts_send=_receipt_mailer(request, assembly),
            )
        except DomainError as refused:
            form.add_error(None, str(refused))
        else:
            context.update(
                outcomes=cast.outcomes,
                choice_labels=form.choice_labels(),
                receipt_mail_failed=cast.mail_failed,
            )
            return render(request, "governance/voting/receipt.html", context)
    return render(request, "governance/voting/ballot.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def ballot_change(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Change a vote already cast, when the statutes allow it, with that vote's receipt."""
    voter = selectors.voter_for_user(assembly_pk=pk, user=request.user)
    if voter is None:
        raise Http404
    assembly = voter.assembly
    if not assembly.statutes or not assembly.statutes.revote_allowed:
        raise Http404
    situation = selectors.ballot_situation(assembly=assembly, voter=voter)
    voted = [voice for voice in situation.voices if voice.voted]
    closed_reason = _voting_state(assembly)
    context: dict[str, Any] = {
        "assembly": assembly,
        "situation": situation,
        "closed_reason": closed_reason,
        "abstain_help": ABSTAIN_HELP,
    }
    if closed_reason or not voted:
        return render(request, "governance/voting/change.html", context)
    form = RecastForm(
        request.POST or None,
        resolutions=list(selectors.resolutions_of(assembly=assembly)),
        voices=voted,
    )
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        voice = next(v for v in voted if v.entry.pk == form.cleaned_data["voices"][0])
        try:
            outcome = ballot_recast(
                assembly=assembly,
                voter=voter,
                principal=None if voice.is_self else voice.entry,
                choices=form.choices(),
                previous_receipt=form.cleaned_data["previous_receipt"],
                actor=request.user,
            )
        except DomainError as refused:
            form.add_error(None, str(refused))
        else:
            context["receipt_mail_failed"] = not all(_send_receipts(request, assembly, [outcome]))
            context.update(outcomes=[outcome], choice_labels=form.choice_labels(), changed=True)
            return render(request, "governance/voting/receipt.html", context)
    return render(request, "governance/voting/change.html", context)


def _may_see_results(request: HtmxHttpRequest, assembly: Assembly) -> bool:
    if is_verified_administrator(request):
        return True  # before publication too, to check the count
    if assembly.status not in VISIBLE_RESULTS:
        return False
    return selectors.voter_for_user(assembly_pk=assembly.pk, user=request.user) is not None


@require_http_methods(["GET", "POST"])
@login_required
def results(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The results; the receipt check is a POST (with CSRF), so that a receipt code never
    appears in a URL, and so never in the web server's access log."""
    assembly = _assembly(pk)
    if not _may_see_results(request, assembly):
        raise Http404
    form = ReceiptForm(request.POST if request.method == "POST" else None)
    receipt_lines = None
    corrections = room_count_corrections(assembly=assembly)
    if form.is_bound and form.is_valid():
        receipt_lines = selectors.receipt_lookup(assembly=assembly, code=form.cleaned_data["code"])
    context = {
        "assembly": assembly,
        "results": [
            (
                resolution,
                result,
                selectors.result_steps(result) if result else None,
                corrections.get(resolution.pk, []),
            )
            for resolution, result in selectors.results_of(assembly=assembly)
        ],
        "published": assembly.status == Assembly.Status.PUBLISHED,
        "receipt_form": form,
        "receipt_lines": receipt_lines,
        "receipt_found": bool(receipt_lines) and all(line.ballot for line in receipt_lines),
    }
    return render(request, "governance/voting/results.html", context)


@require_POST
@login_required
def ballot_box_export(request: HtmxHttpRequest, pk: int, file_format: str) -> HttpResponse:
    """Start writing the published ballot box as CSV or JSON (a job: tens of thousands of
    ballots in a large assembly); its page then offers the file."""
    assembly = _assembly(pk)
    if not _may_see_results(request, assembly) or assembly.status != Assembly.Status.PUBLISHED:
        raise Http404
    job = ballot_box_export_start(assembly=assembly, file_format=file_format, actor=request.user)
    return redirect("jobs:detail", pk=job.pk)
