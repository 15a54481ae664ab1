"""The Django admin: a technical view for superusers (technical staff), behind TOTP.

Cooperative administrators never reach it (coop.middleware.AdministratorMFAMiddleware and the
site's permission below). Business changes go through the cooperative's own pages (services,
audit log); append-only records are read-only here. What a superuser may still change here is
written to the cooperative's audit log (AuditedAdminMixin), with who, what and the fields
changed. See docs/security.md, "Django admin".
"""

from collections.abc import Iterable
from typing import Any

# Imported first so that their registrations exist when they are replaced below (coop's admin
# module is discovered before allauth's).
import allauth.mfa.admin  # noqa: F401
from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import models
from django.http import HttpRequest
from django.urls import URLPattern
from django.utils.translation import gettext_lazy as _

from coop.audit import audit_record
from coop.fields import GuardedModelForm
from coop.models import AuditEvent, Notice, NoticeDelivery, Statutes, User


def superuser_only(request: HttpRequest) -> bool:
    """The Django admin's own gate: active superusers only (not staff, not administrators)."""
    user = request.user
    return bool(user.is_active and user.is_superuser)


admin.site.has_permission = superuser_only  # type: ignore[method-assign]


class AuditedAdminMixin:
    """Every add, change and delete made in the Django admin goes to the audit log.

    The ModelAdmin's log_* hooks are called inside the admin's transaction, once per object,
    from every path (the change form, list_editable, the "delete selected" action), and see the
    form's changed fields. A signal on LogEntry would miss the bulk deletions (LogEntry rows are
    then bulk-created, without signals).
    """

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        request._coop_admin_changed_fields = list(getattr(form, "changed_data", []))  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def _audit(self, request: HttpRequest, obj: models.Model, operation: str) -> None:
        data: dict[str, Any] = {"via": "django-admin", "object": str(obj)}
        if operation != "delete":
            data["fields"] = getattr(request, "_coop_admin_changed_fields", [])
        audit_record(
            actor=request.user,
            action=f"admin.{operation}",
            target=obj,
            data=data,
        )

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self._audit(request, obj, "add")
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self._audit(request, obj, "change")
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def log_deletions(self, request: HttpRequest, queryset: Iterable[Any]) -> Any:
        objects = list(queryset)
        for obj in objects:
            self._audit(request, obj, "delete")
        return super().log_deletions(request, objects)  # type: ignore[misc]


class ReadOnlyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """For records that are never edited (append-only tables, proofs of sending)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UserCreationForm(GuardedModelForm):
    """An account without a password: members sign in with a code sent by e-mail."""

    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "preferred_language")

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    """Names, language and whether the account is active. Never the password (members sign in
    by code), the e-mail address (the way in of a login code), superuser, staff, groups or
    permissions: those go through the cooperative's own audited pages, or not at all."""

    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_active", "is_staff", "last_login")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email",)}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "preferred_language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = (
        "email",
        "is_staff",
        "is_superuser",
        "groups",
        "user_permissions",
        "last_login",
        "date_joined",
    )
    add_form = UserCreationForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "preferred_language"),
            },
        ),
    )
    filter_horizontal = ()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:  # the add form: the e-mail address is typed once
            return ()
        return self.readonly_fields

    def get_urls(self) -> list[URLPattern]:
        # DjangoUserAdmin adds "<id>/password/", the form that sets a password: not here.
        return admin.ModelAdmin.get_urls(self)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an account is deactivated (is_active), never deleted from here


@admin.register(Statutes)
class StatutesAdmin(ReadOnlyAdmin):
    list_display = ("effective_from", "name", "legal_form", "decision_ref")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "actor_label", "action", "target_type", "target_id")
    list_filter = ("action",)
    search_fields = ("actor_label", "action", "target_id")


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("kind", "reference", "created_at")
    search_fields = ("kind", "reference")


@admin.register(NoticeDelivery)
class NoticeDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("notice", "recipient_key", "to_email", "status", "attempts", "sent_at")
    list_filter = ("status", "channel")
    search_fields = ("recipient_key", "to_email")
    list_select_related = ("notice",)


# Third-party admins replaced by read-only ones: roles (groups) are kept in line with
# coop.roles after every migrate; e-mail addresses are the way in of a login code; the
# authenticators hold the TOTP secrets, never shown.
for _model in (Group, EmailAddress, Authenticator):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(Group)
class GroupAdmin(ReadOnlyAdmin, DjangoGroupAdmin):
    filter_horizontal = ()


@admin.register(EmailAddress)
class EmailAddressAdmin(ReadOnlyAdmin, AllauthEmailAddressAdmin):
    actions = ()


@admin.register(Authenticator)
class AuthenticatorAdmin(ReadOnlyAdmin):
    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    fields = ("user", "type", "created_at", "last_used_at")
    list_select_related = ("user",)
