"""The register at a date, for administrators: CSV for spreadsheets, PDF for the legal register."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader
from weasyprint import HTML

from coop.models import Job
from members.exports import register_pdf_html
from members.services import member_exit, member_reject, members_ratify
from tests.coop.factories import StatutesFactory, UserFactory
from tests.members.factories import admitted, apply, standard_register

pytestmark = pytest.mark.django_db

URL = "members:register_export"


@pytest.fixture
def history(db):
    """Alice (no. 1) admitted in February, ratified in June, resigned in September; Bruno
    (no. 2) admitted in March; the Mairie (no. 3, a legal person) in February; Chloé rejected."""
    StatutesFactory(
        effective_from=dt.date(2020, 1, 1),
        name="Les Communs d'Oisans",
        registered_office="3 rue du Lac, 38520 Le Bourg-d'Oisans",
    )
    register = standard_register()
    actor = UserFactory(roles=["administrator"], email="secretary@example.org")
    categories, colleges = register["categories"], register["colleges"]
    alice = admitted(
        categories["employee"],
        colleges["employees"],
        first_name="Alice",
        last_name="Martin",
        address="1 rue Haute",
        postal_code="38000",
        city="Grenoble",
        phone="+33 4 76 00 00 00",
    )
    bruno = admitted(
        categories["beneficiary"],
        colleges["users"],
        first_name="Bruno",
        last_name="Petit",
        decided_on=dt.date(2025, 3, 1),
    )
    mairie = admitted(
        categories["public"],
        colleges["supporters"],
        person_kind="legal",
        first_name="",
        last_name="",
        legal_name="Mairie de Vizille",
        representative_name="Anne Roux",
        representative_role="maire",
    )
    members_ratify(
        members=[alice], ratified_on=dt.date(2025, 6, 1), assembly_ref="AGO 2025", actor=actor
    )
    member_exit(
        member=alice,
        status="resigned",
        exited_on=dt.date(2025, 9, 1),
        decision_ref="Lettre du 20 août",
        actor=actor,
    )
    chloe = apply(categories["volunteer"], first_name="Chloé", last_name="Rejet")
    member_reject(member=chloe, decided_on=dt.date(2025, 2, 1), reason="Hors objet", actor=actor)
    return {"alice": alice, "bruno": bruno, "mairie": mairie}


def export(client, run_jobs, on: dt.date | str, file_format: str):
    """Ask for the register on `on`: the page starts a job and sends to its page; the job
    runs (as a worker would); its page offers the file; the file is downloaded."""
    on = on if isinstance(on, str) else on.isoformat()
    response = run_jobs(lambda: client.post(reverse(URL), {"on": on, "format": file_format}))
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
        f'attachment; filename="register-of-members-{on}.{file_format}"'
    )
    return response, page


def csv_export(client, run_jobs, on: dt.date) -> list[dict[str, str]]:
    response, _page = export(client, run_jobs, on, "csv")
    assert response["Content-Type"] == "text/csv"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_csv_at_past_dates_reflects_the_history(admin_client, history, run_jobs):
    february = csv_export(admin_client, run_jobs, dt.date(2025, 2, 15))
    assert [(r["Member number"], r["Last name"]) for r in february] == [("1", "Martin"), ("3", "")]
    alice = february[0]
    assert alice["Status"] == "admitted, awaiting ratification"
    assert (alice["Category"], alice["College"]) == ("Salariés", "Salariés")
    assert (alice["Admitted on"], alice["Admission decision"]) == ("2025-02-01", "CA 2025-02")
    assert alice["Left on"] == ""
    assert alice["Telephone"] == "'+33 4 76 00 00 00"  # never run as a formula
    assert alice["Agrees to receive notices by e-mail"] == "no"
    assert february[1]["Name of the legal person"] == "Mairie de Vizille"
    assert february[1]["Kind of person"] == "legal person"

    july = csv_export(admin_client, run_jobs, dt.date(2025, 7, 1))
    assert [r["Member number"] for r in july] == ["1", "2", "3"]
    assert (july[0]["Status"], july[0]["Ratified by"]) == ("member", "AGO 2025")
    assert july[1]["Last name"] == "Petit"

    october = csv_export(admin_client, run_jobs, dt.date(2025, 10, 1))
    assert (october[0]["Status"], october[0]["Left on"]) == ("resigned", "2025-09-01")
    assert october[0]["Exit decision or document"] == "Lettre du 20 août"
    # A rejected applicant never has an entry in the register.
    assert all(r["Last name"] != "Rejet" for r in october)


def test_csv_before_any_admission_has_only_the_header(admin_client, history, run_jobs):
    assert csv_export(admin_client, run_jobs, dt.date(2025, 1, 31)) == []


def test_export_page_offers_today_and_both_formats(admin_client, history):
    response = admin_client.get(reverse(URL))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'value="{timezone.localdate().isoformat()}"' in page
    assert 'value="csv"' in page and 'value="pdf"' in page
    assert "<legend>Format" in page


def test_future_date_is_refused_with_a_message(admin_client, history, jobs_root):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = admin_client.post(reverse(URL), {"on": tomorrow.isoformat(), "format": "csv"})
    assert response.status_code == 200
    assert not Job.objects.exists()
    page = response.content.decode()
    assert "cannot be shown on a date in the future" in page
    assert "<title>Error:" in page
    assert f'value="{tomorrow.isoformat()}"' in page  # what was typed is kept


def test_pdf_is_the_legal_register_at_the_date(admin_client, history, run_jobs):
    response, page = export(admin_client, run_jobs, "2025-07-01", "pdf")
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF-")
    assert "The register is ready: 1 page." in page
    reader = PdfReader(io.BytesIO(content))
    text = reader.pages[0].extract_text()
    assert "Register of members on July 1, 2025" in text
    assert "Alice Martin" in text and "Mairie de Vizille" in text
    assert "Page 1 of 1" in text


def test_pdf_shows_every_column_of_each_entry_in_order(admin_client, history, run_jobs):
    """An exit, a legal person's representative and two entries awaiting ratification: every
    column's content is in the PDF's text, each entry's cells in the columns' order."""
    response, _page = export(admin_client, run_jobs, "2025-10-01", "pdf")
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = " ".join(reader.pages[0].extract_text().split())  # a cell's lines wrap
    entries = {
        "Alice": [
            "1 Alice Martin",
            "1 rue Haute 38000 Grenoble France",
            "Salariés Salariés",
            "Feb. 1, 2025 CA 2025-02",
            "June 1, 2025 AGO 2025",
            "Sept. 1, 2025 resigned · Lettre du 20 août",
            "2 Bruno Petit",
        ],
        "Bruno": [
            "2 Bruno Petit",
            "France Bénéficiaires Bénéficiaires",
            "March 1, 2025 CA 2025-02",
            "awaiting ratification —",
            "3 Mairie de Vizille",
        ],
        "Mairie": [
            "3 Mairie de Vizille represented by Anne Roux, maire",
            "France Collectivités Soutiens",
            "Feb. 1, 2025 CA 2025-02",
            "awaiting ratification —",
        ],
    }
    heading = "No. Name Address Category College Admission Ratification Exit"
    assert heading in text
    for name, cells in entries.items():
        position = text.index(heading)
        for cell in cells:  # each one after the one before (the next entry's number ends it)
            assert cell in text[position:], (name, cell)
            position = text.index(cell, position) + len(cell)
    assert "Rejet" not in text


@pytest.mark.parametrize("processes", [1, 2])
def test_a_large_register_is_printed_in_parts_joined_into_one_numbered_pdf(
    admin_client, history, run_jobs, settings, processes
):
    """In the worker's own process, or by two printing processes at once: the same document."""
    settings.REGISTER_PDF_CHUNK_ROWS = 25
    settings.REGISTER_PDF_PROCESSES = processes
    category, college = history["bruno"].category, history["bruno"].college
    for index in range(60):
        admitted(category, college, first_name="Membre", last_name=f"Numéro{index:02d}")
    response, _page = export(admin_client, run_jobs, timezone.localdate(), "pdf")
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    pages = [pdf_page.extract_text() for pdf_page in reader.pages]
    job = Job.objects.get()
    # 63 entries in three parts of at most 25: at least one page each, joined in order.
    assert len(pages) >= 3 and job.result["pages"] == len(pages)
    assert (job.progress_done, job.progress_total) == (63, 63)
    text = "\n".join(pages)
    assert "63 entries, 62 members on that date" in pages[0]
    assert text.count("63 entries") == 1  # the heading opens the first part only
    positions = [text.index(f"Numéro{index:02d}") for index in (0, 21, 22, 59)]
    assert positions == sorted(positions)
    for number, text_of_page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text_of_page
        assert "Admission" in text_of_page  # every page has the table's header row


