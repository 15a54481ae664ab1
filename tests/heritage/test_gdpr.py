"""The member's heritage activity in their personal-data export (RULES 5, 28-30): kept by login
account, so a member without one has none."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from heritage.models import Gathering, Registration
from heritage.services import (
    ItemData,
    attendance_record,
    community_join,
    image_add,
    item_create,
    registration_cancel,
    registration_guest_request,
    registration_member_create,
)
from members.gdpr import personal_data_export
from members.models import Member
from tests.coop.factories import StatutesFactory, UserFactory
from tests.heritage.factories import community, gathering, png_upload
from tests.members.factories import admitted, standard_register

pytestmark = pytest.mark.django_db

EMPTY = {
    "communities": [],
    "communities_organised": [],
    "registrations": [],
    "items_contributed": [],
    "images_contributed": [],
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def register(db):
    StatutesFactory(effective_from=dt.date(2020, 1, 1))
    return standard_register()


def _member(register, user=None, **kwargs) -> Member:
    category = register["categories"]["volunteer"]
    member = admitted(category, category.default_college, **kwargs)
    if user is not None:
        Member.objects.filter(pk=member.pk).update(user=user)
        member.refresh_from_db()
    return member


def _stamp(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


@pytest.fixture
def activity(register):
    """Alice organises "Mémoire des canuts" (an item and its image are hers) and joined
    "Jardins ouvriers". She attended a walk, waits for a visit behind Bob, and was offered the
    seat Chloé freed at a workshop. Bob's item and registrations are his."""
    alice_user = UserFactory(roles=["member"], first_name="Alice", last_name="Martin")
    alice = _member(register, alice_user, first_name="Alice", last_name="Martin")
    bob = UserFactory(roles=["member"], first_name="Bob", last_name="Bernard")
    chloe = UserFactory(roles=["member"], first_name="Chloé", last_name="Petit")
    canuts = community(name="Mémoire des canuts", organisers=[alice_user])
    jardins = community(name="Jardins ouvriers", organisers=[bob])
    community_join(community=canuts, user=alice_user, notify=True)
    community_join(community=jardins, user=alice_user, notify=False)
    community_join(community=jardins, user=bob, notify=True)

    now = timezone.now()
    walk = gathering(of=canuts, title="Balade des traboules", starts_at=now + dt.timedelta(days=2))
    visit = gathering(
        of=jardins, title="Visite des jardins", capacity=1, starts_at=now + dt.timedelta(days=7)
    )
    workshop = gathering(
        of=jardins, title="Atelier semis", capacity=1, starts_at=now + dt.timedelta(days=9)
    )
    walked = registration_member_create(gathering=walk, user=alice_user)
    registration_member_create(gathering=walk, user=bob)
    registration_member_create(gathering=visit, user=bob)
    waiting = registration_member_create(gathering=visit, user=alice_user)
    freed = registration_member_create(gathering=workshop, user=chloe)
    offered = registration_member_create(gathering=workshop, user=alice_user)
    registration_cancel(registration=freed, actor=chloe)
    Gathering.objects.filter(pk=walk.pk).update(
        starts_at=now - dt.timedelta(hours=2), ends_at=now - dt.timedelta(hours=1)
    )
    attendance_record(gathering=walk, present={walked.pk}, actor=alice_user)

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
        actor=alice_user,
    )
    image = image_add(
        item=item,
        upload=png_upload("escalier.png"),
        alt_text="L'escalier vu d'en bas",
        author="Alice Martin",
        licence="cc-by-4.0",
        consent=True,
        actor=alice_user,
    )
    item_create(
        community=jardins,
        data=ItemData(kind="practice", title="Semis partagés", description="Chaque printemps."),
        consent=True,
        actor=bob,
    )
    return {
        "alice": alice,
        "bob": bob,
        "walk": walk,
        "visit": visit,
        "workshop": workshop,
        "registrations": [walked, waiting, offered],
        "item": item,
        "image": image,
    }


