"""The give-proxy button is disabled, with its reason, when the holder cannot take one more;
the service refuses it anyway (a page may be out of date, a request may be forged)."""

import re

import pytest
from django.urls import reverse

from governance.models import Proxy
from governance.services.proxies import proxy_give
from members.models import Member
from tests.coop.factories import UserFactory
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client):
    members = members_admitted(statutes_and_register(), 6)
    user = UserFactory(email=members[0].email, roles=["member"])
    Member.objects.filter(pk=members[0].pk).update(user=user)
    assembly = convened_assembly(members=members, title="AGO 2026")
    client.force_login(user)
    return client, assembly, list(assembly.roll.order_by("member_number"))


def give_button(page: str, name: str) -> str:
    match = re.search(rf"<button[^>]*>Give my proxy to {re.escape(name)}</button>", page)
    assert match, f"no button for {name}"
    return match.group(0)


def test_a_full_holder_gets_a_disabled_button_with_the_reason(setup):
    client, assembly, entries = setup
    full, free = entries[2], entries[3]
    proxy_give(assembly=assembly, giver=entries[5], holder=full, actor=None)  # limit: 1
    url = reverse("governance:detail", args=[assembly.pk])

    page = client.get(url, {"q": "Membre"}).content.decode()
    button = give_button(page, full.name)
    assert "disabled" in button
    assert f'aria-describedby="proxy-reason-{full.pk}"' in button
    assert f'id="proxy-reason-{full.pk}">holds the most proxies allowed<' in page
    assert "disabled" not in give_button(page, free.name)

    response = client.post(
        reverse("governance:proxy_give", args=[assembly.pk]), {"holder": full.pk, "q": "Membre"}
    )
    assert response.status_code == 400
    assert "the most the statutes allow" in response.content.decode()
    assert Proxy.objects.filter(giver=entries[0]).count() == 0


def test_a_member_who_gave_their_proxy_cannot_be_chosen_either(setup):
    client, assembly, entries = setup
    proxy_give(assembly=assembly, giver=entries[4], holder=entries[3], actor=None)
    page = client.get(
        reverse("governance:detail", args=[assembly.pk]), {"q": entries[4].name}
    ).content.decode()
    button = give_button(page, entries[4].name)
    assert "disabled" in button
    assert "gave a proxy: cannot hold one" in page
