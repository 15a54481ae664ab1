"""Gatherings: prepared as drafts by a community's organisers, published (the community is
told), changed (the registered people are told of a new time or place), cancelled (they are
told too), then held, with the attendance recorded (RULES 29)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coop.actors import Actor, actor_user
from coop.audit import AuditAction, audit_record
from coop.cache import version_bump_on_commit
from coop.errors import DomainError, PermissionRefused
from heritage.models import CommunityMembership, Gathering, HeritageCommunity, Registration, Walk
from heritage.selectors import LIST_VERSION_KEY, is_organiser
from heritage.services import notices
from heritage.services.registrations import gathering_lock, seats_fill

Status = Gathering.Status
# A change of these tells the registered people.
TIME_AND_PLACE = ("starts_at", "ends_at", "place")


@dataclass(frozen=True, kw_only=True)
class GatheringData:
    title: str
    description: str
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    capacity: int
    accessibility: str
    visibility: str
    registration_deadline: dt.datetime | None = None
    walk: Walk | None = None


def check_organiser(user: Any, community: HeritageCommunity) -> None:
    if not is_organiser(user=user, community=community):
        raise PermissionRefused(
            _("Only the organisers of %(community)s can do this.") % {"community": community.name},
            code="not_organiser",
        )


def _when(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _validate(data: GatheringData, *, now: dt.datetime, check_future: bool) -> None:
    if not data.title.strip() or not data.place.strip():
        raise DomainError(_("A gathering needs a title and a place."), code="incomplete")
    for moment in (data.starts_at, data.ends_at, data.registration_deadline):
        if moment is not None and timezone.is_naive(moment):
            raise DomainError(_("Times must carry their time zone."), code="naive_time")
    if data.ends_at <= data.starts_at:
        raise DomainError(
            _("The gathering must end after it starts (%(start)s).")
            % {"start": _when(data.starts_at)},
            code="ends_before_start",
        )
    if check_future and data.starts_at <= now:
        raise DomainError(_("The gathering must start in the future."), code="in_the_past")
    if data.capacity < 1:
        raise DomainError(_("A gathering has at least one seat."), code="no_seat")
    if data.registration_deadline is not None and data.registration_deadline > data.starts_at:
        raise DomainError(
            _("Registrations must close before the gathering starts (%(start)s).")
            % {"start": _when(data.starts_at)},
            code="deadline_after_start",
        )
    if data.kind not in Gathering.Kind.values or data.visibility not in (
        Gathering.Visibility.values
    ):
        raise DomainError(_("Unknown kind or visibility."), code="bad_choice")


def _check_walk(data: GatheringData, community: HeritageCommunity) -> None:
    if data.walk is not None and data.walk.community_id != community.pk:
        raise DomainError(
            _("The walk must be one of the community's walks."), code="walk_of_other_community"
        )


def _clean(data: GatheringData) -> dict[str, Any]:
    values = {name: getattr(data, name) for name in GatheringData.__dataclass_fields__}
    for name in ("title", "description", "place", "accessibility"):
        values[name] = values[name].strip()
    return values


def gatherings_list_changed() -> None:
    """After commit: the visitors' list counts its gatherings again."""
    version_bump_on_commit(LIST_VERSION_KEY)


@transaction.atomic
def gathering_create(
    *, community: HeritageCommunity, data: GatheringData, actor: Actor
) -> Gathering:
    """A draft gathering, seen by the community's organisers only until it is published."""
    check_organiser(actor, community)
    _validate(data, now=timezone.now(), check_future=True)
    _check_walk(data, community)
    gathering = Gathering.objects.create(
        community=community, organiser=actor_user(actor), status=Status.DRAFT, **_clean(data)
    )
    audit_record(
        actor=actor,
        action=AuditAction.GATHERING_CREATED,
        target=gathering,
        data={"community": community.pk, "title": gathering.title},
    )
    return gathering


@transaction.atomic
def gathering_update(*, gathering: Gathering, data: GatheringData, actor: Actor) -> Gathering:
    """Change a draft or published gathering. A capacity below the seats already taken is
    refused; a new time or place of a published gathering is sent to the registered people;
    a larger capacity offers the new seats to the waiting line."""
    now = timezone.now()
    gathering = gathering_lock(gathering)
    check_organiser(actor, gathering.community)
    if gathering.status not in (Status.DRAFT, Status.PUBLISHED):
        raise DomainError(
            _("A gathering that is cancelled or over can no longer be changed."),
            code="not_changeable",
        )
    values = _clean(data)
    moved = any(values[name] != getattr(gathering, name) for name in TIME_AND_PLACE)
    _validate(data, now=now, check_future=moved or gathering.status == Status.DRAFT)
    _check_walk(data, gathering.community)
    if data.capacity < gathering.seats_taken:
        raise DomainError(
            _(
                "%(taken)s people already hold a seat: the capacity cannot be lower than "
                "%(taken)s. Ask some of them to cancel first."
            )
            % {"taken": gathering.seats_taken},
            code="capacity_below_registrations",
        )
    if (
        gathering.status == Status.PUBLISHED
        and data.visibility != gathering.visibility
        and Registration.objects.filter(
            gathering=gathering, user__isnull=True, status__in=Registration.ACTIVE
        ).exists()
        and data.visibility == Gathering.Visibility.MEMBERS
    ):
        raise DomainError(
            _("Guests are registered: this gathering cannot be kept for members only."),
            code="guests_registered",
        )
    changed = {
        name: str(getattr(gathering, name) if name != "walk" else gathering.walk_id)
        for name, value in values.items()
        if getattr(gathering, name) != value
    }
    for name, value in values.items():
        setattr(gathering, name, value)
    notify_change = moved and gathering.status == Status.PUBLISHED
    if notify_change:
        gathering.sequence += 1
    gathering.save(update_fields=[*values, "sequence", "updated_at"])
    gatherings_list_changed()
    audit_record(
        actor=actor,
        action=AuditAction.GATHERING_CHANGED,
        target=gathering,
        data={"before": changed},
    )
    if notify_change:
        registrations = list(
            gathering.registrations.filter(
                status__in=(
                    Registration.Status.CONFIRMED,
                    Registration.Status.OFFERED,
                    Registration.Status.WAITING,
                )
            )
            .select_related("user")
            .order_by("id")
        )
        for registration in registrations:
            registration.gathering = gathering
        notices.notify_registrations(
            gathering=gathering,
            registrations=registrations,
            kind=notices.GATHERING_CHANGED,
            template="gathering_changed",
            reference=f"{notices.gathering_reference(gathering)}:{gathering.sequence}",
            actor=actor,
        )
    seats_fill(gathering=gathering, now=now, actor=actor)
    return gathering


