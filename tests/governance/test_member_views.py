"""The member's side: my assemblies, an assembly's page (agenda, resolutions, my status), the
search among the roll (with and without htmx), giving and revoking a proxy."""

import pytest
from django.urls import reverse

from governance.models import Assembly, Proxy
from governance.services.proxies import proxy_give
from members.models import Member
from tests.coop.factories import UserFactory
from tests.governance.factories import (
    convened_assembly,
    draft_assembly,
    members_admitted,
    statutes_and_register,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client):
    register = statutes_and_register()
    members = members_admitted(register, 8)
    me = members[0]
    user = UserFactory(email=me.email, roles=["member"])
    Member.objects.filter(pk=me.pk).update(user=user)
    assembly = convened_assembly(members=members, title="AGO 2026")
    client.force_login(user)
    entries = list(assembly.roll.order_by("member_number"))
    return client, assembly, entries


def test_my_assemblies_lists_upcoming_and_past_where_i_am_on_the_roll(setup):
    client, assembly, entries = setup
    past = convened_assembly(members=[entries[0].member], title="AGO 2025")
    Assembly.objects.filter(pk=past.pk).update(status=Assembly.Status.PUBLISHED)
    convened_assembly(members=[entries[1].member], title="Pas la mienne")
    draft_assembly(title="Brouillon")
    proxy_give(assembly=assembly, giver=entries[0], holder=entries[1], actor=None)

    response = client.get(reverse("governance:my_assemblies"))
    body = response.content.decode()
    assert response.status_code == 200
    upcoming, past_part = body.split("Past assemblies")
    assert "AGO 2026" in upcoming and "AGO 2025" in past_part
    assert "Pas la mienne" not in body and "Brouillon" not in body
    assert f"You gave your proxy to {entries[1].name}." in body
    assert reverse("governance:detail", args=[assembly.pk]) in body


def test_the_assembly_page_shows_the_agenda_and_full_resolutions(setup):
    client, assembly, _entries = setup
    body = client.get(reverse("governance:detail", args=[assembly.pk])).content.decode()
    assert "Comptes de l&#x27;exercice" in body
    assert "L&#x27;assemblée générale approuve le point 1." in body
    assert "Resolution 2: Résolution 2" in body
    assert "Salle des fêtes, 38000 Grenoble" in body
    assert "You have not given a proxy." in body


def test_not_on_the_roll_is_not_found(setup):
    client, _assembly, entries = setup
    other = convened_assembly(members=[entries[3].member], title="Autre")
    assert client.get(reverse("governance:detail", args=[other.pk])).status_code == 404
    draft = draft_assembly()
    assert client.get(reverse("governance:detail", args=[draft.pk])).status_code == 404


def test_search_the_roll_without_and_with_htmx(setup):
    client, assembly, entries = setup
    url = reverse("governance:detail", args=[assembly.pk])
    target = entries[3]
    page = client.get(url, {"q": target.name}).content.decode()
    assert f"Give my proxy to {target.name}" in page
    assert f"Give my proxy to {entries[0].name}" not in page  # not to oneself
    partial = client.get(
        url, {"q": target.name}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="proxy-results"
    ).content.decode()
    assert partial.lstrip().startswith('<div id="proxy-results">')
    assert f"Give my proxy to {target.name}" in partial
    assert "1 member of the roll matches" in partial


def test_give_then_revoke_my_proxy(setup):
    client, assembly, entries = setup
    holder = entries[2]
    response = client.post(
        reverse("governance:proxy_give", args=[assembly.pk]), {"holder": holder.pk}, follow=True
    )
    body = response.content.decode()
    assert f"Your proxy is recorded: {holder.name} will represent you" in body
    assert "Revoke my proxy" in body
    proxy = Proxy.objects.get()
    assert (proxy.giver, proxy.holder) == (entries[0], holder)

    response = client.post(reverse("governance:proxy_revoke", args=[assembly.pk]), follow=True)
    assert f"Your proxy to {holder.name} is revoked" in response.content.decode()
    proxy.refresh_from_db()
    assert proxy.revoked_at is not None


def test_a_refused_proxy_names_the_limit_and_changes_nothing(setup):
    client, assembly, entries = setup
    holder = entries[2]
    proxy_give(assembly=assembly, giver=entries[5], holder=holder, actor=None)
    response = client.post(
        reverse("governance:proxy_give", args=[assembly.pk]),
        {"holder": holder.pk, "q": holder.name},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        f"{holder.name} already holds 1 proxy, the most the statutes allow for this assembly."
        in body
    )
    assert Proxy.objects.count() == 1


def test_a_holder_sees_the_proxies_they_hold(setup):
    client, assembly, entries = setup
    proxy_give(assembly=assembly, giver=entries[4], holder=entries[0], actor=None)
    body = client.get(reverse("governance:detail", args=[assembly.pk])).content.decode()
    assert f"{entries[4].name} (member no. {entries[4].member_number})" in body
    assert "a holder cannot give a proxy" in body


def test_someone_elses_roll_entry_cannot_be_used_as_holder(setup):
    client, assembly, entries = setup
    other = convened_assembly(members=[entries[3].member], title="Autre")
    stranger = other.roll.get()
    response = client.post(
        reverse("governance:proxy_give", args=[assembly.pk]), {"holder": stranger.pk}
    )
    assert response.status_code == 400
    assert not Proxy.objects.exists()


def test_my_assemblies_takes_as_many_queries_for_one_or_five_assemblies(setup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, _assembly, entries = setup
    url = reverse("governance:my_assemblies")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for year in range(4):
        other = convened_assembly(members=[entries[0].member, entries[1].member], title=f"AG{year}")
        proxy_give(
            assembly=other,
            giver=other.roll.order_by("member_number")[1],
            holder=other.roll.order_by("member_number")[0],
            actor=None,
        )
    with CaptureQueriesContext(connection) as five:
        body = client.get(url).content.decode()
    assert body.count("You hold 1 proxy.") == 4
    assert len(five) == len(one)
