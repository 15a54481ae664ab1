"""Heritage items and walks, documented by a community's organisers (RULES 27, 30).

Items have no owner: they belong to their community; the contributor is recorded with their
consent to publish. Images carry their author and licence, and the contributor's consent.
"""

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from coop.audit import audit_record
from coop.errors import DomainError
from heritage.models import HeritageCommunity, HeritageItem, ItemImage, Walk, WalkStop
from heritage.services.gatherings import check_organiser

MAX_IMAGE_BYTES = 8 * 1024 * 1024
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}


@dataclass(frozen=True, kw_only=True)
class ItemData:
    kind: str
    title: str
    description: str
    latitude: Decimal | None = None
    longitude: Decimal | None = None


def _validate_item(data: ItemData) -> None:
    if data.kind not in HeritageItem.Kind.values:
        raise DomainError(_("Unknown kind of item."), code="bad_kind")
    if not data.title.strip() or not data.description.strip():
        raise DomainError(_("An item needs a title and a description."), code="incomplete")
    if (data.latitude is None) != (data.longitude is None):
        raise DomainError(
            _("Give both the latitude and the longitude, or neither."), code="half_location"
        )
    if data.latitude is not None and not (
        -90 <= data.latitude <= 90 and -180 <= data.longitude <= 180
    ):
        raise DomainError(
            _("The latitude is between -90 and 90, the longitude between -180 and 180."),
            code="bad_location",
        )


def _consent(consent: bool) -> None:
    if not consent:
        raise DomainError(
            _("Nothing is published without the contributor's consent."), code="no_consent"
        )


@transaction.atomic
def item_create(
    *, community: HeritageCommunity, data: ItemData, consent: bool, actor: Any
) -> HeritageItem:
    check_organiser(actor, community)
    _validate_item(data)
    _consent(consent)
    values = asdict(data)
    values["title"], values["description"] = data.title.strip(), data.description.strip()
    item = HeritageItem.objects.create(
        community=community, contributed_by=actor, publication_consent=True, **values
    )
    audit_record(
        actor=actor, action="heritage.item_created", target=item, data={"title": item.title}
    )
    return item


@transaction.atomic
def item_update(*, item: HeritageItem, data: ItemData, actor: Any) -> HeritageItem:
    item = HeritageItem.objects.select_for_update().select_related("community").get(pk=item.pk)
    check_organiser(actor, item.community)
    _validate_item(data)
    values = asdict(data)
    values["title"], values["description"] = data.title.strip(), data.description.strip()
    before = {name: str(getattr(item, name)) for name in values}
    for name, value in values.items():
        setattr(item, name, value)
    item.save(update_fields=[*values, "updated_at"])
    audit_record(actor=actor, action="heritage.item_changed", target=item, data={"before": before})
    return item


def _check_image(upload: UploadedFile) -> None:
    from PIL import Image, UnidentifiedImageError

    if upload.size > MAX_IMAGE_BYTES:
        raise DomainError(
            _("An image is at most %(size)s MB.") % {"size": MAX_IMAGE_BYTES // (1024 * 1024)},
            code="image_too_big",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as picture:
            picture.verify()
            kind = picture.format
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise DomainError(_("This file is not an image we can show."), code="not_image") from exc
    finally:
        upload.seek(0)
    if kind not in IMAGE_FORMATS:
        raise DomainError(_("Send a JPEG, PNG or WebP image."), code="image_format")


@transaction.atomic
def image_add(
    *,
    item: HeritageItem,
    upload: UploadedFile,
    alt_text: str,
    author: str,
    licence: str,
    consent: bool,
    actor: Any,
) -> ItemImage:
    """An image of an item, with what it shows, its author and licence (RULES 30)."""
    check_organiser(actor, item.community)
    _consent(consent)
    if not alt_text.strip() or not author.strip():
        raise DomainError(
            _("An image needs a description and its author."), code="image_incomplete"
        )
    if licence not in ItemImage.Licence.values:
        raise DomainError(_("Choose the image's licence."), code="bad_licence")
    _check_image(upload)
    image = ItemImage(
        item=item,
        alt_text=alt_text.strip(),
        author=author.strip(),
        licence=licence,
        contributed_by=actor,
        publication_consent=True,
    )
    image.image.save(upload.name, upload, save=False)
    image.save()
    audit_record(
        actor=actor,
        action="heritage.image_added",
        target=image,
        data={"item": item.pk, "author": image.author, "licence": licence},
    )
    return image


def _stops(walk: Walk, items: Sequence[HeritageItem], community: HeritageCommunity) -> None:
    if not items:
        raise DomainError(_("A walk goes through at least one item."), code="empty_walk")
    if len({item.pk for item in items}) != len(items):
        raise DomainError(_("A walk passes each item once."), code="item_twice")
    if any(item.community_id != community.pk for item in items):
        raise DomainError(
            _("A walk goes through items of its own community."), code="other_community"
        )
    walk.stops.all().delete()
    WalkStop.objects.bulk_create(
        WalkStop(walk=walk, item=item, position=position)
        for position, item in enumerate(items, start=1)
    )


@transaction.atomic
def walk_create(
    *,
    community: HeritageCommunity,
    title: str,
    description: str,
    items: Sequence[HeritageItem],
    actor: Any,
) -> Walk:
    """A walk: the items in the order they are visited."""
    check_organiser(actor, community)
    if not title.strip():
        raise DomainError(_("A walk needs a title."), code="no_title")
    walk = Walk.objects.create(
        community=community, title=title.strip(), description=description.strip()
    )
    _stops(walk, items, community)
    audit_record(
        actor=actor,
        action="heritage.walk_created",
        target=walk,
        data={"items": [item.pk for item in items]},
    )
    return walk


@transaction.atomic
def walk_update(
    *, walk: Walk, title: str, description: str, items: Sequence[HeritageItem], actor: Any
) -> Walk:
    walk = Walk.objects.select_for_update().select_related("community").get(pk=walk.pk)
    check_organiser(actor, walk.community)
    if not title.strip():
        raise DomainError(_("A walk needs a title."), code="no_title")
    walk.title, walk.description = title.strip(), description.strip()
    walk.save(update_fields=["title", "description"])
    _stops(walk, items, walk.community)
    audit_record(
        actor=actor,
        action="heritage.walk_changed",
        target=walk,
        data={"items": [item.pk for item in items]},
    )
    return walk
