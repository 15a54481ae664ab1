"""The chair's controls of the vote (administrators): opening, closing and publishing it,
and the room counts the bureau records and corrects."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coop.errors import DomainError
from coop.http import HtmxHttpRequest
from coop.roles import Role, role_required
from governance.forms.voting import (
    RoomCountCorrectForm,
    RoomCountForm,
)
from governance.lifecycle import Action, assembly_allows, is_online_only, meeting_window_opens
from governance.models import Assembly, Participation, RollEntry, RoomCount
from governance.selectors import voting as selectors
from governance.selectors.room_counts import (
    room_count_sheet,
)
from governance.services.room_counts import room_count_correct, room_count_record
from governance.services.voting import results_publish, voting_close, voting_open


def _assembly(pk: int) -> Assembly:
    return get_object_or_404(Assembly.objects.select_related("statutes"), pk=pk)


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
