"""Recording a new version of the statutes (append-only; strictly after the latest)."""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Field
from django.utils.formats import date_format
from django.utils.translation import gettext

from coop.actors import Actor, actor_person
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError, PermissionRefused
from coop.fractions import parse_fraction
from coop.models import Statutes
from coop.roles import is_administrator
from coop.statutes.rules import PARAMETER_FIELDS, fraction_text, statutes_validate
from coop.statutes.selectors import statutes_latest, statutes_parameters

# --- Service ---------------------------------------------------------------------------------


def statutes_check_effective_from(
    effective_from: dt.date, *, latest: Statutes | None = None
) -> None:
    """Refuse an effective date that is not strictly after the latest version's date."""
    latest = latest if latest is not None else statutes_latest()
    if latest is not None and effective_from <= latest.effective_from:
        raise DomainError(
            gettext(
                "A new version must take effect after the latest version, which is in "
                "force from %(date)s. Versions are never changed or inserted before others."
            )
            % {"date": date_format(latest.effective_from, "DATE_FORMAT")},
            code="effective_date_not_after_latest",
        )


def _normalised(values: Mapping[str, Any]) -> dict[str, Any]:
    """Fractions stored in their lowest terms ("2/10" -> "1/5"); other values as given."""
    result = dict(values)
    for name in Statutes.FRACTION_FIELDS:
        if name in result and result[name] not in (None, ""):
            try:
                result[name] = fraction_text(parse_fraction(result[name]))
            except ValidationError:
                result[name] = str(result[name])  # left for the validation to refuse
    return result


def _json(value: Any) -> Any:
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | Fraction):
        return str(value)
    return value


@transaction.atomic
def statutes_create_version(
    *, actor: Actor, effective_from: dt.date, values: Mapping[str, Any]
) -> Statutes:
    """Record a new version of the statutes in force from `effective_from`.

    `values` holds the decision reference and the parameters (missing ones take the model's
    defaults). Raises ValidationError for invalid parameters and DomainError when the date is
    not strictly after the latest version's. `actor` None means the system (e.g. a command).
    """
    if actor is not None and not is_administrator(actor):
        raise PermissionRefused(gettext("Only an administrator may record the statutes."))
    unknown = set(values) - set(PARAMETER_FIELDS)
    if unknown:
        raise ValueError(f"not statutes parameters: {sorted(unknown)}")

    # Serialise the writers of new versions: "strictly after the latest" must hold against a
    # version being recorded at the same moment, and an empty table has no row to lock with
    # select_for_update. SHARE ROW EXCLUSIVE conflicts with itself, not with readers.
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE coop_statutes IN SHARE ROW EXCLUSIVE MODE")
    previous = statutes_latest()
    statutes_check_effective_from(effective_from, latest=previous)

    statutes = Statutes(
        effective_from=effective_from,
        created_by=actor_person(actor),
        **_normalised(values),
    )
    # Read each value as its field would (text to number...), then the rules, then the
    # model's own checks; a field refused once is left out of the later checks.
    errors: dict[str, list[ValidationError]] = {}
    converted: dict[str, Any] = {}
    for name in PARAMETER_FIELDS:
        model_field = cast("Field[Any, Any]", Statutes._meta.get_field(name))
        try:
            converted[name] = model_field.to_python(getattr(statutes, model_field.attname))
        except ValidationError as exc:
            errors[name] = exc.error_list
    try:
        statutes_validate(converted)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    try:
        statutes.full_clean(exclude=set(errors))
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)

    statutes.save(force_insert=True)
    new_values = statutes_parameters(statutes)
    data: dict[str, Any] = {
        "effective_from": statutes.effective_from.isoformat(),
        "decision_ref": statutes.decision_ref,
    }
    if previous is None:
        data["values"] = {name: _json(value) for name, value in new_values.items()}
    else:
        old_values = statutes_parameters(previous)
        data["previous_version"] = previous.pk
        data["changes"] = {
            name: [_json(old_values[name]), _json(value)]
            for name, value in new_values.items()
            if name != "decision_ref" and old_values[name] != value
        }
    audit_record(
        actor=actor, action=AuditAction.STATUTES_VERSION_CREATED, target=statutes, data=data
    )
    return statutes
