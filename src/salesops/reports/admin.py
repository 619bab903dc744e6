"""Schedules and deliveries in the admin are read-only: they are managed on their own pages
(services audit every change there)."""

from django.contrib import admin

from .models import Delivery, Schedule


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Schedule)
class ScheduleAdmin(ReadOnly):
    list_display = ("name", "kind", "audience", "cron", "timezone", "active", "next_slot_at")
    list_filter = ("kind", "active")
    search_fields = ("name",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ("slot_at", "schedule", "account", "recipient", "status", "attempts")
    list_filter = ("status",)
    search_fields = ("recipient",)
    list_select_related = ("schedule", "account")
