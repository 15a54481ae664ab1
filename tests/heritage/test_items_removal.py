"""Removing an image or an item (its contributor may withdraw their consent, RULES 30): only
the community's organisers (or an administrator using TOTP), audited, the files deleted only
once the removal is committed; an item that is a stop of a walk stays until the walk changes."""

from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import Client
from django.urls import reverse

from coop.errors import DomainError, PermissionRefused
from coop.models import AuditEvent
from heritage.models import HeritageItem, ItemImage
from heritage.services.items import (
    ItemData,
    image_add,
    image_remove,
    item_create,
    item_remove,
    walk_create,
)
from tests.coop.factories import UserFactory
from tests.coop.mfa import activate_totp, force_login_first_factor, record_sign_in
from tests.heritage.factories import community, png_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _item(of, title="Cour des Voraces"):
    data = ItemData(
        kind="place",
        title=title,
        description="Un escalier monumental.",
        latitude=Decimal("45.770500"),
        longitude=Decimal("4.833900"),
    )
    return item_create(community=of, data=data, consent=True, actor=of.organisers.get())


def _image(item, author="Louise Labé", alt_text="L'escalier vu de la cour"):
    return image_add(
        item=item,
        upload=png_upload("voraces.png"),
        alt_text=alt_text,
        author=author,
        licence="cc-by-sa-4.0",
        consent=True,
        actor=item.community.organisers.get(),
    )


# -- services ---------------------------------------------------------------------------------


def test_an_organiser_removes_an_image_and_its_file_goes_only_after_commit(
    django_capture_on_commit_callbacks,
):
    canuts = community()
    item = _item(canuts)
    image = _image(item)
    name = image.image.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert image_remove(image=image, actor=canuts.organisers.get()) == item
        # Removed from the database, not committed yet: the file is still there.
        assert not ItemImage.objects.filter(pk=image.pk).exists()
        assert default_storage.exists(name)
    assert len(callbacks) == 1
    assert not default_storage.exists(name)
    event = AuditEvent.objects.get(action="heritage.image_removed")
    assert event.actor == canuts.organisers.get()
    assert event.target_id == str(image.pk)
    assert event.data == {
        "item": item.pk,
        "author": "Louise Labé",
        "licence": "cc-by-sa-4.0",
        "file": name,
    }


def test_a_removal_rolled_back_keeps_the_image_and_its_file(django_capture_on_commit_callbacks):
    canuts = community()
    image = _image(_item(canuts))
    name = image.image.name
    with (
        pytest.raises(RuntimeError),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        transaction.atomic(),
    ):
        image_remove(image=image, actor=canuts.organisers.get())
        raise RuntimeError("something failed after the removal, in the same transaction")
    assert callbacks == []
    assert ItemImage.objects.filter(pk=image.pk).exists()
    assert default_storage.exists(name)
    assert not AuditEvent.objects.filter(action="heritage.image_removed").exists()


