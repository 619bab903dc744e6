"""Accounts, contacts, products, price books, standard costs, payment terms and FX rates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from salesops.core.models import OrgUnit, Person

MONEY = {"max_digits": 20, "decimal_places": 4}


class PaymentTerm(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    net_days = models.PositiveIntegerField(_("net days"), default=30)

    class Meta:
        verbose_name = _("payment term")
        verbose_name_plural = _("payment terms")
        ordering = ["net_days", "code"]

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    """A customer, channel partner or prospect. External ids make imports idempotent."""

    class Type(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        PARTNER = "partner", _("Channel partner")
        PROSPECT = "prospect", _("Prospect")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACTIVE = "active", _("Active")
        ON_HOLD = "on_hold", _("On hold")
        CLOSED = "closed", _("Closed")

    number = models.CharField(_("account number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_search = models.CharField(_("search name"), max_length=255, editable=False, default="")
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, default=Type.CUSTOMER)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    territory = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
        verbose_name=_("territory"),
    )
    owner = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
        verbose_name=_("owner"),
    )
    salesforce_id = models.CharField(
        _("Salesforce Id"), max_length=18, null=True, blank=True, unique=True
    )
    sap_number = models.CharField(
        _("SAP customer number"), max_length=20, null=True, blank=True, unique=True
    )
    hubspot_id = models.CharField(
        _("HubSpot Id"), max_length=30, null=True, blank=True, unique=True
    )
    payment_term = models.ForeignKey(
        PaymentTerm,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("payment terms"),
    )
    credit_limit = models.DecimalField(_("credit limit"), null=True, blank=True, **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    tax_id = models.CharField(_("tax id"), max_length=40, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=40, blank=True, default="")
    email = models.CharField(_("e-mail"), max_length=254, blank=True, default="")
    website = models.CharField(_("website"), max_length=255, blank=True, default="")
    industry = models.CharField(_("industry"), max_length=100, blank=True, default="")
    annual_revenue = models.DecimalField(_("annual revenue"), null=True, blank=True, **MONEY)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    billing_street = models.CharField(_("billing street"), max_length=255, blank=True, default="")
    billing_city = models.CharField(_("billing city"), max_length=100, blank=True, default="")
    billing_postcode = models.CharField(
        _("billing postcode"), max_length=20, blank=True, default=""
    )
    billing_region = models.CharField(_("billing region"), max_length=100, blank=True, default="")
    billing_country = models.CharField(_("billing country"), max_length=2, blank=True, default="")
    shipping_street = models.CharField(_("shipping street"), max_length=255, blank=True, default="")
    shipping_city = models.CharField(_("shipping city"), max_length=100, blank=True, default="")
    shipping_postcode = models.CharField(
        _("shipping postcode"), max_length=20, blank=True, default=""
    )
    shipping_region = models.CharField(_("shipping region"), max_length=100, blank=True, default="")
    shipping_country = models.CharField(_("shipping country"), max_length=2, blank=True, default="")
    source = models.CharField(_("source"), max_length=30, blank=True, default="manual")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["name_search", "id"]
        indexes = [
            models.Index(fields=["name_search", "id"], name="account_name_id"),
            models.Index(fields=["owner", "name_search", "id"], name="account_owner_name"),
            models.Index(fields=["territory", "name_search", "id"], name="account_territory_name"),
            models.Index(fields=["type", "status"], name="account_type_status"),
            models.Index(Upper("tax_id"), name="account_tax_id_upper"),
            # home-page queues: accounts awaiting activation / on hold, newest first
            models.Index(fields=["status", "-created_at"], name="account_status_created"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_search = account_name_search_key(self.name)
        super().save(*args, **kwargs)


def account_name_search_key(name: str) -> str:
    """Case- and width-folded name with white space collapsed, so a prefix search is one index
    range scan and a stray leading space (common in CRM exports) does not hide a record."""
    import unicodedata

    return " ".join(unicodedata.normalize("NFKC", name or "").casefold().split())[:255]


def _is_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


class Contact(models.Model):
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("account")
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True, default="")
    last_name = models.CharField(_("last name"), max_length=100, blank=True, default="")
    title = models.CharField(_("title"), max_length=100, blank=True, default="")
    email = models.CharField(_("e-mail"), max_length=254, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=40, blank=True, default="")
    salesforce_id = models.CharField(
        _("Salesforce Id"), max_length=18, null=True, blank=True, unique=True
    )
    hubspot_id = models.CharField(
        _("HubSpot Id"), max_length=30, null=True, blank=True, unique=True
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="portal_contact",
        help_text=_("A portal login for a channel partner's contact."),
        verbose_name=_("login"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["last_name", "first_name", "id"]

    def __str__(self) -> str:
        first, last = self.first_name.strip(), self.last_name.strip()
        if _is_cjk(first) or _is_cjk(last):
            return f"{last}{first}" or self.email  # Chinese order: family name first, no space
        return f"{first} {last}".strip() or self.email


class ProductFamily(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("product family")
        ordering = ["name"]
        verbose_name_plural = _("product families")

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=255)
    family = models.ForeignKey(
        ProductFamily,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("family"),
    )
    unit = models.CharField(_("unit"), max_length=20, default="EA")
    active = models.BooleanField(_("active"), default=True)
    salesforce_id = models.CharField(
        _("Salesforce Id"), max_length=18, null=True, blank=True, unique=True
    )
    description = models.TextField(_("description"), blank=True, default="")

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class PriceBook(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    currency = models.CharField(_("currency"), max_length=3)
    is_standard = models.BooleanField(_("standard price book"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("price book")
        verbose_name_plural = _("price books")

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"


class PriceBookEntry(models.Model):
    """A list price valid from a date until the next entry for the same product and book."""

    price_book = models.ForeignKey(
        PriceBook, on_delete=models.CASCADE, related_name="entries", verbose_name=_("price book")
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="prices", verbose_name=_("product")
    )
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    valid_from = models.DateField(_("valid from"))

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        ordering = ["product", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_book", "product", "valid_from"], name="price_once_per_day"
            )
        ]


class StandardCost(models.Model):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="costs", verbose_name=_("product")
    )
    cost = models.DecimalField(_("cost"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    valid_from = models.DateField(_("valid from"))

    class Meta:
        verbose_name = _("standard cost")
        verbose_name_plural = _("standard costs")
        ordering = ["product", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["product", "valid_from"], name="cost_once_per_day")
        ]


class FxRate(models.Model):
    """1 `base` = `rate` `quote`, in force from `valid_from` until the next rate."""

    base = models.CharField(_("base currency"), max_length=3)
    quote = models.CharField(_("quote currency"), max_length=3)
    rate = models.DecimalField(_("rate"), max_digits=24, decimal_places=10)
    valid_from = models.DateField(_("valid from"))

    class Meta:
        verbose_name = _("FX rate")
        verbose_name_plural = _("FX rates")
        ordering = ["base", "quote", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["base", "quote", "valid_from"], name="fx_once_per_day")
        ]
