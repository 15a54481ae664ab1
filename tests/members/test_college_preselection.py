"""The college of a member's category is proposed on the admission and register forms."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.coop.factories import StatutesFactory
from tests.members.factories import admitted, apply, standard_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    StatutesFactory(effective_from=dt.date(2020, 1, 1))
    return standard_register()


def selected(page: str, pk: int) -> bool:
    return f'<option value="{pk}" selected>' in page


def test_admitting_an_applicant_proposes_the_college_of_their_category(admin_client, register):
    applicant = apply(register["categories"]["beneficiary"], email="ada@example.org")
    page = admin_client.get(reverse("members:application", args=[applicant.pk])).content.decode()
    assert selected(page, register["colleges"]["users"].pk)
    assert not selected(page, register["colleges"]["employees"].pk)


def test_moving_a_member_proposes_the_college_of_their_category(admin_client, register):
    volunteer = admitted(register["categories"]["volunteer"], register["colleges"]["employees"])
    page = admin_client.get(reverse("members:member_college", args=[volunteer.pk])).content
    page = page.decode()
    assert selected(page, register["colleges"]["supporters"].pk)
    assert "The college of the category “Bénévoles” is proposed." in page


def test_a_member_already_in_the_college_of_their_category_gets_no_proposal(admin_client, register):
    employee = admitted(register["categories"]["employee"], register["colleges"]["employees"])
    page = admin_client.get(reverse("members:member_college", args=[employee.pk])).content
    assert "is proposed" not in page.decode()
