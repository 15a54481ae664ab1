"""The member's shares page, their statement at a date and the share certificates."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from capital.documents import certificate_pdf_html, statement_pdf_html
from capital.services import share_pay
from members.models import Member
from tests.capital.factories import capital_setup, member, subscribe
from tests.coop.factories import UserFactory

pytestmark = pytest.mark.django_db


def _link(who: Member, user) -> Member:
    Member.objects.filter(pk=who.pk).update(user=user)
    who.refresh_from_db()
    return who


@pytest.fixture
def ledger(member_user):
    """Alice (linked to member_user) subscribes 4 shares on 1 March 2025 with 50 € paid and pays
    100 € more on 1 June; Bob subscribes 3 shares, fully paid."""
    register = capital_setup(
        name="Les Communs d'Oisans", registered_office="3 rue du Lac, 38520 Le Bourg-d'Oisans"
    )
    alice = _link(member(register, first_name="Alice", last_name="Martin"), member_user)
    bob = member(register, first_name="Bob", last_name="Bernard")
    alice_sub = subscribe(alice, 4, paid=50)
    bob_sub = subscribe(bob, 3)
    payment = share_pay(
        member=alice,
        amount=Decimal(100),
        effective_on=dt.date(2025, 6, 1),
        decision_ref="Virement juin",
        actor=None,
    )
    return {
        "alice": alice,
        "bob": bob,
        "alice_sub": alice_sub,
        "bob_sub": bob_sub,
        "payment": payment,
    }


def test_me_shows_the_members_figures_and_only_their_movements(client, member_user, ledger):
    client.force_login(member_user)
    response = client.get(reverse("capital:me"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<dd id="shares-held">4</dd>' in html
    assert '<dd id="subscribed">€200.00</dd>' in html
    assert '<dd id="paid">€150.00</dd>' in html
    assert '<dd id="unpaid">€50.00</dd>' in html
    assert [m.seq for m in response.context["movements"]] == [
        ledger["alice_sub"].seq,
        ledger["payment"].seq,
    ]
    assert "Virement juin" in html
    assert "Bernard" not in html
    assert reverse("capital:certificate", args=[ledger["alice_sub"].pk]) in html
    assert reverse("capital:certificate", args=[ledger["bob_sub"].pk]) not in html
    assert f'action="{reverse("capital:me_statement")}"' in html


def test_a_user_without_an_entry_is_told_why_there_are_no_shares(client, db):
    user = UserFactory(roles=["member"])
    client.force_login(user)
    response = client.get(reverse("capital:me"))
    assert response.status_code == 200
    assert "not linked to an entry in the member register" in response.content.decode()


def test_me_requires_sign_in(client, db):
    response = client.get(reverse("capital:me"))
    assert response.status_code == 302


def test_statement_at_a_past_date_reflects_the_balance_then(client, member_user, ledger):
    html = statement_pdf_html(member=ledger["alice"], on=dt.date(2025, 4, 1))
    assert "à capital variable" in html
    assert "Alice Martin" in html
    assert f"<dd>{ledger['alice'].number}</dd>" in html
    assert '<dd id="shares-held">4</dd>' in html
    assert '<dd id="paid">€50.00</dd>' in html
    assert '<dd id="unpaid">€150.00</dd>' in html
    assert "Bulletin de souscription" in html
    assert "Virement juin" not in html  # paid after that date

    client.force_login(member_user)
    response = client.get(reverse("capital:me_statement"), {"on": "2025-04-01"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "2025-04-01" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")


def test_statement_defaults_to_today(client, member_user, ledger):
    client.force_login(member_user)
    response = client.get(reverse("capital:me_statement"))
    assert response.status_code == 200
    assert timezone.localdate().isoformat() in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")


def test_statement_at_a_future_date_is_refused_and_the_date_kept(client, member_user, ledger):
    client.force_login(member_user)
    future = timezone.localdate() + dt.timedelta(days=3)
    response = client.get(reverse("capital:me_statement"), {"on": future.isoformat()})
    assert response.status_code == 400
    html = response.content.decode()
    assert "is in the future" in html
    assert f'value="{future.isoformat()}"' in html
    assert 'aria-invalid="true"' in html


def test_certificate_is_for_its_member(client, member_user, ledger):
    client.force_login(member_user)
    response = client.get(reverse("capital:certificate", args=[ledger["alice_sub"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_another_member_gets_not_found(client, member_user, ledger):
    client.force_login(member_user)
    assert (
        client.get(reverse("capital:certificate", args=[ledger["bob_sub"].pk])).status_code == 404
    )
    # A payment has no certificate.
    url = reverse("capital:certificate", args=[ledger["payment"].pk])
    assert client.get(url).status_code == 404


def test_administrators_with_totp_read_any_certificate(admin_client, ledger):
    response = admin_client.get(reverse("capital:certificate", args=[ledger["bob_sub"].pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_administrators_without_totp_are_sent_to_set_it_up(client, admin_user, ledger):
    client.force_login(admin_user)
    response = client.get(reverse("capital:certificate", args=[ledger["bob_sub"].pk]))
    assert response.status_code == 302
    assert reverse("mfa_activate_totp") in response["Location"]


def test_certificate_names_the_cooperative_the_member_and_the_subscription(ledger):
    movement = ledger["alice_sub"]
    html = certificate_pdf_html(movement=movement)
    assert "Les Communs d&#x27;Oisans" in html
    assert "à capital variable" in html
    assert "3 rue du Lac, 38520 Le Bourg-d&#x27;Oisans" in html
    assert "Alice Martin" in html
    assert f'<dd id="seq">{movement.seq}</dd>' in html
    assert "Alice Martin subscribed 4 shares of its capital" in html
    assert '<dd id="shares">4</dd>' in html
    assert '<dd id="nominal">€50.00</dd>' in html
    assert '<dd id="amount">€200.00</dd>' in html
    assert '<dd id="decision">Bulletin de souscription</dd>' in html


def test_me_in_french(client, member_user, ledger):
    client.force_login(member_user)
    response = client.get(reverse("capital:me"), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="fr"' in html
    assert "200,00\xa0€" in html
