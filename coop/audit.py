"""The audit log: every write that matters records who, what, when and the data."""

from typing import Any

from django.db import models

from coop.actors import Actor, actor_person
from coop.models import AuditEvent


def audit_record(
    *,
    actor: Actor,
    action: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. Call it inside the service's transaction."""
    person = actor_person(actor)
    return AuditEvent.objects.create(
        actor=person,
        actor_label=person.email if person is not None else "system",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )
