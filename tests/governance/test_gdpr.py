"""The member's general assemblies in their personal-data export (RULES 5, 11, 14-16): who
took part, never what they voted (README "Online voting")."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from coop.outbox.letters import letters_mark_posted
from governance.models import Ballot, Participation, RollEntry, UrnBallot
from governance.services.ballots import ballot_cast, receipt_digest
from governance.services.convocation import assembly_convene
from governance.services.meeting import roll_entry_check_in
from governance.services.proxies import proxy_give, proxy_revoke
from members.gdpr import personal_data_export
from members.models import Member
from tests.governance.factories import draft_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.django_db


def _entry(assembly, member) -> RollEntry:
    return RollEntry.objects.get(assembly=assembly, member=member)


def _choices(assembly, *choices):
    pks = list(assembly.resolutions.order_by("number").values_list("pk", flat=True))
    return dict(zip(pks, choices, strict=True))


@pytest.fixture
def meeting(admin_user):
    """Ana (e-mail notices), Ben, Chloé and Dan on the roll of a convened assembly with two
    resolutions. Ana gave her proxy to Chloé and revoked it; Ben gave his to Ana. Ana voted at
    distance for herself and for Ben, Chloé voted too; Dan was checked in at the meeting."""
    register = statutes_and_register()
    ana, ben, chloe, dan = members_admitted(register, 4)
    Member.objects.filter(pk=ana.pk).update(
        e_notices=True, e_notices_changed_at=timezone.now(), language="en"
    )
    assembly = assembly_convene(
        assembly=draft_assembly(title="AGO 2026", resolutions=2), actor=admin_user
    )
    entries = {
        name: _entry(assembly, m) for name, m in zip("abcd", (ana, ben, chloe, dan), strict=True)
    }
    revoked = proxy_give(assembly=assembly, giver=entries["a"], holder=entries["c"], actor=None)
    proxy_revoke(proxy=revoked, actor=None)
    held = proxy_give(assembly=assembly, giver=entries["b"], holder=entries["a"], actor=None)
    before = assembly.distance_vote_deadline - dt.timedelta(hours=1)
    receipts = [
        ballot_cast(
            assembly=assembly,
            voter=entries["a"],
            choices=_choices(assembly, "for", "against"),
            actor=None,
            now=before,
        ).receipt,
        ballot_cast(
            assembly=assembly,
            voter=entries["a"],
            principal=entries["b"],
            choices=_choices(assembly, "abstain", "for"),
            actor=None,
            now=before,
        ).receipt,
    ]
    ballot_cast(
        assembly=assembly,
        voter=entries["c"],
        choices=_choices(assembly, "against", "against"),
        actor=None,
        now=before,
    )
    # On the meeting's day (RULES 31).
    roll_entry_check_in(roll_entry=entries["d"], actor=admin_user, now=assembly.starts_at)
    return {
        "assembly": assembly,
        "members": (ana, ben, chloe, dan),
        "entries": entries,
        "revoked": revoked,
        "held": held,
        "receipts": receipts,
    }


def _stamp(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def test_the_export_holds_roll_convocation_proxies_and_participations(meeting):
    ana = meeting["members"][0]
    assembly, entries = meeting["assembly"], meeting["entries"]
    data = personal_data_export(member=ana)
    (section,) = data["general_assemblies"]

    assert _stamp(section.pop("starts_at")) == assembly.starts_at
    given = section.pop("proxies_given")
    received = section.pop("proxies_received")
    participations = section.pop("participations")
    assert section.pop("written_questions") == []  # see tests/governance/test_questions.py
    assert section == {
        "title": "AGO 2026",
        "kind": "ordinary",
        "kind_label": "ordinary general assembly",
        "convocation": "first",
        "convocation_label": "first convocation",
        "place": "Salle des fêtes, 38000 Grenoble",
        "status": "convened",
        "status_label": "convened",
        "on_the_roll_as": {
            "member_number": ana.number,
            "name": entries["a"].name,
            "address": entries["a"].address,
            "college": "Soutiens",
        },
        "convened": {
            "channel": "email",
            "channel_label": "e-mail",
            "to_email": ana.email,
            "status": "pending",
            "status_label": "waiting to be sent",
            "sent_at": None,
        },
        "checked_in_at": None,
    }

    revoked = meeting["revoked"]
    revoked.refresh_from_db()
    chloe, ben = entries["c"], entries["b"]
    assert [(_stamp(p.pop("given_at")), _stamp(p.pop("revoked_at"))) for p in given] == [
        (revoked.given_at, revoked.revoked_at)
    ]
    assert given == [
        {
            "holder": {"name": chloe.name, "member_number": chloe.member_number},
            "recorded_by": "cooperative",
        }
    ]
    assert [(_stamp(p.pop("given_at")), p.pop("revoked_at")) for p in received] == [
        (meeting["held"].given_at, None)
    ]
    assert received == [{"giver": {"name": ben.name, "member_number": ben.member_number}}]

    ben_as_principal = {"name": ben.name, "member_number": ben.member_number}
    assert participations == [
        {
            "resolution_number": number,
            "resolution_title": f"Résolution {number}",
            "channel": "distance",
            "channel_label": "at distance",
            "cast_by_holder": None,
            "cast_for_principal": principal,
        }
        for number in (1, 2)
        for principal in (None, ben_as_principal)
    ]
    json.dumps(data)


def test_the_principal_sees_their_vote_cast_by_the_holder(meeting):
    ben = meeting["members"][1]
    ana = meeting["entries"]["a"]
    data = personal_data_export(member=meeting["members"][1])
    (section,) = data["general_assemblies"]
    assert section["on_the_roll_as"]["member_number"] == ben.number
    assert [p["holder"] for p in section["proxies_given"]] == [
        {"name": ana.name, "member_number": ana.member_number}
    ]
    assert section["proxies_received"] == []
    assert [(p["resolution_number"], p["cast_by_holder"]) for p in section["participations"]] == [
        (1, {"name": ana.name, "member_number": ana.member_number}),
        (2, {"name": ana.name, "member_number": ana.member_number}),
    ]
    assert all(p["cast_for_principal"] is None for p in section["participations"])
    # Ben gets letters: the letter is proof of the convocation once posted.
    assert section["convened"]["channel"] == "letter"
    assert section["convened"]["status"] == "pending"


def test_the_check_in_time_and_the_posting_of_the_letter(meeting, admin_user):
    dan = meeting["members"][3]
    letters_mark_posted(
        notice=meeting["assembly"].convocation_notice,
        posted_on=timezone.localdate(),
        actor=admin_user,
    )
    (section,) = personal_data_export(member=dan)["general_assemblies"]
    entry = meeting["entries"]["d"]
    entry.refresh_from_db()
    assert _stamp(section["checked_in_at"]) == entry.present_at
    assert section["convened"]["status"] == "sent"
    noon = dt.datetime.combine(
        timezone.localdate(), dt.time(12), tzinfo=timezone.get_current_timezone()
    )
    assert _stamp(section["convened"]["sent_at"]) == noon
    assert section["proxies_given"] == section["proxies_received"] == []
    assert section["participations"] == []


def test_another_members_data_is_not_in_the_export(meeting):
    """Dan's export names nobody else; Ana's does not name Dan, who took no part with her."""
    ana, _ben, _chloe, dan = meeting["members"]
    entries = meeting["entries"]
    dan_text = json.dumps(personal_data_export(member=dan))
    for other in ("a", "b", "c"):
        assert entries[other].name not in dan_text
    ana_text = json.dumps(personal_data_export(member=ana))
    assert entries["d"].name not in ana_text
    assert dan.email not in ana_text
    # Chloé is named in Ana's export only as the holder of the revoked proxy, not as a voter.
    (section,) = json.loads(ana_text)["general_assemblies"]
    assert entries["c"].name not in json.dumps(section["participations"])


def test_a_member_who_voted_finds_none_of_their_ballots_in_the_export(meeting):
    """Secret ballots: no choice, ballot key, receipt code or digest; and the export does not
    change when the ballots do, so it cannot tell how the member voted."""
    ana = meeting["members"][0]
    assembly = meeting["assembly"]
    resolutions = list(assembly.resolutions.values_list("pk", flat=True))
    digests = {
        receipt_digest(code=code, resolution_id=pk)
        for code in meeting["receipts"]
        for pk in resolutions
    }
    ballots = UrnBallot.objects.filter(receipt__in=digests)  # the vote is open: in the urn
    assert ballots.count() == 4  # Ana's two and the two she cast for Ben
    keys = {str(pk) for pk in ballots.values_list("id", flat=True)}
    assert Participation.objects.filter(roll_entry__member=ana).count() == 2

    data = personal_data_export(member=ana)
    text = json.dumps(data)
    for secret in (*meeting["receipts"], *digests, *keys):
        assert secret not in text

    def walk(value, path="") -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                assert not any(word in key for word in ("choice", "ballot", "receipt")), path
                walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for item in value:
                walk(item, path)
        else:
            assert value not in Ballot.Choice.values, f"{path} = {value!r}"

    section = data["general_assemblies"]
    walk(section)

    # Every choice and digest of Ana's and Ben's ballots changed: the export is the same.
    for ballot in ballots:
        ballot.choice = {"for": "against", "against": "abstain", "abstain": "for"}[ballot.choice]
        ballot.receipt = receipt_digest(code=f"changed-{ballot.pk}", resolution_id=1)
        ballot.save(update_fields=["choice", "receipt"])
    assert personal_data_export(member=ana)["general_assemblies"] == section
