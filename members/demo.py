"""Demo data of the register (called by `manage.py seed_demo` on an empty database)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from members.models import Category, College
from members.services import (
    ApplicationData,
    CollegeDraft,
    colleges_configure,
    member_admit,
    member_apply,
    members_ratify,
)

PEOPLE = [
    # (user e-mail, category, college, first name, last name, town)
    ("admin@voliere.test", "employee", "employees", "Ada", "Administratrice", "Lyon"),
    ("organisatrice@voliere.test", "volunteer", "supporters", "Olympe", "Organisatrice", "Vienne"),
    ("membre@voliere.test", "beneficiary", "users", "Marcel", "Membre", "Villeurbanne"),
]


def seed(*, users: dict[str, Any]) -> None:
    colleges = {
        c.code: c
        for c in colleges_configure(
            drafts=[
                CollegeDraft("employees", "Salariés", Decimal("40"), 1),
                CollegeDraft("users", "Bénéficiaires", Decimal("35"), 2),
                CollegeDraft("supporters", "Soutiens", Decimal("25"), 3),
            ],
            actor=None,
        )
    }
    categories = {
        "employee": Category.objects.create(
            code="employee",
            name="Salariés",
            compulsory=True,
            position=1,
            default_college=colleges["employees"],
        ),
        "beneficiary": Category.objects.create(
            code="beneficiary",
            name="Bénéficiaires",
            compulsory=True,
            position=2,
            default_college=colleges["users"],
        ),
        "volunteer": Category.objects.create(
            code="volunteer", name="Bénévoles", position=3, default_college=colleges["supporters"]
        ),
        "public": Category.objects.create(
            code="public",
            name="Collectivités publiques",
            is_public_body=True,
            position=4,
            default_college=colleges["supporters"],
        ),
    }
    admitted = []
    for email, category, college, first, last, city in PEOPLE:
        member = member_apply(
            data=ApplicationData(
                person_kind="natural",
                category=categories[category],
                email=email,
                first_name=first,
                last_name=last,
                address="1 place de la République",
                postal_code="69001",
                city=city,
                e_notices=True,
            ),
            applied_on=dt.date(2024, 1, 15),
        )
        member = member_admit(
            member=member,
            decided_on=dt.date(2024, 2, 1),
            decision_ref="CA du 1er février 2024",
            college=College.objects.get(code=college),
            actor=None,
        )
        member.user = users[email]
        member.save(update_fields=["user"])
        admitted.append(member)
    members_ratify(
        members=admitted,
        ratified_on=dt.date(2024, 6, 15),
        assembly_ref="AGO du 15 juin 2024",
        actor=None,
    )
    member_apply(
        data=ApplicationData(
            person_kind="legal",
            category=categories["public"],
            legal_name="Commune de Givors",
            representative_name="Claire Dupont",
            representative_role="maire",
            address="Place Jean Jaurès",
            postal_code="69700",
            city="Givors",
            requested_shares=20,
        ),
    )
