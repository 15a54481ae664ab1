"""The vote: the member's ballot and receipt, the chair's controls, results and ballot box."""

import csv
import json
from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coop.errors import DomainError
from coop.http import HtmxHttpRequest
from coop.roles import Role, is_verified_administrator, role_required
from governance.forms.voting import (
    ABSTAIN_HELP,
    BallotForm,
    RecastForm,
    ReceiptForm,
    RoomCountCorrectForm,
    RoomCountForm,
)
from governance.lifecycle import Action, assembly_allows, is_online_only, meeting_window_opens
from governance.models import Assembly, Participation, RollEntry, RoomCount
from governance.selectors import voting as selectors
from governance.selectors.room_counts import (
    RoomCountChain,
    room_count_chains,
    room_count_corrections,
    room_count_sheet,
)
from governance.services.ballots import CastOutcome, ballot_recast, ballots_cast, voting_channel
from governance.services.receipt_mail import receipts_queue
from governance.services.room_counts import room_count_correct, room_count_record
from governance.services.voting import results_publish, voting_close, voting_open

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


def _ballot_box_rows(assembly: Assembly) -> list[dict[str, Any]]:
    return [
        {
            "resolution": ballot.resolution.number,
            "receipt": ballot.receipt,
            "college": ballot.college.name if ballot.college else "",
            "choice": ballot.choice,
        }
        for ballot in selectors.ballot_box(assembly=assembly)
    ]


def _tally_rows(assembly: Assembly) -> list[dict[str, Any]]:
    return [
        {
            "resolution": resolution.number,
            "title": resolution.title,
            "majority": result.majority_threshold,
            "majority_strict": result.majority_strict,
            "empty_college_policy": result.empty_college_policy,
            "for": result.votes_for,
            "against": result.votes_against,
            "abstain": result.abstentions,
            "weighted_for": result.weighted_for or None,
            "adopted": result.adopted,
            "colleges": result.colleges,
        }
        for resolution, result in selectors.results_of(assembly=assembly)
        if result is not None
    ]


def _earlier_counts(chain: RoomCountChain) -> list[dict[str, Any]]:
    """The values a room count replaced, oldest first, each with the reason of its correction."""
    return [
        {
            "for": corrected.votes_for,
            "against": corrected.votes_against,
            "abstain": corrected.abstentions,
            "recorded_at": corrected.recorded_at.isoformat(),
            "corrected_at": correction.recorded_at.isoformat(),
            "reason": correction.reason,
        }
        for corrected, correction in chain.steps
    ]


@require_GET
@login_required
def ballot_box_json(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    if not _may_see_results(request, assembly) or assembly.status != Assembly.Status.PUBLISHED:
        raise Http404
    chains = room_count_chains(assembly=assembly)
    room = [
        {
            "resolution": count.resolution.number,
            "college": count.college.name if count.college else "",
            "for": count.votes_for,
            "against": count.votes_against,
            "abstain": count.abstentions,
            "corrects": _earlier_counts(chains[(count.resolution_id, count.college_id)]),
        }
        for count in selectors.room_counts_of(assembly=assembly)
    ]
    payload = {
        "assembly": {"id": assembly.pk, "title": assembly.title},
        "ballots": _ballot_box_rows(assembly),
        "room_counts": room,
        "tally": _tally_rows(assembly),
    }
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False, indent=1), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="ballot-box-{assembly.pk}.json"'
    return response