def test_only_organisers_and_administrators_using_totp_remove(
    admin_user, django_capture_on_commit_callbacks
):
    canuts = community()
    item = _item(canuts)
    image = _image(item)
    other_community = community(name="Vienne")
    for outsider in (UserFactory(roles=["member"]), other_community.organisers.get(), admin_user):
        with pytest.raises(PermissionRefused, match="Only the organisers of Mémoire des canuts"):
            image_remove(image=image, actor=outsider)
        with pytest.raises(PermissionRefused):
            item_remove(item=item, actor=outsider)
    assert ItemImage.objects.filter(pk=image.pk).exists()
    assert HeritageItem.objects.filter(pk=item.pk).exists()
    assert default_storage.exists(image.image.name)
    assert not AuditEvent.objects.filter(action__endswith="_removed").exists()

    activate_totp(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        image_remove(image=image, actor=admin_user)
    assert not ItemImage.objects.filter(pk=image.pk).exists()
    assert AuditEvent.objects.get(action="heritage.image_removed").actor == admin_user


def test_removing_an_item_removes_its_images_and_their_files_after_commit(
    django_capture_on_commit_callbacks,
):
    canuts = community()
    organiser = canuts.organisers.get()
    item = _item(canuts)
    kept = _item(canuts, title="Gros Caillou")
    images = [_image(item, author="Louise Labé"), _image(item, author="Maurice Scève")]
    kept_image = _image(kept)
    names = [image.image.name for image in images]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert item_remove(item=item, actor=organiser) == canuts
        assert not HeritageItem.objects.filter(pk=item.pk).exists()
        assert not ItemImage.objects.filter(pk__in=[image.pk for image in images]).exists()
        assert all(default_storage.exists(name) for name in names)
    assert len(callbacks) == 2
    assert not any(default_storage.exists(name) for name in names)
    # The community's other items keep theirs.
    assert default_storage.exists(kept_image.image.name)
    assert list(canuts.items.all()) == [kept]
    event = AuditEvent.objects.get(action="heritage.item_removed")
    assert event.target_id == str(item.pk)
    assert event.data == {"title": "Cour des Voraces", "community": canuts.pk, "images": names}


def test_an_item_on_a_walk_stays_until_the_walk_is_changed(django_capture_on_commit_callbacks):
    canuts = community()
    organiser = canuts.organisers.get()
    item = _item(canuts)
    other = _item(canuts, title="Gros Caillou")
    image = _image(item)
    for title in ("Des pentes au plateau", "Les traboules"):
        walk_create(
            community=canuts, title=title, description="", items=[other, item], actor=organiser
        )
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(DomainError) as refused,
    ):
        item_remove(item=item, actor=organiser)
    assert refused.value.code == "item_in_walk"
    assert str(refused.value) == (
        "“Cour des Voraces” is a stop of these walks: “Des pentes au plateau”, “Les traboules”. "
        "Take it out of them first, then remove it."
    )
    assert callbacks == []
    assert HeritageItem.objects.filter(pk=item.pk).exists()
    assert default_storage.exists(image.image.name)
    assert not AuditEvent.objects.filter(action="heritage.item_removed").exists()


def test_removing_what_is_already_gone_says_so():
    canuts = community()
    organiser = canuts.organisers.get()
    item = _item(canuts)
    image = _image(item)
    stale_image, stale_item = (
        ItemImage.objects.get(pk=image.pk),
        HeritageItem.objects.get(pk=item.pk),
    )
    image_remove(image=image, actor=organiser)
    with pytest.raises(DomainError, match="already removed"):
        image_remove(image=stale_image, actor=organiser)
    item_remove(item=item, actor=organiser)
    with pytest.raises(DomainError, match="already removed"):
        item_remove(item=stale_item, actor=organiser)


# -- views ------------------------------------------------------------------------------------


def test_an_organiser_confirms_then_removes_an_image(client, django_capture_on_commit_callbacks):
    canuts = community()
    organiser = canuts.organisers.get()
    item = _item(canuts)
    image = _image(item, alt_text="L'escalier vu de la cour")
    _image(item, author="Maurice Scève", alt_text="La cour de nuit")
    client.force_login(organiser)
    url = reverse("heritage:item_image_remove", args=[image.pk])
    item_page = client.get(reverse("heritage:item", args=[item.pk])).content.decode()
    assert f'href="{url}"' in item_page
    confirm = client.get(url)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Remove an image of “Cour des Voraces”" in page
    assert 'alt="L&#x27;escalier vu de la cour"' in page
    assert "Image: Louise Labé." in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert ItemImage.objects.filter(pk=image.pk).exists()  # a GET removes nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert response.redirect_chain == [(reverse("heritage:item", args=[item.pk]), 302)]
    after = response.content.decode()
    assert "The image is removed." in after
    assert "L&#x27;escalier vu de la cour" not in after
    assert "La cour de nuit" in after
    assert not ItemImage.objects.filter(pk=image.pk).exists()
    client.logout()
    public = client.get(reverse("heritage:item", args=[item.pk])).content.decode()
    assert "Louise Labé" not in public
    assert "Maurice Scève" in public
    assert "Remove this image" not in public


