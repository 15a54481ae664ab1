"""The assembly the cast benchmarks vote in: a roll of voters with accounts and sessions,
convened, its vote open (not a benchmark: `make bench` skips *kit.py). bench/cast.py and
bench/assembly_load.py load theirs with `load`."""

from __future__ import annotations

import datetime as dt
import os
import time
from decimal import Decimal

from kit import verbose

ROLL = int(os.environ.get("BENCH_ROLL", "5000"))
RESOLUTIONS = 3

COLLEGES = [
    # code, name, weight, position
    ("salaries", "Salariés", 40, 1),
    ("usagers", "Usagers", 30, 2),
    ("soutiens", "Soutiens", 30, 3),
]


# --- The data ---------------------------------------------------------------------------------


def load(voters: int, *, roll: int = ROLL, resolutions_count: int = RESOLUTIONS):
    """The register, the convened assembly and its roll; returns the assembly, its resolutions'
    ids and the roll entries of the voters, in order (bench/assembly_load.py loads its own
    with the same function)."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from coop.models import Statutes, User
    from coop.roles import sync_role_groups
    from governance.models import (
        AgendaItem,
        Assembly,
        AssemblyCollege,
        Proxy,
        Resolution,
        RollEntry,
    )
    from members.models import Category, College, Member

    started = time.perf_counter()
    statutes = Statutes.objects.create(
        effective_from=dt.date(2020, 1, 1),
        decision_ref="AGE du 6 janvier 2020",
        name="Coopérative d'essai",
        registered_office="1 place de la Mairie, 38000 Grenoble",
    )
    colleges = [
        College.objects.create(code=code, name=name, weight=weight, position=position)
        for code, name, weight, position in COLLEGES
    ]
    categories = [
        Category.objects.create(
            code=college.code, name=college.name, default_college=college, position=i
        )
        for i, college in enumerate(colleges, 1)
    ]
    # One password hash for all: the session's auth hash is then the same for every voter.
    password = "!bench-unusable-password"  # noqa: S105 - an unusable hash, as set_unusable_password
    User.objects.bulk_create(
        User(
            email=f"membre{i:05d}@exemple.fr",
            password=password,
            first_name="Membre",
            last_name=f"{i:05d}",
        )
        for i in range(1, roll + 1)
    )
    users = list(User.objects.order_by("email"))
    sync_role_groups()
    member_group = Group.objects.get(name="member")
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=member_group.pk) for user in users
    )
    Member.objects.bulk_create(
        Member(
            number=i,
            first_name="Membre",
            last_name=f"{i:05d}",
            email=user.email,
            address=f"{i} rue de la République",
            postal_code="38000",
            city="Grenoble",
            category=categories[i % 3],
            college=colleges[i % 3],
            status=Member.Status.RATIFIED,
            applied_on=dt.date(2021, 1, 4),
            admitted_on=dt.date(2021, 1, 25),
            admission_ref="CA du 25/01/2021",
            ratified_on=dt.date(2021, 6, 12),
            ratification_ref="AGO du 12/06/2021",
            user=user,
        )
        for i, user in enumerate(users, 1)
    )
    now = timezone.now()
    starts_at = now + dt.timedelta(days=30)
    assembly = Assembly.objects.create(
        title="Assemblée générale ordinaire",
        kind=Assembly.Kind.ORDINARY,
        starts_at=starts_at,
        place="Salle des fêtes, 38000 Grenoble",
        distance_vote_deadline=starts_at - dt.timedelta(days=1),
        statutes=statutes,
        convened_at=now,
    )
    frozen = {
        college.pk: AssemblyCollege.objects.create(
            assembly=assembly,
            college=college,
            name=college.name,
            weight=Decimal(college.weight),
            position=college.position,
        )
        for college in colleges
    }
    item = AgendaItem.objects.create(assembly=assembly, position=1, title="Comptes de l'exercice")
    resolutions = [
        Resolution.objects.create(
            assembly=assembly,
            agenda_item=item,
            number=number,
            title=f"Résolution {number}",
            text=f"L'assemblée générale approuve le point {number}.",
            majority_kind=Assembly.Kind.ORDINARY,
        ).pk
        for number in range(1, resolutions_count + 1)
    ]
    members = list(Member.objects.order_by("number"))
    RollEntry.objects.bulk_create(
        RollEntry(
            assembly=assembly,
            member=member,
            college=frozen[member.college_id],
            member_number=member.number,
            name=str(member),
            address=member.address,
        )
        for member in members
    )
    assembly.status = Assembly.Status.CONVENED
    assembly.save(update_fields=["status"])
    entries = list(RollEntry.objects.filter(assembly=assembly).order_by("member_number"))
    # Members who do not vote here: one in twenty gave a proxy to the next one.
    others = entries[voters:]
    Proxy.objects.bulk_create(
        Proxy(assembly=assembly, giver=giver, holder=holder)
        for giver, holder in zip(others[0::20], others[1::20], strict=False)
    )
    verbose(f"loaded {roll} members in {time.perf_counter() - started:.1f}s")
    return assembly, resolutions, entries[:voters], users[:voters]


def signed_in(users, session_keys: list[str]) -> list[tuple[str, str]]:
    """For each user, the Cookie header of a signed-in browser holding a CSRF cookie, and the
    form's CSRF token: what a login then a visit of the ballot page leave. The sessions' keys
    are added to `session_keys`."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import transaction
    from django.http import HttpRequest
    from django.middleware.csrf import get_token

    session_store = import_module(settings.SESSION_ENGINE).SessionStore  # as a login writes it
    auth_hash = users[0].get_session_auth_hash()
    prepared = []
    with transaction.atomic():  # one commit for all the sessions' rows
        for user in users:
            session = session_store()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = auth_hash
            session.create()
            session_keys.append(session.session_key)
            request = HttpRequest()
            token = get_token(request)
            cookie = (
                f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
                f"{settings.CSRF_COOKIE_NAME}={request.META['CSRF_COOKIE']}"
            )
            prepared.append((cookie, token))
    return prepared
