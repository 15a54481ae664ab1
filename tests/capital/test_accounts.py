"""RULES 22 and 26: the approval of the accounts before a repayment, the repayment deadline,
losses per share, and the interest rate on shares capped at the average TMO + 2 points."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from capital import selectors
from capital.models import AccountsApproval, InterestRateDecision, RepaymentRequest, ShareMovement
from capital.services import (
    accounts_approval_record,
    interest_rate_record,
    repayment_make,
    repayment_request_for_exit,
)
from coop.errors import DomainError
from members.services import member_exit
from tests.capital.factories import approve_accounts, capital_setup, member, subscribe

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("capital:overview")


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _leave(who, on):
    member_exit(member=who, status="resigned", exited_on=on, decision_ref="Lettre", actor=None)
    return repayment_request_for_exit(member=who)


def _refused(code, fn, **kwargs) -> str:
    before = ShareMovement.objects.count()
    with pytest.raises(DomainError) as info:
        fn(**kwargs)
    assert info.value.code == code, str(info.value)
    assert ShareMovement.objects.count() == before
    return str(info.value)


@pytest.fixture
def leaver():
    """Keeper holds 10 shares; Bob (4 shares, 100 € paid of 200 €) left on 1 May 2025."""
    register = capital_setup()
    subscribe(member(register, last_name="Keeper"), 10)
    bob = member(register, last_name="Bob")
    subscribe(bob, 4, paid="100.00", due_on=dt.date(2026, 1, 1))
    return _leave(bob, dt.date(2025, 5, 1))


# --- The approval of the accounts --------------------------------------------------------------


def test_the_financial_year_end_comes_from_the_statutes():
    capital_setup(financial_year_end_month=6, financial_year_end_day=30)
    approval = approve_accounts(2025, on=dt.date(2025, 11, 20))
    assert approval.financial_year_end == dt.date(2025, 6, 30)
    terms = selectors.exit_terms_for(exited_on=dt.date(2025, 7, 1))
    assert terms.financial_year_end == dt.date(2026, 6, 30) and terms.approval is None
    terms = selectors.exit_terms_for(exited_on=dt.date(2025, 6, 30))
    assert terms.financial_year_end == dt.date(2025, 6, 30) and terms.approval == approval
    assert terms.deadline == dt.date(2030, 6, 30)  # 5 years by default


def test_an_approval_is_recorded_once_and_never_before_the_year_ends():
    capital_setup()
    message = _refused(
        "before_year_end",
        accounts_approval_record,
        year=2025,
        approved_on=dt.date(2025, 12, 31),
        decision_ref="AG",
        losses_per_share=Decimal(0),
        actor=None,
    )
    assert "The financial year ends on Dec. 31, 2025" in message
    approve_accounts(2025)
    message = _refused(
        "already_approved",
        accounts_approval_record,
        year=2025,
        approved_on=dt.date(2026, 7, 1),
        decision_ref="AG bis",
        losses_per_share=Decimal(0),
        actor=None,
    )
    assert "were already approved on June 15, 2026 (AG 2026)" in message
    assert AccountsApproval.objects.count() == 1


def test_the_database_refuses_to_change_an_approval():
    capital_setup()
    approval = approve_accounts(2025)
    interest_rate_record(
        year=2025,
        rate=Decimal(1),
        tmo_average=Decimal(1),
        decided_on=dt.date(2026, 6, 15),
        decision_ref="AG",
        actor=None,
    )
    for sql in (
        "UPDATE capital_accountsapproval SET losses_per_share = 3",
        "DELETE FROM capital_accountsapproval",
        "UPDATE capital_interestratedecision SET rate = 0",
        "DELETE FROM capital_interestratedecision",
    ):
        with (
            pytest.raises(IntegrityError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AccountsApproval.objects.get(pk=approval.pk).losses_per_share == 0
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountsApproval.objects.create(
            financial_year_end=dt.date(2024, 12, 31),
            approved_on=dt.date(2025, 6, 1),
            decision_ref="AG",
            losses_per_share=Decimal(-1),
        )


# --- Repayments wait for the approval ----------------------------------------------------------


def test_a_repayment_before_the_accounts_of_the_year_of_exit_are_approved_is_refused(leaver):
    message = _refused(
        "accounts_not_approved",
        repayment_make,
        request=leaver,
        effective_on=dt.date(2026, 7, 1),
        decision_ref="AG",
        actor=None,
    )
    assert "Claire Bob left on May 1, 2025" in message
    assert "the financial year ending on Dec. 31, 2025 are approved" in message
    assert RepaymentRequest.objects.get(pk=leaver.pk).is_pending
    approve_accounts(2024, on=dt.date(2025, 4, 1))  # another year's approval does not count
    _refused(
        "accounts_not_approved",
        repayment_make,
        request=leaver,
        effective_on=dt.date(2026, 7, 1),
        decision_ref="AG",
        actor=None,
    )


def test_a_repayment_is_not_dated_before_the_approval(leaver):
    approve_accounts(2025, on=dt.date(2026, 6, 15))
    message = _refused(
        "before_accounts_approval",
        repayment_make,
        request=leaver,
        effective_on=dt.date(2026, 6, 14),
        decision_ref="AG",
        actor=None,
    )
    assert "were approved on June 15, 2026" in message
    movement = repayment_make(
        request=leaver, effective_on=dt.date(2026, 6, 15), decision_ref="AG", actor=None
    )
    assert movement.cash_amount == Decimal("100.00")


@pytest.mark.parametrize(
    ("losses_per_share", "cash"),
    [("0", "100.00"), ("12.50", "50.00"), ("25", "0.00"), ("60", "0.00")],
)
def test_losses_per_share_reduce_the_repayment_at_most_to_nothing(leaver, losses_per_share, cash):
    approve_accounts(2025, losses=losses_per_share)
    movement = repayment_make(
        request=leaver, effective_on=dt.date(2026, 7, 1), decision_ref="AG", actor=None
    )
    assert movement.cash_amount == Decimal(cash)
    assert (movement.shares, movement.amount, movement.paid_amount) == (-4, -200, -100)


# --- The queue: payable now, deadline, overdue -------------------------------------------------


def test_the_queue_shows_payable_requests_their_deadline_and_overdue_ones():
    register = capital_setup(repayment_delay_years=1)
    subscribe(member(register, last_name="Keeper"), 20)
    early, late = member(register, last_name="Early"), member(register, last_name="Late")
    subscribe(early, 1)
    subscribe(late, 1)
    first = _leave(early, dt.date(2025, 5, 1))
    second = _leave(late, dt.date(2026, 2, 1))
    approve_accounts(2025, on=dt.date(2026, 6, 15))
    items = selectors.repayment_queue_with_terms(on=dt.date(2026, 7, 1))
    assert [i.request for i in items] == [first, second]
    assert items[0].payable and not items[1].payable
    assert items[0].terms.deadline == dt.date(2026, 12, 31)
    assert items[1].terms.deadline == dt.date(2027, 12, 31)
    assert not items[0].overdue
    items = selectors.repayment_queue_with_terms(on=dt.date(2027, 1, 1))
    assert items[0].overdue and not items[1].overdue


def test_the_overview_queue_says_payable_or_not_and_flags_overdue(admin_client):
    register = capital_setup(repayment_delay_years=0)
    subscribe(member(register, last_name="Keeper"), 20)
    early, late = member(register, last_name="Early"), member(register, last_name="Late")
    subscribe(early, 1)
    subscribe(late, 1)
    _leave(early, dt.date(2025, 5, 1))
    _leave(late, dt.date(2025, 6, 1))
    page = text(admin_client.get(OVERVIEW))
    assert "Not approved yet (financial year ending on Dec. 31, 2025): not payable" in page
    approve_accounts(2025, on=dt.date(2026, 1, 20), losses="0.50")
    page = text(admin_client.get(OVERVIEW))
    table = page.split('id="queue-caption"')[1].split("</table>")[0]
    assert table.count("Approved on Jan. 20, 2026: payable now") == 2
    assert "losses: €0.50 a share" in table
    # Deadline: end of 2025 plus 0 years, long passed (the tests run after 2025).
    assert table.count("Dec. 31, 2025 <strong") == 2 and "overdue" in table
    assert reverse("capital:accounts") in page


def test_the_overview_query_count_stays_flat_with_terms(admin_client):
    register = capital_setup()
    subscribe(member(register, last_name="Keeper"), 40)
    people = [member(register, last_name=f"Nom{i}") for i in range(6)]
    for who in people:
        subscribe(who, 1)
    approve_accounts(2025)
    _leave(people[0], dt.date(2025, 5, 1))
    admin_client.get(OVERVIEW)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(OVERVIEW).status_code == 200
        return len(captured)

    few = queries()
    for day, who in enumerate(people[1:], start=2):
        _leave(who, dt.date(2025 + day % 2, 5, day))
    assert queries() == few


# --- The administrators' pages -----------------------------------------------------------------


def test_an_administrator_records_an_approval_and_sees_it_listed(admin_client, totp_admin):
    capital_setup()
    url = reverse("capital:accounts")
    assert "No approval of the accounts is recorded yet." in text(admin_client.get(url))
    posted = {
        "year": 2025,
        "approved_on": "2026-06-20",
        "decision_ref": "AGO du 20 juin 2026, résolution 1",
        "losses_per_share": "1.25",
    }
    response = admin_client.post(url, posted, follow=True)
    assert response.redirect_chain == [(url, 302)]
    page = text(response)
    assert (
        "The accounts of the financial year ending on Dec. 31, 2025 are recorded as approved "
        "on June 20, 2026."
    ) in page
    assert "AGO du 20 juin 2026, résolution 1" in page and "1.25" in page
    approval = AccountsApproval.objects.get()
    assert approval.actor == totp_admin and approval.losses_per_share == Decimal("1.25")
    page = text(admin_client.post(url, posted))
    assert "Nothing was recorded" in page and "were already approved on June 20, 2026" in page


def test_the_repay_form_refuses_until_the_accounts_are_approved(admin_client, leaver):
    posted = {"effective_on": "2026-07-01", "losses": "", "decision_ref": "AG 2026"}
    page = text(admin_client.post(reverse("capital:repay", args=[leaver.pk]), posted))
    assert "Nothing was recorded" in page
    assert "the financial year ending on Dec. 31, 2025 are approved" in page
    approve_accounts(2025, losses="5")
    page = text(
        admin_client.post(
            reverse("capital:repay", args=[leaver.pk]), {**posted, "losses": "30"}, follow=True
        )
    )
    assert "charge €5.00 of losses a share: €20.00 for these 4 shares" in page
    response = admin_client.post(reverse("capital:repay", args=[leaver.pk]), posted, follow=True)
    assert "(€80.00 paid back)" in text(response)


# --- Interest on shares ------------------------------------------------------------------------


def test_a_rate_above_the_average_tmo_plus_two_points_is_refused_with_the_cap():
    capital_setup()
    message = _refused(
        "above_interest_cap",
        interest_rate_record,
        year=2025,
        rate=Decimal("3.5"),
        tmo_average=Decimal("1.2"),
        decided_on=dt.date(2026, 6, 15),
        decision_ref="AG 2026",
        actor=None,
    )
    assert "An interest rate of 3.5% is above the cap of 3.2%" in message
    assert "the average TMO of the 3 previous years (1.2%) plus 2 points" in message
    decision = interest_rate_record(
        year=2025,
        rate=Decimal("3.2"),
        tmo_average=Decimal("1.2"),
        decided_on=dt.date(2026, 6, 15),
        decision_ref="AG 2026",
        actor=None,
    )
    assert decision.financial_year_end == dt.date(2025, 12, 31) and decision.cap == Decimal("3.2")
    message = _refused(
        "already_decided",
        interest_rate_record,
        year=2025,
        rate=Decimal("1"),
        tmo_average=Decimal("1.2"),
        decided_on=dt.date(2026, 6, 16),
        decision_ref="AG bis",
        actor=None,
    )
    assert "already decided for the financial year ending on Dec. 31, 2025" in message


def test_the_database_refuses_a_rate_above_the_cap():
    with pytest.raises(IntegrityError), transaction.atomic():
        InterestRateDecision.objects.create(
            financial_year_end=dt.date(2025, 12, 31),
            rate=Decimal("3.3"),
            tmo_average=Decimal("1.2"),
            decided_on=dt.date(2026, 6, 1),
            decision_ref="AG",
        )


def test_the_interest_page_lists_decisions_and_refuses_above_the_cap(admin_client):
    capital_setup()
    url = reverse("capital:interest")
    assert "No interest rate on shares has been decided yet." in text(admin_client.get(url))
    posted = {
        "year": 2025,
        "rate": "4",
        "tmo_average": "1.5",
        "decided_on": "2026-06-20",
        "decision_ref": "AGO 2026, résolution 3",
    }
    page = text(admin_client.post(url, posted))
    assert "Nothing was recorded" in page
    assert "An interest rate of 4% is above the cap of 3.5%" in page
    assert not InterestRateDecision.objects.exists()
    response = admin_client.post(url, {**posted, "rate": "2.75"}, follow=True)
    page = text(response)
    assert "Interest rate of 2.75% recorded for the financial year ending on Dec. 31, 2025." in (
        page
    )
    table = page.split('id="rates-caption"')[1]
    assert "2.750" in table and "1.500" in table and "3.500" in table
    assert "AGO 2026, résolution 3" in table


def test_the_accounts_and_interest_pages_are_for_administrators(client, member_user):
    client.force_login(member_user)
    for name in ("accounts", "interest"):
        assert client.get(reverse(f"capital:{name}")).status_code == 403
        assert client.post(reverse(f"capital:{name}"), {}).status_code == 403
