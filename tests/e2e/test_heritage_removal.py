"""Removing in the browser: an organiser removes an image of an item (its contributor withdrew
their consent), then the item itself, each after a confirmation page; visitors no longer see
them. The confirmation pages are checked with axe-core, and work without JavaScript."""

import os
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from heritage.models import HeritageItem, ItemImage
from heritage.services.items import ItemData, image_add, item_create
from tests.coop.factories import TEST_PASSWORD, UserFactory
from tests.e2e.helpers import assert_accessible, click_and_load, fr, path_is, sign_in_with_password
from tests.heritage.factories import community, png_upload

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _documented(organiser):
    canuts = community(name="Canuts de la Croix-Rousse", organisers=[organiser])
    item = item_create(
        community=canuts,
        data=ItemData(
            kind="place",
            title="Cour des Voraces",
            description="Un escalier monumental de six étages.",
            latitude=Decimal("45.770500"),
            longitude=Decimal("4.833900"),
        ),
        consent=True,
        actor=organiser,
    )
    images = [
        image_add(
            item=item,
            upload=png_upload("voraces.png"),
            alt_text=alt_text,
            author=author,
            licence="cc-by-sa-4.0",
            consent=True,
            actor=organiser,
        )
        for alt_text, author in (
            ("L'escalier vu de la cour", "Louise Labé"),
            ("La cour de nuit", "Maurice Scève"),
        )
    ]
    return canuts, item, images


def _remove_image_link(page: Page, author: str):
    # The link's hidden part names the image's author, for screen readers.
    name = fr('Remove this image<span class="visually-hidden"> by %(author)s</span>')
    name = re.sub(r"<[^>]+>", "", name) % {"author": author}
    return page.get_by_role("link", name=name, exact=True)


def test_an_organiser_removes_an_image_then_the_item(page: Page) -> None:
    organiser = UserFactory(roles=["organiser", "member"])
    canuts, item, (withdrawn, kept) = _documented(organiser)
    withdrawn_file = withdrawn.image.path
    sign_in_with_password(page, organiser.email, TEST_PASSWORD)
    page.goto(reverse("heritage:item", args=[item.pk]))

    # The image whose contributor withdrew their consent.
    click_and_load(page, _remove_image_link(page, "Louise Labé"))
    expect(page).to_have_url(path_is(reverse("heritage:item_image_remove", args=[withdrawn.pk])))
    assert_accessible(page)
    expect(page.get_by_role("img", name="L'escalier vu de la cour")).to_be_visible()
    # Keeping it changes nothing.
    click_and_load(page, page.get_by_role("link", name=fr("Keep the image"), exact=True))
    expect(page).to_have_url(path_is(reverse("heritage:item", args=[item.pk])))
    assert ItemImage.objects.filter(pk=withdrawn.pk).exists()
    click_and_load(page, _remove_image_link(page, "Louise Labé"))
    click_and_load(page, page.get_by_role("button", name=fr("Remove the image"), exact=True))
    expect(page).to_have_url(path_is(reverse("heritage:item", args=[item.pk])))
    expect(page.get_by_text(fr("The image is removed."))).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_role("img", name="L'escalier vu de la cour")).to_have_count(0)
    expect(page.get_by_role("img", name="La cour de nuit")).to_be_attached()
    assert not ItemImage.objects.filter(pk=withdrawn.pk).exists()
    assert not HeritageItem.objects.get(pk=item.pk).images.filter(author="Louise Labé").exists()
    # The live server commits: the file went with it.
    assert not os.path.exists(withdrawn_file)

    # Then the item itself.
    click_and_load(page, page.get_by_role("link", name=fr("Remove this item"), exact=True))
    expect(page).to_have_url(path_is(reverse("heritage:item_remove", args=[item.pk])))
    assert_accessible(page)
    expect(page.locator("#images-to-remove")).to_contain_text("Maurice Scève")
    click_and_load(page, page.get_by_role("button", name=fr("Remove the item"), exact=True))
    expect(page).to_have_url(path_is(reverse("heritage:community", args=[canuts.slug])))
    assert_accessible(page)
    expect(page.get_by_role("main")).to_contain_text(
        fr("“%(title)s” is removed, with its images.") % {"title": "Cour des Voraces"}
    )
    expect(page.get_by_role("link", name="Cour des Voraces")).to_have_count(0)
    assert not HeritageItem.objects.filter(pk=item.pk).exists()
    assert not ItemImage.objects.filter(pk=kept.pk).exists()

    # A visitor finds neither.
    page.context.clear_cookies()
    response = page.goto(reverse("heritage:item", args=[item.pk]))
    assert response is not None and response.status == 404


def test_removal_works_without_javascript(nojs_page: Page) -> None:
    page = nojs_page
    organiser = UserFactory(roles=["organiser", "member"])
    canuts, item, _images = _documented(organiser)
    sign_in_with_password(page, organiser.email, TEST_PASSWORD)
    page.goto(reverse("heritage:item_remove", args=[item.pk]))
    assert_accessible(page)
    click_and_load(page, page.get_by_role("button", name=fr("Remove the item"), exact=True))
    expect(page).to_have_url(path_is(reverse("heritage:community", args=[canuts.slug])))
    assert not HeritageItem.objects.filter(pk=item.pk).exists()
