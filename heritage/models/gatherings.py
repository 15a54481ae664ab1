"""Gatherings of a community and the registrations to them (RULES 29).

Gatherings are hosted by the community's organisers; registrations hold a seat (confirmed, or
offered to someone of the waiting list), wait in line, or await the guest's e-mail check.
Seats are counted in `Gathering.seats_taken`, changed only under a lock of the gathering row
(services), and the database refuses a count above the capacity.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from heritage.models.communities import HeritageCommunity


class Gathering(models.Model):
    """A walk, a visit or a meeting of a community, with a place, a time and a capacity."""

    class Kind(models.TextChoices):
        WALK = "walk", _("walk")
        VISIT = "visit", _("visit")
        MEETING = "meeting", _("meeting")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("public")
        MEMBERS = "members", _("members only")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        CANCELLED = "cancelled", _("cancelled")
        HELD = "held", _("held")

    community = models.ForeignKey(
        HeritageCommunity,
        on_delete=models.PROTECT,
        related_name="gatherings",
        verbose_name=_("community"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.WALK)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=300)
    capacity = models.PositiveIntegerField(_("capacity"))
    accessibility = models.TextField(
        _("accessibility"),
        blank=True,
        help_text=_("Step-free access, distance, slopes, seats, toilets, help available..."),
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    registration_deadline = models.DateTimeField(
        _("registrations close at"),
        null=True,
        blank=True,
        help_text=_("Leave empty to accept registrations until the gathering starts."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    walk = models.ForeignKey(
        "heritage.Walk",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="gatherings",
        verbose_name=_("walk"),
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="organised_gatherings",
        verbose_name=_("organiser"),
    )
    seats_taken = models.PositiveIntegerField(_("seats taken"), default=0, editable=False)
    sequence = models.PositiveIntegerField(_("changes of time or place"), default=0, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("gathering")
        verbose_name_plural = _("gatherings")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="heritage_gathering_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="heritage_capacity_positive"),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("capacity")),
                name="heritage_capacity_never_exceeded",
            ),
            models.CheckConstraint(
                condition=Q(registration_deadline__isnull=True)
                | Q(registration_deadline__lte=F("starts_at")),
                name="heritage_deadline_before_start",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="heritage_published_has_date",
            ),
        ]
        indexes = [
            models.Index(
                fields=["starts_at", "id"],
                condition=Q(status__in=["published", "held", "cancelled"], visibility="public"),
                name="heritage_public_starts_idx",
            ),
            models.Index(fields=["community", "starts_at"], name="heritage_community_starts_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC


class Registration(models.Model):
    """A person's registration to a gathering: a signed-in person, or a guest (name and e-mail).

    Seats are held by `confirmed` and `offered` registrations. `position` is the place in the
    waiting line, given in order of arrival and never reused within a gathering.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the e-mail address to be checked")
        CONFIRMED = "confirmed", _("confirmed")
        WAITING = "waiting", _("on the waiting list")
        OFFERED = "offered", _("seat offered, to be confirmed")
        CANCELLED = "cancelled", _("cancelled")
        EXPIRED = "expired", _("offer expired")

    ACTIVE = ("pending", "confirmed", "waiting", "offered")
    HOLDING_A_SEAT = ("confirmed", "offered")

    gathering = models.ForeignKey(
        Gathering,
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("gathering"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="heritage_registrations",
        verbose_name=_("person"),
    )
    guest_name = models.CharField(_("name"), max_length=150, blank=True)
    guest_email = models.EmailField(_("e-mail address"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="fr")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    position = models.PositiveIntegerField(_("place in the waiting line"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer to confirm before"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, guest_email="")
                | Q(user__isnull=True) & ~Q(guest_email="") & ~Q(guest_name=""),
                name="heritage_registration_person_or_guest",
            ),
            models.UniqueConstraint(
                fields=["gathering", "user"],
                condition=Q(status__in=["pending", "confirmed", "waiting", "offered"]),
                name="heritage_registration_active_once_per_user",
            ),
            models.UniqueConstraint(
                "gathering",
                Lower("guest_email"),
                condition=Q(status__in=["pending", "confirmed", "waiting", "offered"])
                & ~Q(guest_email=""),
                name="heritage_registration_active_once_per_guest",
            ),
            models.UniqueConstraint(
                fields=["gathering", "position"],
                condition=Q(position__isnull=False),
                name="heritage_registration_position_unique",
            ),
            models.CheckConstraint(
                condition=~Q(status="waiting") | Q(position__isnull=False),
                name="heritage_waiting_has_position",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False),
                name="heritage_offer_has_deadline",
            ),
            models.CheckConstraint(
                condition=Q(attended__isnull=True) | Q(status="confirmed"),
                name="heritage_attendance_of_confirmed",
            ),
        ]
        indexes = [
            models.Index(
                fields=["gathering", "status", "position"], name="heritage_reg_status_idx"
            ),
            models.Index(
                fields=["offer_expires_at"],
                condition=Q(status="offered"),
                name="heritage_reg_offer_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} → {self.gathering}"

    @property
    def display_name(self) -> str:
        if self.user_id is not None:
            return self.user.get_full_name() or self.user.email
        return self.guest_name

    @property
    def email(self) -> str:
        return self.user.email if self.user_id is not None else self.guest_email

    @property
    def is_guest(self) -> bool:
        return self.user_id is None
