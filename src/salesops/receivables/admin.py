"""Receivables in the admin are read-only: posted records change only through the services
(reversals, approvals), which keep the ledger and the open amounts in step."""

from __future__ import annotations

from django.contrib import admin

from .models import (
    Allocation,
    CreditNote,
    Invoice,
    LedgerEntry,
    Payment,
    Query,
    Refund,
    SalesOrder,
    WriteOff,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SalesOrder)
class SalesOrderAdmin(ReadOnlyAdmin):
    list_display = ("number", "account", "order_date", "currency", "status")
    list_filter = ("status",)
    search_fields = ("number", "customer_reference")
    raw_id_fields = ("account",)


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "account",
        "issue_date",
        "due_date",
        "currency",
        "amount",
        "open_amount",
        "status",
    )
    list_filter = ("status", "currency")
    search_fields = ("number",)
    raw_id_fields = ("account", "order")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "account",
        "received_at",
        "booked_at",
        "currency",
        "amount",
        "unallocated_amount",
        "status",
    )
    list_filter = ("status", "currency", "method")
    search_fields = ("number", "reference", "payer_name", "external_ref")
    raw_id_fields = ("account",)


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ("payment", "invoice", "amount", "fx_difference", "applied_on", "reverses")
    raw_id_fields = ("payment", "invoice", "reverses")


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "account",
        "issue_date",
        "currency",
        "amount",
        "open_amount",
        "reason",
        "status",
    )
    list_filter = ("status", "reason")
    search_fields = ("number",)
    raw_id_fields = ("account", "invoice")


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("number", "account", "currency", "amount", "status", "paid_on")
    list_filter = ("status",)
    raw_id_fields = ("account", "payment", "credit_note")


@admin.register(WriteOff)
class WriteOffAdmin(ReadOnlyAdmin):
    list_display = ("number", "invoice", "amount", "status", "applied_on")
    list_filter = ("status",)
    raw_id_fields = ("invoice",)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("account", "posted_on", "kind", "document_number", "currency", "amount")
    list_filter = ("kind", "currency")
    search_fields = ("document_number",)
    raw_id_fields = ("account",)


@admin.register(Query)
class QueryAdmin(ReadOnlyAdmin):
    list_display = ("number", "account", "category", "subject", "status", "owner", "due_at")
    list_filter = ("status", "category")
    search_fields = ("number", "subject")
    raw_id_fields = ("account", "invoice", "payment", "credit_note")
