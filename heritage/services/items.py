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

from coop.actors import Actor, actor_person
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError, PermissionRefused
from coop.roles import has_totp, is_administrator
from coop.uploads import image_clean
from heritage.models import HeritageCommunity, HeritageItem, ItemImage, Walk, WalkStop
from heritage.selectors import is_organiser
from heritage.services.gatherings import check_organiser


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
    if (
        data.latitude is not None
        and data.longitude is not None
        and not (-90 <= data.latitude <= 90 and -180 <= data.longitude <= 180)
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
    *, community: HeritageCommunity, data: ItemData, consent: bool, actor: Actor
) -> HeritageItem:
    check_organiser(actor, community)
    _validate_item(data)
    _consent(consent)
    values = asdict(data)
    values["title"], values["description"] = data.title.strip(), data.description.strip()
    item = HeritageItem.objects.create(
        community=community,
        contributed_by=actor_person(actor),
        publication_consent=True,
        **values,
    )
    audit_record(
        actor=actor, action=AuditAction.ITEM_CREATED, target=item, data={"title": item.title}
    )
    return item


@transaction.atomic
def item_update(*, item: HeritageItem, data: ItemData, actor: Actor) -> HeritageItem:
    item = HeritageItem.objects.select_for_update().select_related("community").get(pk=item.pk)
    check_organiser(actor, item.community)
    _validate_item(data)
    values = asdict(data)
    values["title"], values["description"] = data.title.strip(), data.description.strip()
    before = {name: str(getattr(item, name)) for name in values}
    for name, value in values.items():
        setattr(item, name, value)
    item.save(update_fields=[*values, "updated_at"])
    audit_record(actor=actor, action=AuditAction.ITEM_CHANGED, target=item, data={"before": before})
    return item


@transaction.atomic
def image_add(
    *,
    item: HeritageItem,
    upload: "UploadedFile[bytes]",
    alt_text: str,
    author: str,
    licence: str,
    consent: bool,
    actor: Actor,
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
    # The content is checked and drawn again without its metadata (EXIF, GPS): only the new
    # file is kept (coop.uploads).
    clean = image_clean(upload)
    image = ItemImage(
        item=item,
        alt_text=alt_text.strip(),
        author=author.strip(),
        licence=licence,
        contributed_by=actor_person(actor),
        publication_consent=True,
    )
    image.image.save(clean.name or "image", clean, save=False)
    image.save()
    audit_record(
        actor=actor,
        action=AuditAction.IMAGE_ADDED,
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
    actor: Actor,
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
        action=AuditAction.WALK_CREATED,
        target=walk,
        data={"items": [item.pk for item in items]},
    )
    return walk


@transaction.atomic
def walk_update(
    *, walk: Walk, title: str, description: str, items: Sequence[HeritageItem], actor: Actor
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
        action=AuditAction.WALK_CHANGED,
        target=walk,
        data={"items": [item.pk for item in items]},
    )
    return walk


def may_remove(*, user: Any, community: HeritageCommunity) -> bool:
    """Who may remove an item or an image (consent withdrawn): the community's organisers, and
    the administrators who protect their account with an authenticator app (TOTP)."""
    if is_organiser(user=user, community=community):
        return True
    return getattr(user, "is_authenticated", False) and is_administrator(user) and has_totp(user)


def _check_remover(actor: Actor, community: HeritageCommunity) -> None:
    if not may_remove(user=actor, community=community):
        raise PermissionRefused(
            _("Only the organisers of %(community)s can do this.") % {"community": community.name},
            code="not_organiser",
        )


def _delete_file_on_commit(image: ItemImage) -> None:
    """The file goes once the removal is committed: a rolled-back removal keeps its image."""
    storage, name = image.image.storage, image.image.name
    if name:
        transaction.on_commit(lambda: storage.delete(name), robust=True)


@transaction.atomic
def image_remove(*, image: ItemImage, actor: Actor) -> HeritageItem:
    """Remove an image of an item (its contributor withdrew their consent, or it is wrong).

    The row goes in the transaction; the file, only after it commits. Returns the item."""
    try:
        image = ItemImage.objects.select_for_update().get(pk=image.pk)
    except ItemImage.DoesNotExist:
        raise DomainError(_("This image was already removed."), code="no_image") from None
    item = HeritageItem.objects.select_related("community").get(pk=image.item_id)
    _check_remover(actor, item.community)
    audit_record(
        actor=actor,
        action=AuditAction.IMAGE_REMOVED,
        target=image,
        data={
            "item": item.pk,
            "author": image.author,
            "licence": image.licence,
            "file": image.image.name,
        },
    )
    _delete_file_on_commit(image)
    image.delete()
    return item


def walks_through(item: HeritageItem) -> list[Walk]:
    """The walks that stop at the item, by title."""
    return list(Walk.objects.filter(stops__item=item).order_by("title", "id"))


@transaction.atomic
def item_remove(*, item: HeritageItem, actor: Actor) -> HeritageCommunity:
    """Remove an item and its images (their files after commit). Returns its community.

    An item that is a stop of a walk stays until the walks are changed: removing it would
    silently change an itinerary that gatherings may follow."""
    try:
        item = (
            HeritageItem.objects.select_for_update(of=("self",))
            .select_related("community")
            .get(pk=item.pk)
        )
    except HeritageItem.DoesNotExist:
        raise DomainError(_("This item was already removed."), code="no_item") from None
    _check_remover(actor, item.community)
    # The item row is locked: no walk can add it as a stop until this transaction ends.
    walks = walks_through(item)
    if walks:
        raise DomainError(
            _(
                "“%(item)s” is a stop of these walks: %(walks)s. "
                "Take it out of them first, then remove it."
            )
            % {
                "item": item.title,
                "walks": ", ".join(_("“%(title)s”") % {"title": walk.title} for walk in walks),
            },
            code="item_in_walk",
        )
    images = list(ItemImage.objects.select_for_update().filter(item=item).order_by("id"))
    audit_record(
        actor=actor,
        action=AuditAction.ITEM_REMOVED,
        target=item,
        data={
            "title": item.title,
            "community": item.community_id,
            "images": [image.image.name for image in images],
        },
    )
    for image in images:
        _delete_file_on_commit(image)
    ItemImage.objects.filter(pk__in=[image.pk for image in images]).delete()
    community = item.community
    item.delete()
    return community
