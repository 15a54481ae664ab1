"""Before and at the meeting: proxies between members on the roll, and the bureau."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from governance.models.assembly import Assembly, RollEntry


class Proxy(models.Model):
    """A written proxy from one member on the roll to another, for this assembly only.

    At most one active proxy per giver (a partial unique index); no chains and the holder's
    limit are checked under the assembly's row lock (governance.services.proxies).
    """

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="proxies")
    giver = models.ForeignKey(
        RollEntry,
        verbose_name=_("member represented"),
        on_delete=models.PROTECT,
        related_name="proxies_given",
    )
    holder = models.ForeignKey(
        RollEntry,
        verbose_name=_("proxy holder"),
        on_delete=models.PROTECT,
        related_name="proxies_held",
    )
    given_at = models.DateTimeField(_("given at"), auto_now_add=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("proxy")
        verbose_name_plural = _("proxies")
        ordering = ["assembly", "given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["giver"],
                condition=Q(revoked_at__isnull=True),
                name="governance_proxy_one_active_per_giver",
            ),
            models.CheckConstraint(
                condition=~Q(giver=F("holder")), name="governance_proxy_not_to_oneself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.giver} → {self.holder}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class BureauSeat(models.Model):
    """The bureau of the meeting: a chair, one or more scrutineers, a secretary (RULES 16)."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("chair")
        SCRUTINEER = "scrutineer", _("scrutineer")
        SECRETARY = "secretary", _("secretary")

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="bureau")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    name = models.CharField(_("name"), max_length=300)
    roll_entry = models.ForeignKey(
        RollEntry,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("seat of the bureau")
        verbose_name_plural = _("bureau")
        ordering = ["assembly", "role", "recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "role"],
                condition=Q(role__in=["chair", "secretary"]),
                name="governance_bureau_one_chair_one_secretary",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"
