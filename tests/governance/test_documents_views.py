"""The documents and written questions in the pages: who reads a document (members on the
roll, administrators; anyone else gets 404), how it is served, the upload form's refusals,
the member's question form, the administrator's answer, and what the convocation says."""

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from coop.models import NoticeDelivery
from governance.documents import letters_html
from governance.forms import documents as documents_forms
from governance.models import Assembly, AssemblyDocument, RollEntry, WrittenQuestion
from governance.services.convocation import assembly_convene
from governance.services.documents import assembly_document_add
from governance.services.questions import written_question_answer, written_question_ask
from members.models import Member
from tests.coop.factories import UserFactory
from tests.governance.documents_helpers import pdf_bytes, pdf_upload, upload
from tests.governance.factories import (
    PARIS,
    convened_assembly,
    draft_assembly,
    meeting_time,
    members_admitted,
    statutes_and_register,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()]


@pytest.fixture
def register():
    return statutes_and_register(
        name="Les Communs d'Oisans", registered_office="3 rue du Lac, 38520 Le Bourg-d'Oisans"
    )


@pytest.fixture
def setup(register, client):
    """An assembly convened in 30 days with a roll of 3, the first of whom is signed in, a
    second assembly whose roll is the other two, and a document attached to each."""
    members = members_admitted(register, 3)
    me = members[0]
    user = UserFactory(email=me.email, roles=["member"])
    Member.objects.filter(pk=me.pk).update(user=user)
    assembly = convened_assembly(members=members, title="AGO 2026")
    other = convened_assembly(members=members[1:], title="AGE 2026")
    content = pdf_bytes(pages=2)
    document = assembly_document_add(
        assembly=assembly,
        title="Comptes annuels 2025",
        kind="annual_accounts",
        upload=upload("comptes.pdf", content),
        actor=None,
    )
    secret = assembly_document_add(
        assembly=other,
        title="Rapport spécial",
        kind="other",
        upload=pdf_upload(),
        actor=None,
    )
    client.force_login(user)
    entry = RollEntry.objects.get(assembly=assembly, member=me)
    return {
        "client": client,
        "assembly": assembly,
        "other": other,
        "document": document,
        "secret": secret,
        "content": content,
        "entry": entry,
    }


def download_url(document: AssemblyDocument, assembly: Assembly | None = None) -> str:
    return reverse(
        "governance:document_download",
        args=[(assembly or document.assembly).pk, document.pk],
    )


# --- Reading the documents -------------------------------------------------------------------


def test_a_member_on_the_roll_reads_the_documents_on_the_assembly_page(setup):
    page = setup["client"].get(reverse("governance:detail", args=[setup["assembly"].pk]))
    body = page.content.decode()
    assert 'id="documents"' in body
    assert "Comptes annuels 2025" in body and download_url(setup["document"]) in body
    assert "annual accounts, PDF, 2 pages" in body
    assert "3 rue du Lac, 38520 Le Bourg-d&#x27;Oisans" in body  # for a paper copy
    assert "Rapport spécial" not in body


