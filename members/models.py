"""The member register: categories, colleges, members, and the append-only register events."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A category of associates (RULES 1): employees, beneficiaries, volunteers, public bodies..."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    compulsory = models.BooleanField(
        _("compulsory in a SCIC"),
        default=False,
        help_text=_("The register warns while a compulsory category has no member."),
    )
    is_public_body = models.BooleanField(
        _("public bodies"),
        default=False,
        help_text=_("Local authorities and their groupings: their capital is capped (RULES 2)."),
    )
    minimum_shares = models.PositiveSmallIntegerField(_("minimum shares"), default=1)
    default_college = models.ForeignKey(
        "College",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("usual college"),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("open to applications"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class College(models.Model):
    """A college of voters and its weight in percent (RULES 7)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Between 10 and 50; the weights of all colleges add up to 100."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("college")
        verbose_name_plural = _("colleges")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=0, weight__lte=100), name="members_college_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MemberNumberCounter(models.Model):
    """A single row holding the last member number given. Locked while a number is taken, so
    numbers are consecutive and never reused, even when two admissions happen at once."""

    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="members_counter_single_row")]

    def __str__(self) -> str:
        return str(self.last_number)


class Member(models.Model):
    """The current entry of a member (or applicant) in the register.

    The legal register is the sequence of RegisterEvent rows; this row is their latest state,
    written in the same transaction as each event, for lists and searches.
    """

    class PersonKind(models.TextChoices):
        NATURAL = "natural", _("natural person")
        LEGAL = "legal", _("legal person")

    class Status(models.TextChoices):
        APPLICANT = "applicant", _("applicant")
        REJECTED = "rejected", _("application rejected")
        ADMITTED = "admitted", _("admitted, awaiting ratification")
        RATIFIED = "ratified", _("member")
        RESIGNED = "resigned", _("resigned")
        EXCLUDED = "excluded", _("excluded")
        DECEASED = "deceased", _("deceased")
        LOST_QUALITY = "lost_quality", _("lost the quality of member")

    ADMITTED_STATUSES = (Status.ADMITTED, Status.RATIFIED)
    EXITED_STATUSES = (Status.RESIGNED, Status.EXCLUDED, Status.DECEASED, Status.LOST_QUALITY)

    number = models.PositiveIntegerField(_("member number"), unique=True, null=True, blank=True)
    person_kind = models.CharField(
        _("kind of person"), max_length=8, choices=PersonKind.choices, default=PersonKind.NATURAL
    )
    first_name = models.CharField(_("first name"), max_length=120, blank=True)
    last_name = models.CharField(_("last name"), max_length=120, blank=True)
    legal_name = models.CharField(_("name of the legal person"), max_length=200, blank=True)
    legal_registration = models.CharField(
        _("registration number (SIREN, RNA...)"), max_length=60, blank=True
    )
    representative_name = models.CharField(_("representative"), max_length=200, blank=True)
    representative_role = models.CharField(_("representative's role"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("town"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=80, blank=True, default="France")
    language = models.CharField(_("language"), max_length=8, default="fr")
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="members", verbose_name=_("category")
    )
    college = models.ForeignKey(
        College,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("college"),
    )
    requested_shares = models.PositiveIntegerField(_("shares intended"), default=1)
    e_notices = models.BooleanField(_("agrees to receive notices by e-mail"), default=False)
    large_type = models.BooleanField(
        _("letters in large type"),
        default=False,
        help_text=_("Printed letters to this member use a larger font (still on A4 paper)."),
    )
    e_notices_changed_at = models.DateTimeField(
        _("e-mail notices consent given or withdrawn at"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.APPLICANT
    )
    applied_on = models.DateField(_("applied on"))
    admitted_on = models.DateField(_("admitted on"), null=True, blank=True)
    admission_ref = models.CharField(_("admission decision"), max_length=200, blank=True)
    ratified_on = models.DateField(_("ratified on"), null=True, blank=True)
    ratification_ref = models.CharField(_("ratified by"), max_length=200, blank=True)
    rejected_on = models.DateField(_("rejected on"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    exited_on = models.DateField(_("left on"), null=True, blank=True)
    exit_ref = models.CharField(_("exit decision or document"), max_length=200, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
        verbose_name=_("login account"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["number", "id"]
        permissions = [
            ("manage_register", _("Can keep the member register")),
            ("view_register", _("Can read the member register")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(person_kind="natural", last_name__gt="")
                    | Q(person_kind="legal", legal_name__gt="")
                ),
                name="members_member_has_a_name",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["applicant", "rejected"], number__isnull=True)
                | (
                    ~Q(status__in=["applicant", "rejected"])
                    & Q(number__isnull=False, admitted_on__isnull=False, college__isnull=False)
                ),
                name="members_number_iff_admitted",
            ),
            models.CheckConstraint(
                condition=~Q(status="ratified") | Q(ratified_on__isnull=False),
                name="members_ratified_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["resigned", "excluded", "deceased", "lost_quality"])
                | Q(exited_on__isnull=False),
                name="members_exited_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(e_notices=True) | ~Q(email=""),
                name="members_e_notices_need_email",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "number"], name="members_status_number_idx"),
            models.Index(fields=["college", "number"], name="members_college_number_idx"),
            models.Index(fields=["category", "number"], name="members_category_number_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.person_kind == self.PersonKind.LEGAL:
            return self.legal_name
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_current_member(self) -> bool:
        return self.status in self.ADMITTED_STATUSES


class RegisterEvent(models.Model):
    """One dated entry of the legal register. Append-only: the database refuses UPDATE/DELETE.

    `changes` holds what this event changed; `snapshot` the whole register entry after it, so
    the register on any date is the latest snapshot of each member up to that date.
    """

    class Kind(models.TextChoices):
        APPLIED = "applied", _("application")
        IMPORTED = "imported", _("entry imported from the previous register")
        ADMITTED = "admitted", _("admission")
        REJECTED = "rejected", _("application rejected")
        RATIFIED = "ratified", _("ratification by the general assembly")
        CONTACT_CHANGED = "contact_changed", _("contact details changed")
        CONSENT_CHANGED = "consent_changed", _("e-mail notices consent changed")
        COLLEGE_CHANGED = "college_changed", _("moved to another college")
        EXITED = "exited", _("exit")

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="events", verbose_name=_("member")
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    effective_on = models.DateField(_("date"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    decision_ref = models.CharField(_("decision reference"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict)
    snapshot = models.JSONField(_("entry after this event"), default=dict)

    class Meta:
        verbose_name = _("register event")
        verbose_name_plural = _("register events")
        ordering = ["effective_on", "id"]
        indexes = [
            models.Index(fields=["member", "effective_on", "id"], name="members_event_replay_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.effective_on} {self.get_kind_display()}"
