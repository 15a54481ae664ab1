from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    """Something the cooperative tells people (a convocation, a reminder, a result...)."""

    kind = models.CharField(_("kind"), max_length=64)
    reference = models.CharField(
        _("reference"),
        max_length=128,
        help_text=_("Identifies the notice within its kind, e.g. the assembly it convenes."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "reference"], name="coop_notice_kind_ref_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"


class NoticeDelivery(models.Model):
    """One row per (notice, recipient): the outbox, and the proof of sending."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        LETTER = "letter", _("printed letter")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        INTERRUPTED = "interrupted", _("interrupted: check before sending again")

    notice = models.ForeignKey(
        Notice, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("notice")
    )
    recipient_key = models.CharField(
        _("recipient"),
        max_length=128,
        help_text=_("Who this is for, e.g. member:42 or user:7."),
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    to_email = models.EmailField(_("to"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="fr")
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    resends = models.PositiveSmallIntegerField(
        _("resends"),
        default=0,
        db_default=0,
        help_text=_(
            "Times this copy was sent again after a try that may have delivered it (same "
            "Message-ID, so that mail programs show it once)."
        ),
    )
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    claim_token = models.BigIntegerField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    message_id = models.CharField(_("message id"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notice delivery")
        verbose_name_plural = _("notice deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "recipient_key"], name="coop_delivery_once_per_recipient"
            ),
            models.CheckConstraint(
                condition=Q(channel="letter") | ~Q(to_email=""),
                name="coop_delivery_email_has_address",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="coop_delivery_sent_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(claim_token__isnull=False),
                name="coop_delivery_sending_is_claimed",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status="pending", channel="email"),
                name="coop_delivery_due_idx",
            ),
            models.Index(
                fields=["claim_token"],
                condition=Q(status="sending"),
                name="coop_delivery_claimed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notice} -> {self.recipient_key} ({self.status})"
