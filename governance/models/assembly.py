"""General assemblies: the assembly, its frozen colleges, agenda, roll, proxies and bureau.

An assembly is prepared as a draft (agenda and resolutions can change), then convened: the
statutes in force are frozen into it (a statutes version is an immutable row, so a foreign key
is a freeze), the colleges' weights are copied into `AssemblyCollege`, and the roll of eligible
members is written once into `RollEntry`. After that nothing on the agenda or the roll changes;
the assembly can only go forward (meeting, voting, results) or be cancelled.

Who voted (a `Participation`, one per roll entry and resolution) is kept apart from what was
voted (the ballots of the voting issue), so a ballot can never be linked back to a member.
"""

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from coop.statutes.rules import AssemblyKind, Convocation

if TYPE_CHECKING:
    from coop.models import Statutes


def check_in_token() -> str:
    """A random token printed as a QR code on the convocation, to check the member in."""
    return secrets.token_urlsafe(18)


class Assembly(models.Model):
    class Kind(models.TextChoices):
        ORDINARY = AssemblyKind.ORDINARY.value, _("ordinary general assembly")
        EXTRAORDINARY = AssemblyKind.EXTRAORDINARY.value, _("extraordinary general assembly")

    class ConvocationNumber(models.TextChoices):
        FIRST = Convocation.FIRST.value, _("first convocation")
        SECOND = Convocation.SECOND.value, _("second convocation")

    class Status(models.TextChoices):
        DRAFT = "draft", _("in preparation")
        CONVENED = "convened", _("convened")
        VOTING_OPEN = "voting_open", _("voting open")
        VOTING_CLOSED = "voting_closed", _("voting closed")
        PUBLISHED = "published", _("results published")
        CANCELLED = "cancelled", _("cancelled")
        QUORUM_NOT_REACHED = "no_quorum", _("quorum not reached")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    convocation = models.CharField(
        _("convocation"),
        max_length=8,
        choices=ConvocationNumber.choices,
        default=ConvocationNumber.FIRST,
    )
    first_convocation = models.OneToOneField(
        "self",
        verbose_name=_("first convocation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="second_convocation",
        help_text=_("The assembly that did not reach its quorum, for a second convocation."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_access = models.CharField(
        _("online access"),
        max_length=500,
        blank=True,
        help_text=_("Address of the video meeting, or how to join online."),
    )
    distance_vote_deadline = models.DateTimeField(_("distance votes accepted until"))

    # Frozen when convened.
    statutes = models.ForeignKey(
        "coop.Statutes",
        verbose_name=_("statutes frozen at convocation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    convened_at = models.DateTimeField(_("convened at"), null=True, blank=True)
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("convened by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    convocation_notice = models.OneToOneField(
        "coop.Notice",
        verbose_name=_("convocation notice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # The meeting itself.
    meeting_opened_at = models.DateTimeField(_("meeting opened at"), null=True, blank=True)
    meeting_opening_figures = models.JSONField(
        _("quorum figures when the meeting opened (or an online vote closed)"),
        null=True,
        blank=True,
    )
    voting_opened_at = models.DateTimeField(_("voting opened at"), null=True, blank=True)
    voting_closed_at = models.DateTimeField(_("voting closed at"), null=True, blank=True)

    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancellation_reason = models.TextField(_("reason for cancellation"), blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("general assembly")
        verbose_name_plural = _("general assemblies")
        ordering = ["-starts_at"]
        permissions = [("manage_assemblies", _("Can prepare, convene and run assemblies"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(online_access=""),
                name="governance_assembly_place_or_online",
            ),
            models.CheckConstraint(
                condition=Q(distance_vote_deadline__lte=F("starts_at")),
                name="governance_assembly_deadline_before_meeting",
            ),
            models.CheckConstraint(
                condition=Q(convocation=Convocation.FIRST.value, first_convocation__isnull=True)
                | Q(convocation=Convocation.SECOND.value, first_convocation__isnull=False),
                name="governance_assembly_second_names_first",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(statutes__isnull=False, convened_at__isnull=False),
                name="governance_assembly_convened_has_statutes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def frozen_statutes(self) -> "Statutes":
        """The statutes frozen into the assembly when it was convened (RULES 11): every service
        of a convened assembly reads them here. A draft has none yet."""
        if self.statutes is None:
            raise ValueError(f"assembly {self.pk} is not convened: it has no statutes yet")
        return self.statutes


class AssemblyCollege(models.Model):
    """A college and its weight as they were when the assembly was convened."""

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="colleges")
    college = models.ForeignKey(
        "members.College", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("college of an assembly")
        verbose_name_plural = _("colleges of an assembly")
        ordering = ["assembly", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "college"], name="governance_assemblycollege_unique"
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=0, weight__lte=100),
                name="governance_assemblycollege_weight_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight} %)"


class AgendaItem(models.Model):
    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["assembly", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "position"], name="governance_agendaitem_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Resolution(models.Model):
    """A text put to the vote. Its majority is the statutes' majority for `majority_kind`."""

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="resolutions")
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.PROTECT,
        related_name="resolutions",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("full text"))
    majority_kind = models.CharField(
        _("majority required"),
        max_length=16,
        choices=Assembly.Kind.choices,
        help_text=_("The majority of the statutes for this kind of assembly."),
    )
    # RULES 34: a blank proxy votes for what the board approves and against the rest. Chosen
    # for every resolution written since the paper path; NULL for older rows (the board's
    # position was never asked, so a blank proxy counts it among "the others").
    board_approves = models.BooleanField(
        _("approved by the board"),
        null=True,
        blank=True,
        help_text=_("Whether the board recommends adopting this resolution."),
    )

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["assembly", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "number"], name="governance_resolution_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class RollEntry(models.Model):
    """A member eligible to take part, frozen at convocation with their college and address."""

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="roll")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="assembly_roll_entries"
    )
    college = models.ForeignKey(
        AssemblyCollege,
        verbose_name=_("college"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roll_entries",
    )
    member_number = models.PositiveIntegerField(_("member number"))
    name = models.CharField(_("name"), max_length=300)
    address = models.CharField(_("address"), max_length=500, blank=True)
    check_in_token = models.CharField(max_length=40, unique=True, default=check_in_token)
    convocation_delivery = models.OneToOneField(
        "coop.NoticeDelivery",
        verbose_name=_("convocation sent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    present_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("entry on the roll")
        verbose_name_plural = _("roll")
        ordering = ["assembly", "member_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "member"], name="governance_rollentry_member_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_number} {self.name}"