def test_the_export_holds_communities_registrations_and_contributions(activity):
    data = personal_data_export(member=activity["alice"])
    section = data["heritage"]

    communities = section["communities"]
    assert [_stamp(c.pop("joined_at")) is not None for c in communities] == [True, True]
    assert communities == [
        {
            "community": "Mémoire des canuts",
            "as": "member",
            "as_label": "member of the cooperative",
            "told_of_new_gatherings": True,
        },
        {
            "community": "Jardins ouvriers",
            "as": "member",
            "as_label": "member of the cooperative",
            "told_of_new_gatherings": False,
        },
    ]
    assert section["communities_organised"] == ["Mémoire des canuts"]

    walked, waiting, offered = (
        Registration.objects.get(pk=r.pk) for r in activity["registrations"]
    )
    expected = []
    for registration, gathering_status, status_label, community_name in (
        (walked, "held", "confirmed", "Mémoire des canuts"),
        (waiting, "published", "on the waiting list", "Jardins ouvriers"),
        (offered, "published", "seat offered, to be confirmed", "Jardins ouvriers"),
    ):
        event = registration.gathering
        expected.append(
            {
                "gathering": event.title,
                "community": community_name,
                "kind": "walk",
                "starts_at": event.starts_at,
                "ends_at": event.ends_at,
                "place": "Place des Terreaux, Lyon",
                "gathering_status": gathering_status,
                "status": registration.status,
                "status_label": status_label,
                "waiting_list_position": registration.position,
                "offer_to_confirm_before": registration.offer_expires_at,
                "attended": registration.attended,
                "language": registration.language,
                "registered_at": registration.created_at,
                "confirmed_at": registration.confirmed_at,
                "cancelled_at": None,
            }
        )
    registrations = section["registrations"]
    for row in registrations:
        for key in (
            "starts_at",
            "ends_at",
            "offer_to_confirm_before",
            "registered_at",
            "confirmed_at",
        ):
            row[key] = _stamp(row[key])
    ranks = [row.pop("place_in_line_now") for row in registrations]
    assert registrations == expected
    assert [r["status"] for r in registrations] == ["confirmed", "waiting", "offered"]
    assert registrations[0]["attended"] is True
    assert registrations[1]["waiting_list_position"] == 1 and ranks == [None, 1, None]
    assert registrations[2]["offer_to_confirm_before"] is not None

    (item,) = section["items_contributed"]
    assert _stamp(item.pop("created_at")) and _stamp(item.pop("updated_at"))
    assert item == {
        "title": "Cour des Voraces",
        "kind": "place",
        "community": "Mémoire des canuts",
        "description": "Un escalier monumental.",
        "latitude": "45.770500",
        "longitude": "4.833900",
        "publication_consent": True,
    }
    (image,) = section["images_contributed"]
    assert _stamp(image.pop("created_at"))
    assert image == {
        "item": "Cour des Voraces",
        "file": activity["image"].image.name,
        "description": "L'escalier vu d'en bas",
        "author": "Alice Martin",
        "licence": "cc-by-4.0",
        "licence_label": "Creative Commons Attribution 4.0 (CC BY)",
        "publication_consent": True,
    }
    assert image["file"].startswith("heritage/items/")


def test_nothing_of_another_person_is_in_the_export(activity):
    text = json.dumps(personal_data_export(member=activity["alice"]))
    bob = activity["bob"]
    for trace in ("Bernard", bob.email, "Petit", "Semis partagés"):
        assert trace not in text


def test_a_member_without_a_login_account_has_empty_lists(register, activity):
    nobody = _member(register, first_name="Sans", last_name="Compte")
    assert nobody.user is None
    data = personal_data_export(member=nobody)
    assert data["heritage"] == EMPTY
    json.dumps(data)


def test_a_guest_registration_with_the_members_address_is_not_theirs(register):
    """A guest registration is kept by e-mail address, not by account: it is not exported."""
    user = UserFactory(roles=["member"], email="alice@example.org")
    alice = _member(register, user, email="alice@example.org")
    registration_guest_request(gathering=gathering(), name="Alice", email="alice@example.org")
    assert Registration.objects.filter(guest_email="alice@example.org").exists()
    assert personal_data_export(member=alice)["heritage"] == EMPTY
