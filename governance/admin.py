"""The general assemblies in the Django admin: read-only. Assemblies are prepared, convened and
cancelled on the assemblies' desk, through the services (audit, outbox, frozen roll)."""

from django.contrib import admin

from coop.admin import ReadOnlyAdmin
from governance.models import (
    AgendaItem,
    Assembly,
    AssemblyCollege,
    BureauSeat,
    Participation,
    Proxy,
    Resolution,
    RollEntry,
)


@admin.register(Assembly)
class AssemblyAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "convocation", "starts_at", "status", "convened_at")
    list_filter = ("status", "kind", "convocation")
    search_fields = ("title",)
    ordering = ("-starts_at",)


@admin.register(AssemblyCollege)
class AssemblyCollegeAdmin(ReadOnlyAdmin):
    list_display = ("assembly", "name", "weight", "position")
    list_select_related = ("assembly",)


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnlyAdmin):
    list_display = ("assembly", "position", "title")
    list_select_related = ("assembly",)
    ordering = ("assembly", "position")


@admin.register(Resolution)
class ResolutionAdmin(ReadOnlyAdmin):
    list_display = ("assembly", "number", "title", "majority_kind")
    list_select_related = ("assembly",)
    ordering = ("assembly", "number")


@admin.register(RollEntry)
class RollEntryAdmin(ReadOnlyAdmin):
    list_display = ("assembly", "member_number", "name", "college", "present_at")
    list_select_related = ("assembly", "college")
    list_filter = ("assembly",)
    search_fields = ("name",)
    ordering = ("assembly", "member_number")
    exclude = ("check_in_token",)


@admin.register(Proxy)
class ProxyAdmin(ReadOnlyAdmin):
    list_display = ("assembly", "giver", "holder", "given_at", "revoked_at")
    list_select_related = ("assembly", "giver", "holder")


@admin.register(BureauSeat)
class BureauSeatAdmin(ReadOnlyAdmin):
    list_display = ("assembly", "role", "name", "recorded_at")
    list_select_related = ("assembly",)


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    list_display = ("resolution", "roll_entry", "cast_by", "channel")
    list_select_related = ("resolution", "roll_entry", "cast_by")
