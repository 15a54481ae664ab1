"""The personal data of an account that is not a member's (RULES 5): a participant or an
organiser downloads their account and heritage activity from "My communities"; a member is
sent to the download of their membership page, which holds the same and more."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from heritage.gdpr import account_data_export, heritage_data
from heritage.models import CommunityMembership, Registration
from heritage.services import (
    ItemData,
    community_join,
    image_add,
    item_create,
    participant_confirm,
    registration_member_create,
)
from heritage.tokens import participate_token
from members.gdpr import json_ready, personal_data_export
from members.models import Member
from tests.coop.factories import StatutesFactory, UserFactory
from tests.heritage.factories import community, gathering, png_upload
from tests.members.factories import admitted, standard_register

pytestmark = pytest.mark.django_db

DATA_URL = "/heritage/my/data.json"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _local(moment: dt.datetime | None) -> str | None:
    """A moment as the file writes it: ISO 8601 in the cooperative's time zone."""
    return timezone.localtime(moment).isoformat() if moment else None


@pytest.fixture
def activity(db):
    """Louise joined "Mémoire des canuts" as a participant (from the e-mailed link, so her
    account was made then), registered for its walk and waits for Bob's seat at a visit of
    "Jardins ouvriers". Olympe organises "Mémoire des canuts" without being a member and
    contributed an item and its image there. Bob, a member, organises "Jardins ouvriers"; his
    registrations and his item are his."""
    olympe = UserFactory(
        roles=["organiser"], email="olympe@example.org", first_name="Olympe", last_name="Gouges"
    )
    bob = UserFactory(
        roles=["organiser", "member"],
        email="bob@example.org",
        first_name="Bob",
        last_name="Bernard",
    )
    canuts = community(name="Mémoire des canuts", organisers=[olympe])
    jardins = community(name="Jardins ouvriers", organisers=[bob])
    membership = participant_confirm(
        token=participate_token(
            community_pk=canuts.pk, email="louise@example.org", name="Louise Labé", notify=True
        )
    )
    louise = membership.user

    now = timezone.now()
    walk = gathering(of=canuts, title="Balade des traboules", starts_at=now + dt.timedelta(days=2))
    visit = gathering(
        of=jardins, title="Visite des jardins", capacity=1, starts_at=now + dt.timedelta(days=7)
    )
    walked = registration_member_create(gathering=walk, user=louise)
    registration_member_create(gathering=walk, user=bob)
    registration_member_create(gathering=visit, user=bob)
    waiting = registration_member_create(gathering=visit, user=louise)

    item = item_create(
        community=canuts,
        data=ItemData(
            kind="place",
            title="Cour des Voraces",
            description="Un escalier monumental.",
            latitude=Decimal("45.770500"),
            longitude=Decimal("4.833900"),
        ),
        consent=True,
        actor=olympe,
    )
    image = image_add(
        item=item,
        upload=png_upload("escalier.png"),
        alt_text="L'escalier vu d'en bas",
        author="Olympe Gouges",
        licence="cc-by-4.0",
        consent=True,
        actor=olympe,
    )
    item_create(
        community=jardins,
        data=ItemData(kind="practice", title="Semis partagés", description="Chaque printemps."),
        consent=True,
        actor=bob,
    )
    return {
        "louise": louise,
        "olympe": olympe,
        "bob": bob,
        "membership": membership,
        "walked": walked,
        "waiting": waiting,
        "item": item,
        "image": image,
    }


def _registration_row(registration: Registration, community_name: str) -> dict:
    registration = Registration.objects.get(pk=registration.pk)
    event = registration.gathering
    return {
        "gathering": event.title,
        "community": community_name,
        "kind": "walk",
        "starts_at": _local(event.starts_at),
        "ends_at": _local(event.ends_at),
        "place": "Place des Terreaux, Lyon",
        "gathering_status": "published",
        "status": registration.status,
        "status_label": str(registration.get_status_display()),
        "waiting_list_position": registration.position,
        "place_in_line_now": 1 if registration.status == "waiting" else None,
        "offer_to_confirm_before": None,
        "attended": None,
        "language": registration.language,
        "registered_at": _local(registration.created_at),
        "confirmed_at": _local(registration.confirmed_at),
        "cancelled_at": None,
    }


def test_a_participant_downloads_their_account_and_heritage_data(client, activity):
    louise = activity["louise"]
    client.force_login(louise)
    response = client.get(DATA_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    stamp = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="personal-data-account-{stamp}.json"'
    )
    assert response["Cache-Control"] == "no-store"

    data = json.loads(response.content)
    assert list(data) == ["format", "generated_at", "account", "heritage"]
    assert data["format"] == "voliere-account-data/1"
    assert dt.datetime.fromisoformat(data["generated_at"]).tzinfo is not None

    louise.refresh_from_db()  # signing in set the last login
    assert louise.last_login is not None
    assert data["account"] == {
        "email": "louise@example.org",
        "first_name": "Louise",
        "last_name": "Labé",
        "preferred_language": "",
        "date_joined": _local(louise.date_joined),
        "last_login": _local(louise.last_login),
        "is_active": True,
        "roles": [],
        "email_addresses": [{"email": "louise@example.org", "verified": True, "primary": True}],
        "authenticators": [],
    }

    heritage = data["heritage"]
    assert heritage["communities"] == [
        {
            "community": "Mémoire des canuts",
            "as": "participant",
            "as_label": "participant (no vote)",
            "told_of_new_gatherings": True,
            "joined_at": _local(activity["membership"].joined_at),
        }
    ]
    assert heritage["communities_organised"] == []
    walked, waiting = activity["walked"], activity["waiting"]
    assert heritage["registrations"] == [
        _registration_row(walked, "Mémoire des canuts"),
        _registration_row(waiting, "Jardins ouvriers"),
    ]
    assert [r["status"] for r in heritage["registrations"]] == ["confirmed", "waiting"]
    assert heritage["items_contributed"] == []
    assert heritage["images_contributed"] == []