def test_an_organiser_confirms_then_removes_an_item(client, django_capture_on_commit_callbacks):
    canuts = community()
    item = _item(canuts)
    _image(item, alt_text="L'escalier vu de la cour")
    client.force_login(canuts.organisers.get())
    url = reverse("heritage:item_remove", args=[item.pk])
    assert f'href="{url}"' in client.get(reverse("heritage:item", args=[item.pk])).content.decode()
    assert f'href="{url}"' in (
        client.get(reverse("heritage:item_edit", args=[item.pk])).content.decode()
    )
    page = client.get(url).content.decode()
    assert "Remove “Cour des Voraces”" in page
    assert "The item and its image are removed for good" in page
    assert "L&#x27;escalier vu de la cour (image: Louise Labé)" in page
    assert 'name="csrfmiddlewaretoken"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    community_url = reverse("heritage:community", args=[canuts.slug])
    assert response.redirect_chain == [(community_url, 302)]
    assert "“Cour des Voraces” is removed, with its images." in response.content.decode()
    assert not HeritageItem.objects.filter(pk=item.pk).exists()
    client.logout()
    assert "Cour des Voraces" not in client.get(community_url).content.decode()
    assert client.get(reverse("heritage:item", args=[item.pk])).status_code == 404


def test_the_confirmation_of_an_item_on_a_walk_names_the_walks_and_offers_no_button(client):
    canuts = community()
    organiser = canuts.organisers.get()
    item = _item(canuts)
    walk = walk_create(
        community=canuts,
        title="Des pentes au plateau",
        description="",
        items=[item],
        actor=organiser,
    )
    client.force_login(organiser)
    url = reverse("heritage:item_remove", args=[item.pk])
    page = client.get(url).content.decode()
    assert "This item is a stop of these walks" in page
    assert f'href="{reverse("heritage:walk_edit", args=[walk.pk])}"' in page
    assert "Change the walk “Des pentes au plateau”" in page
    assert "Remove the item" not in page
    # A POST all the same (an old tab) is refused with the walks named, and changes nothing.
    response = client.post(url, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "is a stop of these walks: “Des pentes au plateau”" in response.content.decode()
    assert HeritageItem.objects.filter(pk=item.pk).exists()


def test_others_may_not_remove(client, admin_user):
    canuts = community()
    item = _item(canuts)
    image = _image(item)
    urls = [
        reverse("heritage:item_remove", args=[item.pk]),
        reverse("heritage:item_image_remove", args=[image.pk]),
    ]
    # Visitors are asked to sign in.
    for url in urls:
        assert client.get(url).status_code == 302
        assert "/accounts/login/" in client.post(url)["Location"]
    # Members, and organisers of another community: forbidden.
    for outsider in (UserFactory(roles=["member"]), community(name="Vienne").organisers.get()):
        client.force_login(outsider)
        for url in urls:
            assert client.get(url).status_code == 403
            assert client.post(url).status_code == 403
        item_page = client.get(reverse("heritage:item", args=[item.pk])).content.decode()
        assert "Remove this item" not in item_page
        assert "Remove this image" not in item_page
    # An administrator without TOTP is sent to set it up first.
    client.force_login(admin_user)
    for url in urls:
        response = client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_activate_totp"))
    # With TOTP, but a session signed in with a password only: to the TOTP step.
    activate_totp(admin_user)
    force_login_first_factor(client, admin_user)
    record_sign_in(client, admin_user, mfa=False)
    for url in urls:
        response = client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert HeritageItem.objects.filter(pk=item.pk).exists()
    assert ItemImage.objects.filter(pk=image.pk).exists()
    # What does not exist is not found.
    client.force_login(canuts.organisers.get())
    assert client.get(reverse("heritage:item_remove", args=[item.pk + 1000])).status_code == 404
    assert client.post(
        reverse("heritage:item_image_remove", args=[image.pk + 1000])
    ).status_code == (404)
    assert client.put(urls[0]).status_code == 405


def test_an_administrator_using_totp_removes_an_item(
    admin_client, django_capture_on_commit_callbacks
):
    canuts = community()
    item = _item(canuts)
    page = admin_client.get(reverse("heritage:item", args=[item.pk])).content.decode()
    assert "Remove this item" in page
    assert "Change this item" not in page  # documenting stays with the organisers
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("heritage:item_remove", args=[item.pk]))
    assert response.status_code == 302
    assert not HeritageItem.objects.filter(pk=item.pk).exists()


def test_a_removal_without_the_csrf_token_is_refused():
    canuts = community()
    item = _item(canuts)
    image = _image(item)
    browser = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(canuts.organisers.get())
    assert browser.post(reverse("heritage:item_image_remove", args=[image.pk])).status_code == 403
    assert browser.post(reverse("heritage:item_remove", args=[item.pk])).status_code == 403
    assert ItemImage.objects.filter(pk=image.pk).exists()
    assert HeritageItem.objects.filter(pk=item.pk).exists()
