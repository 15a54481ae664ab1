"""The share capital: the append-only ledger of share movements and the repayment queue.

The ledger is the only truth: balances and capital at any date are sums of movements. Each
movement also carries the capital after it and the highest capital reached so far, computed
under the ledger lock when it is recorded (a cache for the floor check and for fast reads; the
tests check that it always equals the sum of the movements).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class LedgerCounter(models.Model):
    """A single row holding the last sequence number given. Every write to the ledger locks it
    first, so movements are numbered consecutively and are checked against a stable ledger."""

    last_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="capital_counter_single_row")]

    def __str__(self) -> str:
        return str(self.last_seq)


class ShareMovement(models.Model):
    """One numbered, dated entry of the register of share movements (RULES 24). Append-only."""

    class Kind(models.TextChoices):
        SUBSCRIPTION = "subscription", _("subscription")
        PAYMENT = "payment", _("payment")
        TRANSFER = "transfer", _("transfer")
        REPAYMENT = "repayment", _("repayment")
        CORRECTION = "correction", _("correction")

    seq = models.PositiveBigIntegerField(_("sequence number"), unique=True)
    effective_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        related_name="share_movements",
        verbose_name=_("member"),
    )
    counterparty = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("other member of the transfer"),
    )
    shares = models.IntegerField(_("shares"))
    nominal_value = models.DecimalField(_("nominal value (€)"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("capital change (€)"), max_digits=14, decimal_places=2)
    paid_amount = models.DecimalField(_("paid-up change (€)"), max_digits=14, decimal_places=2)
    cash_amount = models.DecimalField(
        _("paid back to the member (€)"), max_digits=14, decimal_places=2, default=0
    )
    due_on = models.DateField(_("rest due by"), null=True, blank=True)
    decision_ref = models.CharField(_("decision reference"), max_length=200)
    corrects = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrected_by",
        verbose_name=_("corrects"),
    )
    capital_after = models.DecimalField(_("capital after"), max_digits=16, decimal_places=2)
    highest_capital_after = models.DecimalField(
        _("highest capital reached"), max_digits=16, decimal_places=2
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("share movement")
        verbose_name_plural = _("share movements")
        ordering = ["seq"]
        permissions = [
            ("manage_capital", _("Can record share movements")),
            ("view_capital", _("Can read the share capital")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount=F("shares") * F("nominal_value")),
                name="capital_amount_is_shares_at_nominal",
            ),
            models.CheckConstraint(
                condition=Q(nominal_value__gt=0), name="capital_nominal_positive"
            ),
            models.CheckConstraint(
                condition=Q(capital_after__gte=0, highest_capital_after__gte=F("capital_after")),
                name="capital_running_totals_consistent",
            ),
            models.CheckConstraint(
                condition=~Q(kind="subscription")
                | Q(
                    shares__gt=0,
                    paid_amount__gte=0,
                    paid_amount__lte=F("amount"),
                    counterparty__isnull=True,
                    corrects__isnull=True,
                    cash_amount=0,
                ),
                name="capital_subscription_signs",
            ),
            models.CheckConstraint(
                condition=~Q(kind="payment")
                | Q(
                    shares=0,
                    paid_amount__gt=0,
                    counterparty__isnull=True,
                    corrects__isnull=True,
                    cash_amount=0,
                    due_on__isnull=True,
                ),
                name="capital_payment_signs",
            ),
            models.CheckConstraint(
                condition=~Q(kind="transfer")
                | (
                    ~Q(shares=0)
                    & Q(
                        paid_amount=F("amount"),
                        counterparty__isnull=False,
                        corrects__isnull=True,
                        cash_amount=0,
                        due_on__isnull=True,
                    )
                    & ~Q(counterparty=F("member"))
                ),
                name="capital_transfer_signs",
            ),
            models.CheckConstraint(
                condition=~Q(kind="repayment")
                | Q(
                    shares__lt=0,
                    paid_amount__lte=0,
                    paid_amount__gte=F("amount"),
                    cash_amount__gte=0,
                    cash_amount__lte=-F("paid_amount"),
                    counterparty__isnull=True,
                    corrects__isnull=True,
                    due_on__isnull=True,
                ),
                name="capital_repayment_signs",
            ),
            models.CheckConstraint(
                condition=Q(kind="correction", corrects__isnull=False)
                | Q(~Q(kind="correction"), corrects__isnull=True),
                name="capital_correction_names_movement",
            ),
        ]
        indexes = [
            models.Index(fields=["effective_on", "seq"], name="capital_date_seq_idx"),
            models.Index(fields=["member", "effective_on"], name="capital_member_date_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_kind_display()} {self.effective_on}"


class RepaymentRequest(models.Model):
    """An exited member's shares waiting to be repaid, in the order of exits (RULES 21-22)."""

    member = models.OneToOneField(
        "members.Member",
        on_delete=models.PROTECT,
        related_name="repayment_request",
        verbose_name=_("member"),
    )
    exited_on = models.DateField(_("left on"))
    shares = models.PositiveIntegerField(_("shares to repay"))
    requested_at = models.DateTimeField(_("entered the queue at"), auto_now_add=True)
    repayment = models.OneToOneField(
        ShareMovement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repayment_request",
        verbose_name=_("repayment"),
    )

    class Meta:
        verbose_name = _("repayment request")
        verbose_name_plural = _("repayment requests")
        ordering = ["exited_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(shares__gt=0), name="capital_request_has_shares"),
        ]

    def __str__(self) -> str:
        return f"{self.member} ({self.shares})"

    @property
    def is_pending(self) -> bool:
        return self.repayment_id is None
