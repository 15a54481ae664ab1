"""The member lifecycle (RULES 3-4): transitions, numbers, register events, integrity."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from coop.errors import DomainError
from coop.models import AuditEvent
from members.models import Member, RegisterEvent
from members.selectors import register_at
from members.services import (
    CollegeDraft,
    categories_missing_compulsory,
    colleges_configure,
    member_admit,
    member_exit,
    member_move_college,
    member_reject,
    member_set_e_notices,
    member_update_contact,
    members_ratify,
)
from tests.coop.factories import StatutesFactory, UserFactory
from tests.members.factories import admitted, apply, standard_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    StatutesFactory(effective_from=dt.date(2020, 1, 1))
    return standard_register()


@pytest.fixture
def actor(db):
    return UserFactory(roles=["administrator"], is_staff=True)


def test_application_then_admission_gives_the_next_number(register, actor):
    cat, col = register["categories"]["employee"], register["colleges"]["employees"]
    first = admitted(cat, col, actor=actor, last_name="Un")
    second = admitted(cat, col, actor=actor, last_name="Deux")
    assert (first.number, second.number) == (1, 2)
    assert second.status == Member.Status.ADMITTED
    kinds = list(second.events.values_list("kind", flat=True))
    assert kinds == ["applied", "admitted"]
    admission = second.events.get(kind="admitted")
    assert admission.decision_ref == "CA 2025-02"
    assert admission.changes["number"] == 2
    assert admission.snapshot["college"] == "employees"
    assert AuditEvent.objects.filter(action="member.admitted", target_id=str(second.pk)).exists()


def test_rejected_applicant_cannot_be_ratified_nor_admitted(register, actor):
    member = apply(register["categories"]["volunteer"])
    member_reject(member=member, decided_on=dt.date(2025, 2, 1), reason="Hors objet", actor=actor)
    with pytest.raises(DomainError, match="cannot be ratified"):
        members_ratify(
            members=[member], ratified_on=dt.date(2025, 6, 1), assembly_ref="AGO", actor=actor
        )
    with pytest.raises(DomainError, match="cannot be admitted"):
        member_admit(
            member=member,
            decided_on=dt.date(2025, 3, 1),
            decision_ref="CA",
            college=register["colleges"]["supporters"],
            actor=actor,
        )
    member.refresh_from_db()
    assert member.number is None and member.status == Member.Status.REJECTED


def test_ratification_is_all_or_nothing(register, actor):
    cat, col = register["categories"]["beneficiary"], register["colleges"]["users"]
    ok = admitted(cat, col, actor=actor, last_name="Ok")
    applicant = apply(cat, last_name="Pas encore")
    with pytest.raises(DomainError, match="Pas encore"):
        members_ratify(
            members=[ok, applicant],
            ratified_on=dt.date(2025, 6, 1),
            assembly_ref="AGO 2025",
            actor=actor,
        )
    ok.refresh_from_db()
    assert ok.status == Member.Status.ADMITTED
    members_ratify(
        members=[ok], ratified_on=dt.date(2025, 6, 1), assembly_ref="AGO 2025", actor=actor
    )
    ok.refresh_from_db()
    assert (ok.status, ok.ratification_ref) == (Member.Status.RATIFIED, "AGO 2025")


def test_exit_twice_is_refused_and_number_is_kept(register, actor):
    member = admitted(register["categories"]["employee"], register["colleges"]["employees"])
    member_exit(
        member=member,
        status="resigned",
        exited_on=dt.date(2025, 9, 30),
        decision_ref="Lettre du 1er septembre",
        actor=actor,
    )
    with pytest.raises(DomainError, match="cannot be recorded as leaving"):
        member_exit(
            member=member,
            status="excluded",
            exited_on=dt.date(2025, 10, 30),
            decision_ref="AGE",
            actor=actor,
        )
    member.refresh_from_db()
    assert member.number == 1 and member.status == "resigned"
    newcomer = admitted(register["categories"]["employee"], register["colleges"]["employees"])
    assert newcomer.number == 2  # never reused


def test_register_entries_are_kept_in_date_order(register, actor):
    member = admitted(
        register["categories"]["employee"],
        register["colleges"]["employees"],
        decided_on=dt.date(2025, 3, 1),
    )
    with pytest.raises(DomainError, match="cannot be written after it"):
        member_move_college(
            member=member,
            college=register["colleges"]["users"],
            effective_on=dt.date(2025, 2, 1),
            decision_ref="CA",
            actor=actor,
        )


def test_contact_change_and_consent_are_events_with_dates(register, actor):
    member = admitted(
        register["categories"]["volunteer"],
        register["colleges"]["supporters"],
        email="claire@example.org",
    )
    member_update_contact(member=member, changes={"city": "Lyon", "phone": ""}, actor=actor)
    event = member.events.latest("id")
    assert event.kind == "contact_changed"
    assert event.changes == {"city": "Lyon"}
    member_set_e_notices(member=member, consent=True, actor=actor)
    member.refresh_from_db()
    assert member.e_notices and member.e_notices_changed_at is not None
    # Removing the address ends the consent, in the same event.
    member_update_contact(member=member, changes={"email": ""}, actor=actor)
    member.refresh_from_db()
    assert member.e_notices is False
    assert member.events.latest("id").changes["e_notices"] is False


def test_consent_without_email_is_refused(register, actor):
    member = admitted(register["categories"]["volunteer"], register["colleges"]["supporters"])
    with pytest.raises(DomainError, match="Add an e-mail address"):
        member_set_e_notices(member=member, consent=True, actor=actor)


def test_register_events_refuse_update_and_delete(register):
    member = apply(register["categories"]["volunteer"])
    event = member.events.get()
    for sql in (
        "UPDATE members_registerevent SET decision_ref = 'x' WHERE id = %s",
        "DELETE FROM members_registerevent WHERE id = %s",
    ):
        with (
            pytest.raises(IntegrityError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert RegisterEvent.objects.filter(pk=event.pk, decision_ref="").exists()


def test_register_at_a_date_shows_the_entry_as_it_stood(register, actor):
    member = admitted(
        register["categories"]["employee"],
        register["colleges"]["employees"],
        decided_on=dt.date(2025, 2, 1),
    )
    member_move_college(
        member=member,
        college=register["colleges"]["users"],
        effective_on=dt.date(2025, 5, 1),
        decision_ref="CA 5",
        actor=actor,
    )
    member_exit(
        member=member,
        status="deceased",
        exited_on=dt.date(2025, 8, 1),
        decision_ref="Acte de décès",
        actor=actor,
    )
    assert list(register_at(on=dt.date(2025, 1, 31))) == []  # applicant only: not in register
    (feb,) = register_at(on=dt.date(2025, 2, 1))
    assert (feb.snapshot["college"], feb.snapshot["status"]) == ("employees", "admitted")
    (june,) = register_at(on=dt.date(2025, 6, 30))
    assert june.snapshot["college"] == "users"
    (sept,) = register_at(on=dt.date(2025, 9, 1))
    assert (sept.snapshot["status"], sept.snapshot["exited_on"]) == ("deceased", "2025-08-01")


def test_colleges_configuration_follows_rules_7(register, actor):
    good = [
        CollegeDraft("employees", "Salariés", Decimal("40")),
        CollegeDraft("users", "Bénéficiaires", Decimal("35")),
        CollegeDraft("supporters", "Soutiens", Decimal("25")),
    ]
    colleges_configure(drafts=good, actor=actor)
    with pytest.raises(DomainError, match="between 10"):
        colleges_configure(
            drafts=[
                *good[:2],
                CollegeDraft("supporters", "Soutiens", Decimal("5")),
                CollegeDraft("extra", "Extra", Decimal("20")),
            ],
            actor=actor,
        )
    with pytest.raises(DomainError, match="At least 3 colleges"):
        colleges_configure(
            drafts=[CollegeDraft("a", "A", Decimal("50")), CollegeDraft("b", "B", Decimal("50"))],
            actor=actor,
        )


def test_a_college_with_members_cannot_be_removed(register, actor):
    admitted(register["categories"]["employee"], register["colleges"]["employees"])
    with pytest.raises(DomainError, match="has members"):
        colleges_configure(
            drafts=[
                CollegeDraft("users", "Bénéficiaires", Decimal("50")),
                CollegeDraft("supporters", "Soutiens", Decimal("25")),
                CollegeDraft("other", "Autres", Decimal("25")),
            ],
            actor=actor,
        )


def test_warning_while_a_compulsory_category_is_empty(register, actor):
    names = {c.code for c in categories_missing_compulsory()}
    assert names == {"employee", "beneficiary"}
    admitted(register["categories"]["employee"], register["colleges"]["employees"])
    assert {c.code for c in categories_missing_compulsory()} == {"beneficiary"}


def test_language_change_is_audited_without_a_register_event(register, actor):
    member = admitted(register["categories"]["volunteer"], register["colleges"]["supporters"])
    events_before = member.events.count()
    member_update_contact(member=member, changes={"language": "en"}, actor=actor)
    member.refresh_from_db()
    assert member.language == "en"
    assert member.events.count() == events_before
    assert AuditEvent.objects.filter(
        action="member.preferences_changed", target_id=str(member.pk), data={"language": "en"}
    ).exists()
