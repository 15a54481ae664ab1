"""Read-only technical views of the register: changes go through the register's own pages."""

from django.contrib import admin

from coop.admin import ReadOnlyAdmin
from members.models import Category, College, Member, RegisterEvent


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ("number", "__str__", "status", "category", "college")
    list_filter = ("status", "category", "college")
    search_fields = ("last_name", "legal_name", "email", "number")
    list_select_related = ("category", "college")


@admin.register(RegisterEvent)
class RegisterEventAdmin(ReadOnlyAdmin):
    list_display = ("effective_on", "member", "kind", "decision_ref", "recorded_at")
    list_filter = ("kind",)
    list_select_related = ("member",)


@admin.register(College)
class CollegeAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "weight")


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "compulsory", "is_public_body")