def test_the_download_is_the_file_as_sent_never_sniffed(setup):
    response = setup["client"].get(download_url(setup["document"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == setup["content"]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="comptes-annuels-2025.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_a_member_of_another_roll_gets_not_found(setup):
    client = setup["client"]
    assert client.get(download_url(setup["secret"])).status_code == 404
    # Nor through the address of the assembly they are on.
    assert client.get(download_url(setup["secret"], setup["assembly"])).status_code == 404
    assert client.get(reverse("governance:detail", args=[setup["other"].pk])).status_code == 404


def test_a_member_not_on_any_roll_and_a_visitor_read_nothing(setup, client, member_user):
    client.logout()
    response = client.get(download_url(setup["document"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(member_user)  # a member account with no entry in the register
    assert client.get(download_url(setup["document"])).status_code == 404


def test_documents_of_a_draft_are_read_by_administrators_only(register, client, admin_client):
    draft = draft_assembly()
    document = assembly_document_add(
        assembly=draft, title="Projet", kind="other", upload=pdf_upload(), actor=None
    )
    assert admin_client.get(download_url(document)).status_code == 200
    member = members_admitted(register, 1)[0]
    user = UserFactory(email=member.email, roles=["member"])
    Member.objects.filter(pk=member.pk).update(user=user)
    client.force_login(user)
    assert client.get(download_url(document)).status_code == 404


def test_an_administrator_without_totp_reads_only_as_a_member(setup, client, admin_user):
    client.force_login(admin_user)  # administrator and member roles, no TOTP, not on the roll
    assert client.get(download_url(setup["document"])).status_code == 404


def test_the_file_is_never_under_a_public_address(setup):
    name = setup["document"].file.name
    page = setup["client"].get(reverse("governance:detail", args=[setup["assembly"].pk]))
    assert name not in page.content.decode()
    assert "/media/" not in page.content.decode()


# --- Attaching and removing ------------------------------------------------------------------


def test_the_administrator_attaches_a_pdf(register, admin_client, media):
    draft = draft_assembly()
    url = reverse("governance:document_add", args=[draft.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {"title": "Rapport de gestion", "kind": "management_report", "file": pdf_upload()},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("governance:manage_detail", args=[draft.pk]) + "#documents"
    )
    document = AssemblyDocument.objects.get()
    assert (document.title, document.kind) == ("Rapport de gestion", "management_report")
    page = admin_client.get(reverse("governance:manage_detail", args=[draft.pk])).content.decode()
    assert "Rapport de gestion" in page
    assert reverse("governance:document_remove", args=[draft.pk, document.pk]) in page


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (upload("notes.txt", b"just text", "text/plain"), "This file is not a PDF document"),
        (upload("faux.pdf", b"GIF89a" + b"\x00" * 50), "This file is not a PDF document"),
        (upload("vide.pdf", b""), "The file is empty."),
    ],
)
def test_a_file_that_is_not_a_pdf_is_refused_with_a_message(
    register, admin_client, media, file, message
):
    draft = draft_assembly()
    response = admin_client.post(
        reverse("governance:document_add", args=[draft.pk]),
        {"title": "Comptes", "kind": "annual_accounts", "file": file},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AssemblyDocument.objects.exists() and stored_files(media) == []


def test_a_file_too_large_is_refused_by_the_form(register, admin_client, media, monkeypatch):
    monkeypatch.setattr(documents_forms, "MAX_DOCUMENT_BYTES", 100)
    draft = draft_assembly()
    response = admin_client.post(
        reverse("governance:document_add", args=[draft.pk]),
        {"title": "Comptes", "kind": "annual_accounts", "file": pdf_upload()},
    )
    assert response.status_code == 400
    assert "The file is too large: a document is at most 20 MB." in response.content.decode()
    assert stored_files(media) == []


def test_the_upload_refusal_in_french(register, admin_client, media):
    draft = draft_assembly()
    response = admin_client.post(
        reverse("governance:document_add", args=[draft.pk]),
        {"title": "Comptes", "kind": "annual_accounts", "file": upload("a.txt", b"texte")},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Le document n'a pas été joint :" in body
    assert "Ce fichier n&#x27;est pas un document PDF" in body


def test_removal_before_convocation_only(register, admin_client, media):
    draft = draft_assembly()
    convened = assembly_document_add(
        assembly=convened_assembly(members=members_admitted(register, 1)),
        title="Comptes",
        kind="annual_accounts",
        upload=pdf_upload(),
        actor=None,
    )
    document = assembly_document_add(
        assembly=draft, title="Brouillon", kind="other", upload=pdf_upload(), actor=None
    )
    url = reverse("governance:document_remove", args=[draft.pk, document.pk])
    response = admin_client.post(url)
    assert response.status_code == 302
    assert not AssemblyDocument.objects.filter(pk=document.pk).exists()

    url = reverse("governance:document_remove", args=[convened.assembly_id, convened.pk])
    page = admin_client.get(
        reverse("governance:manage_detail", args=[convened.assembly_id])
    ).content.decode()
    assert url not in page  # no button
    response = admin_client.post(url, follow=True)
    assert "can be added, not removed" in response.content.decode()
    assert AssemblyDocument.objects.filter(pk=convened.pk).exists()
    # A document of another assembly is not removed through this one's address.
    wrong = reverse("governance:document_remove", args=[draft.pk, convened.pk])
    assert admin_client.post(wrong).status_code == 404


def test_members_cannot_attach_or_remove(setup):
    client, assembly = setup["client"], setup["assembly"]
    assert client.get(reverse("governance:document_add", args=[assembly.pk])).status_code == 403
    url = reverse("governance:document_remove", args=[assembly.pk, setup["document"].pk])
    assert client.post(url).status_code == 403


# --- Written questions -----------------------------------------------------------------------


def test_a_member_sends_a_question_and_reads_the_answer(setup, totp_admin):
    client, assembly = setup["client"], setup["assembly"]
    page = client.get(reverse("governance:detail", args=[assembly.pk])).content.decode()
    assert "Send my question" in page
    response = client.post(
        reverse("governance:question_ask", args=[assembly.pk]),
        {"text": "Pourquoi la toiture n'est-elle pas refaite ?"},
        follow=True,
    )
    body = response.content.decode()
    assert "Your question is sent to the board." in body
    assert "Pourquoi la toiture n&#x27;est-elle pas refaite ?" in body
    assert "The board has not answered yet" in body
    question = WrittenQuestion.objects.get()
    assert question.roll_entry == setup["entry"]

    written_question_answer(question=question, answer="Les devis arrivent.", actor=totp_admin)
    page = client.get(reverse("governance:detail", args=[assembly.pk])).content.decode()
    assert "Les devis arrivent." in page


def test_a_member_does_not_see_the_questions_of_others(setup):
    other_entry = RollEntry.objects.filter(assembly=setup["assembly"]).exclude(
        pk=setup["entry"].pk
    )[0]
    written_question_ask(roll_entry=other_entry, text="Question d'un autre membre", actor=None)
    page = setup["client"].get(reverse("governance:detail", args=[setup["assembly"].pk]))
    assert "Question d&#x27;un autre membre" not in page.content.decode()


def test_an_empty_question_is_a_form_error(setup):
    response = setup["client"].post(
        reverse("governance:question_ask", args=[setup["assembly"].pk]), {"text": "   "}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Your question was not sent:" in body and "Write your question." in body
    assert not WrittenQuestion.objects.exists()


def test_a_question_after_the_deadline_is_refused_with_the_deadline(register, client):
    # Meeting in two days: the 4th business day before it has passed.
    members = members_admitted(register, 1)
    user = UserFactory(email=members[0].email, roles=["member"])
    Member.objects.filter(pk=members[0].pk).update(user=user)
    assembly = convened_assembly(members=members, starts_at=meeting_time(days_ahead=2))
    client.force_login(user)
    page = client.get(reverse("governance:detail", args=[assembly.pk])).content.decode()
    assert "The deadline for written questions has passed." in page
    assert "Send my question" not in page
    response = client.post(
        reverse("governance:question_ask", args=[assembly.pk]), {"text": "Trop tard ?"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Written questions were accepted until" in body and "the deadline has passed" in body
    assert not WrittenQuestion.objects.exists()


def test_a_question_to_an_assembly_one_is_not_on_the_roll_of_is_not_found(setup):
    response = setup["client"].post(
        reverse("governance:question_ask", args=[setup["other"].pk]), {"text": "Intrus ?"}
    )
    assert response.status_code == 404
    assert not WrittenQuestion.objects.exists()


def test_the_administrator_sees_and_answers_the_questions(setup, admin_client):
    assembly = setup["assembly"]
    question = written_question_ask(
        roll_entry=setup["entry"], text="Combien coûte la toiture ?", actor=None
    )
    page = admin_client.get(reverse("governance:manage_detail", args=[assembly.pk]))
    body = page.content.decode()
    assert "Combien coûte la toiture ?" in body and "not answered yet" in body
    url = reverse("governance:question_answer", args=[assembly.pk, question.pk])
    assert url in body
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"answer": ""})
    assert response.status_code == 400 and "Write the board&#x27;s answer." in (
        response.content.decode()
    )
    response = admin_client.post(url, {"answer": "Environ 40 000 €."})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.answer == "Environ 40 000 €."
    body = admin_client.get(
        reverse("governance:manage_detail", args=[assembly.pk])
    ).content.decode()
    assert "Environ 40 000 €." in body and "Correct the answer" in body
    # A question of another assembly is not answered through this one's address.
    wrong = reverse("governance:question_answer", args=[setup["other"].pk, question.pk])
    assert admin_client.get(wrong).status_code == 404


def test_members_cannot_answer(setup):
    question = written_question_ask(roll_entry=setup["entry"], text="Une question", actor=None)
    url = reverse("governance:question_answer", args=[setup["assembly"].pk, question.pk])
    assert setup["client"].post(url, {"answer": "Moi-même"}).status_code == 403


# --- The convocation -------------------------------------------------------------------------


def test_the_convocation_links_to_the_documents_and_lists_them(register, admin_user, media):
    members = members_admitted(register, 2)
    Member.objects.filter(pk=members[0].pk).update(
        e_notices=True, e_notices_changed_at=timezone.now()
    )
    Member.objects.filter(pk=members[1].pk).update(email="", address="2 rue Haute")
    # A meeting on Friday 11 June 2027 (convened well ahead): questions until Monday 7 June.
    starts = dt.datetime(2027, 6, 11, 18, 0, tzinfo=PARIS)
    draft = draft_assembly(starts_at=starts)
    assembly_document_add(
        assembly=draft,
        title="Comptes annuels 2026",
        kind="annual_accounts",
        upload=pdf_upload(),
        actor=None,
    )
    assembly = assembly_convene(assembly=draft, actor=admin_user)
    email = NoticeDelivery.objects.get(
        notice=assembly.convocation_notice, channel=NoticeDelivery.Channel.EMAIL
    )
    detail = reverse("governance:detail", args=[assembly.pk])
    for body in (email.body_text, email.body_html):
        assert "Comptes annuels 2026" in body
        assert f"{detail}#documents" in body
        # In the member's language (French by default).
        assert "jusqu'au lundi 7 juin 2027 à 23\u00a0h\u00a059" in body.replace("&#x27;", "'")

    entries = list(RollEntry.objects.filter(assembly=assembly).select_related("member"))
    html = letters_html(assembly=assembly, entries=entries)
    assert html.count("Comptes annuels 2026") == 2
    assert "Pour en recevoir une copie papier, écrivez au conseil au siège social" in html
    assert "3 rue du Lac, 38520 Le Bourg-d&#x27;Oisans" in html


def test_the_administrator_records_a_question_received_by_post(setup, admin_client):
    assembly, entry = setup["assembly"], setup["entry"]
    page = admin_client.get(reverse("governance:manage_detail", args=[assembly.pk]))
    url = reverse("governance:question_record", args=[assembly.pk])
    assert url in page.content.decode()
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"member_number": "", "received_on": "", "text": ""})
    assert response.status_code == 400
    assert "Write the member&#x27;s question as the letter puts it." in (response.content.decode())
    today = timezone.localdate().isoformat()
    response = admin_client.post(
        url,
        {"member_number": 999999, "received_on": today, "text": "Une question par courrier"},
    )
    assert response.status_code == 400
    assert "No member no. 999999 is on the roll of this assembly." in response.content.decode()
    response = admin_client.post(
        url,
        {
            "member_number": entry.member_number,
            "received_on": today,
            "text": "Une question par courrier",
        },
    )
    assert response.status_code == 302
    question = WrittenQuestion.objects.get()
    assert (question.roll_entry, question.channel) == (entry, "post")
    body = admin_client.get(
        reverse("governance:manage_detail", args=[assembly.pk])
    ).content.decode()
    assert "received by post on" in body and "Une question par courrier" in body
    # The member sees it on their page too (the test client is shared: sign them in).
    admin_client.force_login(entry.member.user)
    member_page = admin_client.get(reverse("governance:detail", args=[assembly.pk]))
    assert "Une question par courrier" in member_page.content.decode()
