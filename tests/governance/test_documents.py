"""The assembly's documents (RULES 35): PDFs only, checked by content and size before anything
is stored; attached until the meeting; removed only before convocation; stored under a name
nobody can guess."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from coop.models import AuditEvent
from governance.lifecycle import AssemblyRefused
from governance.models import Assembly, AssemblyDocument
from governance.services import documents as documents_service
from governance.services.documents import (
    DocumentRefused,
    assembly_document_add,
    assembly_document_remove,
)
from tests.governance.documents_helpers import pdf_bytes, pdf_upload, upload
from tests.governance.factories import (
    convened_assembly,
    draft_assembly,
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
def draft():
    statutes_and_register()
    return draft_assembly(title="AGO 2026")


@pytest.fixture
def convened():
    register = statutes_and_register()
    return convened_assembly(members=members_admitted(register, 2), title="AGO 2026")


def add(assembly, file, *, title="Comptes annuels 2025", kind="annual_accounts", **kwargs):
    return assembly_document_add(
        assembly=assembly, title=title, kind=kind, upload=file, actor=None, **kwargs
    )


def test_a_pdf_is_stored_under_a_name_nobody_can_guess(draft, media, admin_user):
    content = pdf_bytes(pages=3)
    document = assembly_document_add(
        assembly=draft,
        title="  Comptes annuels 2025 ",
        kind="annual_accounts",
        upload=upload("comptes de Mme Durand.pdf", content),
        actor=admin_user,
    )
    document.refresh_from_db()
    assert document.title == "Comptes annuels 2025"
    assert (document.pages, document.size, document.original_name) == (
        3,
        len(content),
        "comptes de Mme Durand.pdf",
    )
    assert document.added_by == admin_user
    name = document.file.name
    assert name.startswith("governance/documents/") and name.endswith(".pdf")
    assert "Durand" not in name and "comptes" not in name
    assert len(Path(name).stem) >= 32
    assert (media / name).read_bytes() == content
    other = add(draft, pdf_upload("comptes de Mme Durand.pdf"))
    assert other.file.name != name
    event = AuditEvent.objects.get(action="assembly.document_added", data__document=document.pk)
    assert event.data["sha256"] == document.sha256 and event.data["after_convocation"] is False


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Hello, this is text.", "not a PDF document"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "not a PDF document"),
        (b"<html>%PDF-1.7</html>", "not a PDF document"),
        (b"%PDF-1.7\nthis is not really a PDF at all\n", "damaged or cannot be read"),
        (b"", "empty"),
    ],
)
def test_a_file_that_is_not_a_readable_pdf_is_refused_before_it_is_stored(
    draft, media, content, message
):
    with pytest.raises(DocumentRefused, match=message):
        add(draft, upload("comptes.pdf", content))
    assert not AssemblyDocument.objects.exists()
    assert stored_files(media) == []


def test_a_pdf_locked_with_a_password_is_refused(draft, media):
    with pytest.raises(DocumentRefused, match="protected by a password"):
        add(draft, pdf_upload(password="secret"))
    assert stored_files(media) == []


def test_a_file_too_large_is_refused_before_it_is_stored(draft, media, monkeypatch):
    small = pdf_bytes()
    monkeypatch.setattr(documents_service, "MAX_DOCUMENT_BYTES", len(small) + 10)
    with pytest.raises(DocumentRefused, match="too large"):
        add(draft, upload("gros.pdf", pdf_bytes(padding=100)))
    assert stored_files(media) == []
    # At the limit, it is accepted.
    add(draft, upload("petit.pdf", small))
    assert len(stored_files(media)) == 1


def test_a_title_and_a_known_kind_are_required(draft, media):
    with pytest.raises(DocumentRefused, match="title"):
        add(draft, pdf_upload(), title="  ")
    with pytest.raises(DocumentRefused, match="kind"):
        add(draft, pdf_upload(), kind="gossip")
    assert stored_files(media) == []


def test_documents_are_added_after_convocation_until_the_meeting(convened, media):
    document = add(convened, pdf_upload(), title="Rapport de gestion", kind="management_report")
    assert document.assembly == convened
    event = AuditEvent.objects.get(action="assembly.document_added")
    assert event.data["after_convocation"] is True

    with pytest.raises(AssemblyRefused, match="has started"):
        add(convened, pdf_upload(), now=convened.starts_at)
    Assembly.objects.filter(pk=convened.pk).update(
        status=Assembly.Status.VOTING_OPEN, meeting_opened_at=timezone.now()
    )
    with pytest.raises(AssemblyRefused):
        add(convened, pdf_upload())
    assert AssemblyDocument.objects.count() == 1
    assert len(stored_files(media)) == 1


def test_a_cancelled_assembly_takes_no_document(convened, media):
    Assembly.objects.filter(pk=convened.pk).update(
        status=Assembly.Status.CANCELLED, cancelled_at=timezone.now()
    )
    with pytest.raises(AssemblyRefused, match="cancelled"):
        add(convened, pdf_upload())
    assert stored_files(media) == []


def test_removed_before_convocation_the_file_goes_once_committed(
    draft, media, admin_user, django_capture_on_commit_callbacks
):
    document = add(draft, pdf_upload())
    path = media / document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        assembly_document_remove(document=document, actor=admin_user)
    assert not AssemblyDocument.objects.exists()
    assert not path.exists()
    event = AuditEvent.objects.get(action="assembly.document_removed")
    assert event.data["title"] == "Comptes annuels 2025"
    with pytest.raises(DocumentRefused, match="already removed"):
        assembly_document_remove(document=document, actor=admin_user)


def test_after_convocation_a_document_is_never_removed(convened, media, admin_user):
    document = add(convened, pdf_upload())
    with pytest.raises(AssemblyRefused, match="can be added, not removed"):
        assembly_document_remove(document=document, actor=admin_user)
    assert AssemblyDocument.objects.filter(pk=document.pk).exists()
    assert (media / document.file.name).exists()


def test_a_failure_after_the_file_was_written_removes_it(draft, media, monkeypatch):
    def broken_audit(**_kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(documents_service, "audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        add(draft, pdf_upload())
    assert not AssemblyDocument.objects.exists()
    assert stored_files(media) == []


def test_the_meeting_day_itself_before_the_start_still_takes_documents(convened, media):
    before = convened.starts_at - dt.timedelta(minutes=1)
    assert add(convened, pdf_upload(), now=before).pk
