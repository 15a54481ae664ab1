"""The home page after signing in: one part per role of the person (member, organiser,
administrator), each made of sections that the apps register here, as they register their
personal-data sections. `coop` knows no app: dependencies keep pointing to the core.

A section is a function of the request returning the context of its template, or None when it
has nothing to say (the part then shows the others; a part with no section left says so).
Things that wait for the person (an offered seat, a question answered...) are `HomeItem`s: a
sentence, a link, and for administrators a count; the member's part lists them first.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from coop.roles import Role, is_administrator, is_verified_administrator, user_roles

logger = logging.getLogger(__name__)

SectionBuilder = Callable[[HttpRequest], dict[str, Any] | None]


@dataclass(frozen=True, slots=True)
class HomeItem:
    """Something waiting for the reader: what, where to act, how many, by when."""

    label: str
    url: str
    count: int | None = None
    when: dt.datetime | dt.date | None = None
    urgent: bool = False

    @property
    def has_time(self) -> bool:
        return isinstance(self.when, dt.datetime)


@dataclass(frozen=True, slots=True)
class HomeSection:
    role: Role
    order: int
    name: str
    template: str
    build: SectionBuilder


@dataclass
class HomePart:
    """One role's part of the page, its sections rendered in order."""

    role: Role
    template: str
    sections: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    waiting: list[HomeItem] = field(default_factory=list)
    locked: bool = False  # an administrator who has not passed the second factor yet


_SECTIONS: dict[str, HomeSection] = {}

PART_TEMPLATES = {
    Role.MEMBER: "coop/home/member.html",
    Role.ORGANISER: "coop/home/organiser.html",
    Role.ADMINISTRATOR: "coop/home/administrator.html",
}


def home_section(
    *, role: Role, order: int, name: str, template: str = ""
) -> Callable[[SectionBuilder], SectionBuilder]:
    """Register a section of a role's part (idempotent: registered by name)."""

    def decorator(build: SectionBuilder) -> SectionBuilder:
        _SECTIONS[name] = HomeSection(
            role=role, order=order, name=name, template=template, build=build
        )
        return build

    return decorator


def home_sections(role: Role) -> list[HomeSection]:
    return sorted(
        (s for s in _SECTIONS.values() if s.role == role), key=lambda s: (s.order, s.name)
    )


def home_parts(request: HttpRequest) -> list[HomePart]:
    """The parts of the home page for the person signed in, member first."""
    user = request.user
    roles = set(user_roles(user))
    if is_administrator(user):
        roles.add(Role.ADMINISTRATOR)
    parts = []
    for role in (Role.MEMBER, Role.ORGANISER, Role.ADMINISTRATOR):
        if role not in roles:
            continue
        part = HomePart(role=role, template=PART_TEMPLATES[role])
        if role == Role.ADMINISTRATOR and not is_verified_administrator(request):
            part.locked = True  # counts of the register only after the second factor
            parts.append(part)
            continue
        for section in home_sections(role):
            context = section.build(request)
            if context is None:
                continue
            part.waiting.extend(context.get("waiting", ()))
            if section.template:
                part.sections.append((section.template, context))
        parts.append(part)
    return parts
