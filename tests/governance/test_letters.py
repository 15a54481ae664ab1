"""The printed convocation (RULES 11, 33, 34, 35): the letter read back from its PDF holds the
agenda and resolutions, the documents, the postal-vote and proxy forms, the deadline, and the
member's number and reference on every page; large type; the job that prints a notice's
letters; one member's letter with the large-type checkbox."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from coop.documents import pdf_from_html
from coop.errors import DomainError
from coop.models import Job, Notice, NoticeDelivery
from coop.outbox import letters_mark_posted
from coop.outbox.printing import letters_print_start, printer_for
from governance.documents import letters_html, letters_pdf
from governance.models import Assembly, RollEntry
from governance.references import roll_reference
from governance.services.ballots import ballot_cast
from governance.services.convocation import assembly_convene
from governance.services.documents import assembly_document_add
from governance.services.voting import RESULTS_NOTICE, assembly_tally, results_publish
from members.models import Member
from tests.governance.documents_helpers import pdf_upload
from tests.governance.factories import (
    convened_assembly,
    draft_assembly,
    members_admitted,
    statutes_and_register,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    return statutes_and_register(
        name="Les Communs d'Oisans", registered_office="3 place Notre-Dame, 38000 Grenoble"
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pages_text(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def convened(register, admin_user, count=2, *, language="en"):
    members = members_admitted(register, count)
    Member.objects.filter(pk__in=[m.pk for m in members]).update(language=language)
    draft = draft_assembly(resolutions=3)
    assembly_document_add(
        assembly=draft,
        title="Comptes annuels 2025",
        kind="management_report",
        upload=pdf_upload(),
        actor=admin_user,
    )
    assembly = assembly_convene(assembly=draft, actor=admin_user)
    entries = list(
        RollEntry.objects.filter(assembly=assembly)
        .select_related("member")
        .order_by("member_number")
    )
    return assembly, entries


def test_the_letter_holds_the_forms_the_deadline_the_resolutions_and_the_documents(
    register, admin_user, media
):
    assembly, entries = convened(register, admin_user, 1)
    entry = entries[0]
    pages = pages_text(letters_pdf(assembly=assembly, entries=[entry]))
    whole = " ".join(pages)
    reference = roll_reference(entry)
    # The member's number and reference on every page of their letter, forms included.
    assert len(pages) >= 3
    for page in pages:
        assert f"Member no. {entry.member_number} · Reference {reference}" in page
    # The agenda, the full text of each resolution, the documents and how to get a copy.
    assert "Comptes de l'exercice" in whole
    for number in (1, 2, 3):
        assert f"L'assemblée générale approuve le point {number}." in whole
    assert "Comptes annuels 2025" in whole
    assert "To receive a paper copy, write to the board at the registered office" in whole
    # The deadline (date and time) and the return address.
    deadline = assembly.distance_vote_deadline.astimezone(entry.assembly.starts_at.tzinfo)
    assert "at 15:00 (Paris time)" in whole
    assert "To be received by" in whole and "3 place Notre-Dame, 38000 Grenoble" in whole
    assert deadline.strftime("%Y") in whole
    # The postal-vote form: three exclusive options, the resolutions in agenda order with
    # for / against / abstain, the plain notice on abstention, the amendments box, signature.
    form = whole[whole.index("Postal vote form") :]
    assert "Choose one option only: A, B or C." in form
    assert "A. I trust the chair of the assembly" in form
    assert "votes in your name for the resolutions that the board approves and against" in form
    assert "B. I vote by post on each resolution" in form
    assert "For Against Abstain" in form
    assert "An abstention is not a vote expressed" in form
    assert form.index("Resolution 1: Résolution 1") < form.index("Resolution 2: Résolution 2")
    assert form.index("Resolution 2: Résolution 2") < form.index("Resolution 3: Résolution 3")
    assert "C. I give my proxy to another member" in form
    assert "Amendments or new resolutions put at the meeting" in form
    assert "I give power to the chair to vote in my name." in form
    assert "I abstain (this is not a vote expressed)." in form
    assert "Done at" in form and "Signature:" in form
    # The proxy form: a named holder, or blank = to the chair (RULES 34).
    proxy = whole[whole.index("Proxy form") :]
    assert f"member no. {entry.member_number}, give my proxy" in proxy
    assert "If you name no holder, the proxy goes to the chair" in proxy


def test_the_letter_in_french(register, admin_user, media):
    assembly, entries = convened(register, admin_user, 1, language="fr")
    whole = " ".join(pages_text(letters_pdf(assembly=assembly, entries=entries)))
    assert f"Membre n° {entries[0].member_number} · Référence {roll_reference(entries[0])}" in whole
    assert "Formulaire de vote par correspondance" in whole
    assert "Une abstention n'est pas un suffrage exprimé" in whole
    assert "Formulaire de procuration" in whole


def test_large_type_prints_larger_on_the_same_paper(register, admin_user, media):
    assembly, entries = convened(register, admin_user, 2)
    Member.objects.filter(pk=entries[1].member_id).update(large_type=True)
    entries = list(
        RollEntry.objects.filter(pk__in=[e.pk for e in entries])
        .select_related("member")
        .order_by("member_number")
    )
    html = letters_html(assembly=assembly, entries=entries)
    assert html.count('class="letter"') == 1 and html.count('class="letter large-type"') == 1
    css = re.search(r"\.large-type \{ font-size: (\d+)pt", html)
    body = re.search(r"body \{[^}]*font-size: ([\d.]+)pt", html)
    assert css and body and float(css[1]) >= 14 > float(body[1])
    assert "size: A4;" in html
    # The administrator's choice wins over the member's preference, both ways.
    forced = letters_html(assembly=assembly, entries=entries, large_type=False)
    assert "large-type" not in forced.split("<body>")[1]
    normal = len(PdfReader(io.BytesIO(letters_pdf(assembly=assembly, entries=entries[:1]))).pages)
    large = len(
        PdfReader(
            io.BytesIO(letters_pdf(assembly=assembly, entries=entries[:1], large_type=True))
        ).pages
    )
    assert large > normal
    reader = PdfReader(
        io.BytesIO(letters_pdf(assembly=assembly, entries=entries[:1], large_type=True))
    )
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)


def test_one_letter_is_printed_with_the_large_type_box(admin_client, register, admin_user, media):
    assembly, entries = convened(register, admin_user, 1)
    entry = entries[0]
    Member.objects.filter(pk=entry.member_id).update(large_type=True)
    options = reverse("governance:manage_letter_options", args=[assembly.pk, entry.pk])
    page = admin_client.get(options).content.decode()
    assert re.search(r'<input type="checkbox" name="large_type"[^>]*checked', page)
    proof = admin_client.get(
        reverse("governance:manage_proof", args=[assembly.pk])
    ).content.decode()
    assert options in proof
    pdf_url = reverse("governance:manage_letter", args=[assembly.pk, entry.pk])
    preferred = admin_client.get(pdf_url)
    unticked = admin_client.get(pdf_url, {"options": "True"})
    ticked = admin_client.get(pdf_url, {"options": "True", "large_type": "on"})
    count = {
        name: len(PdfReader(io.BytesIO(response.content)).pages)
        for name, response in (("preferred", preferred), ("unticked", unticked), ("ticked", ticked))
    }
    assert count["preferred"] == count["ticked"] > count["unticked"]


def test_the_job_prints_every_letter_to_post_of_the_notice(
    admin_client, register, admin_user, media, run_jobs, settings
):
    settings.LANGUAGE_CODE = "en"
    assembly, entries = convened(register, admin_user, 3)
    Member.objects.filter(pk=entries[0].member_id).update(e_notices=True)  # still a letter
    notice = assembly.convocation_notice
    notice_url = reverse("coop:outbox_notice", args=[notice.pk])
    assert (
        reverse("coop:outbox_letters_print", args=[notice.pk])
        in admin_client.get(notice_url).content.decode()
    )
    response = run_jobs(
        lambda: admin_client.post(reverse("coop:outbox_letters_print", args=[notice.pk]))
    )
    job = Job.objects.get(kind="coop.letters_print")
    assert response.status_code == 302 and response["Location"] == reverse(
        "jobs:detail", args=[job.pk]
    )
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert (job.progress_done, job.progress_total, job.result["letters"]) == (3, 3, 3)
    download = admin_client.get(reverse("jobs:download", args=[job.pk]))
    pdf = b"".join(download.streaming_content)
    pages = pages_text(pdf)
    assert len(pages) == job.result["pages"]
    for entry in entries:
        assert any(roll_reference(entry) in page for page in pages)
    # Once recorded as posted, nothing is left to print.
    assert letters_mark_posted(notice=notice, posted_on=timezone.localdate(), actor=admin_user) == 3
    assert not NoticeDelivery.objects.filter(notice=notice, status="pending").exists()
    with pytest.raises(DomainError):
        letters_print_start(notice=notice, actor=admin_user)


def test_members_reached_by_post_get_the_results_as_a_letter(register, admin_user):
    members = members_admitted(register, 3)
    Member.objects.filter(pk=members[0].pk).update(e_notices=True)
    Member.objects.filter(pk__in=[m.pk for m in members]).update(language="en")
    assembly = convened_assembly(members=members, resolutions=2)
    entries = list(RollEntry.objects.filter(assembly=assembly).order_by("member_number"))
    resolutions = list(assembly.resolutions.order_by("number").values_list("pk", flat=True))
    for entry in entries:
        ballot_cast(
            assembly=assembly,
            voter=entry,
            choices={resolutions[0]: "for", resolutions[1]: "against"},
            actor=None,
            now=assembly.distance_vote_deadline,
        )
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.VOTING_CLOSED, voting_closed_at=timezone.now()
    )
    assembly_tally(assembly=assembly)
    results_publish(assembly=assembly, actor=admin_user)
    notice = Notice.objects.get(kind=RESULTS_NOTICE)
    channels = dict(notice.deliveries.values_list("recipient_key", "channel"))
    assert channels == {
        f"member:{members[0].pk}": "email",
        f"member:{members[1].pk}": "letter",
        f"member:{members[2].pk}": "letter",
    }
    keys = [f"member:{members[1].pk}", f"member:{members[2].pk}"]
    html = printer_for(RESULTS_NOTICE)(notice, keys)
    assert html.count('class="letter"') == 2
    text = " ".join(pages_text(pdf_from_html(html)))
    assert "Results of the vote" in text
    assert "Resolution 1: Résolution 1 — adopted" in text
    assert "Resolution 2: Résolution 2 — rejected" in text
    assert roll_reference(entries[1]) in text and roll_reference(entries[2]) in text
