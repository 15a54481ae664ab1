"""The assembly's documents and written questions in the browser (RULES 35, 17): an
administrator attaches a PDF (after a refused file), a member on the roll reads and downloads
it and sends a written question with the keyboard, the administrator answers, and the minutes
(page and PDF) hold the question and its answer. Every page is checked with axe-core."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from governance.models import Assembly, AssemblyDocument, WrittenQuestion
from members.models import Member
from tests.coop.factories import TEST_PASSWORD, UserFactory
from tests.coop.mfa import activate_totp
from tests.e2e.capital_helpers import pdf_text
from tests.e2e.helpers import (
    assert_accessible,
    click_and_load,
    fr,
    new_context,
    sign_in_with_password,
)
from tests.e2e.register_helpers import sign_in_as_administrator
from tests.governance.documents_helpers import pdf_bytes
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.e2e

QUESTION = "Pourquoi le rapport de gestion ne parle-t-il pas de la toiture ?"
ANSWER = "Les devis de la toiture arrivent en mars : ils seront présentés en séance."


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def assembly(transactional_db) -> Assembly:
    """An ordinary assembly convened for a month from now, with a roll of 3."""
    register = statutes_and_register(
        name="Les Communs d'Oisans", registered_office="3 rue du Lac, 38520 Le Bourg-d'Oisans"
    )
    members = members_admitted(register, 3)
    Member.objects.filter(pk=members[0].pk).update(first_name="Camille", last_name="Lefèvre")
    return convened_assembly(
        members=list(Member.objects.filter(pk__in=[m.pk for m in members])),
        title="Assemblée générale ordinaire 2026",
    )


@pytest.fixture
def administrator(transactional_db) -> tuple[str, str]:
    user = UserFactory(roles=["administrator", "member"], is_staff=True)
    return user.email, activate_totp(user)


@pytest.fixture
def member_page(browser: Browser, live_server) -> Iterator[Page]:
    context = new_context(browser, live_server.url)
    yield context.new_page()
    context.close()


def test_documents_and_a_written_question_from_the_upload_to_the_minutes(
    page: Page, member_page: Page, assembly, administrator
) -> None:
    camille = assembly.roll.get(member__last_name="Lefèvre")
    user = UserFactory(email=camille.member.email, roles=["member"])
    Member.objects.filter(pk=camille.member_id).update(user=user)
    admin_email, totp_secret = administrator
    manage_url = reverse("governance:manage_detail", args=[assembly.pk])

    # The administrator attaches the annual accounts; a file that is not a PDF is refused.
    sign_in_as_administrator(page, admin_email, totp_secret)
    page.goto(manage_url)
    assert_accessible(page)
    click_and_load(page, page.get_by_role("link", name=fr("Attach a document")))
    assert_accessible(page)
    page.get_by_label(fr("Title")).fill("Comptes annuels 2025")
    page.get_by_label(fr("annual accounts")).check()
    files = page.get_by_label(fr("File (PDF)"))
    files.set_input_files(
        files=[{"name": "comptes.pdf", "mimeType": "application/pdf", "buffer": b"pas un PDF"}]
    )
    click_and_load(page, page.get_by_role("button", name=fr("Attach the document")))
    expect(page.get_by_role("alert")).to_contain_text(
        fr("This file is not a PDF document: send the document as a PDF file.")
    )
    assert_accessible(page)
    assert not AssemblyDocument.objects.exists()

    content = pdf_bytes(pages=2)
    page.get_by_label(fr("annual accounts")).check()
    files.set_input_files(
        files=[{"name": "comptes.pdf", "mimeType": "application/pdf", "buffer": content}]
    )
    click_and_load(page, page.get_by_role("button", name=fr("Attach the document")))
    expect(page).to_have_url(re.compile(re.escape(manage_url) + "#documents$"))
    expect(page.locator("#messages")).to_contain_text(
        fr("The document “%(title)s” is attached to the assembly.")
        % {"title": "Comptes annuels 2025"}
    )
    documents = page.locator("#documents")
    expect(documents.get_by_role("link", name="Comptes annuels 2025")).to_be_visible()
    # Convened: it can no longer be removed.
    expect(documents.get_by_role("button", name=fr("Remove"))).to_have_count(0)
    assert_accessible(page)

    # Camille, on the roll, reads and downloads it from the assembly's page.
    sign_in_with_password(member_page, user.email, TEST_PASSWORD)
    member_page.goto(reverse("governance:detail", args=[assembly.pk]) + "#documents")
    assert_accessible(member_page)
    link = member_page.locator("#documents").get_by_role("link", name="Comptes annuels 2025")
    with member_page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "comptes-annuels-2025.pdf"
    assert Path(download.path()).read_bytes() == content
    expect(member_page.locator("#documents")).to_contain_text("3 rue du Lac")

    # She writes her question and sends it with the keyboard only.
    question_box = member_page.get_by_label(fr("Your question"))
    question_box.focus()
    member_page.keyboard.type(QUESTION)
    member_page.keyboard.press("Tab")
    send = member_page.get_by_role("button", name=fr("Send my question"))
    expect(send).to_be_focused()
    with member_page.expect_navigation(wait_until="load"):
        member_page.keyboard.press("Enter")
    expect(member_page.locator("#messages")).to_contain_text(
        fr(
            "Your question is sent to the board. Its answer will be given at the meeting, "
            "and shown here."
        )
    )
    questions = member_page.locator("#questions")
    expect(questions).to_contain_text(QUESTION)
    expect(questions).to_contain_text(
        fr("The board has not answered yet: it answers at the meeting.")
    )
    assert_accessible(member_page)
    question = WrittenQuestion.objects.get()
    assert question.roll_entry == camille

    # The administrator sees it on the management page and answers.
    page.goto(manage_url)
    page.reload()  # from the same page with a fragment: load it again
    item = page.locator(f"#question-{question.pk}")
    expect(item).to_contain_text(QUESTION)
    expect(item).to_contain_text(fr("not answered yet"))
    assert_accessible(page)
    click_and_load(page, item.get_by_role("link"))
    assert_accessible(page)
    page.get_by_label(fr("The board's answer")).fill(ANSWER)
    click_and_load(page, page.get_by_role("button", name=fr("Save the answer")))
    expect(page).to_have_url(re.compile(re.escape(manage_url) + "#questions$"))
    expect(page.locator(f"#question-{question.pk}")).to_contain_text(ANSWER)
    assert_accessible(page)

    # Camille reads the answer on the assembly's page.
    member_page.reload()
    expect(member_page.locator("#questions")).to_contain_text(ANSWER)
    assert_accessible(member_page)

    # The meeting is held and its results published (other journeys cover the vote): the
    # minutes hold the question and its answer, on their page and in the PDF.
    Assembly.objects.filter(pk=assembly.pk).update(status=Assembly.Status.PUBLISHED)
    page.goto(reverse("governance:minutes_edit", args=[assembly.pk]))
    section = page.locator("#written-questions")
    expect(section).to_contain_text(QUESTION)
    expect(section).to_contain_text(ANSWER)
    assert_accessible(page)
    page.get_by_label(fr("Summary of the debates")).fill("Le conseil a répondu à la question.")
    click_and_load(page, page.get_by_role("button", name=fr("Save the minutes")))
    click_and_load(page, page.get_by_role("button", name=fr("Publish the minutes")))
    expect(page.locator("#messages")).to_contain_text(
        fr("The minutes are published: members can read them.")
    )
    assert_accessible(page)

    member_page.goto(reverse("governance:minutes_archive"))
    assert_accessible(member_page)
    link = member_page.get_by_role("link", name=fr("minutes (PDF)"))
    expect(link).to_have_attribute("href", reverse("governance:minutes_pdf", args=[assembly.pk]))
    # The PDF opens in the browser's viewer: fetch it as the member's browser does.
    response = member_page.request.get(link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = " ".join(pdf_text(response.body()).split())
    assert fr("Written questions and the board's answers") in text
    assert QUESTION in text
    assert ANSWER in text
    assert "Comptes annuels 2025" in text  # among the documents presented
