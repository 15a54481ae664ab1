import datetime as dt
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from coop.fractions import parse_fraction, validate_unit_fraction


class Statutes(models.Model):
    """One version of the cooperative's statutes parameters (docs/rules.md), in force from a date.

    Versions are never edited: a change is a new version with its own effective date. An
    assembly freezes the version in force when it is convened.
    """

    class LegalForm(models.TextChoices):
        SCIC_SA = "scic_sa", _("SCIC SA (société anonyme)")
        SCIC_SAS = "scic_sas", _("SCIC SAS (société par actions simplifiée)")
        SCIC_SARL = "scic_sarl", _("SCIC SARL (société à responsabilité limitée)")

    class Body(models.TextChoices):
        BOARD = "board", _("the board")
        GENERAL_ASSEMBLY = "general_assembly", _("the general assembly")

    class EmptyCollegePolicy(models.TextChoices):
        RESCALE = "rescale", _("share its weight among the other colleges")
        ZERO = "zero", _("count it as zero")

    effective_from = models.DateField(_("in force from"), unique=True)
    decision_ref = models.CharField(
        _("decision reference"),
        max_length=200,
        help_text=_("The assembly or act that adopted this version."),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    # Identity (RULES 11, 18: every notice and document states them).
    name = models.CharField(_("cooperative's name"), max_length=200)
    legal_form = models.CharField(
        _("legal form"), max_length=12, choices=LegalForm.choices, default=LegalForm.SCIC_SA
    )
    registered_office = models.CharField(_("registered office"), max_length=300)
    registration = models.CharField(
        _("registration (RCS/SIREN)"), max_length=100, blank=True, default=""
    )
    financial_year_end_month = models.PositiveSmallIntegerField(
        _("financial year ends in month"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    financial_year_end_day = models.PositiveSmallIntegerField(
        _("financial year ends on day"),
        default=31,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )

    # Members (RULES 3).
    admission_body = models.CharField(
        _("admissions decided by"), max_length=20, choices=Body.choices, default=Body.BOARD
    )

    # Colleges (RULES 7-8).
    colleges_enabled = models.BooleanField(_("votes are weighted by college"), default=True)
    empty_college_policy = models.CharField(
        _("a college with no vote expressed"),
        max_length=10,
        choices=EmptyCollegePolicy.choices,
        default=EmptyCollegePolicy.RESCALE,
    )

    # Assemblies (RULES 11-15).
    notice_days_first = models.PositiveSmallIntegerField(
        _("notice period, first convocation (days)"), default=15
    )
    notice_days_second = models.PositiveSmallIntegerField(
        _("notice period, second convocation (days)"), default=10
    )
    quorum_ordinary_first = models.CharField(
        _("quorum, ordinary assembly, first convocation"),
        max_length=15,
        default="1/5",
        validators=[validate_unit_fraction],
    )
    quorum_ordinary_second = models.CharField(
        _("quorum, ordinary assembly, second convocation"),
        max_length=15,
        default="0",
        validators=[validate_unit_fraction],
    )
    quorum_extraordinary_first = models.CharField(
        _("quorum, extraordinary assembly, first convocation"),
        max_length=15,
        default="1/4",
        validators=[validate_unit_fraction],
    )
    quorum_extraordinary_second = models.CharField(
        _("quorum, extraordinary assembly, second convocation"),
        max_length=15,
        default="1/5",
        validators=[validate_unit_fraction],
    )
    majority_ordinary = models.CharField(
        _("majority, ordinary assembly"),
        max_length=15,
        default="1/2",
        validators=[validate_unit_fraction],
    )
    majority_ordinary_strict = models.BooleanField(
        _("ordinary majority must be strictly exceeded"), default=True
    )
    majority_extraordinary = models.CharField(
        _("majority, extraordinary assembly"),
        max_length=15,
        default="2/3",
        validators=[validate_unit_fraction],
    )
    majority_extraordinary_strict = models.BooleanField(
        _("extraordinary majority must be strictly exceeded"), default=False
    )
    proxy_small_roll_threshold = models.PositiveIntegerField(
        _("a roll is small below (members)"), default=20
    )
    proxy_limit_small_roll = models.PositiveSmallIntegerField(
        _("proxies a holder may hold when the roll is small"), default=1
    )
    proxy_limit_fraction = models.CharField(
        _("proxies a holder may hold, as a share of the roll"),
        max_length=15,
        default="1/20",
        validators=[validate_unit_fraction],
    )
    proxy_limit_minimum = models.PositiveSmallIntegerField(
        _("proxies a holder may always hold"), default=1
    )
    distance_vote_days_before = models.PositiveSmallIntegerField(
        _("distance votes close this many days before the meeting"), default=1
    )
    distance_vote_closing_time = models.TimeField(
        _("distance votes close at"), default=dt.time(15, 0)
    )
    meeting_early_opening_minutes = models.PositiveSmallIntegerField(
        _("the meeting may open this many minutes before its time"),
        default=60,
        validators=[MaxValueValidator(240)],
        help_text=_("Never before midnight of the meeting's day."),
    )
    written_questions_business_days = models.PositiveSmallIntegerField(
        _("written questions accepted until this many business days before the meeting"),
        default=4,
        validators=[MaxValueValidator(30)],
        help_text=_(
            "Business days are Monday to Friday, French public holidays excepted (RULES 35)."
        ),
    )
    revote_allowed = models.BooleanField(
        _("members may change their vote until the deadline"), default=False
    )

    # Capital (RULES 2, 19-23).
    nominal_share_value = models.DecimalField(
        _("nominal value of a share (€)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("50.00"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    minimum_shares = models.PositiveSmallIntegerField(
        _("minimum shares per member"), default=1, validators=[MinValueValidator(1)]
    )
    paying_up_minimum = models.CharField(
        _("share of a subscription paid when subscribing"),
        max_length=15,
        default="1/4",
        validators=[validate_unit_fraction],
    )
    paying_up_delay_years = models.PositiveSmallIntegerField(
        _("delay to pay the rest (years)"), default=5
    )
    capital_floor = models.CharField(
        _("capital floor, as a share of the highest capital"),
        max_length=15,
        default="1/4",
        validators=[validate_unit_fraction],
    )
    repayment_delay_years = models.PositiveSmallIntegerField(
        _("repayment delay after exit (years)"), default=5
    )
    transfer_approval_body = models.CharField(
        _("share transfers approved by"), max_length=20, choices=Body.choices, default=Body.BOARD
    )
    public_bodies_capital_cap = models.CharField(
        _("public bodies hold at most, of the capital"),
        max_length=15,
        default="1/2",
        validators=[validate_unit_fraction],
    )

    # Personal data (RULES 5).
    retention_years_after_exit = models.PositiveSmallIntegerField(
        _("register data kept after exit (years)"), default=5
    )
    accounting_retention_years = models.PositiveSmallIntegerField(
        _("accounting records kept (years)"), default=10
    )

    FRACTION_FIELDS = (
        "quorum_ordinary_first",
        "quorum_ordinary_second",
        "quorum_extraordinary_first",
        "quorum_extraordinary_second",
        "majority_ordinary",
        "majority_extraordinary",
        "proxy_limit_fraction",
        "paying_up_minimum",
        "capital_floor",
        "public_bodies_capital_cap",
    )

    class Meta:
        verbose_name = _("statutes version")
        verbose_name_plural = _("statutes versions")
        ordering = ["-effective_from"]
        get_latest_by = "effective_from"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(notice_days_first__gte=15),
                name="coop_statutes_notice_first_min",
            ),
            models.CheckConstraint(
                condition=models.Q(notice_days_second__gte=10),
                name="coop_statutes_notice_second_min",
            ),
            models.CheckConstraint(
                condition=models.Q(proxy_limit_minimum__gte=1, proxy_limit_small_roll__gte=1),
                name="coop_statutes_proxy_min",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.effective_from:%Y-%m-%d}"

    def ratio(self, field_name: str) -> Fraction:
        """The exact value of one of the FRACTION_FIELDS."""
        if field_name not in self.FRACTION_FIELDS:
            raise KeyError(field_name)
        return parse_fraction(getattr(self, field_name))

    @property
    def legal_designation(self) -> str:
        """What every document says of the cooperative (RULES 18)."""
        return f"{self.name}, {self.get_legal_form_display()} à capital variable"
