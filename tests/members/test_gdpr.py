"""The personal-data export's sections about the core: the mails sent and the audit entries."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from coop.audit import audit_record
from coop.models import Notice, NoticeDelivery
from members import gdpr
from members.services import members_ratify
from tests.coop.factories import StatutesFactory, UserFactory
from tests.governance.test_gdpr import meeting  # noqa: F401 - the fixture
from tests.members.factories import admitted, standard_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(db):
    StatutesFactory(effective_from=dt.date(2020, 1, 1))
    return standard_register()


@pytest.fixture
def secretary(db):
    return UserFactory(roles=["administrator"], email="secretary@example.org")


def _member(register, *, email, last_name, actor):
    user = UserFactory(roles=["member"], email=email)
    member = admitted(
        register["categories"]["employee"],
        register["colleges"]["employees"],
        last_name=last_name,
        email=email,
        actor=actor,
    )
    member.user = user
    member.save(update_fields=["user"])
    return member


@pytest.fixture
def claire(register, secretary):
    return _member(register, email="claire@example.org", last_name="Durand", actor=secretary)


@pytest.fixture
def marc(register, secretary):
    return _member(register, email="marc@example.org", last_name="Voisin", actor=secretary)


def _deliver(member_key, *, kind, subject, body, status=NoticeDelivery.Status.SENT, **extra):
    notice = Notice.objects.create(kind=kind, reference=f"{kind}:{member_key}")
    if status == NoticeDelivery.Status.SENT:
        extra.setdefault("sent_at", dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC))
    return NoticeDelivery.objects.create(
        notice=notice,
        recipient_key=member_key,
        to_email="claire@example.org",
        subject=subject,
        body_text=body,
        status=status,
        **extra,
    )


def test_the_export_holds_the_mails_sent_to_the_member_and_only_theirs(client, claire, marc):
    _deliver(
        f"member:{claire.pk}",
        kind="convocation",
        subject="Convocation AGO 2026",
        body="Dear Claire, you are convened.",
        sent_at=dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC),
    )
    _deliver(
        f"user:{claire.user_id}",
        kind="gathering_reminder",
        subject="Reminder",
        body="See you Sunday.",
        status=NoticeDelivery.Status.FAILED,
    )
    _deliver(
        f"member:{claire.pk}",
        kind="letter_notice",
        subject="Letter",
        body="By post.",
        channel=NoticeDelivery.Channel.LETTER,
        status=NoticeDelivery.Status.PENDING,
    )
    _deliver(f"member:{marc.pk}", kind="convocation", subject="Marc's", body="Dear Marc")

    client.force_login(claire.user)
    data = client.get(reverse("members:me_data"), HTTP_ACCEPT_LANGUAGE="en").json()

    mails = data["mails_sent"]
    assert [m["subject"] for m in mails] == ["Convocation AGO 2026", "Reminder", "Letter"]
    first = mails[0]
    assert first["kind"] == "convocation"
    assert first["channel"] == "email"
    assert first["status"] == "sent"
    assert first["status_label"] == "sent"
    assert first["body_text"] == "Dear Claire, you are convened."
    assert dt.datetime.fromisoformat(first["sent_at"]) == dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)
    assert first["created_at"]
    assert mails[1]["status"] == "failed" and mails[1]["sent_at"] is None
    assert mails[2]["channel"] == "letter"
    assert "Dear Marc" not in str(data)


def test_the_status_of_a_mail_is_labelled_in_the_members_language(client, claire):
    _deliver(f"member:{claire.pk}", kind="convocation", subject="Convocation", body="Bonjour")
    client.force_login(claire.user)
    data = client.get(reverse("members:me_data"), HTTP_ACCEPT_LANGUAGE="fr").json()
    assert data["mails_sent"][0]["status_label"] == "envoyé"


def test_the_export_holds_the_audit_entries_about_the_member(claire, marc, secretary):
    audit_record(actor=secretary, action="member.contact_changed", target=claire, data={"x": 1})
    audit_record(
        actor=None,
        action="assembly.vote_participation",
        data={"member_number": claire.number, "channel": "online"},
    )
    audit_record(actor=claire.user, action="member.preferences_changed", target=claire.user)
    audit_record(actor=secretary, action="capital.repayment", data={"member": claire.pk})
    # Not about Claire: another member, another number, a note with no member.
    audit_record(actor=secretary, action="member.contact_changed", target=marc, data={"y": 2})
    audit_record(actor=None, action="assembly.vote_participation", data={"member_number": 999})
    audit_record(actor=secretary, action="statutes.version_created", data={})

    entries = gdpr.personal_data_export(member=claire)["audit_entries"]
    actions = [e["action"] for e in entries]
    assert "member.contact_changed" in actions
    assert {
        "assembly.vote_participation",
        "member.preferences_changed",
        "capital.repayment",
    } <= set(actions)
    assert "statutes.version_created" not in actions
    assert {"y": 2} not in [e["data"] for e in entries]
    assert {"member_number": 999} not in [e["data"] for e in entries]
    by_action = {e["action"]: e for e in entries if e["action"] != "members.admitted"}
    assert by_action["member.contact_changed"]["recorded_by"] == "cooperative"
    assert by_action["assembly.vote_participation"]["recorded_by"] == "system"
    assert by_action["member.preferences_changed"]["recorded_by"] == "member"
    assert "secretary@example.org" not in str(entries)
    assert [e["occurred_at"] for e in entries] == sorted(e["occurred_at"] for e in entries)


def test_the_audit_entries_include_the_register_s_own_events(register, claire, secretary):
    members_ratify(
        members=[claire], ratified_on=dt.date(2025, 6, 1), assembly_ref="AGO 2025", actor=secretary
    )
    entries = gdpr.personal_data_export(member=claire)["audit_entries"]
    assert len(entries) >= 2
    assert all(e["recorded_by"] in {"member", "cooperative", "system"} for e in entries)


@pytest.mark.usefixtures("admin_user")
def test_the_audit_entries_and_mails_of_a_voter_hold_no_ballot(meeting):  # noqa: F811
    """Ana voted for herself and for Ben (tests.governance.test_gdpr): her audit entries say
    that she took part, never a choice or a receipt."""
    from governance.models import Ballot
    from governance.services.ballots import receipt_digest

    ana = meeting["members"][0]
    data = gdpr.personal_data_export(member=ana)
    actions = [e["action"] for e in data["audit_entries"]]
    # Her own vote, and the one she cast for Ben; the proxies she gave, revoked and held.
    assert actions.count("assembly.vote_participation") == 2
    assert actions.count("assembly.proxy_given") == 2
    assert "assembly.proxy_revoked" in actions
    resolutions = list(meeting["assembly"].resolutions.values_list("pk", flat=True))
    secrets = [
        *meeting["receipts"],
        *(
            receipt_digest(code=c, resolution_id=pk)
            for c in meeting["receipts"]
            for pk in resolutions
        ),
    ]
    text = json.dumps({"audit": data["audit_entries"], "mails": data["mails_sent"]})
    for secret in secrets:
        assert secret not in text

    def walk(value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                assert not any(word in key for word in ("choice", "receipt")), key
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        else:
            assert value not in Ballot.Choice.values, value

    walk([e["data"] for e in data["audit_entries"]])
