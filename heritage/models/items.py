"""Heritage items and walks (RULES 27, 30).

Items — a place, a story, a practice — have no owner: they belong to the community that cares
for them. Who contributed a text or an image is recorded, with their consent to publish it;
every image carries its author and licence. A walk is an ordered itinerary of items.
"""

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from heritage.models.communities import HeritageCommunity

IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "webp")


class HeritageItem(models.Model):
    class Kind(models.TextChoices):
        PLACE = "place", _("place")
        STORY = "story", _("story")
        PRACTICE = "practice", _("practice")

    community = models.ForeignKey(
        HeritageCommunity,
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=_("community"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    contributed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("contributed by"),
    )
    publication_consent = models.BooleanField(_("the contributor agrees to its publication"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("heritage item")
        verbose_name_plural = _("heritage items")
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="heritage_item_location_valid",
            ),
            models.CheckConstraint(
                condition=Q(publication_consent=True), name="heritage_item_published_with_consent"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def map_url(self) -> str:
        """The place on OpenStreetMap."""
        if not self.has_location:
            return ""
        lat, lon = f"{self.latitude:f}", f"{self.longitude:f}"
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


class ItemImage(models.Model):
    class Licence(models.TextChoices):
        CC_BY = "cc-by-4.0", _("Creative Commons Attribution 4.0 (CC BY)")
        CC_BY_SA = "cc-by-sa-4.0", _("Creative Commons Attribution-ShareAlike 4.0 (CC BY-SA)")
        CC0 = "cc0-1.0", _("Creative Commons Zero: no rights reserved (CC0)")
        PUBLIC_DOMAIN = "public-domain", _("public domain")
        PERMISSION = "permission", _("all rights reserved, published with the author's permission")

    item = models.ForeignKey(
        HeritageItem, on_delete=models.CASCADE, related_name="images", verbose_name=_("item")
    )
    image = models.ImageField(
        _("image"),
        upload_to="heritage/items/%Y/%m/",
        validators=[FileExtensionValidator(IMAGE_EXTENSIONS)],
    )
    alt_text = models.CharField(
        _("description of the image"),
        max_length=300,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    author = models.CharField(_("author"), max_length=200)
    licence = models.CharField(_("licence"), max_length=20, choices=Licence.choices)
    contributed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("contributed by"),
    )
    publication_consent = models.BooleanField(_("the contributor agrees to its publication"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("image of a heritage item")
        verbose_name_plural = _("images of heritage items")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(publication_consent=True),
                name="heritage_image_published_with_consent",
            ),
            models.CheckConstraint(
                condition=~Q(author="") & ~Q(licence=""), name="heritage_image_author_licence"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} ({self.author})"


class Walk(models.Model):
    """An itinerary through some of a community's items, in order."""

    community = models.ForeignKey(
        HeritageCommunity,
        on_delete=models.PROTECT,
        related_name="walks",
        verbose_name=_("community"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    items = models.ManyToManyField(
        HeritageItem, through="WalkStop", related_name="walks", verbose_name=_("items")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("walk")
        verbose_name_plural = _("walks")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class WalkStop(models.Model):
    walk = models.ForeignKey(
        Walk, on_delete=models.CASCADE, related_name="stops", verbose_name=_("walk")
    )
    item = models.ForeignKey(
        HeritageItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    position = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("stop of a walk")
        verbose_name_plural = _("stops of walks")
        ordering = ["walk", "position"]
        constraints = [
            models.UniqueConstraint(fields=["walk", "position"], name="heritage_stop_position"),
            models.UniqueConstraint(fields=["walk", "item"], name="heritage_stop_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.walk} {self.position}: {self.item}"
