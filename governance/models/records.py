"""What the assembly keeps: its minutes, the documents put before it, the written questions
and the board's answers."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.models.assembly import Assembly, RollEntry


class Minutes(models.Model):
    """The minutes of an assembly (RULES 17): drafted from what Volière recorded, completed by
    the administrator with the summary of the debates, then published and never changed."""

    assembly = models.OneToOneField(Assembly, on_delete=models.PROTECT, related_name="minutes")
    debate_summary = models.TextField(_("summary of the debates"), blank=True)
    documents_presented = models.TextField(_("documents presented to the assembly"), blank=True)
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return str(self.assembly)


# --- The assembly's documents and the members' written questions (RULES 35, 17) -------------


def assembly_document_path(instance: "AssemblyDocument", filename: str) -> str:
    """A name nobody can guess: the file is served only through a view that checks the reader
    (governance.views.documents), never from a public address."""
    return f"governance/documents/{secrets.token_urlsafe(24)}.pdf"


class AssemblyDocument(models.Model):
    """A document put before the assembly (accounts, reports): a PDF open to every member on
    the roll from the convocation on. After convocation it is part of what the members were
    sent: documents can be added until the meeting, not removed."""

    class Kind(models.TextChoices):
        ANNUAL_ACCOUNTS = "annual_accounts", _("annual accounts")
        MANAGEMENT_REPORT = "management_report", _("management report")
        AUDITOR_REPORT = "auditor_report", _("auditor's report")
        OTHER = "other", _("other document")

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind of document"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file (PDF)"), upload_to=assembly_document_path, max_length=200)
    original_name = models.CharField(_("name of the file sent"), max_length=255, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"))
    pages = models.PositiveIntegerField(_("pages"))
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    added_at = models.DateTimeField(_("added at"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("document of an assembly")
        verbose_name_plural = _("documents of an assembly")
        ordering = ["assembly", "added_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title=""), name="governance_assemblydocument_has_title"
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=["annual_accounts", "management_report", "auditor_report", "other"]
                ),
                name="governance_assemblydocument_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class WrittenQuestion(models.Model):
    """A question a member on the roll sent before the deadline (RULES 35), and the board's
    answer, given at the meeting and kept in the minutes."""

    assembly = models.ForeignKey(
        Assembly, on_delete=models.PROTECT, related_name="written_questions"
    )
    roll_entry = models.ForeignKey(
        RollEntry,
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="written_questions",
    )

    class Channel(models.TextChoices):
        ONLINE = "online", _("on the assembly's page")
        POST = "post", _("by post")

    text = models.TextField(_("question"))
    asked_at = models.DateTimeField(_("asked at"))
    channel = models.CharField(
        _("received"), max_length=8, choices=Channel.choices, default=Channel.ONLINE
    )
    received_on = models.DateField(
        _("letter received on"),
        null=True,
        blank=True,
        help_text=_("For a question sent by post: the day the letter was received."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answer = models.TextField(_("the board's answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answer written by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("written question")
        verbose_name_plural = _("written questions")
        ordering = ["assembly", "asked_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""), name="governance_writtenquestion_has_text"
            ),
            models.CheckConstraint(
                condition=Q(channel="online", received_on__isnull=True)
                | Q(channel="post", received_on__isnull=False),
                name="governance_writtenquestion_post_has_date",
            ),
            models.CheckConstraint(
                condition=Q(answer="", answered_at__isnull=True)
                | (~Q(answer="") & Q(answered_at__isnull=False)),
                name="governance_writtenquestion_answer_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.roll_entry}: {self.text[:60]}"


# The paper path (RULES 33, 34): postal forms and paper proxies, in a module of their own.
