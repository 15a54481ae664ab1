"""Registrations: seats, the waiting line, offers of freed seats, cancellations, reminders.

Every change of seats happens under a lock of the gathering row (`SELECT ... FOR UPDATE`), so
people registering at once are served one after the other: the seats are counted right
(`Gathering.seats_taken`, which the database keeps at most the capacity) and the waiting line
is given in order of arrival (`Registration.position`).
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coop.actors import Actor
from coop.audit import AuditAction, audit_record
from coop.cache import version_bump_on_commit
from coop.errors import DomainError
from heritage.models import Gathering, Registration
from heritage.selectors import SEATS_VERSION_KEY, gathering_visible_to
from heritage.services import notices
from heritage.tokens import BadToken, cancel_token_read, offer_token_read, verify_token_read

Status = Registration.Status
# How long a person of the waiting line has to take a seat offered to them.
OFFER_DELAY = dt.timedelta(hours=48)


def gathering_lock(gathering: Gathering | int) -> Gathering:
    """The gathering row, locked until the end of the transaction."""
    pk = gathering if isinstance(gathering, int) else gathering.pk
    return Gathering.objects.select_for_update(of=("self",)).select_related("community").get(pk=pk)


def _registration_locked(pk: int) -> Registration:
    """The registration, after a lock of its gathering (always in that order: no deadlock)."""
    gathering_pk = Registration.objects.filter(pk=pk).values_list("gathering_id", flat=True).first()
    if gathering_pk is None:
        raise DomainError(_("This registration no longer exists."), code="no_registration")
    gathering = gathering_lock(gathering_pk)
    registration = (
        Registration.objects.select_for_update(of=("self",)).select_related("user").get(pk=pk)
    )
    registration.gathering = gathering
    return registration


def _seats_save(gathering: Gathering) -> None:
    """Save the seats taken; after commit, a visitor's list of gatherings shows the seats left
    again (the feeds, which show no seats, are kept)."""
    gathering.save(update_fields=["seats_taken", "updated_at"])
    version_bump_on_commit(SEATS_VERSION_KEY)


def registrations_open_check(gathering: Gathering, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    if gathering.status != Gathering.Status.PUBLISHED:
        raise DomainError(
            _("Registrations are not open for this gathering."), code="registrations_closed"
        )
    closes = gathering.registration_deadline or gathering.starts_at
    if now >= closes:
        raise DomainError(
            _("Registrations for this gathering closed on %(date)s.")
            % {"date": date_format(timezone.localtime(closes), "DATETIME_FORMAT")},
            code="registrations_closed",
        )


def _next_position(gathering: Gathering) -> int:
    last = Registration.objects.filter(gathering=gathering).aggregate(last=Max("position"))["last"]
    return (last or 0) + 1


def _place(gathering: Gathering, registration: Registration, now: dt.datetime) -> None:
    """A seat if one is free, else the end of the waiting line (the gathering is locked).

    Free seats and a waiting line never exist together: a freed seat is offered at once.
    """
    if gathering.seats_taken < gathering.capacity:
        registration.status = Status.CONFIRMED
        registration.confirmed_at = now
        gathering.seats_taken += 1
        _seats_save(gathering)
    else:
        registration.status = Status.WAITING
        registration.position = _next_position(gathering)


def _announce_place(registration: Registration, actor: Actor) -> None:
    if registration.status == Status.CONFIRMED:
        notices.notify_registration(
            registration=registration,
            kind=notices.REGISTRATION_CONFIRMED,
            template="registration_confirmed",
            actor=actor,
        )
    else:
        notices.notify_registration(
            registration=registration,
            kind=notices.REGISTRATION_WAITING,
            template="registration_waiting",
            actor=actor,
        )


def seats_fill(*, gathering: Gathering, now: dt.datetime, actor: Actor = None) -> int:
    """Offer the free seats to the waiting line, in order (the gathering is locked).

    Each person offered a seat has until OFFER_DELAY later (at the latest the start) to take
    it. Returns how many seats were offered.
    """
    if gathering.status != Gathering.Status.PUBLISHED or now >= gathering.starts_at:
        return 0
    offered = 0
    while gathering.seats_taken < gathering.capacity:
        waiting = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(gathering=gathering, status=Status.WAITING)
            .order_by("position")
            .first()
        )
        if waiting is None:
            break
        waiting.gathering = gathering
        waiting.status = Status.OFFERED
        waiting.offer_expires_at = min(now + OFFER_DELAY, gathering.starts_at)
        waiting.save(update_fields=["status", "offer_expires_at"])
        gathering.seats_taken += 1
        _seats_save(gathering)
        audit_record(
            actor=actor,
            action=AuditAction.SEAT_OFFERED,
            target=waiting,
            data={"gathering": gathering.pk, "position": waiting.position},
        )
        notices.notify_registration(
            registration=waiting, kind=notices.SEAT_OFFERED, template="seat_offered", actor=actor
        )
        offered += 1
    return offered


def _language(user: Any | None = None) -> str:
    preferred = getattr(user, "preferred_language", "") if user is not None else ""
    return preferred or translation.get_language() or settings.LANGUAGE_CODE


@transaction.atomic
def registration_member_create(*, gathering: Gathering, user: Any) -> Registration:
    """A signed-in person registers in one click: a seat, or a place in the waiting line."""
    now = timezone.now()
    gathering = gathering_lock(gathering)
    registrations_open_check(gathering, now)
    if not gathering_visible_to(gathering=gathering, user=user):
        raise DomainError(_("This gathering is open to members only."), code="members_only")
    if Registration.objects.filter(
        gathering=gathering, user=user, status__in=Registration.ACTIVE
    ).exists():
        raise DomainError(
            _("You are already registered for this gathering."), code="already_registered"
        )
    registration = Registration(gathering=gathering, user=user, language=_language(user))
    _place(gathering, registration, now)
    registration.save()
    audit_record(
        actor=user,
        action=AuditAction.REGISTERED,
        target=registration,
        data={"gathering": gathering.pk, "status": registration.status},
    )
    _announce_place(registration, user)
    return registration


@transaction.atomic
def registration_guest_request(*, gathering: Gathering, name: str, email: str) -> Registration:
    """A guest gives a name and an e-mail address; the registration waits for the address to
    be checked (the link e-mailed to it) before it takes a seat or a place in the line."""
    name, email = name.strip(), email.strip()
    if not name or not email:
        raise DomainError(_("Give your name and your e-mail address."), code="guest_incomplete")
    gathering = gathering_lock(gathering)
    if not gathering.is_public:
        raise DomainError(_("This gathering is open to members only."), code="members_only")
    registrations_open_check(gathering)
    existing = Registration.objects.filter(
        gathering=gathering, guest_email__iexact=email, status__in=Registration.ACTIVE
    ).first()
    if existing is not None:
        if existing.status == Status.PENDING:
            return existing
        raise DomainError(
            _("%(email)s is already registered for this gathering.") % {"email": email},
            code="already_registered",
        )
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                gathering=gathering,
                guest_name=name,
                guest_email=email,
                language=_language(),
                status=Status.PENDING,
            )
    except IntegrityError as exc:  # a check the form should have made (length, address)
        raise DomainError(_("This registration is not valid."), code="bad_guest") from exc
    audit_record(
        actor=None,
        action=AuditAction.GUEST_REQUESTED,
        target=registration,
        data={"gathering": gathering.pk},
    )
    notices.notify_registration(
        registration=registration, kind=notices.GUEST_VERIFY, template="guest_verify"
    )
    return registration


def _bad_link() -> DomainError:
    return DomainError(
        _("This link is not valid or is too old. Register again from the gathering's page."),
        code="bad_link",
    )


@transaction.atomic
def registration_guest_verify(*, token: str) -> Registration:
    """The guest opened the link: their registration takes a seat or a place in the line.

    Opening the link again changes nothing."""
    try:
        pk = verify_token_read(token)
    except BadToken as exc:
        raise _bad_link() from exc
    now = timezone.now()
    registration = _registration_locked(pk)
    if registration.status != Status.PENDING:
        return registration
    gathering = registration.gathering
    registrations_open_check(gathering, now)
    _place(gathering, registration, now)
    registration.save(update_fields=["status", "position", "confirmed_at"])
    audit_record(
        actor=None,
        action=AuditAction.GUEST_VERIFIED,
        target=registration,
        data={"gathering": gathering.pk, "status": registration.status},
    )
    _announce_place(registration, None)
    return registration


def registration_from_cancel_token(token: str) -> Registration:
    try:
        pk = cancel_token_read(token)
    except BadToken as exc:
        raise _bad_link() from exc
    registration = (
        Registration.objects.select_related("gathering__community", "user").filter(pk=pk).first()
    )
    if registration is None:
        raise _bad_link()
    return registration


def registration_from_offer_token(token: str) -> Registration:
    try:
        pk = offer_token_read(token)
    except BadToken as exc:
        raise _bad_link() from exc
    registration = (
        Registration.objects.select_related("gathering__community", "user").filter(pk=pk).first()
    )
    if registration is None:
        raise _bad_link()
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration, actor: Actor = None) -> Registration:
    """Cancel a registration; a seat it held is offered to the next of the waiting line."""
    now = timezone.now()
    registration = _registration_locked(registration.pk)
    gathering = registration.gathering
    if registration.status not in Registration.ACTIVE:
        raise DomainError(_("This registration is already cancelled."), code="not_active")
    if gathering.status == Gathering.Status.HELD or now >= gathering.ends_at:
        raise DomainError(_("This gathering is over."), code="gathering_over")
    held_seat = registration.status in Registration.HOLDING_A_SEAT
    previous = registration.status
    registration.status = Status.CANCELLED
    registration.cancelled_at = now
    registration.offer_expires_at = None
    registration.save(update_fields=["status", "cancelled_at", "offer_expires_at"])
    if held_seat:
        gathering.seats_taken -= 1
        _seats_save(gathering)
    audit_record(
        actor=actor,
        action=AuditAction.REGISTRATION_CANCELLED,
        target=registration,
        data={"gathering": gathering.pk, "was": previous},
    )
    if held_seat:
        seats_fill(gathering=gathering, now=now, actor=actor)
    return registration


@transaction.atomic
def registration_confirm_offer(*, registration: Registration) -> Registration:
    """The person offered a freed seat takes it, before the deadline."""
    now = timezone.now()
    registration = _registration_locked(registration.pk)
    if registration.status == Status.CONFIRMED:
        return registration
    if registration.status != Status.OFFERED:
        raise DomainError(_("No seat is offered to you for this gathering."), code="no_offer")
    expires = registration.offer_expires_at
    if expires is not None and now >= expires:
        raise DomainError(
            _("The time to take this seat ran out; it was offered to the next person."),
            code="offer_expired",
        )
    registration.status = Status.CONFIRMED
    registration.confirmed_at = now
    registration.offer_expires_at = None
    registration.save(update_fields=["status", "confirmed_at", "offer_expires_at"])
    audit_record(
        actor=registration.user,
        action=AuditAction.OFFER_TAKEN,
        target=registration,
        data={"gathering": registration.gathering_id},
    )
    notices.notify_registration(
        registration=registration,
        kind=notices.REGISTRATION_CONFIRMED,
        template="registration_confirmed",
    )
    return registration


def offers_expire(*, now: dt.datetime | None = None) -> int:
    """Offers whose deadline passed: the seat goes to the next of the waiting line, and the
    person whose offer lapsed is told, once (beat)."""
    now = now or timezone.now()
    due = list(
        Registration.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now)
        .order_by("offer_expires_at", "id")
        .values_list("pk", flat=True)
    )
    expired = 0
    for pk in due:
        expired += _offer_expire(pk=pk, now=now)
    return expired


@transaction.atomic
def _offer_expire(*, pk: int, now: dt.datetime) -> int:
    registration = _registration_locked(pk)
    expires = registration.offer_expires_at
    if registration.status != Status.OFFERED or (expires is not None and expires > now):
        return 0
    gathering = registration.gathering
    registration.status = Status.EXPIRED
    registration.offer_expires_at = None
    registration.save(update_fields=["status", "offer_expires_at"])
    gathering.seats_taken -= 1
    _seats_save(gathering)
    audit_record(
        actor=None,
        action=AuditAction.OFFER_EXPIRED,
        target=registration,
        data={"gathering": gathering.pk},
    )
    seats_fill(gathering=gathering, now=now)
    # Told once the seat went on: can they still register (again, at the end of the line)?
    try:
        registrations_open_check(gathering, now)
    except DomainError:
        registrations_open = False
    else:
        registrations_open = True
    notices.notify_offer_lapsed(
        registration=registration,
        registrations_open=registrations_open,
        seats_free=gathering.seats_taken < gathering.capacity,
    )
    return 1


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind the people holding a seat of a gathering that starts within a day (beat).

    Each person is reminded once: the outbox keeps one copy per (notice, recipient), and the
    notice of a gathering's reminders is one (kind, reference)."""
    now = now or timezone.now()
    gatherings = Gathering.objects.filter(
        status=Gathering.Status.PUBLISHED,
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(days=1),
    ).select_related("community")
    sent = 0
    for gathering in gatherings:
        with transaction.atomic():
            registrations = list(
                gathering.registrations.filter(status=Status.CONFIRMED)
                .select_related("user")
                .order_by("id")
            )
            for registration in registrations:
                registration.gathering = gathering
            sent += notices.notify_registrations(
                gathering=gathering,
                registrations=registrations,
                kind=notices.GATHERING_REMINDER,
                template="gathering_reminder",
                reference=notices.gathering_reference(gathering),
            )
    return sent
