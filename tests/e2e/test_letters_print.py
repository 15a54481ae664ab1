"""Browser: an administrator prints the convocation letters of the members reached by post
(a job, whose progress a real Celery worker reports), downloads the one PDF, then records the
letters as posted, with the keyboard. Every page is checked with axe-core."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from coop.models import Job, NoticeDelivery
from governance.models import RollEntry
from governance.references import roll_reference
from governance.services.convocation import assembly_convene
from tests.coop.conftest import celery_queue, celery_workers, smtp_sink  # noqa: F401
from tests.coop.factories import UserFactory
from tests.coop.mfa import activate_totp
from tests.e2e.helpers import assert_accessible, click_and_load, fr, path_is
from tests.e2e.register_helpers import fr_plural, open_admin_page, sign_in_as_administrator
from tests.governance.factories import draft_assembly, members_admitted, statutes_and_register

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LETTERS = 6


def press_enter_on(page: Page, target) -> None:
    """Reach `target` with the keyboard (focus, as Tab would) and press Enter on it."""
    target.focus()
    expect(target).to_be_focused()
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")


def test_administrator_prints_the_letters_watches_the_job_and_records_them_as_posted(
    page: Page, request, monkeypatch, jobs_root, transactional_db
) -> None:
    register = statutes_and_register(name="Les Communs d'Oisans", registered_office="3 rue du Lac")
    members_admitted(register, LETTERS)  # no consent to e-mail notices: all by post
    administrator = UserFactory(roles=["administrator", "member"], is_staff=True)
    secret = activate_totp(administrator)
    assembly = assembly_convene(assembly=draft_assembly(), actor=administrator)
    notice = assembly.convocation_notice
    # A real worker, one letter per part so that the progress is seen.
    monkeypatch.setenv("JOBS_ROOT", str(jobs_root))
    monkeypatch.setenv("LETTERS_PRINT_CHUNK", "1")
    request.getfixturevalue("celery_workers")("worker")

    sign_in_as_administrator(page, administrator.email, secret)
    open_admin_page(page, fr("Notices sent"))
    click_and_load(
        page,
        page.get_by_role(
            "link", name=f"{fr('convocation to an assembly').capitalize()} · {assembly.title}"
        ),
    )
    expect(page).to_have_url(path_is(reverse("coop:outbox_notice", args=[notice.pk])))
    assert_accessible(page)
    letters = page.get_by_role("region", name=fr("Letters to post"))
    expect(letters).to_contain_text(
        fr_plural(
            "%(counter)s copy of this notice is a letter still to post: print it, post it, "
            "then record the day it was posted. That day is its proof of sending.",
            "%(counter)s copies of this notice are letters still to post: print them, post "
            "them, then record the day they were posted. That day is their proof of sending.",
            LETTERS,
        )
    )
    press_enter_on(
        page, letters.get_by_role("button", name=fr("Print the letters to post (one PDF)"))
    )

    job = Job.objects.get(kind="coop.letters_print")
    expect(page).to_have_url(path_is(reverse("jobs:detail", args=[job.pk])))
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Printing letters to post"))
    bar = page.get_by_label(fr("Progress"))
    expect(bar).to_have_attribute("max", str(LETTERS), timeout=60_000)
    assert_accessible(page)

    download_words = fr("Download %(name)s (%(size)s)").split("%(name)s")[0]
    download_link = page.get_by_role("link", name=re.compile("^" + re.escape(download_words)))
    expect(download_link).to_be_visible(timeout=120_000)
    expect(page.get_by_role("heading", level=2)).to_have_text(fr("Finished"))
    assert_accessible(page)
    download_link.focus()
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    reader = PdfReader(download_info.value.path())
    text = " ".join(page_.extract_text() for page_ in reader.pages)
    for entry in RollEntry.objects.filter(assembly=assembly):
        assert roll_reference(entry) in text
    assert text.count("Formulaire de vote par correspondance") == LETTERS

    # Back to the notice, then the letters are recorded as posted today.
    press_enter_on(page, page.get_by_role("link", name=fr("Back to the notice")))
    expect(page).to_have_url(path_is(reverse("coop:outbox_notice", args=[notice.pk])))
    posted_on = page.get_by_label(fr("Posted on"))
    expect(posted_on).to_have_value(timezone.localdate().isoformat())
    press_enter_on(page, page.get_by_role("button", name=fr("Record the letters as posted")))
    with translation.override("fr"):
        recorded = ngettext(
            "%(count)s letter is recorded as posted.",
            "%(count)s letters are recorded as posted.",
            LETTERS,
        ) % {"count": LETTERS}
    expect(page.locator("#messages")).to_contain_text(recorded)
    expect(page.get_by_role("region", name=fr("Letters to post"))).to_have_count(0)
    assert_accessible(page)
    posted = NoticeDelivery.objects.filter(notice=notice, channel="letter", status="sent")
    assert posted.count() == LETTERS
    assert {d.message_id for d in posted} == {"posted"}

    # The proof of sending, one line per letter, written by a job too.
    press_enter_on(page, page.get_by_role("button", name=fr("Download the proof of sending (CSV)")))
    proof = Job.objects.get(kind="coop.notice_proof")
    expect(page).to_have_url(path_is(reverse("jobs:detail", args=[proof.pk])))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        fr("Proof of sending of a notice (CSV)")
    )
    download_link = page.get_by_role("link", name=re.compile("^" + re.escape(download_words)))
    expect(download_link).to_be_visible(timeout=120_000)
    assert_accessible(page)
    download_link.focus()
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    content = Path(download_info.value.path()).read_text(encoding="utf-8")
    header, *lines = list(csv.reader(io.StringIO(content.removeprefix("\ufeff")), delimiter=";"))
    assert header[:4] == [fr("recipient"), fr("address"), fr("channel"), fr("status")]
    assert len(lines) == LETTERS
    assert {(line[2], line[3], line[5]) for line in lines} == {("letter", "sent", "posted")}
