import datetime as dt
from decimal import Decimal

import factory

from members.models import Category, College
from members.services import ApplicationData, member_admit, member_apply

APPLIED_ON = dt.date(2025, 1, 10)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"Category {n}")


class CollegeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = College
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"college-{n}")
    name = factory.Sequence(lambda n: f"College {n}")
    weight = Decimal("33.33")


def standard_register() -> dict[str, object]:
    """The usual SCIC: three colleges (40/30/30) and four categories, two of them compulsory."""
    colleges = {
        "employees": CollegeFactory(code="employees", name="Salariés", weight=Decimal("40")),
        "users": CollegeFactory(code="users", name="Bénéficiaires", weight=Decimal("30")),
        "supporters": CollegeFactory(code="supporters", name="Soutiens", weight=Decimal("30")),
    }
    categories = {
        "employee": CategoryFactory(
            code="employee", name="Salariés", compulsory=True, default_college=colleges["employees"]
        ),
        "beneficiary": CategoryFactory(
            code="beneficiary",
            name="Bénéficiaires",
            compulsory=True,
            default_college=colleges["users"],
        ),
        "volunteer": CategoryFactory(
            code="volunteer", name="Bénévoles", default_college=colleges["supporters"]
        ),
        "public": CategoryFactory(
            code="public",
            name="Collectivités",
            is_public_body=True,
            default_college=colleges["supporters"],
        ),
    }
    return {"colleges": colleges, "categories": categories}


def apply(category, *, last_name="Durand", email="", applied_on=APPLIED_ON, **extra):
    data = ApplicationData(
        person_kind=extra.pop("person_kind", "natural"),
        category=category,
        last_name=last_name,
        first_name=extra.pop("first_name", "Claire"),
        email=email,
        **extra,
    )
    return member_apply(data=data, applied_on=applied_on)


def admitted(category, college, *, actor=None, decided_on=dt.date(2025, 2, 1), **kwargs):
    member = apply(category, **kwargs)
    return member_admit(
        member=member,
        decided_on=decided_on,
        decision_ref="CA 2025-02",
        college=college,
        actor=actor,
    )
