"""Preparing an assembly: the draft and its defaults from the statutes, the agenda and its
resolutions (add, edit, reorder, remove, numbered in the agenda's order), the refusals, and the
second convocation prepared in one step when the first did not reach its quorum."""

import datetime as dt

import pytest

from coop.errors import DomainError
from coop.models import AuditEvent
from governance.lifecycle import AssemblyRefused
from governance.models import AgendaItem, Assembly, Resolution
from governance.selectors.assemblies import majority_text, opening_quorum, quorum_text
from governance.services.agenda import (
    agenda_item_add,
    agenda_item_move,
    agenda_item_remove,
    agenda_item_update,
    resolution_add,
    resolution_move,
    resolution_remove,
    resolution_update,
)
from governance.services.assembly import (
    assembly_create,
    assembly_prepare_second_convocation,
    assembly_update,
)
from governance.services.convocation import assembly_convene
from governance.services.meeting import bureau_seat_add, meeting_open, roll_entry_check_in
from tests.coop.factories import StatutesFactory
from tests.governance.factories import (
    PARIS,
    convened_assembly,
    draft_assembly,
    meeting_time,
    members_admitted,
    statutes_and_register,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    return statutes_and_register()


def _create(**overrides):
    values = {
        "title": "Assemblée générale 2027",
        "kind": Assembly.Kind.ORDINARY,
        "starts_at": dt.datetime(2027, 6, 12, 18, tzinfo=PARIS),
        "place": "Salle des fêtes",
        "online_access": "",
        "actor": None,
    }
    values.update(overrides)
    return assembly_create(**values)


def test_a_draft_gets_the_statutes_distance_vote_deadline(register):
    assembly = _create()
    assert assembly.status == Assembly.Status.DRAFT
    assert assembly.distance_vote_deadline == dt.datetime(2027, 6, 11, 15, tzinfo=PARIS)
    assert AuditEvent.objects.filter(action="assembly.created").count() == 1


def test_the_deadline_follows_other_statutes(admin_user):
    StatutesFactory(
        effective_from=dt.date(2020, 1, 1),
        distance_vote_days_before=2,
        distance_vote_closing_time=dt.time(12, 0),
    )
    assembly = _create()
    assert assembly.distance_vote_deadline == dt.datetime(2027, 6, 10, 12, tzinfo=PARIS)


def test_a_draft_needs_a_place_or_online_access_and_a_deadline_before_the_meeting(register):
    with pytest.raises(DomainError, match="Give the place of the meeting"):
        _create(place=" ", online_access="")
    with pytest.raises(DomainError, match="must be before the meeting starts"):
        _create(distance_vote_deadline=dt.datetime(2027, 6, 12, 19, tzinfo=PARIS))
    online = _create(place="", online_access="https://visio.example.org")
    assert online.online_access == "https://visio.example.org"
    assert Assembly.objects.count() == 1


def test_editing_a_draft_changes_its_details_and_the_default_majorities(register):
    assembly = draft_assembly()
    Resolution.objects.filter(number=2).update(majority_kind=Assembly.Kind.EXTRAORDINARY)
    assembly_update(
        assembly=assembly,
        title="Assemblée générale extraordinaire",
        kind=Assembly.Kind.EXTRAORDINARY,
        starts_at=assembly.starts_at,
        place="",
        online_access="https://visio.example.org",
        actor=None,
    )
    assembly.refresh_from_db()
    assert assembly.kind == Assembly.Kind.EXTRAORDINARY and assembly.place == ""
    assert set(Resolution.objects.values_list("majority_kind", flat=True)) == {
        Assembly.Kind.EXTRAORDINARY
    }


def test_agenda_items_and_resolutions_are_numbered_in_the_agenda_order(register):
    assembly = draft_assembly(resolutions=2)  # item 1 with resolutions 1 and 2
    report = agenda_item_add(assembly=assembly, title="Rapport moral", actor=None)
    first = AgendaItem.objects.get(assembly=assembly, position=1)
    added = resolution_add(
        assembly=assembly,
        agenda_item=report,
        title="Quitus",
        text="L'AG donne quitus.",
        board_approves=True,
        actor=None,
    )
    assert (report.position, added.number) == (2, 3)
    assert added.board_approves is True
    assert added.majority_kind == Assembly.Kind.ORDINARY

    agenda_item_move(item=report, up=True, actor=None)
    numbers = dict(Resolution.objects.values_list("title", "number"))
    assert numbers == {"Quitus": 1, "Résolution 1": 2, "Résolution 2": 3}
    assert list(
        AgendaItem.objects.filter(assembly=assembly)
        .order_by("position")
        .values_list("title", flat=True)
    ) == ["Rapport moral", "Comptes de l'exercice"]

    second = Resolution.objects.get(title="Résolution 2")
    resolution_move(resolution=second, up=True, actor=None)
    numbers = dict(Resolution.objects.values_list("title", "number"))
    assert numbers == {"Quitus": 1, "Résolution 2": 2, "Résolution 1": 3}

    resolution_remove(resolution=Resolution.objects.get(title="Quitus"), actor=None)
    assert dict(Resolution.objects.values_list("title", "number")) == {
        "Résolution 2": 1,
        "Résolution 1": 2,
    }
    agenda_item_update(item=first, title="Comptes 2026", description="Bilan", actor=None)
    agenda_item_remove(item=AgendaItem.objects.get(title="Rapport moral"), actor=None)
    assert list(AgendaItem.objects.values_list("title", "position")) == [("Comptes 2026", 1)]


def test_a_resolution_needs_its_text_and_an_item_of_the_same_assembly(register):
    assembly = draft_assembly()
    other = draft_assembly()
    item = AgendaItem.objects.get(assembly=assembly)
    with pytest.raises(DomainError, match="needs its full text"):
        resolution_add(
            assembly=assembly,
            agenda_item=item,
            title="T",
            text=" ",
            board_approves=True,
            actor=None,
        )
    with pytest.raises(DomainError, match="belongs to another assembly"):
        resolution_add(
            assembly=other,
            agenda_item=item,
            title="T",
            text="Texte",
            board_approves=True,
            actor=None,
        )
    # RULES 34: the board's position is a required choice.
    with pytest.raises(DomainError, match="whether the board recommends"):
        resolution_add(
            assembly=assembly,
            agenda_item=item,
            title="T",
            text="Texte",
            board_approves=None,
            actor=None,
        )
    resolution = Resolution.objects.filter(assembly=assembly).first()
    updated = resolution_update(
        resolution=resolution,
        agenda_item=item,
        title="Modifiée",
        text="Nouveau texte",
        majority_kind=Assembly.Kind.EXTRAORDINARY,
        board_approves=False,
        actor=None,
    )
    assert (updated.title, updated.majority_kind) == ("Modifiée", "extraordinary")
    assert updated.board_approves is False


def test_nothing_changes_after_convocation(register, admin_user):
    members_admitted(register, 2)
    assembly = assembly_convene(assembly=draft_assembly(), actor=admin_user)
    item = AgendaItem.objects.get(assembly=assembly)
    resolution = Resolution.objects.filter(assembly=assembly).first()
    refusals = [
        lambda: assembly_update(
            assembly=assembly,
            title="X",
            kind=assembly.kind,
            starts_at=assembly.starts_at,
            place="Ailleurs",
            actor=None,
        ),
        lambda: agenda_item_add(assembly=assembly, title="X", actor=None),
        lambda: agenda_item_update(item=item, title="X", actor=None),
        lambda: agenda_item_remove(item=item, actor=None),
        lambda: agenda_item_move(item=item, up=False, actor=None),
        lambda: resolution_add(
            assembly=assembly,
            agenda_item=item,
            title="X",
            text="X",
            board_approves=True,
            actor=None,
        ),
        lambda: resolution_remove(resolution=resolution, actor=None),
        lambda: resolution_move(resolution=resolution, up=False, actor=None),
    ]
    for refusal in refusals:
        with pytest.raises(AssemblyRefused, match="can no longer change"):
            refusal()
    assembly.refresh_from_db()
    assert assembly.place == "Salle des fêtes, 38000 Grenoble"


def test_majority_and_quorum_in_words(register):
    statutes = StatutesFactory._meta.model.objects.get()
    assert majority_text(statutes=statutes, kind="ordinary") == (
        "simple majority (more than 1/2 of the votes expressed)"
    )
    assert majority_text(statutes=statutes, kind="extraordinary") == (
        "at least 2/3 of the votes expressed"
    )
    assert quorum_text(statutes=statutes, kind="ordinary", convocation="second") == (
        "no quorum required"
    )
    assert quorum_text(statutes=statutes, kind="ordinary", convocation="first").startswith("1/5")


# --- Second convocation ----------------------------------------------------------------------


def _opened(assembly: Assembly, *, present: int) -> Assembly:
    """The meeting opened on its day with `present` members checked in (RULES 31)."""
    now = assembly.starts_at
    for entry in assembly.roll.order_by("member_number")[:present]:
        roll_entry_check_in(roll_entry=entry, actor=None, now=now)
    for role in ("chair", "scrutineer", "secretary"):
        bureau_seat_add(assembly=assembly, role=role, name="Camille Roux", actor=None, now=now)
    meeting_open(assembly=assembly, actor=None, now=now)
    assembly.refresh_from_db()
    return assembly


def test_second_convocation_copies_the_agenda_when_the_quorum_was_missed(register, admin_user):
    first = convened_assembly(members=members_admitted(register, 10), resolutions=3)
    agenda_item_count = first.agenda_items.count()
    first = _opened(first, present=1)  # 1 of 10: below 1/5
    assert opening_quorum(assembly=first).reached is False
    assert first.status == Assembly.Status.QUORUM_NOT_REACHED

    starts = meeting_time(days_ahead=40)
    second = assembly_prepare_second_convocation(first=first, starts_at=starts, actor=admin_user)
    assert second.status == Assembly.Status.DRAFT
    assert second.convocation == Assembly.ConvocationNumber.SECOND
    assert second.first_convocation == first
    assert (second.kind, second.place, second.starts_at) == (first.kind, first.place, starts)
    assert second.agenda_items.count() == agenda_item_count
    assert list(second.resolutions.order_by("number").values_list("number", "title", "text")) == (
        list(first.resolutions.order_by("number").values_list("number", "title", "text"))
    )
    assert second.distance_vote_deadline < starts
    with pytest.raises(DomainError, match="already prepared"):
        assembly_prepare_second_convocation(first=first, starts_at=starts, actor=admin_user)
    with pytest.raises(DomainError, match="already a second convocation"):
        assembly_prepare_second_convocation(first=second, starts_at=starts, actor=admin_user)
    # It is convened with its own notice period (10 days), on the roll of that day.
    convened = assembly_convene(assembly=second, actor=admin_user)
    assert convened.roll.count() == 10


def test_no_second_convocation_before_the_opening_or_with_the_quorum(register, admin_user):
    first = convened_assembly(members=members_admitted(register, 10))
    later = meeting_time(days_ahead=45)
    with pytest.raises(DomainError, match="only when the first did not reach its quorum"):
        assembly_prepare_second_convocation(first=first, starts_at=later, actor=None)
    first = _opened(first, present=2)  # 2 of 10 = 1/5: reached
    assert first.status == Assembly.Status.CONVENED
    with pytest.raises(DomainError, match="only when the first did not reach its quorum"):
        assembly_prepare_second_convocation(first=first, starts_at=later, actor=None)
    assert not Assembly.objects.filter(first_convocation=first).exists()


def test_a_second_convocation_is_dated_after_the_first_meeting(register, admin_user):
    first = _opened(convened_assembly(members=members_admitted(register, 10)), present=0)
    same_day = first.starts_at + dt.timedelta(hours=2)
    with pytest.raises(DomainError, match="must be after the first's, which was held on"):
        assembly_prepare_second_convocation(first=first, starts_at=same_day, actor=admin_user)
    second = assembly_prepare_second_convocation(
        first=first, starts_at=first.starts_at + dt.timedelta(days=12), actor=admin_user
    )
    with pytest.raises(DomainError, match="must be after the first's"):
        assembly_update(
            assembly=second,
            title=second.title,
            kind=second.kind,
            starts_at=first.starts_at - dt.timedelta(days=1),
            place=second.place,
            actor=admin_user,
        )
    # Not convened before the first ended: a second convocation of a first still convened.
    other = convened_assembly(members=members_admitted(register, 3), title="Autre")
    early = draft_assembly(
        convocation=Assembly.ConvocationNumber.SECOND,
        first_convocation=other,
        starts_at=meeting_time(days_ahead=50),
    )
    with pytest.raises(DomainError, match="only once the first has ended without its quorum"):
        assembly_convene(assembly=early, actor=admin_user)


def test_the_demo_has_a_draft_and_a_convened_assembly(capsys):
    from django.core.management import call_command

    call_command("seed_demo")
    draft = Assembly.objects.get(status=Assembly.Status.DRAFT)
    convened = Assembly.objects.get(status=Assembly.Status.CONVENED)
    assert draft.resolutions.count() == 2 and draft.agenda_items.count() == 2
    assert convened.kind == Assembly.Kind.EXTRAORDINARY
    assert convened.roll.count() == 3
    assert convened.convocation_notice.deliveries.count() == 3
