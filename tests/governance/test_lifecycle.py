"""The life of an assembly: each action in its state and on its day, refused
otherwise with a message that names the day, the time or the figure."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from coop.errors import DomainError
from coop.models import AuditEvent
from governance.lifecycle import Action, AssemblyRefused, assembly_allows, meeting_window_opens
from governance.models import Assembly, ResolutionResult, RollEntry
from governance.services.ballots import ballot_cast
from governance.services.convocation import assembly_cancel
from governance.services.meeting import (
    bureau_seat_add,
    meeting_open,
    roll_entry_check_in,
    roll_entry_check_in_undo,
)
from governance.services.proxies import proxy_give, proxy_revoke
from governance.services.voting import voting_close, voting_open
from tests.governance.factories import (
    PARIS,
    convened_assembly,
    members_admitted,
    statutes_and_register,
)

pytestmark = pytest.mark.django_db

STARTS = dt.datetime(2027, 6, 12, 18, 0, tzinfo=PARIS)


def _assembly(size: int = 10, **fields) -> Assembly:
    register = statutes_and_register()
    return convened_assembly(members=members_admitted(register, size), starts_at=STARTS, **fields)


def _entries(assembly: Assembly) -> list[RollEntry]:
    return list(assembly.roll.order_by("member_number"))


def _bureau(assembly: Assembly, now: dt.datetime) -> None:
    for role in ("chair", "scrutineer", "secretary"):
        bureau_seat_add(assembly=assembly, role=role, name="Camille Roux", actor=None, now=now)


def _choices(assembly: Assembly, choice: str = "for") -> dict[int, str]:
    return dict.fromkeys(assembly.resolutions.values_list("pk", flat=True), choice)


def test_the_meeting_opens_on_its_day_from_an_hour_before_its_time():
    assembly = _assembly()
    for entry in _entries(assembly)[:3]:
        roll_entry_check_in(roll_entry=entry, actor=None, now=STARTS - dt.timedelta(hours=3))
    _bureau(assembly, STARTS - dt.timedelta(hours=2))
    for too_soon in (STARTS - dt.timedelta(days=16), STARTS - dt.timedelta(minutes=61)):
        with pytest.raises(AssemblyRefused) as refused:
            meeting_open(assembly=assembly, actor=None, now=too_soon)
        assert str(refused.value) == (
            "The meeting was convened for June 12, 2027 at 18:00: it can open that day from "
            "17:00, not before and not on another day."
        )
    with pytest.raises(AssemblyRefused, match="not on another day"):
        meeting_open(assembly=assembly, actor=None, now=STARTS + dt.timedelta(days=1))
    assembly.refresh_from_db()
    assert assembly.meeting_opened_at is None
    assert assembly_allows(assembly, Action.OPEN_MEETING, now=STARTS - dt.timedelta(minutes=60))

    figures = meeting_open(assembly=assembly, actor=None, now=STARTS - dt.timedelta(minutes=60))
    assert figures.reached
    assembly.refresh_from_db()
    assert assembly.status == Assembly.Status.CONVENED
    assert assembly.meeting_opened_at == STARTS - dt.timedelta(minutes=60)


def test_the_early_opening_is_a_parameter_of_the_statutes_never_before_midnight():
    register = statutes_and_register(meeting_early_opening_minutes=15)
    early = convened_assembly(members=members_admitted(register, 3), starts_at=STARTS)
    assert meeting_window_opens(early) == STARTS - dt.timedelta(minutes=15)
    at_dawn = convened_assembly(
        members=members_admitted(register, 3),
        starts_at=dt.datetime(2027, 6, 12, 0, 10, tzinfo=PARIS),
        distance_vote_deadline=dt.datetime(2027, 6, 11, 15, 0, tzinfo=PARIS),
        title="Assemblée de minuit",
    )
    assert meeting_window_opens(at_dawn) == dt.datetime(2027, 6, 12, 0, 0, tzinfo=PARIS)


def test_check_in_and_the_bureau_start_on_the_meeting_day():
    assembly = _assembly()
    ada = _entries(assembly)[0]
    day_before = STARTS - dt.timedelta(days=1)
    with pytest.raises(AssemblyRefused) as refused:
        roll_entry_check_in(roll_entry=ada, actor=None, now=day_before)
    assert str(refused.value) == (
        "Members are checked in only on the day of the meeting, June 12, 2027."
    )
    with pytest.raises(AssemblyRefused, match="The bureau is recorded only on the day"):
        bureau_seat_add(assembly=assembly, role="chair", name="Léa", actor=None, now=day_before)
    morning = STARTS.replace(hour=8)
    roll_entry_check_in(roll_entry=ada, actor=None, now=morning)
    roll_entry_check_in_undo(roll_entry=ada, actor=None, now=morning)


def test_a_first_convocation_without_quorum_ends_and_takes_no_more_votes():
    assembly = _assembly(10)
    ada, bob, *_rest = _entries(assembly)
    roll_entry_check_in(roll_entry=ada, actor=None, now=STARTS)  # 1 of 10: 2 needed
    _bureau(assembly, STARTS)
    figures = meeting_open(assembly=assembly, actor=None, now=STARTS)
    assert (figures.total, figures.quorum_required, figures.reached) == (1, 2, False)
    assembly.refresh_from_db()
    assert assembly.status == Assembly.Status.QUORUM_NOT_REACHED
    assert AuditEvent.objects.filter(action="assembly.quorum_not_reached").count() == 1

    with pytest.raises(AssemblyRefused, match="did not reach its quorum"):
        voting_open(assembly=assembly, actor=None, now=STARTS)
    with pytest.raises(AssemblyRefused, match="takes no more votes"):
        ballot_cast(
            assembly=assembly,
            voter=bob,
            choices=_choices(assembly),
            actor=None,
            now=assembly.distance_vote_deadline - dt.timedelta(hours=1),
        )
    with pytest.raises(AssemblyRefused, match="did not reach its quorum"):
        roll_entry_check_in(roll_entry=bob, actor=None, now=STARTS)
    with pytest.raises(AssemblyRefused, match="did not reach its quorum"):
        assembly_cancel(assembly=assembly, reason="Trop tard", actor=None)
    assert not assembly_allows(assembly, Action.CLOSE_VOTE, now=STARTS)
    assert assembly_allows(assembly, Action.PREPARE_SECOND, now=STARTS)


def test_an_online_only_vote_is_closed_at_its_meeting_and_held_to_the_quorum():
    assembly = _assembly(17, place="", online_access="https://visio.example.org/ag")
    first, *_rest = _entries(assembly)
    ballot_cast(
        assembly=assembly,
        voter=first,
        choices=_choices(assembly),
        actor=None,
        now=assembly.distance_vote_deadline - dt.timedelta(hours=1),
    )
    with pytest.raises(AssemblyRefused) as refused:
        voting_close(assembly=assembly, actor=None, now=STARTS - dt.timedelta(days=16))
    assert "cannot be closed before 17:00 that day" in str(refused.value)
    with pytest.raises(AssemblyRefused, match="no meeting room to open"):
        meeting_open(assembly=assembly, actor=None, now=STARTS)

    closed = voting_close(assembly=assembly, actor=None, now=STARTS)
    # 1 vote of 17 members: 4 were needed (1/5, rounded up). Nothing is adopted.
    assert closed.status == Assembly.Status.QUORUM_NOT_REACHED
    assert closed.meeting_opening_figures["total"] == 1
    assert closed.meeting_opening_figures["quorum_required"] == 4
    assert not ResolutionResult.objects.filter(resolution__assembly=assembly).exists()


def test_an_online_only_vote_with_its_quorum_is_closed_and_tallied(
    eager_celery, django_capture_on_commit_callbacks
):
    assembly = _assembly(5, place="", online_access="https://visio.example.org/ag")
    for entry in _entries(assembly)[:2]:
        ballot_cast(
            assembly=assembly,
            voter=entry,
            choices=_choices(assembly),
            actor=None,
            now=assembly.distance_vote_deadline - dt.timedelta(hours=1),
        )
    with django_capture_on_commit_callbacks(execute=True):
        closed = voting_close(assembly=assembly, actor=None, now=STARTS)
    assert closed.status == Assembly.Status.VOTING_CLOSED
    assert ResolutionResult.objects.filter(resolution__assembly=assembly, adopted=True).count() == 2


def test_a_used_proxy_cannot_be_revoked():
    assembly = _assembly(10)
    ada, bob, *_rest = _entries(assembly)
    proxy = proxy_give(assembly=assembly, giver=bob, holder=ada, actor=None)
    ballot_cast(
        assembly=assembly,
        voter=ada,
        principal=bob,
        choices=_choices(assembly, "against"),
        actor=None,
        now=assembly.distance_vote_deadline - dt.timedelta(hours=1),
    )
    with pytest.raises(DomainError) as refused:
        proxy_revoke(proxy=proxy, actor=None)
    assert str(refused.value) == (
        f"{ada.name} has already voted for {bob.name} with this proxy: a proxy that has been "
        "used cannot be revoked, the vote cast with it stands."
    )
    proxy.refresh_from_db()
    assert proxy.revoked_at is None


def test_a_meeting_that_opened_cannot_be_cancelled():
    assembly = _assembly(5)
    for entry in _entries(assembly)[:2]:
        roll_entry_check_in(roll_entry=entry, actor=None, now=STARTS)
    _bureau(assembly, STARTS)
    meeting_open(assembly=assembly, actor=None, now=STARTS)
    with pytest.raises(AssemblyRefused, match="can no longer be cancelled"):
        assembly_cancel(assembly=assembly, reason="Erreur", actor=None)


def test_the_meeting_desk_refuses_to_open_early_with_the_day_in_french(totp_admin):
    assembly = _assembly(3)  # convened for 12 June 2027: not today
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(totp_admin)
    response = client.post(reverse("governance:meeting_open", args=[assembly.pk]), follow=True)
    # The time as a French letter writes it, hours and minutes with "h" (no-break spaces).
    page = response.content.decode()
    assert "La séance a été convoquée pour le 12 juin 2027 à 18\u00a0h\u00a000" in page
    assert "à partir de 17\u00a0h\u00a000" in page and "18:00" not in page
    assembly.refresh_from_db()
    assert assembly.meeting_opened_at is None
