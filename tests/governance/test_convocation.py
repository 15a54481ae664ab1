"""Convening an assembly (RULES 11): the notice period, the freeze of statutes, colleges and
roll, one convocation per member through the outbox (e-mail or letter), the database's refusal
to change the agenda or the roll afterwards, and cancellation."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from coop.models import AuditEvent, Notice, NoticeDelivery, Statutes
from coop.statutes import StatutesNotInForce
from governance.lifecycle import AssemblyRefused
from governance.models import AgendaItem, Assembly, AssemblyCollege, Resolution, RollEntry
from governance.services.agenda import (
    agenda_item_add,
)
from governance.services.convocation import (
    CANCELLATION_NOTICE,
    CONVOCATION_NOTICE,
    NAME_PLACEHOLDER,
    ConvocationRefused,
    assembly_cancel,
    assembly_convene,
)
from members.models import Member
from members.services import member_exit
from tests.coop.factories import StatutesFactory
from tests.governance.factories import (
    PARIS,
    convened_assembly,
    draft_assembly,
    members_admitted,
    statutes_and_register,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    return statutes_and_register(name="Les Communs d'Oisans", registered_office="3 rue du Lac")


@pytest.fixture
def members(register):
    people = members_admitted(register, 4)
    # Two agreed to e-mail notices; one of them reads English.
    Member.objects.filter(pk=people[0].pk).update(e_notices=True, language="en")
    Member.objects.filter(pk=people[1].pk).update(e_notices=True)
    # One has an address but no consent; one has neither.
    Member.objects.filter(pk=people[3].pk).update(email="", address="2 rue Haute", city="Vizille")
    return people


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=PARIS)


def test_convening_freezes_statutes_colleges_and_roll(members, admin_user):
    assembly = draft_assembly()
    convened = assembly_convene(assembly=assembly, actor=admin_user)

    assert convened.status == Assembly.Status.CONVENED
    assert convened.statutes == Statutes.objects.get()
    assert convened.convened_by == admin_user and convened.convened_at is not None
    colleges = {c.name: c.weight for c in AssemblyCollege.objects.filter(assembly=assembly)}
    assert colleges == {"Salariés": Decimal(40), "Bénéficiaires": Decimal(30), "Soutiens": 30}
    roll = list(RollEntry.objects.filter(assembly=assembly).order_by("member_number"))
    assert [e.member_id for e in roll] == [m.pk for m in members]
    assert all(e.college.name == "Soutiens" for e in roll)
    assert [e.member_number for e in roll] == [m.number for m in members]
    assert roll[0].name == members[0].display_name
    assert roll[3].address == "2 rue Haute, Vizille, France"
    assert len({e.check_in_token for e in roll}) == 4
    assert all(len(e.check_in_token) >= 22 for e in roll)
    event = AuditEvent.objects.get(action="assembly.convened")
    assert event.data["roll"] == 4 and event.data["emails"] == 2 and event.data["letters"] == 2


def test_members_who_exited_or_applied_are_not_on_the_roll(register, admin_user):
    kept, gone = members_admitted(register, 2)
    member_exit(
        member=gone, status="resigned", exited_on=dt.date(2025, 3, 1), decision_ref="L", actor=None
    )
    assembly = assembly_convene(assembly=draft_assembly(), actor=admin_user)
    assert list(assembly.roll.values_list("member_id", flat=True)) == [kept.pk]


def test_each_member_gets_one_convocation_by_email_or_letter(members, admin_user):
    assembly = assembly_convene(assembly=draft_assembly(), actor=admin_user)
    notice = Notice.objects.get(kind=CONVOCATION_NOTICE, reference=f"assembly:{assembly.pk}")
    assert assembly.convocation_notice == notice
    deliveries = {d.recipient_key: d for d in notice.deliveries.all()}
    assert set(deliveries) == {f"member:{m.pk}" for m in members}
    channels = [deliveries[f"member:{m.pk}"].channel for m in members]
    assert channels == ["email", "email", "letter", "letter"]
    assert deliveries[f"member:{members[2].pk}"].to_email == ""  # no consent: a letter
    for entry in RollEntry.objects.filter(assembly=assembly).select_related("convocation_delivery"):
        assert entry.convocation_delivery.recipient_key == f"member:{entry.member_id}"


def test_the_email_states_what_rules_11_asks_in_the_members_language(members, admin_user):
    assembly = draft_assembly(
        kind=Assembly.Kind.EXTRAORDINARY, online_access="https://visio.example.org/ag"
    )
    assembly_convene(assembly=assembly, actor=admin_user)
    english = NoticeDelivery.objects.get(recipient_key=f"member:{members[0].pk}")
    french = NoticeDelivery.objects.get(recipient_key=f"member:{members[1].pk}")
    assert english.language == "en" and french.language == "fr"
    body = english.body_text
    for expected in (
        f"Hello {members[0].display_name},",
        "Les Communs d'Oisans, SCIC SA (société anonyme) à capital variable",
        "Registered office: 3 rue du Lac",
        "extraordinary general assembly, first convocation",
        "Salle des fêtes, 38000 Grenoble",
        "https://visio.example.org/ag",
        "1. Comptes de l'exercice",
        "Resolution 2: Résolution 2",
        "L'assemblée générale approuve le point 2.",
        "Majority required: at least 2/3 of the votes expressed.",
        "Vote at distance",
        "An abstention is not a vote expressed.",
        "Give a proxy",
        "at 18:00 (Paris time)",
        "until ",
    ):
        assert expected in body, expected
    assert f"{assembly.starts_at.astimezone(PARIS):%Y}" in body
    assert "http://" in body or "https://" in body
    assert NAME_PLACEHOLDER not in body and NAME_PLACEHOLDER not in english.body_html
    assert f"Hello {members[0].display_name}," in english.body_html
    assert english.subject.startswith("Convocation: extraordinary general assembly of")
    assert french.body_text.startswith(f"Bonjour {members[1].display_name},")


def test_a_name_is_escaped_in_html_and_kept_in_text(register, admin_user):
    (member,) = members_admitted(register, 1)
    Member.objects.filter(pk=member.pk).update(
        person_kind="legal", legal_name="Ada & <Co>", e_notices=True
    )
    assembly_convene(assembly=draft_assembly(), actor=admin_user)
    delivery = NoticeDelivery.objects.get()
    assert "Ada & <Co>," in delivery.body_text
    assert "Ada &amp; &lt;Co&gt;" in delivery.body_html


def test_convening_too_late_is_refused_and_says_until_when(members, admin_user):
    starts = dt.datetime(2027, 6, 12, 18, 0, tzinfo=PARIS)
    assembly = draft_assembly(starts_at=starts)
    with pytest.raises(ConvocationRefused) as refused:
        assembly_convene(assembly=assembly, actor=admin_user, now=at(dt.date(2027, 5, 29)))
    assert "For a meeting on 12 June at 18:00, the convocation must be sent by 28 May." in str(
        refused.value
    )
    assert "at least 15 days" in str(refused.value)
    assembly.refresh_from_db()
    assert assembly.status == Assembly.Status.DRAFT
    assert not RollEntry.objects.exists() and not NoticeDelivery.objects.exists()
    # On the last day it still can.
    assembly_convene(assembly=assembly, actor=admin_user, now=at(dt.date(2027, 5, 28), 23))


def test_second_convocation_has_its_own_notice_period(members, admin_user):
    first = convened_assembly(members=members, starts_at=dt.datetime(2027, 6, 12, 18, tzinfo=PARIS))
    # The first ended without its quorum at its meeting (RULES 12, 31).
    Assembly.objects.filter(pk=first.pk).update(status=Assembly.Status.QUORUM_NOT_REACHED)
    second = draft_assembly(
        starts_at=dt.datetime(2027, 6, 26, 18, tzinfo=PARIS),
        convocation=Assembly.ConvocationNumber.SECOND,
        first_convocation=first,
    )
    with pytest.raises(ConvocationRefused, match="must be sent by 16 June"):
        assembly_convene(assembly=second, actor=admin_user, now=at(dt.date(2027, 6, 17)))
    convened = assembly_convene(assembly=second, actor=admin_user, now=at(dt.date(2027, 6, 16)))
    assert convened.status == Assembly.Status.CONVENED


def test_convening_needs_statutes_in_force(register, admin_user):
    members_admitted(register, 1)
    assembly = draft_assembly(starts_at=dt.datetime(2030, 6, 12, 18, tzinfo=PARIS))
    with pytest.raises(StatutesNotInForce, match="No statutes are in force"):
        assembly_convene(assembly=assembly, actor=admin_user, now=at(dt.date(2019, 5, 1)))


def test_convening_refuses_an_empty_agenda_a_past_meeting_and_a_second_time(members, admin_user):
    empty = draft_assembly()
    Resolution.objects.filter(assembly=empty).delete()
    AgendaItem.objects.filter(assembly=empty).delete()
    with pytest.raises(ConvocationRefused, match="The agenda is empty"):
        assembly_convene(assembly=empty, actor=admin_user)

    past = draft_assembly(starts_at=timezone.now() - dt.timedelta(days=1))
    with pytest.raises(ConvocationRefused, match="has passed"):
        assembly_convene(assembly=past, actor=admin_user)

    assembly = assembly_convene(assembly=draft_assembly(), actor=admin_user)
    with pytest.raises(AssemblyRefused, match="already convened"):
        assembly_convene(assembly=assembly, actor=admin_user)
    assert Notice.objects.count() == 1


def test_convening_without_members_is_refused(register, admin_user):
    with pytest.raises(ConvocationRefused, match="No member is on the roll"):
        assembly_convene(assembly=draft_assembly(), actor=admin_user)
    assert not AssemblyCollege.objects.exists()


def test_without_colleges_the_roll_has_no_college(admin_user):
    StatutesFactory(effective_from=dt.date(2020, 1, 1), colleges_enabled=False)
    register = statutes_and_register()
    members_admitted(register, 2)
    assembly = assembly_convene(assembly=draft_assembly(), actor=admin_user)
    assert not AssemblyCollege.objects.exists()
    assert set(assembly.roll.values_list("college", flat=True)) == {None}


# --- The database keeps the agenda and the roll frozen ---------------------------------------


def _refused(sql: str, params: list) -> None:
    with (
        pytest.raises(DatabaseError, match="refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_the_database_refuses_changes_to_a_convened_agenda(members, admin_user):
    assembly = assembly_convene(assembly=draft_assembly(), actor=admin_user)
    item = AgendaItem.objects.get(assembly=assembly)
    _refused("UPDATE governance_agendaitem SET title = 'Autre' WHERE id = %s", [item.pk])
    _refused(
        "UPDATE governance_resolution SET text = 'Autre' WHERE assembly_id = %s", [assembly.pk]
    )
    _refused("DELETE FROM governance_resolution WHERE assembly_id = %s", [assembly.pk])
    _refused(
        "INSERT INTO governance_agendaitem (assembly_id, position, title, description) "
        "VALUES (%s, 9, 'Ajout', '')",
        [assembly.pk],
    )
    with pytest.raises(AssemblyRefused, match="can no longer change"):
        agenda_item_add(assembly=assembly, title="Ajout", actor=admin_user)
    assert AgendaItem.objects.get(pk=item.pk).title == "Comptes de l'exercice"


def test_the_database_refuses_changes_to_the_roll(members, admin_user):
    assembly = assembly_convene(assembly=draft_assembly(), actor=admin_user)
    entry = RollEntry.objects.filter(assembly=assembly).first()
    _refused("UPDATE governance_rollentry SET name = 'Quelqu''un' WHERE id = %s", [entry.pk])
    _refused("UPDATE governance_rollentry SET college_id = NULL WHERE id = %s", [entry.pk])
    _refused("DELETE FROM governance_rollentry WHERE id = %s", [entry.pk])
    (newcomer,) = members_admitted(statutes_and_register(), 1)
    _refused(
        "INSERT INTO governance_rollentry (assembly_id, member_id, member_number, name, address,"
        " check_in_token) VALUES (%s, %s, 99, 'X', '', 'tok')",
        [assembly.pk, newcomer.pk],
    )
    # The check-in stays possible.
    now = timezone.now()
    RollEntry.objects.filter(pk=entry.pk).update(present_at=now)
    entry.refresh_from_db()
    assert entry.present_at == now
    # A full save that changes nothing frozen is accepted too.
    entry.save()


def test_orm_errors_are_integrity_or_internal_errors(members, admin_user):
    assembly = assembly_convene(assembly=draft_assembly(), actor=admin_user)
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        Resolution.objects.filter(assembly=assembly).update(title="Autre")


# --- Cancelling ------------------------------------------------------------------------------


def test_cancelling_notifies_every_member_and_is_audited(members, admin_user):
    assembly = assembly_convene(assembly=draft_assembly(), actor=admin_user)
    notice = assembly_cancel(assembly=assembly, reason="Salle indisponible", actor=admin_user)
    assembly.refresh_from_db()
    assert assembly.status == Assembly.Status.CANCELLED
    assert assembly.cancellation_reason == "Salle indisponible"
    assert notice.kind == CANCELLATION_NOTICE
    deliveries = list(notice.deliveries.order_by("id"))
    assert len(deliveries) == 4
    assert [d.channel for d in deliveries] == ["email", "email", "letter", "letter"]
    assert "Salle indisponible" in deliveries[0].body_text
    assert "is cancelled" in deliveries[0].body_text
    assert AuditEvent.objects.filter(action="assembly.cancelled").count() == 1


def test_cancelling_needs_a_reason_and_a_convened_assembly(members, admin_user):
    draft = draft_assembly()
    with pytest.raises(Exception, match="has not been convened yet"):
        assembly_cancel(assembly=draft, reason="x", actor=admin_user)
    assembly = assembly_convene(assembly=draft, actor=admin_user)
    with pytest.raises(Exception, match="Give the reason"):
        assembly_cancel(assembly=assembly, reason="  ", actor=admin_user)
    Assembly.objects.filter(pk=assembly.pk).update(status=Assembly.Status.VOTING_OPEN)
    with pytest.raises(Exception, match="vote of this assembly has opened"):
        assembly_cancel(assembly=assembly, reason="Trop tard", actor=admin_user)
    assert not Notice.objects.filter(kind=CANCELLATION_NOTICE).exists()


def test_a_large_roll_is_queued_in_chunks_into_one_notice(register, admin_user, monkeypatch):
    from governance.services import convocation

    monkeypatch.setattr(convocation, "ENQUEUE_CHUNK", 2)
    members_admitted(register, 5)
    assembly = assembly_convene(assembly=draft_assembly(), actor=admin_user)
    assert Notice.objects.count() == 1
    assert assembly.convocation_notice.deliveries.count() == 5
    assert not RollEntry.objects.filter(assembly=assembly, convocation_delivery=None).exists()
    assert AuditEvent.objects.filter(action="notice.enqueued").count() == 3
