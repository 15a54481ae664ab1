"""The member's share capital in their personal-data export (RULES 5, 24, 25)."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from capital.models import RepaymentRequest
from capital.services import (
    repayment_make,
    share_correct,
    share_pay,
    share_transfer,
)
from heritage.services import community_join
from members.gdpr import personal_data_export
from members.models import Member
from members.services import member_exit
from tests.capital.factories import DAY, approve_accounts, capital_setup, member, subscribe
from tests.coop.factories import UserFactory
from tests.governance.factories import convened_assembly
from tests.heritage.factories import community

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    return capital_setup()


@pytest.fixture
def ledger(register):
    """Alice subscribes 4 shares with 50 € paid, pays 100 €, pays 25 € by mistake (corrected),
    and receives 1 share from Bob, who subscribed 3 shares fully paid."""
    alice = member(
        register,
        first_name="Alice",
        last_name="Martin",
        email="alice@example.org",
        e_notices=True,
        language="en",
    )
    bob = member(register, first_name="Bob", last_name="Bernard", email="bob@example.org")
    alice_sub = subscribe(alice, 4, paid="50.00", due_on=dt.date(2026, 3, 1))
    bob_sub = subscribe(bob, 3)
    payment = share_pay(
        member=alice,
        amount=Decimal(100),
        effective_on=dt.date(2025, 6, 1),
        decision_ref="Virement juin",
        actor=None,
    )
    twice = share_pay(
        member=alice,
        amount=Decimal(25),
        effective_on=dt.date(2025, 6, 2),
        decision_ref="Virement en double",
        actor=None,
    )
    fix = share_correct(
        movement=twice, effective_on=dt.date(2025, 6, 3), decision_ref="Erreur", actor=None
    )
    out, into = share_transfer(
        giver=bob,
        receiver=alice,
        shares=1,
        effective_on=dt.date(2025, 7, 1),
        decision_ref="CA 2025-07",
        actor=None,
    )
    return {
        "alice": alice,
        "bob": bob,
        "alice_sub": alice_sub,
        "bob_sub": bob_sub,
        "payment": payment,
        "twice": twice,
        "fix": fix,
        "out": out,
        "into": into,
    }


def _movement(movement, capital, paid_up, unpaid, **fields):
    """What the export says of a movement, with its three amounts and what differs by kind."""
    row = {
        "number": movement.seq,
        "effective_on": movement.effective_on.isoformat(),
        "kind": str(movement.kind),
        "kind_label": str(movement.kind),  # the English labels are the values
        "shares": movement.shares,
        "nominal_value": "50.00",
        "capital_change": capital,
        "paid_up_change": paid_up,
        "unpaid_change": unpaid,
        "paid_back_to_member": "0.00",
        "rest_due_by": None,
        "decision_ref": movement.decision_ref,
        "approved_by": "",
        "transfer": None,
        "corrects_number": None,
        "corrected_by_number": None,
        "certificate": None,
    }
    row.update(fields)
    return row


def _without_recorded_at(rows):
    for row in rows:
        assert dt.datetime.fromisoformat(row.pop("recorded_at")).tzinfo is not None
    return rows


def test_the_export_holds_the_members_holding_movements_and_certificates(ledger):
    alice, bob = ledger["alice"], ledger["bob"]
    data = personal_data_export(member=alice)
    section = data["share_capital"]

    assert section["holding"] == {
        "on": timezone.localdate().isoformat(),
        "shares": 5,
        "subscribed": "250.00",
        "paid": "200.00",
        "unpaid": "50.00",
    }
    sub = ledger["alice_sub"]
    certificate_url = settings.SITE_URL.rstrip("/") + reverse("capital:certificate", args=[sub.pk])
    assert _without_recorded_at(section["movements"]) == [
        _movement(
            sub,
            "200.00",
            "50.00",
            "150.00",
            rest_due_by="2026-03-01",
            certificate={
                "number": sub.seq,
                "url": certificate_url,
                "sent_by": "email",
                "sending_status": "pending",
                "sent_at": None,
            },
        ),
        _movement(ledger["payment"], "0.00", "100.00", "-100.00"),
        _movement(
            ledger["twice"], "0.00", "25.00", "-25.00", corrected_by_number=ledger["fix"].seq
        ),
        _movement(ledger["fix"], "0.00", "-25.00", "25.00", corrects_number=ledger["twice"].seq),
        _movement(
            ledger["into"],
            "50.00",
            "50.00",
            "0.00",
            approved_by="board",
            transfer={"direction": "in", "other_member_number": bob.number},
        ),
    ]
    assert section["repayment_requests"] == []

    # Nothing of Bob's but his number, as the other member of the transfer.
    text = json.dumps(data)
    assert "Bernard" not in text and "bob@example.org" not in text
    numbers = [m["number"] for m in section["movements"]]
    assert ledger["bob_sub"].seq not in numbers and ledger["out"].seq not in numbers


def test_the_giver_of_a_transfer_sees_it_going_out_to_a_member_number(ledger):
    alice, bob = ledger["alice"], ledger["bob"]
    section = personal_data_export(member=bob)["share_capital"]
    out = ledger["out"]
    assert [m["number"] for m in section["movements"]] == [ledger["bob_sub"].seq, out.seq]
    assert section["movements"][1]["transfer"] == {
        "direction": "out",
        "other_member_number": alice.number,
    }
    assert section["movements"][1]["shares"] == -1
    assert section["holding"]["shares"] == 2
    text = json.dumps(section)
    assert "Martin" not in text and "alice@example.org" not in text
    # Bob gets letters: his certificate is a letter still to post.
    assert section["movements"][0]["certificate"]["sent_by"] == "letter"


def test_a_member_without_shares_has_an_empty_holding(register):
    newcomer = member(register, last_name="Nouveau")
    section = personal_data_export(member=newcomer)["share_capital"]
    assert section["holding"]["shares"] == 0
    assert section["holding"]["subscribed"] == "0.00"
    assert section["movements"] == []
    assert section["repayment_requests"] == []


def test_the_repayment_request_is_queued_then_repaid(register):
    keeper = member(register, last_name="Reste")
    subscribe(keeper, 10)
    leaver = member(register, last_name="Part")
    subscribe(leaver, 4, paid="100.00", due_on=dt.date(2026, 1, 1))
    member_exit(
        member=leaver,
        status=Member.Status.RESIGNED,
        exited_on=dt.date(2025, 6, 1),
        decision_ref="Lettre",
        actor=None,
    )

    (request,) = personal_data_export(member=leaver)["share_capital"]["repayment_requests"]
    assert dt.datetime.fromisoformat(request.pop("entered_queue_at")).tzinfo is not None
    assert request == {
        "exited_on": "2025-06-01",
        "shares": 4,
        "status": "queued",
        "accounts_of_year_ending": "2025-12-31",
        "accounts_approved_on": None,
        "repay_by": "2030-12-31",
        "repayment": None,
    }

    approve_accounts(2025, losses="2.50")
    repaid = repayment_make(
        request=RepaymentRequest.objects.get(member=leaver),
        effective_on=dt.date(2026, 7, 1),
        decision_ref="AG 2026",
        actor=None,
    )
    data = personal_data_export(member=leaver)
    section = data["share_capital"]
    (request,) = section["repayment_requests"]
    assert request["status"] == "repaid"
    assert request["accounts_approved_on"] == "2026-06-15"
    assert request["repayment"] == {
        "number": repaid.seq,
        "effective_on": "2026-07-01",
        "shares": -4,
        "capital_change": "-200.00",
        "paid_up_change": "-100.00",
        "paid_back_to_member": "90.00",
        "decision_ref": "AG 2026",
    }
    assert section["movements"][-1]["number"] == repaid.seq
    assert section["movements"][-1]["paid_back_to_member"] == "90.00"
    assert section["holding"]["shares"] == 0
    json.dumps(data)
    assert "Reste" not in json.dumps(data)
    # The member who stayed has no request of anyone else's.
    assert personal_data_export(member=keeper)["share_capital"]["repayment_requests"] == []


def test_the_downloaded_personal_data_holds_capital_assemblies_and_heritage(client, register):
    """Through the member's portal: the JSON file has the sections of the three apps."""
    user = UserFactory(roles=["member"], email="alice@example.org")
    alice = member(register, first_name="Alice", last_name="Martin", email="alice@example.org")
    Member.objects.filter(pk=alice.pk).update(user=user)
    alice.refresh_from_db()
    other = member(register, first_name="Bob", last_name="Bernard")
    subscribe(alice, 2, on=DAY)
    subscribe(other, 3, on=DAY)
    convened_assembly(members=[alice, other], title="AGO 2026")
    community_join(community=community(name="Mémoire des canuts"), user=user, notify=True)

    client.force_login(user)
    response = client.get(reverse("members:me_data"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert list(data)[-3:] == ["share_capital", "general_assemblies", "heritage"]
    assert data["share_capital"]["holding"]["shares"] == 2
    assert [m["shares"] for m in data["share_capital"]["movements"]] == [2]
    (assembly,) = data["general_assemblies"]
    assert assembly["title"] == "AGO 2026"
    assert assembly["on_the_roll_as"]["member_number"] == alice.number
    assert [c["community"] for c in data["heritage"]["communities"]] == ["Mémoire des canuts"]
    assert "Bernard" not in response.content.decode()
