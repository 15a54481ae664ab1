"""The administrators' page of a member's shares: the subscription proposed from their
application, confirming it, correcting a movement, and who approves transfers."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from capital import selectors
from capital.models import ShareMovement
from capital.services import share_correct, share_transfer
from tests.capital.factories import capital_setup, member, subscribe
from tests.members.factories import apply

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    return capital_setup()


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- The proposal from the application ---------------------------------------------------------


def test_the_subscribe_page_proposes_the_shares_intended_in_the_application(admin_client, register):
    alice = member(register, last_name="Alice", requested_shares=6)
    page = text(admin_client.get(reverse("capital:subscribe", args=[alice.pk])))
    assert "Proposed from the application: 6 shares (€300.00)" in page
    assert re.search(r'name="shares" value="6"', page)


def test_confirming_the_proposal_records_the_subscription_and_the_proposal_goes(
    admin_client, register, totp_admin
):
    alice = member(register, last_name="Alice", requested_shares=6)
    url = reverse("capital:subscribe", args=[alice.pk])
    posted = {
        "shares": 6,
        "paid_amount": "300.00",
        "effective_on": "2025-03-01",
        "decision_ref": "Bulletin joint à la candidature",
    }
    response = admin_client.post(url, posted, follow=True)
    assert "subscribed 6 shares (€300.00), €300.00 paid" in text(response)
    movement = ShareMovement.objects.get()
    assert (movement.member, movement.shares, movement.actor) == (alice, 6, totp_admin)
    page = text(admin_client.get(url))
    assert "Proposed from the application" not in page
    assert 'name="shares" value="6"' not in page
    assert selectors.subscription_proposal(member=alice) is None


def test_the_members_page_shows_the_proposal_until_a_subscription_is_recorded(
    admin_client, register
):
    alice = member(register, last_name="Alice", requested_shares=1)
    url = reverse("capital:member", args=[alice.pk])
    page = text(admin_client.get(url))
    assert "Proposed from the application: 1 share (€50.00)" in page
    assert "Confirm the proposed subscription" in page
    assert "No movement of shares is recorded for this member yet." in page
    subscribe(alice, 2)
    page = text(admin_client.get(url))
    assert "Proposed from the application" not in page
    assert "Record a subscription" in page


def test_no_proposal_for_an_applicant_or_after_a_corrected_subscription(register):
    alice = member(register, last_name="Alice", requested_shares=3)
    assert selectors.subscription_proposal(member=alice) == 3
    movement = subscribe(alice, 3)
    assert selectors.subscription_proposal(member=alice) is None
    share_correct(movement=movement, effective_on=dt.date(2025, 3, 2), decision_ref="E", actor=None)
    assert selectors.subscription_proposal(member=alice) == 3  # the mistake is undone
    applicant = apply(register["categories"]["volunteer"], last_name="Durand")
    assert selectors.subscription_proposal(member=applicant) is None


# --- The member's movements and their correction -----------------------------------------------


@pytest.fixture
def alice_movements(register):
    alice, bob = member(register, last_name="Alice"), member(register, last_name="Bob")
    sub = subscribe(alice, 4, paid="50.00", due_on=dt.date(2026, 3, 1))
    subscribe(bob, 1)
    _out, into = share_transfer(
        giver=bob,
        receiver=alice,
        shares=1,
        effective_on=dt.date(2025, 3, 5),
        decision_ref="CA",
        actor=None,
    )
    return {"alice": alice, "bob": bob, "sub": sub, "transfer_in": into}


def test_the_members_page_lists_movements_with_links_to_correct(admin_client, alice_movements):
    m = alice_movements
    page = text(admin_client.get(reverse("capital:member", args=[m["alice"].pk])))
    assert re.search(r'id="held-shares">5<', page)
    assert reverse("capital:correct", args=[m["sub"].pk]) in page
    assert reverse("capital:certificate", args=[m["sub"].pk]) in page
    # A transfer is not corrected this way.
    assert reverse("capital:correct", args=[m["transfer_in"].pk]) not in page
    assert "from Claire Bob" in page


def test_the_members_page_query_count_is_flat(admin_client, register):
    alice = member(register, last_name="Alice")
    url = reverse("capital:member", args=[alice.pk])
    subscribe(alice, 1)
    admin_client.get(url)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for day in range(2, 8):
        subscribe(alice, 1, on=dt.date(2025, 3, day))
    assert queries() == few


def test_correcting_a_subscription_records_the_reversing_movement(
    admin_client, alice_movements, totp_admin
):
    sub = alice_movements["sub"]
    url = reverse("capital:correct", args=[sub.pk])
    page = text(admin_client.get(url))
    assert f'id="seq">{sub.seq}<' in page
    assert "reverses movement no. 1: 4 shares and €200.00 of capital" in page
    posted = {"effective_on": "2025-03-10", "decision_ref": "Erreur de saisie, CA 12"}
    response = admin_client.post(url, posted, follow=True)
    assert response.redirect_chain == [
        (reverse("capital:member", args=[alice_movements["alice"].pk]), 302)
    ]
    correction = ShareMovement.objects.get(kind="correction")
    message = f"Movement no. {correction.seq} corrects movement no. 1 of Claire Alice."
    assert message in text(response)
    assert (correction.corrects, correction.shares, correction.amount) == (
        sub,
        -4,
        Decimal("-200.00"),
    )
    assert correction.decision_ref == "Erreur de saisie, CA 12"
    assert correction.actor == totp_admin
    assert f"corrected by no. {correction.seq}" in text(response)


def test_a_movement_already_corrected_cannot_be_corrected_again(admin_client, alice_movements):
    sub = alice_movements["sub"]
    correction = share_correct(
        movement=sub, effective_on=dt.date(2025, 3, 10), decision_ref="E", actor=None
    )
    url = reverse("capital:correct", args=[sub.pk])
    page = text(admin_client.get(url))
    assert f"Movement no. 1 has already been corrected by movement no. {correction.seq}." in page
    assert 'name="decision_ref"' not in page
    before = ShareMovement.objects.count()
    page = text(admin_client.post(url, {"effective_on": "2025-03-11", "decision_ref": "E2"}))
    assert "Movement no. 1 has already been corrected" in page
    assert ShareMovement.objects.count() == before


def test_a_transfer_cannot_be_corrected_and_the_page_says_why(admin_client, alice_movements):
    url = reverse("capital:correct", args=[alice_movements["transfer_in"].pk])
    page = text(admin_client.get(url))
    assert "Only a subscription or a payment can be corrected; this movement is a transfer." in (
        page
    )
    before = ShareMovement.objects.count()
    page = text(admin_client.post(url, {"effective_on": "2025-03-11", "decision_ref": "E"}))
    assert "Only a subscription or a payment can be corrected" in page
    assert ShareMovement.objects.count() == before


def test_a_refused_correction_shows_the_reason_and_records_nothing(admin_client, alice_movements):
    url = reverse("capital:correct", args=[alice_movements["sub"].pk])
    before = ShareMovement.objects.count()
    # Dated before the latest movement: refused by the ledger.
    response = admin_client.post(url, {"effective_on": "2025-03-02", "decision_ref": "E"})
    page = text(response)
    assert "Nothing was recorded" in page and "Movements are recorded in date order" in page
    assert 'value="E"' in page
    assert ShareMovement.objects.count() == before


def test_the_correction_page_is_for_administrators(client, member_user, alice_movements):
    client.force_login(member_user)
    url = reverse("capital:correct", args=[alice_movements["sub"].pk])
    assert client.get(url).status_code == 403
    assert client.get(
        reverse("capital:member", args=[alice_movements["alice"].pk])
    ).status_code == (403)


def test_an_unknown_movement_is_not_found(admin_client, register):
    assert admin_client.get(reverse("capital:correct", args=[999])).status_code == 404


# --- Transfers: who approves them --------------------------------------------------------------


def test_the_transfer_form_names_the_approving_body_and_the_movements_record_it(
    admin_client, register
):
    alice, bob = member(register, last_name="Alice"), member(register, last_name="Bob")
    subscribe(alice, 3)
    url = reverse("capital:transfer", args=[alice.pk])
    page = text(admin_client.get(url))
    assert "The decision of the board approving the transfer" in page
    posted = {"receiver": bob.pk, "shares": 1, "effective_on": "2025-04-01", "decision_ref": "CA 4"}
    admin_client.post(url, posted)
    assert set(
        ShareMovement.objects.filter(kind="transfer").values_list("approved_by", flat=True)
    ) == {"board"}


def test_when_the_statutes_give_transfers_to_the_assembly_the_form_says_so():
    register = capital_setup(transfer_approval_body="general_assembly")
    alice, bob = member(register, last_name="Alice"), member(register, last_name="Bob")
    subscribe(alice, 2)
    out, into = share_transfer(
        giver=alice,
        receiver=bob,
        shares=1,
        effective_on=dt.date(2025, 4, 1),
        decision_ref="AG 2025, résolution 7",
        actor=None,
    )
    assert out.approved_by == into.approved_by == "general_assembly"


def test_the_transfer_page_under_assembly_approval(admin_client):
    register = capital_setup(transfer_approval_body="general_assembly")
    alice = member(register, last_name="Alice")
    page = text(admin_client.get(reverse("capital:transfer", args=[alice.pk])))
    assert "once approved by: the general assembly." in page
    assert "The decision of the general assembly approving the transfer" in page


def test_a_transfer_without_a_decision_reference_is_refused(admin_client, register):
    alice, bob = member(register, last_name="Alice"), member(register, last_name="Bob")
    subscribe(alice, 3)
    url = reverse("capital:transfer", args=[alice.pk])
    posted = {"receiver": bob.pk, "shares": 1, "effective_on": "2025-04-01", "decision_ref": " "}
    page = text(admin_client.post(url, posted))
    assert "Nothing was recorded" in page
    assert not ShareMovement.objects.filter(kind="transfer").exists()


def test_shares_not_fully_paid_cannot_be_transferred(admin_client, register):
    alice, bob = member(register, last_name="Alice"), member(register, last_name="Bob")
    subscribe(alice, 4, paid="50.00", due_on=dt.date(2026, 3, 1))  # 4 shares, 1 paid up
    url = reverse("capital:transfer", args=[alice.pk])
    posted = {"receiver": bob.pk, "shares": 2, "effective_on": "2025-04-01", "decision_ref": "CA"}
    page = text(admin_client.post(url, posted))
    assert (
        "Claire Alice holds 4 shares, paid up to €50.00: they cannot transfer 2 fully paid "
        "shares (€100.00)."
    ) in page
    assert not ShareMovement.objects.filter(kind="transfer").exists()
    admin_client.post(url, {**posted, "shares": 1})
    assert ShareMovement.objects.filter(kind="transfer").count() == 2


def test_the_overview_leads_to_a_members_shares_by_number(admin_client, register):
    alice = member(register, last_name="Alice")
    response = admin_client.get(
        reverse("capital:member_action"), {"number": alice.number, "action": "member"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("capital:member", args=[alice.pk])
