"""Erasure on request of a former member's personal data (RULES 5; see docs/privacy.md).

The register's legal fields stay: the number, the name (or the legal person's name and its
registration), the category and college, the dates and decisions of every step, and, outside
this app, the capital movements and the participation records of votes. They are kept five years
after the exit (then ten for accounting records), read by administrators only. What the register
does not require is erased here, in one transaction: the contact details (e-mail, telephone,
postal address), the legal person's representative, the consent to e-mail notices, the login
account (deactivated, its address anonymised, its names, addresses, authenticators and roles
removed) and the name and address typed on past guest registrations to gatherings.

The register events are append-only (RULES 4) and are not rewritten: their snapshots keep the
contact details as they were at each step, as the register's history, under the same retention
and restriction. The audit entry of the erasure names the fields erased, never their values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from coop.actors import Actor
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError
from members.models import Member

#: Years the register's legal fields are kept after the exit (RULES 5).
KEEP_YEARS_AFTER_EXIT = 5

#: The entry's fields erased, with the value they are given: all beyond what the register needs.
ERASED_MEMBER_FIELDS: dict[str, Any] = {
    "email": "",
    "phone": "",
    "address": "",
    "postal_code": "",
    "city": "",
    "country": "",
    "representative_name": "",
    "representative_role": "",
    "e_notices": False,
    "e_notices_changed_at": None,
}

ERASED_DOMAIN = "erased.invalid"


@dataclass(frozen=True)
class ErasureItem:
    label: str | Promise
    detail: str | Promise = ""


@dataclass(frozen=True)
class ErasurePlan:
    """What an erasure would erase and what it keeps, and why; shown before it is confirmed."""

    member: Member
    erased: list[ErasureItem] = field(default_factory=list)
    kept: list[ErasureItem] = field(default_factory=list)
    keep_until: dt.date | None = None

    @property
    def has_something_to_erase(self) -> bool:
        return bool(self.erased)


def _keep_until(exited_on: dt.date | None) -> dt.date:
    if exited_on is None:  # refused before: only a member who left is erased
        raise ValueError("a member who has not left is not erased")
    try:
        return exited_on.replace(year=exited_on.year + KEEP_YEARS_AFTER_EXIT)
    except ValueError:  # 29 February
        return exited_on.replace(year=exited_on.year + KEEP_YEARS_AFTER_EXIT, day=28)


def _addresses(member: Member) -> set[str]:
    addresses = {member.email.lower()} if member.email else set()
    user = member.user
    if user is not None and not user.email.endswith("@" + ERASED_DOMAIN):
        addresses.add(user.email.lower())
    return addresses


def _erasable_guest_registrations(member: Member) -> QuerySet[Any]:
    """Guest registrations typed with the member's addresses that are over: cancelled, expired,
    or of a gathering already ended. One still to come keeps its address, to reach its guest."""
    from heritage.models import Registration

    addresses = _addresses(member)
    if not addresses:
        return Registration.objects.none()
    by_address = Q()
    for address in addresses:
        by_address |= Q(guest_email__iexact=address)
    over = ~Q(status__in=Registration.ACTIVE) | Q(gathering__ends_at__lt=timezone.now())
    return Registration.objects.filter(by_address, user__isnull=True).filter(over)


def _active_guest_registrations(member: Member) -> int:
    from heritage.models import Registration

    addresses = _addresses(member)
    if not addresses:
        return 0
    by_address = Q()
    for address in addresses:
        by_address |= Q(guest_email__iexact=address)
    return (
        Registration.objects.filter(by_address, user__isnull=True)
        .exclude(pk__in=_erasable_guest_registrations(member).values("pk"))
        .count()
    )


def _account_to_erase(member: Member) -> Any | None:
    user = member.user
    if user is None:
        return None
    if not user.is_active and user.email.endswith("@" + ERASED_DOMAIN):
        return None
    return user


def _refuse_unless_exited(member: Member) -> None:
    if member.status not in Member.EXITED_STATUSES or member.exited_on is None:
        raise DomainError(
            _(
                "%(member)s has not left the cooperative (%(status)s): the personal data of a "
                "member is erased only after their exit is recorded in the register."
            )
            % {"member": member.display_name, "status": member.get_status_display()},
            code="not_exited",
        )


def _erased_fields(member: Member) -> list[str]:
    return [name for name, empty in ERASED_MEMBER_FIELDS.items() if getattr(member, name) != empty]


def member_erasure_plan(*, member: Member) -> ErasurePlan:
    """What `member_erase_personal_data` would erase and keep; refused unless they have left."""
    _refuse_unless_exited(member)
    erased = [
        ErasureItem(getattr(Member._meta.get_field(name), "verbose_name", name))
        for name in _erased_fields(member)
    ]
    if _account_to_erase(member) is not None:
        erased.append(
            ErasureItem(
                _("Login account"),
                _(
                    "Deactivated; its e-mail address replaced by an anonymous one; its names, "
                    "e-mail addresses, authenticators and roles removed."
                ),
            )
        )
    guests = _erasable_guest_registrations(member).count()
    if guests:
        erased.append(
            ErasureItem(
                _("Guest registrations to gatherings"),
                ngettext(
                    "The name and e-mail address typed on %(count)d past registration.",
                    "The name and e-mail address typed on %(count)d past registrations.",
                    guests,
                )
                % {"count": guests},
            )
        )
    keep_until = _keep_until(member.exited_on)
    kept = [
        ErasureItem(
            _("The entry in the register"),
            _(
                "Number, name (or the legal person's name and registration), category, college, "
                "the dates and decisions of each step: the register is a legal obligation."
            ),
        ),
        ErasureItem(
            _("The register's history"),
            _(
                "Its events are never rewritten (RULES 4); their copies of the entry keep the "
                "contact details as they were at each step, read by administrators only."
            ),
        ),
        ErasureItem(
            _("Share capital"),
            _("Every share movement and the repayment: accounting records, kept ten years."),
        ),
        ErasureItem(
            _("General assemblies"),
            _(
                "The participation records of votes and the proof of sending of the notices "
                "(convocations): they prove that assemblies were validly held."
            ),
        ),
        ErasureItem(
            _("The audit log"),
            _(
                "It is append-only and never rewritten; the entries of what the member did "
                "themselves name them by the e-mail address they had then."
            ),
        ),
    ]
    active = _active_guest_registrations(member)
    if active:
        kept.append(
            ErasureItem(
                _("Guest registrations still to come"),
                ngettext(
                    "%(count)d registration to a gathering not yet held keeps its address so "
                    "that the guest can be told of changes; erase again once it is over.",
                    "%(count)d registrations to gatherings not yet held keep their address so "
                    "that the guest can be told of changes; erase again once they are over.",
                    active,
                )
                % {"count": active},
            )
        )
    return ErasurePlan(member=member, erased=erased, kept=kept, keep_until=keep_until)


@transaction.atomic
def member_erase_personal_data(
    *, member: Member, confirm_number: int | None, actor: Actor
) -> Member:
    """Erase what the register does not require of a former member's personal data.

    `confirm_number` is the member number the administrator typed to confirm. Refused for a
    member who has not left, on a wrong confirmation, or when nothing is left to erase.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    member = Member.objects.select_for_update(of=("self",)).select_related("user").get(pk=member.pk)
    _refuse_unless_exited(member)
    if confirm_number != member.number:
        raise DomainError(
            _("Type the member number %(number)d to confirm the erasure.")
            % {"number": member.number},
            code="not_confirmed",
        )
    fields = _erased_fields(member)
    user = _account_to_erase(member)
    guests = list(_erasable_guest_registrations(member).select_for_update())
    if not fields and user is None and not guests:
        raise DomainError(
            _("The personal data of %(member)s beyond the register is already erased.")
            % {"member": member.display_name},
            code="already_erased",
        )

    for name in fields:
        setattr(member, name, ERASED_MEMBER_FIELDS[name])
    if fields:
        member.save(update_fields=[*fields, "updated_at"])

    if user is not None:
        user = type(user).objects.select_for_update().get(pk=user.pk)
        user.email = f"erased-{user.pk}@{ERASED_DOMAIN}"
        user.first_name = ""
        user.last_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["email", "first_name", "last_name", "is_active", "password"])
        user.groups.clear()
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        # Its sessions end on their next request: an inactive user is signed out.

    for registration in guests:
        registration.guest_name = "—"
        registration.guest_email = f"erased-registration-{registration.pk}@{ERASED_DOMAIN}"
        registration.save(update_fields=["guest_name", "guest_email"])

    audit_record(
        actor=actor,
        action=AuditAction.PERSONAL_DATA_ERASED,
        target=member,
        data={
            "member_number": member.number,
            "fields": fields,
            "account": user is not None,
            "guest_registrations": len(guests),
        },
    )
    return member
