"""RULES 24: the register of share movements between two dates, as CSV and PDF."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from capital.register import register_csv, register_pdf_html
from capital.services import share_correct, share_pay, share_subscribe, share_transfer
from coop.models import Job
from tests.capital.factories import capital_setup, member, subscribe

pytestmark = pytest.mark.django_db

URL = reverse("capital:register")


@pytest.fixture
def ledger():
    """Alice (no. 1) subscribes 4 shares, Bob (no. 2) 2 shares in March; Alice pays in April
    and transfers 1 share to Bob in May; a subscription by Carol in June is corrected."""
    register = capital_setup(name="Les Communs d'Oisans")
    alice = member(register, first_name="Alice", last_name="Martin")
    bob = member(register, first_name="Bob", last_name="Bernard")
    carol = member(register, first_name="Carol", last_name="Petit")
    subscribe(alice, 4, paid="100.00", on=dt.date(2025, 3, 1), due_on=dt.date(2026, 3, 1))
    subscribe(bob, 2, on=dt.date(2025, 3, 2))
    share_pay(
        member=alice,
        amount="100.00",
        effective_on=dt.date(2025, 4, 1),
        decision_ref="Virement 12",
        actor=None,
    )
    share_transfer(
        giver=alice,
        receiver=bob,
        shares=1,
        effective_on=dt.date(2025, 5, 1),
        decision_ref="CA du 30 avril 2025",
        actor=None,
    )
    wrong = subscribe(carol, 3, on=dt.date(2025, 6, 1))
    share_correct(
        movement=wrong, effective_on=dt.date(2025, 6, 2), decision_ref="Erreur", actor=None
    )
    return {"alice": alice, "bob": bob, "carol": carol}


def export(client, run_jobs, start, end, file_format):
    """Ask for the register: the page starts a job and sends to its page; the job runs (as a
    worker would); its page offers the file, which is downloaded (its bytes)."""
    response = run_jobs(
        lambda: client.post(URL, {"start": start, "end": end, "format": file_format})
    )
    job = Job.objects.latest("created_at")
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "done", job.error
    page = client.get(response["Location"]).content.decode()
    download = reverse("jobs:download", args=[job.pk])
    assert f'href="{download}"' in page
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="register-of-share-movements-{start}-{end}.{file_format}"'
    )
    return b"".join(response.streaming_content)


def _csv(admin_client, run_jobs, start, end):
    content = export(admin_client, run_jobs, start, end, "csv").decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


def test_the_csv_lists_every_movement_of_the_period_with_the_fields_of_rules_24(
    admin_client, ledger, run_jobs
):
    rows = _csv(admin_client, run_jobs, "2025-03-01", "2025-12-31")
    assert rows[0][:12] == [
        "Sequence number",
        "Date",
        "Kind",
        "Member number",
        "Member",
        "Other member's number",
        "Other member",
        "Shares",
        "Nominal value (€)",
        "Amount (€)",
        "Paid-up change (€)",
        "Decision reference",
    ]
    movements = rows[1:8]
    assert [r[0] for r in movements] == ["1", "2", "3", "4", "5", "6", "7"]
    assert movements[0] == [
        "1",
        "2025-03-01",
        "subscription",
        "1",
        "Alice Martin",
        "",
        "",
        "4",
        "50.00",
        "200.00",
        "100.00",
        "Bulletin de souscription",
        "",
        "",
    ]
    # Both sides of the transfer, each naming the other member and who approved it.
    out, into = movements[3], movements[4]
    assert (out[2], out[4], out[6], into[4], into[6]) == (
        "transfer",
        "Alice Martin",
        "Bob Bernard",
        "Bob Bernard",
        "Alice Martin",
    )
    assert (out[3], out[5], out[7], out[9]) == ("1", "2", "-1", "-50.00")
    assert (into[3], into[5], into[7], into[9]) == ("2", "1", "1", "50.00")
    assert out[11] == into[11] == "CA du 30 avril 2025"
    assert out[12] == into[12] == "the board"
    correction = movements[6]
    assert (correction[2], correction[7], correction[9], correction[13]) == (
        "correction",
        "-3",
        "-150.00",
        "6",
    )
    # Totals and the capital at the start and the end of the period.
    assert rows[9] == ["Capital on 2025-02-28", "0.00"]
    assert rows[10][0] == "Total of the period" and rows[10][2] == "7"
    assert (rows[10][7], rows[10][9], rows[10][10]) == ("6", "300.00", "300.00")
    assert rows[11] == ["Capital on 2025-12-31", "300.00"]


def test_text_that_looks_like_a_formula_is_kept_as_text(admin_client, ledger, run_jobs):
    share_subscribe(
        member=ledger["carol"],
        shares=1,
        paid_amount=Decimal(50),
        effective_on=dt.date(2025, 7, 1),
        due_on=None,
        decision_ref="=HYPERLINK(1)",
        actor=None,
    )
    rows = _csv(admin_client, run_jobs, "2025-07-01", "2025-07-31")
    assert rows[1][11] == "'=HYPERLINK(1)"
    assert rows[1][9] == "50.00"


def test_the_period_limits_the_movements_and_the_capital_before_is_given(
    admin_client, ledger, run_jobs
):
    rows = _csv(admin_client, run_jobs, "2025-04-01", "2025-05-31")
    assert [r[0] for r in rows[1:4]] == ["3", "4", "5"]
    assert rows[5] == ["Capital on 2025-03-31", "300.00"]
    assert rows[6][7] == "0" and rows[6][9] == "0.00"
    assert rows[7] == ["Capital on 2025-05-31", "300.00"]


def test_the_pdf_says_a_capital_variable_and_lists_the_movements(admin_client, ledger, run_jobs):
    content = export(admin_client, run_jobs, "2025-03-01", "2025-12-31", "pdf")
    assert content.startswith(b"%PDF")
    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    pdf_text = re.sub(r"\s+", " ", pdf_text)
    assert "à capital variable" in pdf_text
    assert "Register of share movements from March 1, 2025 to Dec. 31, 2025" in pdf_text
    assert "Alice Martin" in pdf_text and "CA du 30 avril 2025" in pdf_text


def test_the_pdf_html_carries_totals_and_both_sides_of_a_transfer(ledger):
    html = re.sub(
        r"\s+", " ", register_pdf_html(start=dt.date(2025, 3, 1), end=dt.date(2025, 12, 31))
    )
    assert "à capital variable" in html
    assert re.search(r'id="total-shares">6<', html)
    assert re.search(r'id="total-amount">300.00<', html)
    assert re.search(r'id="capital-before">€0.00', html)
    assert re.search(r'id="capital-after">€300.00', html)
    assert "1 · Alice Martin</td> <td>2 · Bob Bernard" in html
    assert "2 · Bob Bernard</td> <td>1 · Alice Martin" in html
    assert "approved by the board" in html and "corrects no. 6" in html


def test_the_form_refuses_a_period_ending_before_it_starts(admin_client, ledger):
    response = admin_client.post(URL, {"start": "2025-06-01", "end": "2025-03-01", "format": "csv"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The end of the period comes before its start." in page
    assert "The register was not prepared" in page
    assert not Job.objects.exists()


def test_the_form_page_opens_with_this_year(admin_client, ledger):
    response = admin_client.get(URL)
    assert response.status_code == 200
    assert 'name="start"' in response.content.decode()
    assert "Prepare the register" in response.content.decode()


def test_the_overview_links_to_the_register(admin_client, ledger):
    assert URL in admin_client.get(reverse("capital:overview")).content.decode()


def test_the_register_query_count_is_flat(ledger):
    start, end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)

    def queries(fmt: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            if fmt == "csv":
                register_csv(start=start, end=end)
            else:
                register_pdf_html(start=start, end=end)
        return len(captured)

    few = queries("csv"), queries("pdf")
    for day in range(3, 10):
        subscribe(ledger["alice"], 1, on=dt.date(2025, 7, day))
    assert (queries("csv"), queries("pdf")) == few


def test_the_register_is_for_administrators(client, member_user, ledger):
    client.force_login(member_user)
    assert client.get(URL).status_code == 403
