"""A member's personal data, machine-readable (RULES 5: a member can download all their data).

The export is a JSON object: `generated_at`, `format`, then one key per section. Sections are
callables `(member) -> (key, data)` kept in `personal_data_sections`; the register provides
the first ones, and the apps that hold more of a member's data (capital, governance, heritage)
append theirs when they load:

    from members.gdpr import personal_data_section

    @personal_data_section
    def share_movements(member):
        return "share_movements", [...]

Data must be JSON-ready (dates as ISO strings, Decimals as strings). A section never exposes
another person's data: the register events say whether the member recorded the change
themselves, not which administrator did.
"""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from members.models import Member, RegisterEvent
from members.selectors import member_history
from members.services import member_snapshot

PersonalDataSection = Callable[[Member], tuple[str, Any]]

#: The sections of the export, in order. Other apps append theirs (see the module docstring).
personal_data_sections: list[PersonalDataSection] = []

FORMAT = "voliere-personal-data/1"
RESERVED_KEYS = frozenset({"generated_at", "format"})


def personal_data_section(section: PersonalDataSection) -> PersonalDataSection:
    """Register a section of the personal-data export (usable as a decorator); idempotent."""
    if section not in personal_data_sections:
        personal_data_sections.append(section)
    return section


def json_ready(value: Any) -> Any:
    """`value` with dates as ISO strings (aware datetimes in local time), Decimals as strings,
    in dicts, lists and tuples too: what every personal-data export holds."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    return value


def personal_data_export(*, member: Member) -> dict[str, Any]:
    """Everything the cooperative holds about `member`, one key per section."""
    data: dict[str, Any] = {
        "format": FORMAT,
        "generated_at": timezone.localtime().isoformat(),
    }
    for section in personal_data_sections:
        key, content = section(member)
        if key in data or key in RESERVED_KEYS:
            raise ValueError(f"Two sections of the personal-data export are named {key!r}.")
        data[key] = json_ready(content)
    return data


def recorded_by_member(event: RegisterEvent, member: Member) -> bool:
    """Whether the member recorded the event themselves (their edits, their application online).

    Who else recorded it (an administrator) is that person's data, not the member's: the
    member's page and export say "the cooperative".
    """
    if event.actor_id is None:
        return event.kind == RegisterEvent.Kind.APPLIED
    return event.actor_id == member.user_id


# --- The register's sections ------------------------------------------------------------------


@personal_data_section
def member_entry(member: Member) -> tuple[str, Any]:
    """The member's current entry in the register, with what is not in the register snapshot."""
    entry = member_snapshot(member)
    entry.update(
        language=member.language,
        created_at=member.created_at,
        updated_at=member.updated_at,
    )
    return "member", entry


@personal_data_section
def register_events(member: Member) -> tuple[str, Any]:
    """Every event of the member's entry in the register, oldest first."""
    events = [
        {
            "kind": event.kind,
            "kind_label": str(event.get_kind_display()),
            "effective_on": event.effective_on,
            "recorded_at": event.recorded_at,
            "recorded_by": "member" if recorded_by_member(event, member) else "cooperative",
            "decision_ref": event.decision_ref,
            "changes": event.changes,
            "entry_after": event.snapshot,
        }
        for event in member_history(member=member)
    ]
    return "register_events", events


def account_data(*, user: Any) -> dict[str, Any]:
    """A login account: addresses, sign-in dates, roles, MFA kinds (the export's "account")."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "preferred_language": user.preferred_language,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "is_active": user.is_active,
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
        "authenticators": [
            {
                "type": authenticator.type,
                "created_at": authenticator.created_at,
                "last_used_at": authenticator.last_used_at,
            }
            for authenticator in Authenticator.objects.filter(user=user).order_by("created_at")
        ],
    }


@personal_data_section
def login_account(member: Member) -> tuple[str, Any]:
    """The member's login account, if they have one: addresses, sign-in dates, MFA kinds."""
    user = member.user
    if user is None:
        return "account", None
    return "account", account_data(user=user)


# --- What the cooperative's core holds about the member: mails sent, audit entries ------------


def member_recipient_keys(member: Member) -> list[str]:
    """The outbox's keys for `member`: as a member, and through their login account."""
    keys = [f"member:{member.pk}"]
    if member.user_id is not None:
        keys.append(f"user:{member.user_id}")
    return keys


@personal_data_section
def mails_sent(member: Member) -> tuple[str, Any]:
    """Every notice the outbox addressed to the member (e-mail or letter), oldest first, with
    the text that was sent: the proof of sending is the member's data too."""
    from coop.models import NoticeDelivery

    deliveries = (
        NoticeDelivery.objects.filter(recipient_key__in=member_recipient_keys(member))
        .select_related("notice")
        .order_by("created_at", "id")
    )
    return "mails_sent", [
        {
            "kind": delivery.notice.kind,
            "subject": delivery.subject,
            "channel": delivery.channel,
            "to": delivery.to_email,
            "language": delivery.language,
            "status": delivery.status,
            "status_label": str(delivery.get_status_display()),
            "created_at": delivery.created_at,
            "sent_at": delivery.sent_at,
            "body_text": delivery.body_text,
        }
        for delivery in deliveries
    ]


#: The keys of audit data that hold a member number: a participation in a vote (for oneself or
#: cast by a proxy holder), a proxy given or revoked, and the register's own entries.
AUDIT_MEMBER_NUMBER_KEYS = ("member_number", "cast_by_holder", "giver", "holder")


def audit_events_about(member: Member) -> Any:
    """The audit events about `member`: aimed at their entry or their login account, or naming
    their member number (`AUDIT_MEMBER_NUMBER_KEYS`) or their entry's id (`member`) in their
    data."""
    from django.db.models import Q

    from coop.models import AuditEvent

    about = Q(target_type=Member._meta.label_lower, target_id=str(member.pk)) | Q(
        data__member=member.pk
    )
    if member.number is not None:
        for key in AUDIT_MEMBER_NUMBER_KEYS:
            about |= Q(**{f"data__{key}": member.number})
    if member.user_id is not None:
        user_model = type(member.user)
        about |= Q(target_type=user_model._meta.label_lower, target_id=str(member.user_id))
    return AuditEvent.objects.filter(about).order_by("occurred_at", "id")


@personal_data_section
def audit_entries(member: Member) -> tuple[str, Any]:
    """The audit log's entries about the member, oldest first. Who recorded each is said as
    "member", "cooperative" or "system", never which administrator (their data, not the
    member's). The audit never holds a ballot's choice or receipt, so neither does this."""
    entries = []
    for event in audit_events_about(member):
        if event.actor_id is None:
            by = "system"
        elif event.actor_id == member.user_id:
            by = "member"
        else:
            by = "cooperative"
        entries.append(
            {
                "occurred_at": event.occurred_at,
                "action": event.action,
                "recorded_by": by,
                "data": event.data,
            }
        )
    return "audit_entries", entries
