"""The share capital: the append-only ledger of share movements and the repayment queue.

The ledger is the only truth: balances and capital at any date are sums of movements. Each
movement also carries the capital after it and the highest capital reached so far, computed
under the ledger lock when it is recorded (a cache for the floor check and for fast reads; the
tests check that it always equals the sum of the movements).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from coop.models import Statutes


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
    approved_by = models.CharField(
        _("approved by"),
        max_length=20,
        blank=True,
        default="",
        choices=Statutes.Body.choices,
        help_text=_("For a transfer: the body the statutes in force name to approve it."),
    )
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


class AccountsApproval(models.Model):
    """The general assembly's approval of the accounts of a financial year (RULES 22): the
    shares of members who left during that year may be repaid only after it, less the losses
    per share the accounts show. Append-only: one approval per financial year, never edited."""

    financial_year_end = models.DateField(_("financial year ending on"), unique=True)
    approved_on = models.DateField(_("approved on"))
    decision_ref = models.CharField(_("decision reference"), max_length=200)
    losses_per_share = models.DecimalField(
        _("losses per share (€)"), max_digits=12, decimal_places=2, default=0
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
        verbose_name = _("approval of the accounts")
        verbose_name_plural = _("approvals of the accounts")
        ordering = ["-financial_year_end"]
        constraints = [
            models.CheckConstraint(
                condition=Q(losses_per_share__gte=0), name="capital_approval_losses_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(approved_on__gt=F("financial_year_end")),
                name="capital_approval_after_year_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.financial_year_end} ({self.decision_ref})"


class InterestRateDecision(models.Model):
    """The interest on shares the general assembly decided for a financial year (RULES 26),
    with the average TMO of the 3 previous years that caps it (plus 2 points). Append-only."""

    financial_year_end = models.DateField(_("financial year ending on"), unique=True)
    rate = models.DecimalField(_("interest rate (%)"), max_digits=6, decimal_places=3)
    tmo_average = models.DecimalField(
        _("average TMO of the 3 previous years (%)"), max_digits=6, decimal_places=3
    )
    decided_on = models.DateField(_("decided on"))
    decision_ref = models.CharField(_("decision reference"), max_length=200)
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
        verbose_name = _("interest rate decision")
        verbose_name_plural = _("interest rate decisions")
        ordering = ["-financial_year_end"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__gte=0, rate__lte=F("tmo_average") + 2),
                name="capital_interest_rate_capped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.financial_year_end}: {self.rate} %"

    @property
    def cap(self) -> Decimal:
        """The highest rate allowed (RULES 26): the average TMO plus 2 points."""
        return self.tmo_average + 2
