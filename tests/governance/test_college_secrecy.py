"""A college with a single voter reveals that voter's choice in the results per college
(issue 15): the convene page warns the administrator, naming the college, and the ballot page
tells that voter before they vote."""

import pytest
from django.urls import reverse

from governance.models import RollEntry
from members.models import Member
from tests.coop.factories import UserFactory
from tests.governance.factories import (
    convened_assembly,
    draft_assembly,
    members_admitted,
    statutes_and_register,
)

pytestmark = pytest.mark.django_db

WARNING = "has a single member on the roll: the results per college will show how that member voted"


@pytest.fixture
def register():
    register = statutes_and_register()
    members_admitted(register, 2, category="volunteer")  # Soutiens: two
    members_admitted(register, 1, category="employee")  # Salariés: one
    return register


def test_the_convene_page_names_the_college_of_a_single_member(admin_client, register):
    assembly = draft_assembly()
    page = admin_client.get(reverse("governance:manage_convene", args=[assembly.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert f"The college Salariés {WARNING}" in text
    assert "Soutiens" not in text.split('id="lonely-colleges"')[1].split("</div>")[0]


def test_the_convene_page_says_nothing_when_every_college_has_several(admin_client, register):
    members_admitted(register, 1, category="employee")
    assembly = draft_assembly()
    page = admin_client.get(reverse("governance:manage_convene", args=[assembly.pk]))
    assert 'id="lonely-colleges"' not in page.content.decode()


def _ballot_page(client, entry):
    user = UserFactory(roles=["member"], email=entry.member.email)
    Member.objects.filter(pk=entry.member_id).update(user=user)
    client.force_login(user)
    return client.get(reverse("governance:ballot", kwargs={"pk": entry.assembly_id})).content


def test_the_ballot_page_tells_the_only_voter_of_a_college(client, register):
    assembly = convened_assembly(members=list(Member.objects.order_by("number")))
    alone = RollEntry.objects.get(assembly=assembly, college__name="Salariés")
    text = _ballot_page(client, alone).decode()
    assert "You are the only member of the college Salariés on the roll" in text
    client.logout()
    other = RollEntry.objects.filter(assembly=assembly, college__name="Soutiens").first()
    assert "the only member of the college" not in _ballot_page(client, other).decode()
