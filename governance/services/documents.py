"""The assembly's documents (RULES 35): accounts and reports that administrators attach to an
assembly, open to every member on the roll from the convocation on.

A file is a PDF — it starts with `%PDF-` and pypdf can read it — of at most MAX_DOCUMENT_BYTES;
anything else is refused before a byte is written to the storage. It is stored with the
project's default storage under a name nobody can guess, and served only by
governance.views.documents to the members on the roll and the administrators.

Documents are attached before or after convocation, until the meeting starts. Before
convocation a document can be removed; after it, it is part of what the members were sent:
it can be added to, not taken away.
"""

import datetime as dt
import hashlib
import io
import logging

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coop.actors import Actor, actor_person
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError
from governance.lifecycle import Action, assembly_require
from governance.models import Assembly, AssemblyDocument

logger = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


class DocumentRefused(DomainError):
    """The file or the document's details cannot be accepted."""


def max_document_megabytes() -> int:
    return MAX_DOCUMENT_BYTES // (1024 * 1024)


def _too_large() -> DocumentRefused:
    return DocumentRefused(
        _("The file is too large: a document is at most %(size)s MB.")
        % {"size": max_document_megabytes()},
        code="too_large",
    )


def _read_pdf(upload: "UploadedFile[bytes]") -> tuple[bytes, int]:
    """The bytes of the upload and its number of pages, or a refusal: too large, not a PDF,
    or a PDF that cannot be read (damaged, or locked with a password)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if upload.size is not None and upload.size > MAX_DOCUMENT_BYTES:
        raise _too_large()
    upload.seek(0)
    content = upload.read(MAX_DOCUMENT_BYTES + 1)
    upload.seek(0)
    if len(content) > MAX_DOCUMENT_BYTES:
        raise _too_large()
    if not content:
        raise DocumentRefused(_("The file is empty."), code="empty")
    not_pdf = DocumentRefused(
        _("This file is not a PDF document: send the document as a PDF file."), code="not_pdf"
    )
    if not content.startswith(PDF_MAGIC):
        raise not_pdf
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise DocumentRefused(
                _(
                    "This PDF is protected by a password: members could not open it. Send it "
                    "without protection."
                ),
                code="encrypted",
            )
        pages = len(reader.pages)
    except DocumentRefused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        logger.info("assembly document refused: pypdf cannot read it (%s)", exc)
        raise DocumentRefused(
            _("This PDF file is damaged or cannot be read: export it again and send it."),
            code="unreadable_pdf",
        ) from exc
    if pages == 0:
        raise DocumentRefused(_("This PDF has no page."), code="no_page")
    return content, pages


@transaction.atomic
def assembly_document_add(
    *,
    assembly: Assembly,
    title: str,
    kind: str,
    upload: "UploadedFile[bytes]",
    actor: Actor,
    now: dt.datetime | None = None,
) -> AssemblyDocument:
    """Attach a PDF to an assembly, until its meeting starts. The file is checked (and the
    assembly's state) before anything is stored."""
    now = now or timezone.now()
    title = title.strip()
    if not title:
        raise DocumentRefused(_("Give the document a title."), code="no_title")
    if kind not in AssemblyDocument.Kind.values:
        raise DocumentRefused(_("Choose the kind of document."), code="bad_kind")
    content, pages = _read_pdf(upload)
    assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
    assembly_require(assembly, Action.ADD_DOCUMENT, now=now)

    document = AssemblyDocument(
        assembly=assembly,
        kind=kind,
        title=title[:200],
        original_name=(upload.name or "")[:255],
        size=len(content),
        pages=pages,
        sha256=hashlib.sha256(content).hexdigest(),
        added_at=now,
        added_by=actor_person(actor),
    )
    document.file.save("document.pdf", ContentFile(content), save=False)
    try:
        document.save()
        audit_record(
            actor=actor,
            action=AuditAction.DOCUMENT_ADDED,
            target=assembly,
            data={
                "document": document.pk,
                "title": document.title,
                "kind": document.kind,
                "size": document.size,
                "pages": document.pages,
                "sha256": document.sha256,
                "after_convocation": assembly.status != Assembly.Status.DRAFT,
            },
        )
    except BaseException:
        # Nothing refers to the stored file: it goes. (If an enclosing transaction rolls back
        # later, the file stays unreferenced under its random name; nothing serves it.)
        if document.file.name:
            document.file.storage.delete(document.file.name)
        raise
    return document


@transaction.atomic
def assembly_document_remove(
    *, document: AssemblyDocument, actor: Actor, now: dt.datetime | None = None
) -> Assembly:
    """Remove a document of an assembly still in preparation. The row goes in the transaction,
    the file once it commits. Returns the assembly."""
    now = now or timezone.now()
    assembly = Assembly.objects.select_for_update().get(pk=document.assembly_id)
    try:
        document = AssemblyDocument.objects.select_for_update().get(pk=document.pk)
    except AssemblyDocument.DoesNotExist:
        raise DocumentRefused(_("This document was already removed."), code="no_document") from None
    assembly_require(assembly, Action.REMOVE_DOCUMENT, now=now)
    storage, name = document.file.storage, document.file.name
    audit_record(
        actor=actor,
        action=AuditAction.DOCUMENT_REMOVED,
        target=assembly,
        data={"document": document.pk, "title": document.title, "sha256": document.sha256},
    )
    document.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name), robust=True)
    return assembly