def _laid_out_text(html: str) -> tuple[list[str], list[tuple[float, float]]]:
    """The text WeasyPrint lays out on each page (what the PDF shows), and the page sizes."""
    document = HTML(string=html).render()
    pages = []
    for page in document.pages:
        boxes = page._page_box.descendants()  # WeasyPrint's layout tree of the page
        pages.append(" ".join(box.text for box in boxes if getattr(box, "text", None)))
    return pages, [(page.width, page.height) for page in document.pages]


def test_pdf_pages_show_the_designation_the_entries_and_page_numbers(history):
    with translation.override("en"):
        html = register_pdf_html(on=dt.date(2025, 7, 1))
    assert "Les Communs d&#x27;Oisans, SCIC SA (société anonyme) à capital variable" in html
    assert "3 rue du Lac, 38520 Le Bourg-d&#x27;Oisans" in html
    pages, sizes = _laid_out_text(html)
    width, height = sizes[0]
    assert width > height  # landscape
    assert round(width * 25.4 / 96) == 297 and round(height * 25.4 / 96) == 210  # A4
    text = " ".join(pages)
    assert "Register of members on July 1, 2025" in text
    for name in ("Alice Martin", "Bruno Petit", "Mairie de Vizille", "represented by Anne Roux"):
        assert name in text
    assert "AGO 2025" in text
    assert "Rejet" not in text
    assert f"Page 1 of {len(pages)}" in pages[0]


