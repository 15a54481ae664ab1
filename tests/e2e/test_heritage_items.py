"""Heritage items and walks in the browser: an organiser documents a place with its location
and an image (author, licence, consent), composes a walk; a visitor reads them. Every page is
checked with axe-core."""

import io
import re

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import Page, expect

from heritage.models import HeritageItem, ItemImage, Walk
from tests.coop.factories import TEST_PASSWORD, UserFactory
from tests.e2e.helpers import assert_accessible, click_and_load, fr, path_is, sign_in_with_password
from tests.heritage.factories import community

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (31, 95, 74)).save(buffer, "PNG")
    return buffer.getvalue()


def test_an_organiser_documents_an_item_and_a_walk_that_visitors_read(page: Page) -> None:
    organiser = UserFactory(roles=["organiser", "member"])
    canuts = community(name="Canuts de la Croix-Rousse", organisers=[organiser])
    sign_in_with_password(page, organiser.email, TEST_PASSWORD)
    page.goto(reverse("heritage:community", args=[canuts.slug]))
    assert_accessible(page)
    click_and_load(page, page.get_by_role("link", name=fr("Document a heritage item")))
    assert_accessible(page)

    page.get_by_label(fr("Kind")).select_option("place")
    page.get_by_label(fr("Title")).fill("Cour des Voraces")
    page.get_by_label(fr("Description")).fill("Un escalier monumental de six étages.")
    page.get_by_label(fr("Latitude")).fill("45.770500")
    page.get_by_label(fr("Longitude")).fill("4.833900")
    # Without the contributor's consent, nothing is published.
    click_and_load(page, page.get_by_role("button", name=fr("Save"), exact=True))
    assert_accessible(page)
    expect(page.get_by_role("alert")).to_be_visible()
    assert not HeritageItem.objects.exists()
    page.get_by_label(
        fr("The contributor agrees to the publication of this text on the site")
    ).check()
    click_and_load(page, page.get_by_role("button", name=fr("Save"), exact=True))
    item = HeritageItem.objects.get()
    expect(page).to_have_url(path_is(reverse("heritage:item", args=[item.pk])))
    assert_accessible(page)

    image = page.get_by_role("group", name=fr("Add an image"))
    image.get_by_label(re.compile("^" + re.escape(fr("Image")))).set_input_files(
        {"name": "voraces.png", "mimeType": "image/png", "buffer": _png()}
    )
    image.get_by_label(fr("What the image shows")).fill("L'escalier vu de la cour")
    image.get_by_label(fr("Author of the image")).fill("Louise Labé")
    image.get_by_label(fr("Licence")).select_option("cc-by-sa-4.0")
    image.get_by_label(
        fr("The contributor agrees to the publication of this image on the site")
    ).check()
    click_and_load(page, image.get_by_role("button", name=fr("Add the image")))
    assert_accessible(page)
    assert ItemImage.objects.get().author == "Louise Labé"

    page.goto(reverse("heritage:walk_create", args=[canuts.slug]))
    assert_accessible(page)
    page.get_by_label(fr("Title")).fill("Des pentes au plateau")
    page.get_by_label("Cour des Voraces").fill("1")
    click_and_load(page, page.get_by_role("button", name=fr("Save"), exact=True))
    walk = Walk.objects.get()
    expect(page).to_have_url(path_is(reverse("heritage:walk", args=[walk.pk])))
    assert_accessible(page)

    # A visitor reads the item: its place as coordinates with a map link, the image's credits.
    page.context.clear_cookies()
    page.goto(reverse("heritage:item", args=[item.pk]))
    assert_accessible(page)
    expect(page.locator("#coordinates")).to_contain_text("45.770500")
    expect(
        page.get_by_role("link", name=fr("Open the place on a map (OpenStreetMap)"))
    ).to_have_attribute(
        "href",
        "https://www.openstreetmap.org/?mlat=45.770500&mlon=4.833900#map=17/45.770500/4.833900",
    )
    expect(page.get_by_role("img", name="L'escalier vu de la cour")).to_be_attached()
    expect(page.locator("figcaption")).to_contain_text("Louise Labé")
    page.goto(reverse("heritage:walk", args=[walk.pk]))
    assert_accessible(page)
    expect(page.locator("#itinerary")).to_contain_text("Cour des Voraces")
