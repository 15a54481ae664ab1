"""The register's configuration pages: colleges as a whole (RULES 7) and categories (RULES 1)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coop.errors import DomainError
from coop.models import AuditEvent
from members.models import Category, College, Member
from members.services import CategoryData, category_save, member_exit
from tests.coop.factories import StatutesFactory
from tests.members.factories import admitted, apply, standard_register

pytestmark = pytest.mark.django_db

COLLEGES = reverse("members:colleges")
CATEGORIES = reverse("members:categories")
CATEGORY_CREATE = reverse("members:category_create")


@pytest.fixture
def admin(totp_admin):
    return totp_admin


@pytest.fixture
def register():
    StatutesFactory(effective_from=dt.date(2020, 1, 1))
    return standard_register()


def text(response) -> str:
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r" ([:),.])", r"\1", " ".join(html.split()))


def configuration() -> list[tuple[str, str, Decimal, int]]:
    return list(College.objects.order_by("code").values_list("code", "name", "weight", "position"))


def formset_data(rows: list[dict], *, initial: int = 3, **extra) -> dict[str, str]:
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(initial),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        **extra,
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{index}-{key}"] = str(value)
    return data


def row(code: str, name: str, weight: str, position: int = 0, **extra) -> dict:
    return {"code": code, "name": name, "weight": weight, "position": position, **extra}


STANDARD_ROWS = [
    row("employees", "Salariés", "40", 1),
    row("users", "Bénéficiaires", "30", 2),
    row("supporters", "Soutiens", "30", 3),
]


# Access ------------------------------------------------------------------------------------


def test_configuration_pages_are_for_administrators_with_totp(
    client, register, member_user, admin_user
):
    category = register["categories"]["employee"]
    urls = [
        COLLEGES,
        CATEGORIES,
        CATEGORY_CREATE,
        reverse("members:category_edit", args=[category.pk]),
    ]
    client.force_login(member_user)
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(COLLEGES, formset_data(STANDARD_ROWS)).status_code == 403
    client.force_login(admin_user)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mfa_activate_totp"))


# Colleges ----------------------------------------------------------------------------------


def test_colleges_page_shows_weights_and_member_counts(admin_client, register):
    cats, cols = register["categories"], register["colleges"]
    admitted(cats["employee"], cols["employees"], last_name="Un")
    former = admitted(cats["employee"], cols["employees"], last_name="Deux")
    member_exit(
        member=former,
        status="resigned",
        exited_on=dt.date(2025, 5, 1),
        decision_ref="Lettre",
        actor=None,
    )
    admitted(cats["beneficiary"], cols["users"], last_name="Trois")
    page = text(admin_client.get(COLLEGES))
    assert "Salariés employees 40 0 1 2" in page  # name, code, weight, order, current, all
    assert "Bénéficiaires users 30 0 1 1" in page
    assert "Soutiens supporters 30 0 0 0" in page
    assert "Total 100 " in page
    # The form starts from the configuration, with a blank row to add a college.
    html = admin_client.get(COLLEGES).content.decode()
    assert 'name="form-TOTAL_FORMS" value="4"' in html
    assert 'name="form-1-code" value="employees"' in html


def test_a_valid_configuration_is_recorded_as_a_whole(admin_client, register, admin):
    rows = [
        row("employees", "Salariés", "25", 1),
        row("users", "Usagers", "25", 2),
        row("supporters", "Soutiens", "25", 3),
        row("founders", "Fondateurs", "25", 4),
    ]
    response = admin_client.post(COLLEGES, formset_data(rows), follow=True)
    assert response.redirect_chain[-1][0] == COLLEGES
    assert "The configuration of the colleges is recorded." in text(response)
    assert configuration() == [
        ("employees", "Salariés", Decimal("25.00"), 1),
        ("founders", "Fondateurs", Decimal("25.00"), 4),
        ("supporters", "Soutiens", Decimal("25.00"), 3),
        ("users", "Usagers", Decimal("25.00"), 2),
    ]
    audit = AuditEvent.objects.get(action="colleges.configured")
    assert audit.actor == admin


def test_the_blank_row_left_blank_is_ignored(admin_client, register):
    rows = [*STANDARD_ROWS, row("", "", "", 0)]
    rows[0] = row("employees", "Salariés et producteurs", "40", 1)
    response = admin_client.post(COLLEGES, formset_data(rows))
    assert response.status_code == 302
    assert College.objects.get(code="employees").name == "Salariés et producteurs"
    assert College.objects.count() == 3


@pytest.mark.parametrize(
    ("rows", "messages"),
    [
        (
            [
                row("employees", "Salariés", "60", 1),
                row("users", "Bénéficiaires", "20", 2),
                row("supporters", "Soutiens", "20", 3),
            ],
            ["College Salariés holds 60% of the votes: each college must hold between 10%"],
        ),
        (
            [
                row("employees", "Salariés", "40", 1),
                row("users", "Bénéficiaires", "30", 2),
                row("supporters", "Soutiens", "20", 3),
            ],
            ["90%"],
        ),
        (
            [row("employees", "Salariés", "50", 1), row("users", "Bénéficiaires", "50", 2)],
            ["at least 3 colleges"],
        ),
        (
            [
                row("employees", "Salariés", "40", 1),
                row("users", "Bénéficiaires", "30", 2),
                row("users", "Soutiens", "30", 3),
            ],
            ["Two colleges have the same code."],
        ),
    ],
)
def test_a_configuration_outside_rules_7_is_refused_and_nothing_changes(
    admin_client, register, rows, messages
):
    before = configuration()
    response = admin_client.post(COLLEGES, formset_data(rows))
    assert response.status_code == 200
    page = text(response)
    assert "Nothing was recorded. Please correct:" in page
    for message in messages:
        assert message in page
    assert "<title>Error:" in response.content.decode()
    # What was typed is shown again.
    assert f'value="{rows[0]["weight"]}"' in response.content.decode()
    assert configuration() == before
    assert not AuditEvent.objects.filter(action="colleges.configured").exists()


def test_each_row_is_checked_and_errors_point_to_the_row(admin_client, register):
    rows = [*STANDARD_ROWS]
    rows[1] = row("users", "", "abc", 2)
    response = admin_client.post(COLLEGES, formset_data(rows))
    page = text(response)
    assert "College 2, Name: This field is required." in page
    assert "College 2, Weight (%): Enter a number." in page
    assert 'href="#id_form-1-weight"' in response.content.decode()
    assert configuration()[2][1] == "Bénéficiaires"


def test_a_college_with_members_cannot_be_removed(admin_client, register):
    admitted(register["categories"]["volunteer"], register["colleges"]["supporters"])
    before = configuration()
    rows = [
        row("employees", "Salariés", "40", 1),
        row("users", "Bénéficiaires", "30", 2),
        row("supporters", "Soutiens", "30", 3, DELETE="on"),
        row("others", "Autres", "30", 4),
    ]
    response = admin_client.post(COLLEGES, formset_data(rows))
    assert response.status_code == 200
    assert "The college “Soutiens” has members: move them before removing it." in text(response)
    assert configuration() == before


def test_a_college_without_members_is_removed(admin_client, register):
    rows = [
        row("employees", "Salariés", "40", 1),
        row("users", "Bénéficiaires", "30", 2),
        row("supporters", "Soutiens", "30", 3, DELETE="on"),
        row("others", "Autres", "30", 4),
    ]
    assert admin_client.post(COLLEGES, formset_data(rows)).status_code == 302
    assert [c[0] for c in configuration()] == ["employees", "others", "users"]


def test_add_a_row_without_javascript_keeps_what_was_typed_and_records_nothing(
    admin_client, register
):
    before = configuration()
    rows = [*STANDARD_ROWS, row("founders", "Fondateurs", "10", 4), row("", "", "", 0)]
    rows[0] = row("employees", "Salariés", "35", 1)
    response = admin_client.post(COLLEGES, formset_data(rows, add_row="1"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="form-TOTAL_FORMS" value="6"' in html  # 4 typed rows, 2 blank
    assert 'name="form-0-weight" value="35"' in html
    assert 'name="form-3-code" value="founders"' in html
    assert "Nothing was recorded" not in text(response)  # no errors for what is unfinished
    assert configuration() == before


def test_colleges_page_query_count_is_flat(admin_client, register):
    cats, cols = register["categories"], register["colleges"]
    admin_client.get(COLLEGES)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(COLLEGES)
    for i in range(15):
        admitted(cats["volunteer"], cols["supporters"], last_name=f"Nom {i}")
    with CaptureQueriesContext(connection) as many:
        admin_client.get(COLLEGES)

    def count(captured):
        return len([q for q in captured.captured_queries if "django_session" not in q["sql"]])

    assert count(many) == count(few)


# Categories --------------------------------------------------------------------------------


def category_data(**values) -> dict[str, str]:
    data = {
        "code": "producer",
        "name": "Producteurs",
        "minimum_shares": "2",
        "default_college": "",
        "position": "5",
        "active": "on",
    }
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def test_categories_page_lists_them_with_their_rules_and_members(admin_client, register):
    cats, cols = register["categories"], register["colleges"]
    admitted(cats["employee"], cols["employees"])
    apply(cats["employee"], last_name="Candidat")
    response = admin_client.get(CATEGORIES)
    page = text(response)
    assert "Salariés employee yes no 1 Salariés 0 yes 1 2" in page
    assert "Collectivités public no yes 1 Soutiens 0 yes 0 0" in page
    # RULES 1: beneficiaries have no current member.
    assert "These compulsory categories have no current member: Bénéficiaires" in page
    assert reverse("members:category_edit", args=[cats["public"].pk]) in response.content.decode()


def test_create_a_category(admin_client, register, admin):
    supporters = register["colleges"]["supporters"]
    response = admin_client.post(
        CATEGORY_CREATE,
        category_data(default_college=str(supporters.pk), compulsory="on"),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == CATEGORIES
    assert "The category “Producteurs” is created." in text(response)
    category = Category.objects.get(code="producer")
    assert (
        category.name,
        category.minimum_shares,
        category.default_college,
        category.position,
    ) == (
        "Producteurs",
        2,
        supporters,
        5,
    )
    assert category.compulsory and category.active and not category.is_public_body
    audit = AuditEvent.objects.get(action="category.created")
    assert audit.actor == admin and audit.data["code"] == "producer"
    assert audit.data["default_college"] == "supporters"


def test_a_category_code_already_used_is_refused(admin_client, register):
    count = Category.objects.count()
    response = admin_client.post(CATEGORY_CREATE, category_data(code="employee"))
    assert response.status_code == 200
    assert "Category with this Code already exists." in text(response)
    assert 'value="Producteurs"' in response.content.decode()
    assert Category.objects.count() == count


def test_a_category_needs_at_least_one_share(admin_client, register):
    response = admin_client.post(CATEGORY_CREATE, category_data(minimum_shares="0"))
    assert "Minimum shares: Ensure this value is greater than or equal to 1." in text(response)
    assert not Category.objects.filter(code="producer").exists()


def test_edit_a_category(admin_client, register, admin):
    volunteer = register["categories"]["volunteer"]
    url = reverse("members:category_edit", args=[volunteer.pk])
    assert 'value="volunteer"' in admin_client.get(url).content.decode()
    admitted(volunteer, register["colleges"]["supporters"])  # members do not block a rename
    response = admin_client.post(
        url,
        category_data(code="volunteer", name="Bénévoles actifs", minimum_shares="1", position="3"),
        follow=True,
    )
    assert "The category “Bénévoles actifs” is recorded." in text(response)
    volunteer.refresh_from_db()
    assert (volunteer.name, volunteer.position, volunteer.default_college) == (
        "Bénévoles actifs",
        3,
        None,
    )
    audit = AuditEvent.objects.get(action="category.changed")
    assert audit.data["name"] == ["Bénévoles", "Bénévoles actifs"]
    assert audit.data["default_college"] == ["supporters", None]
    assert "code" not in audit.data


def test_an_unchanged_category_form_records_nothing(admin_client, register):
    public = register["categories"]["public"]
    data = category_data(
        code="public",
        name="Collectivités",
        minimum_shares="1",
        position="0",
        is_public_body="on",
        default_college=str(register["colleges"]["supporters"].pk),
    )
    response = admin_client.post(
        reverse("members:category_edit", args=[public.pk]), data, follow=True
    )
    assert "Nothing was changed." in text(response)
    assert not AuditEvent.objects.filter(action="category.changed").exists()


def test_a_category_with_members_keeps_its_code(admin_client, register):
    employee = register["categories"]["employee"]
    apply(employee, last_name="Candidate")  # even an applicant's entry refers to it
    response = admin_client.post(
        reverse("members:category_edit", args=[employee.pk]),
        category_data(code="staff", name="Personnel", minimum_shares="1", compulsory="on"),
    )
    assert response.status_code == 200
    page = text(response)
    assert "Nothing was recorded. Please correct:" in page
    assert "has members in the register: its code “employee” cannot change." in page
    assert 'value="staff"' in response.content.decode()
    assert "<h1>Category “Salariés”</h1>" in response.content.decode()
    employee.refresh_from_db()
    assert (employee.code, employee.name) == ("employee", "Salariés")
    assert not AuditEvent.objects.filter(action="category.changed").exists()


def test_a_category_without_members_can_change_its_code(admin_client, register):
    volunteer = register["categories"]["volunteer"]
    response = admin_client.post(
        reverse("members:category_edit", args=[volunteer.pk]),
        category_data(code="volunteers", name="Bénévoles", minimum_shares="1", position="0"),
    )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.code == "volunteers"


def test_category_save_checks_its_rules_itself(register, admin):
    """The service refuses what the form would refuse, for callers other than the page."""
    with pytest.raises(DomainError, match="at least one share"):
        category_save(data=CategoryData(code="x", name="X", minimum_shares=0), actor=admin)
    with pytest.raises(DomainError, match="already has the code"):
        category_save(data=CategoryData(code="employee", name="Autres"), actor=admin)
    with pytest.raises(DomainError, match="letters, digits"):
        category_save(data=CategoryData(code="a b", name="Autres"), actor=admin)
    assert not Category.objects.filter(name__in=["X", "Autres"]).exists()
    assert not AuditEvent.objects.filter(action__startswith="category.").exists()
    assert Member.objects.count() == 0


def test_categories_page_in_french(client, admin, register):
    client.force_login(admin)
    response = client.get(CATEGORIES, HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="fr">' in response.content.decode()
    assert "Collectivités" in text(response)
