"""Heritage items and walks: no owner, location shown with a map link, images with author,
licence and the contributor's consent; walks as ordered itineraries (RULES 27, 30)."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from coop.errors import DomainError, PermissionRefused
from heritage.models import HeritageItem, ItemImage, WalkStop
from heritage.services import gathering_update
from heritage.services.items import ItemData, image_add, item_create, walk_create
from tests.coop.factories import UserFactory
from tests.heritage.factories import community, gathering, gathering_data, png_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _item(of, title="Traboule de la Cour des Voraces", **extra):
    data = ItemData(
        kind=extra.pop("kind", "place"),
        title=title,
        description="Un escalier monumental.",
        latitude=extra.pop("latitude", Decimal("45.770500")),
        longitude=extra.pop("longitude", Decimal("4.833900")),
    )
    return item_create(community=of, data=data, consent=True, actor=of.organisers.get(), **extra)


def test_an_item_belongs_to_its_community_and_shows_its_place_on_a_map(client):
    canuts = community()
    item = _item(canuts)
    assert item.community == canuts
    response = client.get(reverse("heritage:item", args=[item.pk]))
    page = response.content.decode()
    assert "Latitude 45.770500, longitude 4.833900" in page
    assert (
        "https://www.openstreetmap.org/?mlat=45.770500&amp;mlon=4.833900#map=17/45.770500/4.833900"
        in page
    )


def test_items_need_consent_both_coordinates_and_an_organiser():
    canuts = community()
    organiser = canuts.organisers.get()
    data = ItemData(kind="story", title="La révolte", description="1831.")
    with pytest.raises(DomainError, match="consent"):
        item_create(community=canuts, data=data, consent=False, actor=organiser)
    half = ItemData(kind="place", title="Lieu", description="…", latitude=Decimal("45"))
    with pytest.raises(DomainError, match="both the latitude and the longitude"):
        item_create(community=canuts, data=half, consent=True, actor=organiser)
    with pytest.raises(PermissionRefused):
        item_create(community=canuts, data=data, consent=True, actor=UserFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        HeritageItem.objects.create(
            community=canuts, kind="place", title="x", description="x", publication_consent=False
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        HeritageItem.objects.create(
            community=canuts,
            kind="place",
            title="x",
            description="x",
            latitude=Decimal("91"),
            longitude=Decimal("0"),
            publication_consent=True,
        )


def test_an_organiser_adds_an_image_with_its_author_and_licence(client):
    canuts = community()
    item = _item(canuts)
    client.force_login(canuts.organisers.get())
    url = reverse("heritage:item_image_add", args=[item.pk])
    without_consent = client.post(
        url,
        {
            "image": png_upload("traboule.png"),
            "alt_text": "L'escalier",
            "author": "Louise",
            "licence": "cc-by-4.0",
        },
    )
    assert without_consent.status_code == 400
    assert not ItemImage.objects.exists()
    not_an_image = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    refused = client.post(
        url,
        {
            "image": not_an_image,
            "alt_text": "L'escalier",
            "author": "Louise",
            "licence": "cc-by-4.0",
            "consent": "on",
        },
    )
    assert refused.status_code == 400
    response = client.post(
        url,
        {
            "image": png_upload("traboule.png"),
            "alt_text": "L'escalier de la Cour des Voraces",
            "author": "Louise Labé",
            "licence": "cc-by-sa-4.0",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    image = ItemImage.objects.get()
    assert image.author == "Louise Labé"
    assert image.publication_consent is True
    client.logout()
    page = client.get(reverse("heritage:item", args=[item.pk])).content.decode()
    assert 'alt="L&#x27;escalier de la Cour des Voraces"' in page
    assert "Image: Louise Labé. Licence: Creative Commons Attribution-ShareAlike 4.0" in page


def test_image_add_refuses_what_is_not_a_picture():
    canuts = community()
    item = _item(canuts)
    gif = SimpleUploadedFile("a.gif", b"GIF89a" + b"\0" * 20, content_type="image/gif")
    with pytest.raises(DomainError):
        image_add(
            item=item,
            upload=gif,
            alt_text="x",
            author="y",
            licence="cc0-1.0",
            consent=True,
            actor=canuts.organisers.get(),
        )


def test_a_walk_is_an_ordered_itinerary_of_the_communitys_items(client):
    canuts = community()
    organiser = canuts.organisers.get()
    first, second, third = (
        _item(canuts, title=t) for t in ("Amphithéâtre", "Gros Caillou", "Cour")
    )
    client.force_login(organiser)
    response = client.post(
        reverse("heritage:walk_create", args=[canuts.slug]),
        {
            "title": "Des pentes au plateau",
            "description": "",
            f"stop_{first.pk}": "2",
            f"stop_{second.pk}": "3",
            f"stop_{third.pk}": "1",
        },
    )
    assert response.status_code == 302
    stops = WalkStop.objects.order_by("position")
    assert [s.item for s in stops] == [third, first, second]
    walk = stops[0].walk
    page = client.get(reverse("heritage:walk", args=[walk.pk])).content.decode()
    assert page.index("Cour") < page.index("Amphithéâtre") < page.index("Gros Caillou")

    other = _item(community(name="Vienne"), title="Temple d'Auguste")
    with pytest.raises(DomainError, match="its own community"):
        walk_create(community=canuts, title="x", description="", items=[other], actor=organiser)

    # A gathering may follow the walk, not another community's.
    event = gathering(of=canuts)
    gathering_update(
        gathering=event,
        data=gathering_data(starts_at=event.starts_at, walk=walk),
        actor=organiser,
    )
    event.refresh_from_db()
    assert event.walk == walk
    assert (
        "Des pentes au plateau"
        in client.get(reverse("heritage:gathering", args=[event.pk])).content.decode()
    )
    elsewhere = gathering(of=community(name="Vienne", organisers=[organiser]))
    with pytest.raises(DomainError, match="community's walks"):
        gathering_update(gathering=elsewhere, data=gathering_data(walk=walk), actor=organiser)
