"""Django admin for master data. Foreign keys to accounts, people and org units use
autocomplete widgets (never a <select> with every account); changes are audited."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesops.core.admin import AuditedAdmin

from . import services
from .models import (
    Account,
    Contact,
    FxRate,
    PaymentTerm,
    PriceBook,
    PriceBookEntry,
    Product,
    ProductFamily,
    StandardCost,
    account_name_search_key,
)


@admin.register(PaymentTerm)
class PaymentTermAdmin(AuditedAdmin):
    list_display = ("code", "name", "net_days")
    search_fields = ("code", "name")


class ContactInline(admin.TabularInline):
    model = Contact
    fields = ("first_name", "last_name", "title", "email", "phone", "user")
    autocomplete_fields = ("user",)
    extra = 0
    max_num = 200


@admin.register(Account)
class AccountAdmin(AuditedAdmin):
    list_display = ("number", "name", "type", "status", "territory", "owner", "billing_city")
    list_filter = ("type", "status", "currency")
    # Used by autocomplete too; get_search_results keeps it an index range scan.
    search_fields = ("name_search", "=number", "=tax_id", "=salesforce_id", "=sap_number")
    autocomplete_fields = ("parent", "territory", "owner", "payment_term")
    list_select_related = ("territory", "owner")
    readonly_fields = ("created_at", "updated_at")
    inlines = [ContactInline]
    fieldsets = (
        (None, {"fields": ("number", "name", "type", "status", "parent", "territory", "owner")}),
        (_("Terms"), {"fields": ("currency", "payment_term", "credit_limit", "tax_id")}),
        (_("Contact"), {"fields": ("phone", "email", "website", "industry")}),
        (
            _("Billing address"),
            {
                "fields": (
                    "billing_street",
                    "billing_postcode",
                    "billing_city",
                    "billing_region",
                    "billing_country",
                )
            },
        ),
        (
            _("Shipping address"),
            {
                "classes": ("collapse",),
                "fields": (
                    "shipping_street",
                    "shipping_postcode",
                    "shipping_city",
                    "shipping_region",
                    "shipping_country",
                ),
            },
        ),
        (
            _("External ids"),
            {"fields": ("salesforce_id", "sap_number", "hubspot_id", "source")},
        ),
        (None, {"fields": ("created_at", "updated_at")}),
    )

    actions = ["activate_accounts", "hold_accounts", "release_accounts"]

    def get_readonly_fields(self, request, obj=None):
        # The lifecycle moves only through the services (actions below), never by editing.
        ro = list(super().get_readonly_fields(request, obj))
        return [*ro, "status"] if obj is not None else ro

    def _transition(self, request, queryset, service, done_msg):
        from salesops.core.errors import DomainError

        done, failed = 0, []
        for account in queryset[:500]:
            try:
                service(account=account, by=request.user, reason=str(_("in the admin")))
                done += 1
            except DomainError as exc:
                failed.append(f"{account.number}: {exc.message}")
        if done:
            self.message_user(request, done_msg % {"n": done}, messages.SUCCESS)
        for line in failed[:20]:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description=_("Activate the selected accounts"))
    def activate_accounts(self, request, queryset):
        self._transition(
            request, queryset, services.account_activate, _("%(n)s accounts activated.")
        )

    @admin.action(description=_("Put the selected accounts on hold"))
    def hold_accounts(self, request, queryset):
        self._transition(request, queryset, services.account_hold, _("%(n)s accounts put on hold."))

    @admin.action(description=_("Release the selected accounts from hold"))
    def release_accounts(self, request, queryset):
        self._transition(request, queryset, services.account_release, _("%(n)s accounts released."))

    def get_search_results(self, request, queryset, search_term):
        term = (search_term or "").strip()
        if not term:
            return queryset, False
        key = account_name_search_key(term)
        return (
            queryset.filter(
                Q(name_search__startswith=key)
                | Q(number=term.upper())
                | Q(tax_id=term)
                | Q(salesforce_id=term)
                | Q(sap_number=term)
            ),
            False,
        )


@admin.register(Contact)
class ContactAdmin(AuditedAdmin):
    list_display = ("__str__", "account", "title", "email", "phone", "user")
    search_fields = ("last_name", "first_name", "=email", "=salesforce_id")
    autocomplete_fields = ("account", "user")
    list_select_related = ("account", "user")


@admin.register(ProductFamily)
class ProductFamilyAdmin(AuditedAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class PriceInline(admin.TabularInline):
    model = PriceBookEntry
    fields = ("price_book", "unit_price", "valid_from")
    extra = 0


class CostInline(admin.TabularInline):
    model = StandardCost
    fields = ("cost", "currency", "valid_from")
    extra = 0


@admin.register(Product)
class ProductAdmin(AuditedAdmin):
    list_display = ("sku", "name", "family", "unit", "active")
    list_filter = ("active", "family")
    search_fields = ("sku", "name", "=salesforce_id")
    autocomplete_fields = ("family",)
    list_select_related = ("family",)
    inlines = [PriceInline, CostInline]


@admin.register(PriceBook)
class PriceBookAdmin(AuditedAdmin):
    list_display = ("name", "currency", "is_standard", "active")
    list_filter = ("currency", "is_standard", "active")
    search_fields = ("name",)


@admin.register(PriceBookEntry)
class PriceBookEntryAdmin(AuditedAdmin):
    list_display = ("product", "price_book", "unit_price", "valid_from")
    list_filter = ("price_book",)
    search_fields = ("product__sku", "product__name")
    autocomplete_fields = ("product", "price_book")
    list_select_related = ("product", "price_book")
    date_hierarchy = "valid_from"


@admin.register(StandardCost)
class StandardCostAdmin(AuditedAdmin):
    list_display = ("product", "cost", "currency", "valid_from")
    list_filter = ("currency",)
    search_fields = ("product__sku", "product__name")
    autocomplete_fields = ("product",)
    list_select_related = ("product",)


@admin.register(FxRate)
class FxRateAdmin(AuditedAdmin):
    list_display = ("base", "quote", "rate", "valid_from")
    list_filter = ("base", "quote")
    search_fields = ("=base", "=quote")
    date_hierarchy = "valid_from"
