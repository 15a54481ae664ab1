"""The audit log: every write that matters records who, what, when and the data."""

from typing import Any

from django.db import models

from coop.models import AuditEvent


def audit_fields(*, actor: Any | None, target: models.Model | None = None) -> dict[str, Any]:
    """Who and on what, as the audit event's columns record them (`actor_id`, `actor_label`,
    `target_type`, `target_id`): for a service that writes its audit events in its own SQL
    statement, the same values that `audit_record` writes."""
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    return {
        "actor_id": actor.pk if is_person else None,
        "actor_label": actor.email if is_person else "system",
        "target_type": target._meta.label_lower if target is not None else "",
        "target_id": str(target.pk) if target is not None else "",
    }


def audit_record(
    *,
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. Call it inside the service's transaction."""
    return AuditEvent.objects.create(
        **audit_fields(actor=actor, target=target), action=action, data=data or {}
    )
