"""Django admin for core: users, org tree, people, jobs, import batches, number series and a
read-only audit log. Changes saved here are recorded in the audit log like any service write."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .audit import audit_record, audit_snapshot
from .models import (
    ApiToken,
    AuditEvent,
    ImportBatch,
    Job,
    LoginFailure,
    NumberSeries,
    OrgUnit,
    Person,
    User,
)

admin.site.site_header = _("SalesOps administration")
admin.site.site_title = _("SalesOps admin")
admin.site.index_title = _("Master data and settings")


class AuditedAdmin(admin.ModelAdmin):
    """Records every add, change and delete made in the admin in the audit log
    (action "<model>.admin_add" / ".admin_change" / ".admin_delete", before -> after)."""

    show_full_result_count = False  # no COUNT(*) over a million rows on every page

    def _label(self, obj) -> str:
        return obj._meta.model_name

    def save_model(self, request, obj, form, change):
        before = None
        if change and obj.pk is not None:
            old = type(obj).objects.filter(pk=obj.pk).first()
            before = audit_snapshot(old) if old is not None else None
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=f"{self._label(obj)}.{'admin_change' if change else 'admin_add'}",
            obj=obj,
            before=before,
            after=audit_snapshot(obj),
            reason=str(_("changed in the admin")),
        )

    def delete_model(self, request, obj):
        before = audit_snapshot(obj)
        pk = obj.pk
        super().delete_model(request, obj)
        audit_record(
            actor=request.user,
            action=f"{self._label(obj)}.admin_delete",
            object_type=obj._meta.label_lower,
            object_id=pk,
            before=before,
            reason=str(_("deleted in the admin")),
        )

    def delete_queryset(self, request, queryset):
        for obj in queryset.iterator():
            self.delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "role",
        "is_active",
        "last_login",
    )
    list_filter = ("role", "is_active", "is_superuser")
    search_fields = ("username", "email", "first_name", "last_name")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("SalesOps"), {"fields": ("role", "language")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("SalesOps"), {"fields": ("role",)}),
    )


@admin.register(OrgUnit)
class OrgUnitAdmin(AuditedAdmin):
    list_display = ("indented_name", "code", "level_label", "parent")
    search_fields = ("name", "code")
    list_filter = ("level",)
    autocomplete_fields = ("parent",)
    ordering = ("path",)

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj):
        return "\u2003" * obj.level + obj.name

    @admin.display(description=_("Level"), ordering="level")
    def level_label(self, obj):
        return _(obj.level_name)


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ("name", "kind", "org_unit", "email", "user", "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "email", "external_id")
    autocomplete_fields = ("org_unit", "user")
    list_select_related = ("org_unit", "user")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id", "reason")
    list_filter = ("action", "object_type")
    search_fields = ("=object_id", "action", "reason")
    date_hierarchy = "at"
    list_select_related = ("actor",)
    readonly_fields = (
        "at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "before",
        "after",
        "reason",
    )


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__username",)
    exclude = ("key_hash",)
    list_select_related = ("user",)


@admin.register(LoginFailure)
class LoginFailureAdmin(ReadOnlyAdmin):
    list_display = ("at", "username", "address")
    search_fields = ("username", "address")
    date_hierarchy = "at"


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "kind",
        "status",
        "created_by",
        "created_at",
        "finished_at",
        "done",
        "total",
    )
    list_filter = ("kind", "status")
    search_fields = ("=id", "message")
    list_select_related = ("created_by",)


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "kind",
        "preset",
        "file_name",
        "status",
        "dry_run",
        "rows",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "created_by",
    )
    list_filter = ("kind", "preset", "status", "dry_run")
    search_fields = ("file_name", "=sha256")
    list_select_related = ("created_by",)


@admin.register(NumberSeries)
class NumberSeriesAdmin(AuditedAdmin):
    list_display = ("name", "prefix", "width", "next_value")
    search_fields = ("name",)