@require_GET
@login_required
def ballot_box_csv(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    if not _may_see_results(request, assembly) or assembly.status != Assembly.Status.PUBLISHED:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ballot-box-{assembly.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Resolution"), _("Receipt"), _("College"), _("Choice")])
    for row in _ballot_box_rows(assembly):
        writer.writerow([row["resolution"], row["receipt"], row["college"], row["choice"]])
    return response


# --- The chair's controls (administrators) ---------------------------------------------------


def _correct_prefix(count_pk: int) -> str:
    return f"correct-{count_pk}"


def _control_context(
    assembly: Assembly,
    *,
    room_form: RoomCountForm | None = None,
    correct_form: tuple[int, RoomCountCorrectForm] | None = None,
) -> dict[str, Any]:
    """The chair's page: the vote's figures and, per resolution and college, the voices the
    room may count, the current count and a form to correct it (one form per count, the one
    sent back with its errors when a correction was refused)."""
    participations = Participation.objects.filter(resolution__assembly=assembly)
    open_vote = assembly.status == Assembly.Status.VOTING_OPEN
    lines = []
    for line in room_count_sheet(assembly=assembly):
        form = None
        if line.chain is not None and open_vote:
            pk = line.chain.current.pk
            if correct_form is not None and correct_form[0] == pk:
                form = correct_form[1]
            else:
                current = line.chain.current
                form = RoomCountCorrectForm(
                    prefix=_correct_prefix(pk),
                    initial={
                        "votes_for": current.votes_for,
                        "votes_against": current.votes_against,
                        "abstentions": current.abstentions,
                    },
                )
        lines.append((line, form))
    return {
        "assembly": assembly,
        "can_open": assembly_allows(assembly, Action.OPEN_VOTE),
        "can_close": assembly_allows(assembly, Action.CLOSE_VOTE),
        "can_publish": assembly_allows(assembly, Action.PUBLISH),
        "online_only": is_online_only(assembly),
        "window_opens": meeting_window_opens(assembly),
        "results": selectors.results_of(assembly=assembly),
        "room_lines": lines,
        "room_counted": any(line.chain for line, _form in lines),
        "voters": participations.values("roll_entry").distinct().count(),
        "roll_size": RollEntry.objects.filter(assembly=assembly).count(),
        "room_form": room_form or RoomCountForm(assembly=assembly),
        "open_correction": correct_form[0] if correct_form else None,
        # A refused correction of a count that has no form on the page any more (corrected
        # meanwhile, or the vote closed): its message is shown above the table.
        "correct_refused": (
            correct_form[1]
            if correct_form and not any(form is correct_form[1] for _line, form in lines)
            else None
        ),
    }


@require_GET
@role_required(Role.ADMINISTRATOR)
def control(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    return render(request, "governance/voting/control.html", _control_context(assembly))


@require_POST
@role_required(Role.ADMINISTRATOR)
def control_action(request: HtmxHttpRequest, pk: int, action: str) -> HttpResponse:
    assembly = _assembly(pk)
    services = {"open": voting_open, "close": voting_close, "publish": results_publish}
    done = {
        "open": _("The vote is open."),
        "close": _("The vote is closed. The tally runs now; reload this page in a moment."),
        "publish": _("The results are published and members are told."),
    }
    if action not in services:
        raise Http404
    try:
        assembly = services[action](assembly=assembly, actor=request.user)
    except DomainError as refused:
        messages.error(request, str(refused))
    else:
        if assembly.status == Assembly.Status.QUORUM_NOT_REACHED:
            messages.warning(
                request,
                _(
                    "The vote is closed without its quorum: the assembly decides nothing. "
                    "Prepare the second convocation from the assembly's page."
                ),
            )
        else:
            messages.success(request, done[action])
    return redirect("governance:vote_control", pk=assembly.pk)


@require_POST
@role_required(Role.ADMINISTRATOR)
def room_count(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = _assembly(pk)
    form = RoomCountForm(request.POST, assembly=assembly)
    if form.is_valid():
        data = form.cleaned_data
        try:
            room_count_record(
                assembly=assembly,
                resolution_id=data["resolution"].pk,
                college=data["college"],
                votes_for=data["votes_for"],
                votes_against=data["votes_against"],
                abstentions=data["abstentions"],
                actor=request.user,
            )
        except DomainError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("The votes counted in the room are recorded."))
            return redirect("governance:vote_control", pk=assembly.pk)
    return render(
        request,
        "governance/voting/control.html",
        _control_context(assembly, room_form=form),
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(Role.ADMINISTRATOR)
def room_count_correction(request: HtmxHttpRequest, pk: int, count_pk: int) -> HttpResponse:
    """Correct a recorded count before the tally: new figures and the reason."""
    assembly = _assembly(pk)
    count = get_object_or_404(RoomCount, pk=count_pk, resolution__assembly=assembly)
    form = RoomCountCorrectForm(request.POST, prefix=_correct_prefix(count.pk))
    if form.is_valid():
        data = form.cleaned_data
        try:
            room_count_correct(
                assembly=assembly,
                room_count=count,
                votes_for=data["votes_for"],
                votes_against=data["votes_against"],
                abstentions=data["abstentions"],
                reason=data["reason"],
                actor=request.user,
            )
        except DomainError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _("The count of the room is corrected; the value first entered is kept."),
            )
            return redirect("governance:vote_control", pk=assembly.pk)
    return render(
        request,
        "governance/voting/control.html",
        _control_context(assembly, correct_form=(count.pk, form)),
        status=400,
    )
