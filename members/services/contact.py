"""Contact details and the consent to e-mail notices (RULES 11), as register events."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coop.actors import Actor
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError
from members.models import Member, RegisterEvent
from members.services.events import member_locked, member_snapshot, register_event_record

CONTACT_FIELDS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "legal_name",
    "legal_registration",
    "representative_name",
    "representative_role",
    "email",
    "phone",
    "address",
    "postal_code",
    "city",
    "country",
    "language",
    "large_type",
)
# A member editing their own entry may not rename a legal person or change its registration.
SELF_EDITABLE_FIELDS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "representative_name",
    "representative_role",
    "email",
    "phone",
    "address",
    "postal_code",
    "city",
    "country",
    "language",
    "large_type",
)


@transaction.atomic
def member_update_contact(
    *,
    member: Member,
    changes: dict[str, Any],
    actor: Actor,
    allowed: tuple[str, ...] = CONTACT_FIELDS,
) -> Member:
    """Change contact details; writes one register event with what changed (if anything did)."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise DomainError(
            _("These details cannot be changed here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))},
            code="field_not_editable",
        )
    member = member_locked(member)
    cleaned = {
        key: (value.strip().lower() if key == "email" else value.strip())
        if isinstance(value, str)
        else value
        for key, value in changes.items()
    }
    changed = [key for key, value in cleaned.items() if getattr(member, key) != value]
    if not changed:
        return member
    before = member_snapshot(member)
    for key in changed:
        setattr(member, key, cleaned[key])
    if member.person_kind == Member.PersonKind.NATURAL and not member.last_name:
        raise DomainError(_("A natural person needs a last name."), code="no_name")
    if member.person_kind == Member.PersonKind.LEGAL and not member.legal_name:
        raise DomainError(_("A legal person needs its name."), code="no_name")
    update_fields = [*changed, "updated_at"]
    if member.e_notices and not member.email:
        # Without an address there is no e-mail notice: the consent ends with it.
        member.e_notices = False
        member.e_notices_changed_at = timezone.now()
        update_fields += ["e_notices", "e_notices_changed_at"]
    member.save(update_fields=update_fields)
    if member_snapshot(member) == before:
        # Not register data (e.g. the language of notices): audited, no register event.
        audit_record(
            actor=actor,
            action=AuditAction.MEMBER_PREFERENCES_CHANGED,
            target=member,
            data={key: cleaned[key] for key in changed},
        )
        return member
    register_event_record(
        member=member,
        kind=RegisterEvent.Kind.CONTACT_CHANGED,
        effective_on=max(timezone.localdate(), _latest_event_date(member)),
        actor=actor,
        previous=before,
    )
    return member


def _latest_event_date(member: Member) -> dt.date:
    return (
        RegisterEvent.objects.filter(member=member)
        .order_by("-effective_on", "-id")
        .values_list("effective_on", flat=True)
        .first()
        or timezone.localdate()
    )


@transaction.atomic
def member_set_e_notices(*, member: Member, consent: bool, actor: Actor) -> Member:
    """Give or withdraw the consent to receive notices by e-mail; its date is kept."""
    member = member_locked(member)
    if member.e_notices == consent:
        return member
    if consent and not member.email:
        raise DomainError(
            _("Add an e-mail address before agreeing to receive notices by e-mail."),
            code="e_notices_without_email",
        )
    before = member_snapshot(member)
    member.e_notices = consent
    member.e_notices_changed_at = timezone.now()
    member.save(update_fields=["e_notices", "e_notices_changed_at", "updated_at"])
    register_event_record(
        member=member,
        kind=RegisterEvent.Kind.CONSENT_CHANGED,
        effective_on=max(timezone.localdate(), _latest_event_date(member)),
        actor=actor,
        previous=before,
    )
    return member