def test_an_organiser_who_is_not_a_member_downloads_their_contributions(client, activity):
    client.force_login(activity["olympe"])
    data = client.get(DATA_URL).json()
    assert data["account"]["email"] == "olympe@example.org"
    assert data["account"]["roles"] == ["organiser"]
    heritage = data["heritage"]
    assert heritage["communities"] == []
    assert heritage["communities_organised"] == ["Mémoire des canuts"]
    assert heritage["registrations"] == []
    item, image = activity["item"], activity["image"]
    assert heritage["items_contributed"] == [
        {
            "title": "Cour des Voraces",
            "kind": "place",
            "community": "Mémoire des canuts",
            "description": "Un escalier monumental.",
            "latitude": "45.770500",
            "longitude": "4.833900",
            "publication_consent": True,
            "created_at": _local(item.created_at),
            "updated_at": _local(item.updated_at),
        }
    ]
    assert heritage["images_contributed"] == [
        {
            "item": "Cour des Voraces",
            "file": image.image.name,
            "description": "L'escalier vu d'en bas",
            "author": "Olympe Gouges",
            "licence": "cc-by-4.0",
            "licence_label": "Creative Commons Attribution 4.0 (CC BY)",
            "publication_consent": True,
            "created_at": _local(image.created_at),
        }
    ]


def test_nothing_of_another_person_is_in_the_download(client, activity):
    bob = activity["bob"]
    assert Registration.objects.filter(user=bob).count() == 2
    assert CommunityMembership.objects.filter(user=bob).count() == 0
    client.force_login(activity["louise"])
    text = client.get(DATA_URL).content.decode()
    for trace in (
        "Bernard",
        bob.email,
        "Olympe",
        "olympe@example.org",
        "Semis partagés",
        "Cour des Voraces",
    ):
        assert trace not in text
    data = json.loads(text)
    assert len(data["heritage"]["registrations"]) == 2
    assert [c["community"] for c in data["heritage"]["communities"]] == ["Mémoire des canuts"]


def test_an_anonymous_visitor_is_sent_to_sign_in(client, activity):
    response = client.get(DATA_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={DATA_URL}"


def test_the_download_only_answers_get(client, activity):
    client.force_login(activity["louise"])
    assert client.post(DATA_URL).status_code == 405


@pytest.fixture
def alice(activity):
    """Alice, a member with an entry in the register, joined "Mémoire des canuts"."""
    StatutesFactory(effective_from=dt.date(2020, 1, 1))
    register = standard_register()
    category = register["categories"]["volunteer"]
    member = admitted(category, category.default_college, first_name="Alice", last_name="Martin")
    user = UserFactory(roles=["member"], email="alice@example.org", first_name="Alice")
    Member.objects.filter(pk=member.pk).update(user=user)
    member.refresh_from_db()
    canuts = activity["membership"].community
    community_join(community=canuts, user=user, notify=False)
    return member


def test_a_member_is_sent_to_the_download_of_their_membership_page(client, alice):
    client.force_login(alice.user)
    response = client.get(DATA_URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("members:me") + "#data-title"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "As a member, you download your personal data from your membership page" in page
    assert reverse("members:me_data") in page


def test_my_communities_links_the_download_for_accounts_that_are_not_members(client, activity):
    client.force_login(activity["louise"])
    page = client.get(reverse("heritage:my"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="{DATA_URL}"' in page
    assert "your login account with its e-mail addresses, the communities you joined" in page
    assert reverse("members:me") not in page.split('id="my-data-title"')[1]


def test_my_communities_points_a_member_to_their_membership_page(client, alice):
    client.force_login(alice.user)
    page = client.get(reverse("heritage:my"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    section = page.split('id="my-data-title"')[1]
    assert DATA_URL not in page
    assert f'href="{reverse("members:me")}#data-title"' in section
    assert "As a member, you download your personal data from your membership page" in section


def test_a_member_role_without_an_entry_downloads_the_account_file(client, activity):
    """The membership page has no download without an entry in the register: such an account
    downloads its account and heritage data here, like anyone who is not a member."""
    user = UserFactory(roles=["member"], email="sans-fiche@example.org")
    client.force_login(user)
    assert client.get(reverse("members:me_data"))["Location"] == reverse("members:me")
    response = client.get(DATA_URL)
    assert response.status_code == 200
    data = response.json()
    assert data["account"]["email"] == "sans-fiche@example.org"
    assert data["account"]["roles"] == ["member"]


def test_the_member_export_holds_the_same_account_and_heritage_sections(client, alice):
    """One function builds each section for both downloads; the member's keeps its shape."""
    user = alice.user
    member_data = personal_data_export(member=alice)
    account_file = account_data_export(user=user)
    assert member_data["format"] == "voliere-personal-data/1"
    assert list(member_data)[:4] == ["format", "generated_at", "member", "register_events"]
    assert member_data["account"] == account_file["account"]
    assert member_data["heritage"] == account_file["heritage"]
    assert member_data["heritage"] == json_ready(heritage_data(user=user))
    assert [c["community"] for c in member_data["heritage"]["communities"]] == [
        "Mémoire des canuts"
    ]
    assert member_data["heritage"]["communities"][0]["as"] == "member"
    json.dumps(member_data)
