"""Browser: an administrator asks for the register of members as PDF (a few hundred members),
follows the job's progress as a Celery worker prints it, then downloads the file. Every page
is checked with axe-core."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from coop.models import Job
from tests.coop.conftest import celery_queue, celery_workers, smtp_sink  # noqa: F401
from tests.coop.factories import StatutesFactory, UserFactory
from tests.coop.mfa import activate_totp
from tests.e2e.helpers import assert_accessible, click_and_load, fr, path_is
from tests.e2e.register_helpers import open_admin_page, sign_in_as_administrator
from tests.members.bulk import import_many_members, member_name
from tests.members.factories import standard_register

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MEMBERS = 300
CHUNK = 20  # entries per printed part: 15 parts, long enough to watch


def test_administrator_starts_the_register_pdf_watches_it_and_downloads_it(
    page: Page, request, monkeypatch, jobs_root
) -> None:
    StatutesFactory(name="Les Communs d'Oisans")
    standard_register()
    administrator = UserFactory(roles=["administrator", "member"], is_staff=True)
    secret = activate_totp(administrator)
    import_many_members(MEMBERS)
    # A real worker, sharing the jobs' folder with the web server of the test.
    monkeypatch.setenv("JOBS_ROOT", str(jobs_root))
    monkeypatch.setenv("REGISTER_PDF_CHUNK_ROWS", str(CHUNK))
    request.getfixturevalue("celery_workers")("worker")

    sign_in_as_administrator(page, administrator.email, secret)
    open_admin_page(page, fr("Member register"))
    sub_nav = page.get_by_role("navigation", name=fr("Member register"), exact=True)
    click_and_load(page, sub_nav.get_by_role("link", name=fr("Register at a date")))
    assert_accessible(page)
    page.get_by_label(fr("PDF, the legal register to print and sign")).check()
    click_and_load(page, page.get_by_role("button", name=fr("Prepare the register")))

    job = Job.objects.get()
    expect(page).to_have_url(path_is(reverse("jobs:detail", args=[job.pk])))
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Register of members (PDF)"))
    # The progress, as text and as a labelled progress bar, follows the work by itself.
    bar = page.get_by_label(fr("Progress"))
    expect(bar).to_have_attribute("max", str(MEMBERS), timeout=60_000)
    expect(bar).to_have_attribute("value", re.compile(r"^[1-9]\d*$"), timeout=60_000)
    value = int(bar.get_attribute("value") or 0)
    assert 0 < value < MEMBERS, "the page should show the work half done"
    live = page.locator(".job-live[aria-live=polite]")
    in_words = fr("%(done)s of %(total)s done (%(percent)s)")  # "… sur 300 (… %)"
    expect(live).to_contain_text(re.compile(re.escape(in_words.split("%(total)s")[0][-5:])))
    expect(page.get_by_role("link", name=fr("Refresh"))).to_be_visible()
    assert_accessible(page)

    download_words = fr("Download %(name)s (%(size)s)").split("%(name)s")[0]  # "Télécharger "
    download_link = page.get_by_role("link", name=re.compile("^" + re.escape(download_words)))
    expect(download_link).to_be_visible(timeout=120_000)
    expect(page.get_by_role("heading", level=2)).to_have_text(fr("Finished"))
    expect(bar).to_have_count(0)
    assert_accessible(page)

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    on = timezone.localdate().isoformat()
    assert download.suggested_filename == f"registre-des-associes-{on}.pdf"
    reader = PdfReader(download.path())
    job.refresh_from_db()
    assert len(reader.pages) == job.result["pages"] > 1
    first, last = reader.pages[0].extract_text(), reader.pages[-1].extract_text()
    assert "Les Communs d'Oisans" in first
    assert member_name(1) in first
    assert member_name(MEMBERS) in last
    assert f"Page {len(reader.pages)} sur {len(reader.pages)}" in last
