"""The capital desk (administrators): the overview's figures, recording a subscription and a
repayment through the browser's forms, refusals shown with nothing written, and access."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from capital import selectors
from capital.models import RepaymentRequest, ShareMovement
from capital.services import repayment_request_for_exit
from members.services import member_exit
from tests.capital.factories import approve_accounts, capital_setup, member, subscribe

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("capital:overview")


@pytest.fixture
def register():
    return capital_setup()


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _exit(who, on):
    member_exit(member=who, status="resigned", exited_on=on, decision_ref="Lettre", actor=None)
    return repayment_request_for_exit(member=who)


@pytest.fixture
def queue(register):
    """Capital 450 € (highest 450, floor 112.50): Bob (6 shares) left before Carol (1 share)."""
    alice, bob, carol = (member(register, last_name=n) for n in ("Alice", "Bob", "Carol"))
    subscribe(alice, 2)
    subscribe(bob, 6)
    subscribe(carol, 1)
    queue = {
        "bob": _exit(bob, dt.date(2025, 5, 1)),
        "carol": _exit(carol, dt.date(2025, 6, 1)),
    }
    approve_accounts(2025, losses="1.50")  # approved on 15 June 2026
    return queue


def test_overview_shows_capital_highest_floor_public_bodies_and_unpaid_calls(
    admin_client, register
):
    town = member(register, "public", last_name="Commune")
    alice = member(register, last_name="Alice")
    subscribe(alice, 8, paid="100.00", due_on=dt.date(2025, 4, 1))  # 400 €, 300 € due in April
    subscribe(town, 4)  # 200 €
    page = text(admin_client.get(OVERVIEW, {"on": "2025-05-01"}))
    assert re.search(r'id="capital">€600\.00', page)
    assert re.search(r'id="highest">€600\.00', page)
    assert re.search(r'id="floor">€150\.00', page)
    assert "€200.00 (33.3% of the capital; at most 50%)" in page
    assert "Alice" in page.split("Unpaid calls due")[1] and "300.00" in page
    # Before the due date nothing is due yet; before the first movement the capital is nil.
    assert "No unpaid amount is due." in text(admin_client.get(OVERVIEW, {"on": "2025-03-15"}))
    assert re.search(r'id="capital">€0\.00', text(admin_client.get(OVERVIEW, {"on": "2024-01-01"})))


def test_overview_lists_the_queue_in_order_of_exits_with_a_repay_form_for_the_first(
    admin_client, queue
):
    page = text(admin_client.get(OVERVIEW))
    table = page.split('id="queue-caption"')[1].split("</table>")[0]
    assert table.index("Bob") < table.index("Carol")
    assert f'action="{reverse("capital:repay", args=[queue["bob"].pk])}"' in page
    assert reverse("capital:repay", args=[queue["carol"].pk]) not in page


def test_subscription_is_recorded_and_the_overview_says_so(admin_client, register, totp_admin):
    alice = member(register, last_name="Alice")
    url = reverse("capital:subscribe", args=[alice.pk])
    assert "€50.00" in text(admin_client.get(url))  # the nominal value in force
    response = admin_client.post(
        url,
        {
            "shares": 4,
            "paid_amount": "50.00",
            "due_on": "2026-03-01",
            "effective_on": "2025-03-01",
            "decision_ref": "Bulletin n° 12",
        },
        follow=True,
    )
    assert response.redirect_chain == [(OVERVIEW, 302)]
    assert "subscribed 4 shares (€200.00), €50.00 paid" in text(response)
    movement = ShareMovement.objects.get()
    assert (movement.member, movement.amount, movement.paid_amount) == (
        alice,
        Decimal("200.00"),
        Decimal("50.00"),
    )
    assert movement.due_on == dt.date(2026, 3, 1) and movement.actor == totp_admin


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"shares": 4, "paid_amount": "10.00", "due_on": "2026-03-01"},
            "For 4 shares at €50.00 (€200.00), pay now between €50.00 and €200.00, not €10.00.",
        ),
        (
            {"shares": 4, "paid_amount": "50.00", "due_on": "2031-03-01"},
            "The rest (€150.00) must be due on a date between",
        ),
        (
            {"shares": 4, "paid_amount": "200.00", "effective_on": "2025-02-01"},
            "Movements are recorded in date order",
        ),
    ],
)
def test_a_refused_subscription_shows_the_reason_keeps_the_input_and_writes_nothing(
    admin_client, register, data, expected
):
    subscribe(member(register, last_name="Bob"), 1)
    alice = member(register, last_name="Alice")
    before = ShareMovement.objects.count()
    posted = {"effective_on": "2025-03-01", "decision_ref": "Bulletin n° 12", **data}
    response = admin_client.post(reverse("capital:subscribe", args=[alice.pk]), posted)
    assert response.status_code == 200
    page = text(response)
    assert "Nothing was recorded" in page and expected in page
    assert 'name="paid_amount" value="{}"'.format(data["paid_amount"]) in page
    assert 'id="total">€200.00' in page
    assert ShareMovement.objects.count() == before


def test_a_subscription_for_a_member_who_left_is_refused(admin_client, register):
    alice = member(register, last_name="Alice")
    member_exit(
        member=alice,
        status="resigned",
        exited_on=dt.date(2025, 2, 15),
        decision_ref="L",
        actor=None,
    )
    posted = {"shares": 1, "paid_amount": "50", "effective_on": "2025-03-01", "decision_ref": "B"}
    page = text(admin_client.post(reverse("capital:subscribe", args=[alice.pk]), posted))
    assert "Nothing was recorded" in page and "is not a current member on" in page
    assert not ShareMovement.objects.exists()


def test_repayment_is_recorded_and_leaves_the_queue(admin_client, queue):
    response = admin_client.post(
        reverse("capital:repay", args=[queue["bob"].pk]),
        {"effective_on": "2026-07-01", "losses": "", "decision_ref": "AG 2026"},
        follow=True,
    )
    assert response.redirect_chain == [(OVERVIEW, 302)]
    # 6 shares at €1.50 of losses each: 300 € paid up, 9 € charged.
    assert "Bob are repaid" in text(response) and "€291.00 paid back" in text(response)
    assert list(selectors.repayment_queue()) == [queue["carol"]]
    assert queue["bob"].__class__.objects.get(pk=queue["bob"].pk).repayment.cash_amount == Decimal(
        "291.00"
    )


def test_repayment_below_the_floor_is_refused_with_the_figures_and_stays_in_the_queue(
    admin_client, queue
):
    posted = {"effective_on": "2026-07-01", "losses": "", "decision_ref": "AG 2025"}
    admin_client.post(reverse("capital:repay", args=[queue["bob"].pk]), posted)
    before = ShareMovement.objects.count()
    response = admin_client.post(reverse("capital:repay", args=[queue["carol"].pk]), posted)
    assert response.status_code == 200
    page = text(response)
    assert "Nothing was recorded" in page
    for figure in ("€150.00", "€100.00", "€112.50", "€450.00"):  # capital, after, floor, max
        assert figure in page
    assert 'value="AG 2025"' in page  # what was typed is kept
    assert ShareMovement.objects.count() == before
    assert RepaymentRequest.objects.get(pk=queue["carol"].pk).is_pending
    assert "Carol" in page.split('id="queue-caption"')[1]


def test_members_who_are_not_administrators_are_refused(client, register, member_user):
    alice = member(register)
    client.force_login(member_user)
    assert client.get(OVERVIEW).status_code == 403
    for name in ("subscribe", "pay", "transfer"):
        assert client.get(reverse(f"capital:{name}", args=[alice.pk])).status_code == 403
    assert client.post(reverse("capital:repay", args=[1]), {}).status_code == 403


def test_administrator_without_totp_is_sent_to_set_it_up(client, register, admin_user):
    alice = member(register)
    client.force_login(admin_user)
    urls = [OVERVIEW] + [reverse(f"capital:{n}", args=[alice.pk]) for n in ("subscribe", "pay")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_overview_renders_in_french(admin_client, queue):
    response = admin_client.get(OVERVIEW, HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="fr">' in response.content.decode()


def test_a_subscription_above_the_public_bodies_cap_is_refused(admin_client, register):
    subscribe(member(register, last_name="Alice"), 1)  # 50 €
    town = member(register, "public", last_name="Commune")
    posted = {"shares": 4, "paid_amount": "200", "effective_on": "2025-03-01", "decision_ref": "B"}
    page = text(admin_client.post(reverse("capital:subscribe", args=[town.pk]), posted))
    assert "Public bodies together may hold at most 1/2 of the capital" in page
    assert "€200.00 of a capital of €250.00" in page
    assert ShareMovement.objects.count() == 1


def test_payment_is_recorded_and_one_above_the_unpaid_amount_is_refused(admin_client, register):
    alice = member(register, last_name="Alice")
    subscribe(alice, 4, paid="50.00")  # 150 € unpaid
    url = reverse("capital:pay", args=[alice.pk])
    assert re.search(r'id="unpaid">€150\.00', text(admin_client.get(url)))
    posted = {"amount": "200", "effective_on": "2025-04-01", "decision_ref": "Virement 7"}
    page = text(admin_client.post(url, posted))
    assert "owes €150.00 on their shares: a payment of €200.00 is not possible" in page
    assert ShareMovement.objects.count() == 1
    response = admin_client.post(url, {**posted, "amount": "100"}, follow=True)
    assert response.redirect_chain == [(OVERVIEW, 302)]
    assert "Alice paid €100.00 on their shares" in text(response)
    assert selectors.member_balance(member=alice, on=dt.date(2025, 4, 1)).unpaid == 50


def test_transfer_is_recorded_and_one_of_shares_not_held_is_refused(admin_client, register):
    alice, bob = member(register, last_name="Alice"), member(register, last_name="Bob")
    subscribe(alice, 3)
    subscribe(bob, 1)
    url = reverse("capital:transfer", args=[alice.pk])
    page = text(admin_client.get(url))
    assert "once approved by: the board." in page  # the statutes' approving body
    assert re.search(r'id="held-shares">3<', page)
    posted = {"receiver": bob.pk, "shares": 5, "effective_on": "2025-04-01", "decision_ref": "CA"}
    page = text(admin_client.post(url, posted))
    assert "holds 3 shares, paid up to €150.00: they cannot transfer 5" in page
    assert ShareMovement.objects.count() == 2
    response = admin_client.post(url, {**posted, "shares": 2}, follow=True)
    assert response.redirect_chain == [(OVERVIEW, 302)]
    on = dt.date(2025, 4, 1)
    assert selectors.member_balance(member=alice, on=on).shares == 1
    assert selectors.member_balance(member=bob, on=on).shares == 3


def test_overview_without_statutes_says_what_to_do_instead_of_failing(admin_client):
    page = text(admin_client.get(OVERVIEW))
    assert "No statutes are in force on" in page
    assert re.search(r'id="floor">—', page)


def test_overview_query_count_is_flat_in_the_number_of_rows(admin_client, register):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(OVERVIEW, {"on": "2025-12-31"}).status_code == 200
        return len(captured)

    people = [member(register, last_name=f"Nom{i}") for i in range(8)]
    for who in people[:2]:
        subscribe(who, 4, paid="50.00", due_on=dt.date(2025, 6, 1))
    _exit(people[0], dt.date(2025, 7, 1))
    admin_client.get(OVERVIEW)  # the session and the user's roles are read once warm
    few = queries()
    for who in people[2:]:
        subscribe(who, 4, paid="50.00", due_on=dt.date(2025, 6, 1))
    for who in people[1:4]:
        _exit(who, dt.date(2025, 7, 1))
    assert queries() == few


def test_the_overview_leads_to_a_members_page_by_number(admin_client, register):
    alice = member(register, last_name="Alice")
    url = reverse("capital:member_action")
    response = admin_client.get(url, {"number": alice.number, "action": "pay"})
    assert response.status_code == 302
    assert response["Location"] == reverse("capital:pay", kwargs={"member_pk": alice.pk})
    response = admin_client.get(url, {"number": 999, "action": "subscribe"})
    assert response.status_code == 400
    assert "No member has the number 999." in text(response)
    assert 'aria-invalid="true"' in response.content.decode()
