"""The audit log: every write that matters records who, what, when and the data."""

from typing import Any

from django.db import models

from coop.actors import Actor, actor_person
from coop.models import AuditEvent


def audit_fields(*, actor: Actor, target: models.Model | None = None) -> dict[str, Any]:
    """Who and on what, as the audit event's columns record them (`actor_id`, `actor_label`,
    `target_type`, `target_id`): for a service that writes its audit events in its own SQL
    statement, the same values that `audit_record` writes."""
    person = actor_person(actor)
    return {
        "actor_id": person.pk if person is not None else None,
        "actor_label": person.email if person is not None else "system",
        "target_type": target._meta.label_lower if target is not None else "",
        "target_id": str(target.pk) if target is not None else "",
    }


def audit_record(
    *,
    actor: Actor,
    action: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. Call it inside the service's transaction."""
    return AuditEvent.objects.create(
        **audit_fields(actor=actor, target=target), action=action, data=data or {}
    )
