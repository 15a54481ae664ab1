"""Every member's holding on a date, page by page, in a flat number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from capital import selectors
from tests.capital.factories import DAY, capital_setup, member, subscribe

pytestmark = pytest.mark.django_db


def test_the_page_shows_each_members_holding_on_the_date(admin_client):
    register = capital_setup()
    alice = member(register, last_name="Alice")
    bob = member(register, last_name="Bob")
    subscribe(alice, 4, paid=50)
    subscribe(bob, 2, on=DAY + dt.timedelta(days=10))
    url = reverse("capital:balances")

    page = admin_client.get(url, {"on": DAY.isoformat()}).content.decode()
    assert "Alice" in page and "Bob" in page
    assert "€200.00" in page and "€150.00" in page  # Alice: subscribed, not yet paid
    holdings = {h.member.pk: h.balance for h in selectors.holdings_page(on=DAY, page_number=1)[1]}
    assert holdings[bob.pk] is None  # Bob subscribed ten days later
    assert holdings[alice.pk].shares == 4

    partial = admin_client.get(url, {"on": DAY.isoformat()}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b'id="holdings"' in partial.content


def test_query_count_is_flat_in_the_number_of_members(admin_client):
    register = capital_setup()
    url = reverse("capital:balances")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured)

    subscribe(member(register, last_name="Premier"), 1)
    few = queries()
    for index in range(12):
        subscribe(member(register, last_name=f"Suivant {index}"), 1)
    assert queries() == few


def test_a_bad_date_is_refused_with_a_message(admin_client):
    capital_setup()
    response = admin_client.get(reverse("capital:balances"), {"on": "31/02/2025"})
    assert "Enter a valid date" in response.content.decode()