@translation.override("en")
def test_pdf_before_the_exit_shows_the_member_and_after_it_the_exit(history):
    before = register_pdf_html(on=dt.date(2025, 8, 31))
    after = register_pdf_html(on=dt.date(2025, 9, 1))
    assert "Alice Martin" in before and "Lettre du 20 août" not in before
    assert "Alice Martin" in after and "Lettre du 20 août" in after
    assert "3 entries" in after and "2 members on that date" in after
    assert "Bruno Petit" not in register_pdf_html(on=dt.date(2025, 2, 28))


@translation.override("en")
def test_a_long_register_runs_over_several_numbered_pages(history):
    category = history["bruno"].category
    college = history["bruno"].college
    for index in range(60):
        admitted(category, college, last_name=f"Membre{index:02d}")
    pages, _sizes = _laid_out_text(register_pdf_html(on=dt.date(2025, 7, 1)))
    assert len(pages) > 1
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert "Membre59" in pages[-1]
    # The header row is repeated on every page.
    assert all("Admission" in page and "Ratification" in page for page in pages)


def test_members_cannot_export(client, member_user, history, jobs_root):
    client.force_login(member_user)
    assert client.get(reverse(URL)).status_code == 403
    response = client.post(reverse(URL), {"on": "2025-07-01", "format": "csv"})
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_administrators_need_two_factor_authentication(client, admin_user, history):
    client.force_login(admin_user)
    response = client.post(reverse(URL), {"on": "2025-07-01", "format": "csv"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_export_page_in_french(admin_client, history):
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    response = admin_client.get(reverse(URL))
    assert '<html lang="fr">' in response.content.decode()


def test_pdf_without_statutes_explains_what_is_missing(admin_client, jobs_root):
    standard_register()
    response = admin_client.post(reverse(URL), {"on": "2025-07-01", "format": "pdf"})
    assert response.status_code == 200
    assert not Job.objects.exists()
    assert "No statutes are in force" in response.content.decode()


def test_pdf_of_a_register_older_than_the_statutes_uses_the_statutes_in_force(history):
    with translation.override("en"):
        html = register_pdf_html(on=dt.date(2019, 6, 30))
    assert "Les Communs d&#x27;Oisans" in html
    assert "The register had no entry on that date." in html