@transaction.atomic
def gathering_publish(*, gathering: Gathering, actor: Actor) -> Gathering:
    """Publish a draft: it is listed (publicly or for members) and open to registrations; the
    community's people who asked to hear of new gatherings are told."""
    now = timezone.now()
    gathering = gathering_lock(gathering)
    check_organiser(actor, gathering.community)
    if gathering.status != Status.DRAFT:
        raise DomainError(_("Only a draft can be published."), code="not_draft")
    if gathering.starts_at <= now:
        raise DomainError(
            _("This gathering started on %(start)s: change its time before publishing it.")
            % {"start": _when(gathering.starts_at)},
            code="in_the_past",
        )
    gathering.status = Status.PUBLISHED
    gathering.published_at = now
    gathering.save(update_fields=["status", "published_at", "updated_at"])
    gatherings_list_changed()
    users = [
        membership.user
        for membership in CommunityMembership.objects.filter(
            community=gathering.community, notify=True
        )
        .select_related("user")
        .order_by("id")
        if membership.user.is_active
    ]
    told = notices.notify_publication(gathering=gathering, users=users, actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.GATHERING_PUBLISHED,
        target=gathering,
        data={"told": told},
    )
    return gathering


@transaction.atomic
def gathering_cancel(*, gathering: Gathering, actor: Actor) -> Gathering:
    """Cancel a gathering; everyone registered (seat, offer or waiting line) is told."""
    now = timezone.now()
    gathering = gathering_lock(gathering)
    check_organiser(actor, gathering.community)
    if gathering.status not in (Status.DRAFT, Status.PUBLISHED):
        raise DomainError(
            _("A gathering that is cancelled or over cannot be cancelled."), code="not_cancellable"
        )
    if gathering.status == Status.PUBLISHED and now >= gathering.ends_at:
        raise DomainError(_("This gathering is over."), code="gathering_over")
    if gathering.published_at is None:
        gathering.published_at = now  # listed as cancelled from now on
    gathering.status = Status.CANCELLED
    gathering.save(update_fields=["status", "published_at", "updated_at"])
    gatherings_list_changed()
    registrations = list(
        gathering.registrations.filter(
            status__in=(
                Registration.Status.CONFIRMED,
                Registration.Status.OFFERED,
                Registration.Status.WAITING,
            )
        )
        .select_related("user")
        .order_by("id")
    )
    for registration in registrations:
        registration.gathering = gathering
    told = notices.notify_registrations(
        gathering=gathering,
        registrations=registrations,
        kind=notices.GATHERING_CANCELLED,
        template="gathering_cancelled",
        reference=notices.gathering_reference(gathering),
        actor=actor,
    )
    audit_record(
        actor=actor, action=AuditAction.GATHERING_CANCELLED, target=gathering, data={"told": told}
    )
    return gathering


@transaction.atomic
def attendance_record(*, gathering: Gathering, present: set[int], actor: Actor) -> Gathering:
    """After the gathering has started: who of the confirmed people came. The gathering is
    then held. Recording again corrects the attendance."""
    now = timezone.now()
    gathering = gathering_lock(gathering)
    check_organiser(actor, gathering.community)
    if gathering.status not in (Status.PUBLISHED, Status.HELD):
        raise DomainError(
            _("Attendance is recorded for a published gathering only."), code="not_published"
        )
    if now < gathering.starts_at:
        raise DomainError(
            _("Attendance is recorded once the gathering has started (%(start)s).")
            % {"start": _when(gathering.starts_at)},
            code="not_started",
        )
    confirmed = gathering.registrations.filter(status=Registration.Status.CONFIRMED)
    unknown = present - set(confirmed.values_list("pk", flat=True))
    if unknown:
        raise DomainError(
            _("Only people who held a seat can be marked present."), code="not_confirmed"
        )
    came = confirmed.filter(pk__in=present).update(attended=True)
    absent = confirmed.exclude(pk__in=present).update(attended=False)
    # Offers and the waiting line end with the gathering.
    gathering.registrations.filter(status=Registration.Status.OFFERED).update(
        status=Registration.Status.EXPIRED, offer_expires_at=None
    )
    gathering.seats_taken = confirmed.count()
    gathering.status = Status.HELD
    gathering.save(update_fields=["status", "seats_taken", "updated_at"])
    gatherings_list_changed()
    audit_record(
        actor=actor,
        action=AuditAction.ATTENDANCE_RECORDED,
        target=gathering,
        data={"present": came, "absent": absent},
    )
    return gathering
