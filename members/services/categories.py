"""Categories of associates (RULES 1): created and changed by administrators, audited."""

from dataclasses import dataclass, fields, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from coop.actors import Actor
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError
from members.models import Category, College, Member


@dataclass(frozen=True)
class CategoryData:
    """What an administrator sets on a category."""

    code: str
    name: str
    compulsory: bool = False
    is_public_body: bool = False
    minimum_shares: int = 1
    default_college: College | None = None
    position: int = 0
    active: bool = True


def _values(data: CategoryData) -> dict[str, Any]:
    return {field.name: getattr(data, field.name) for field in fields(data)}


def _audit_value(value: Any) -> Any:
    if isinstance(value, College):
        return value.code
    return value


def _validate(data: CategoryData) -> None:
    try:
        validate_slug(data.code)
    except ValidationError as exc:
        raise DomainError(
            _("The code of a category is made of letters, digits, hyphens or underscores."),
            code="category_code_invalid",
        ) from exc
    if not data.name.strip():
        raise DomainError(_("Give the name of the category."), code="category_no_name")
    if data.minimum_shares < 1:
        raise DomainError(
            _("Every member holds at least one share: the minimum cannot be below 1."),
            code="category_minimum_shares",
        )


def _code_taken(code: str) -> DomainError:
    return DomainError(
        _("Another category already has the code “%(code)s”.") % {"code": code},
        code="category_code_taken",
    )


def _save(category: Category, *, code: str, update_fields: list[str] | None = None) -> None:
    """Save; the database's unique code settles two administrators saving the same code."""
    try:
        with transaction.atomic():
            category.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise _code_taken(code) from exc


@transaction.atomic
def category_save(
    *, data: CategoryData, actor: Actor, category: Category | None = None
) -> Category:
    """Create a category (no `category`) or change one. Audited; a category that has members
    (current or former) keeps its code, which the register and its exports refer to."""
    data = replace(data, code=data.code.strip(), name=data.name.strip())
    _validate(data)
    taken = Category.objects.filter(code=data.code)
    if category is not None:
        taken = taken.exclude(pk=category.pk)
    if taken.exists():
        raise _code_taken(data.code)
    if category is None:
        category = Category(**_values(data))
        _save(category, code=data.code)
        audit_record(
            actor=actor,
            action=AuditAction.CATEGORY_CREATED,
            target=category,
            data={key: _audit_value(value) for key, value in _values(data).items()},
        )
        return category

    category = Category.objects.select_for_update().get(pk=category.pk)
    changes: dict[str, list[Any]] = {}
    for key, value in _values(data).items():
        if key == "default_college":
            unchanged = category.default_college_id == (value.pk if value else None)
            before = category.default_college if not unchanged else None
        else:
            before = getattr(category, key)
            unchanged = before == value
        if not unchanged:
            changes[key] = [_audit_value(before), _audit_value(value)]
    if not changes:
        return category
    if "code" in changes and Member.objects.filter(category=category).exists():
        raise DomainError(
            _(
                "The category “%(category)s” has members in the register: its code "
                "“%(code)s” cannot change."
            )
            % {"category": category.name, "code": category.code},
            code="category_code_in_use",
        )
    for key in changes:
        setattr(category, key, getattr(data, key))
    _save(category, code=data.code, update_fields=list(changes))
    audit_record(actor=actor, action=AuditAction.CATEGORY_CHANGED, target=category, data=changes)
    return category
