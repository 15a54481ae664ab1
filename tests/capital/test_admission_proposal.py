"""After an admission, the members' confirmation page proposes the intended subscription."""

import pytest
from django.urls import reverse

from tests.capital.factories import capital_setup, member, subscribe

pytestmark = pytest.mark.django_db


def test_the_admission_page_links_to_the_proposed_subscription(admin_client):
    register = capital_setup()
    newcomer = member(register, last_name="Nouvelle", requested_shares=3)
    page = admin_client.get(
        reverse("members:application_admitted", kwargs={"pk": newcomer.pk})
    ).content.decode()
    assert "Confirm the proposed subscription of 3 shares" in page
    assert reverse("capital:member", kwargs={"member_pk": newcomer.pk}) in page

    subscribe(newcomer, 3)
    page = admin_client.get(
        reverse("members:application_admitted", kwargs={"pk": newcomer.pk})
    ).content.decode()
    assert "Confirm the proposed subscription" not in page
