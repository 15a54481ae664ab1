"""The technical admin of heritage: read-only views of the rows (changes go through the
site's pages, whose services keep the seats and the waiting line right)."""

from django.contrib import admin

from coop.admin import ReadOnlyAdmin
from heritage.models import (
    CommunityMembership,
    Gathering,
    HeritageCommunity,
    HeritageItem,
    ItemImage,
    Registration,
    Walk,
)


@admin.register(HeritageCommunity)
class HeritageCommunityAdmin(ReadOnlyAdmin):
    list_display = ("name", "slug", "territory")
    search_fields = ("name", "territory")


@admin.register(CommunityMembership)
class CommunityMembershipAdmin(ReadOnlyAdmin):
    list_display = ("community", "user", "kind", "notify", "joined_at")
    list_filter = ("kind",)
    list_select_related = ("community", "user")


@admin.register(Gathering)
class GatheringAdmin(ReadOnlyAdmin):
    list_display = ("title", "community", "starts_at", "status", "visibility", "capacity")
    list_filter = ("status", "visibility", "kind")
    list_select_related = ("community",)
    search_fields = ("title", "place")


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ("gathering", "user", "guest_email", "status", "position", "created_at")
    list_filter = ("status",)
    list_select_related = ("gathering", "user")


@admin.register(HeritageItem)
class HeritageItemAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "community", "latitude", "longitude")
    list_filter = ("kind",)
    list_select_related = ("community",)
    search_fields = ("title",)


@admin.register(ItemImage)
class ItemImageAdmin(ReadOnlyAdmin):
    list_display = ("item", "author", "licence", "contributed_by", "created_at")
    list_filter = ("licence",)
    list_select_related = ("item", "contributed_by")


@admin.register(Walk)
class WalkAdmin(ReadOnlyAdmin):
    list_display = ("title", "community")
    list_select_related = ("community",)
