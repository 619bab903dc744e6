"""Master-data API: accounts (scoped like the UI), contacts, products, price books.

Reads go through masterdata.selectors (scoped to the user); writes through
masterdata.services (permission-checked, audited). An account outside the caller's scope
is 404 ACCOUNT_NOT_FOUND, exactly like one that does not exist.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from decimal import Decimal
from typing import Literal

from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from salesops.core.api import ERRORS, MAX_ID, ErrorOut
from salesops.core.errors import DomainError
from salesops.core.money import Money, UnknownCurrency

from . import selectors, services
from .errors import AccountInvalid, ContactInvalid, ContactNotFound
from .models import Account, PaymentTerm

PREFIX = ""
router = Router(tags=["master data"])

WRITE_ERRORS = {**ERRORS, 409: ErrorOut}
MAX_OFFSET = 10_000
AccountType = Literal["customer", "partner", "prospect"]
AccountStatus = Literal["requested", "active", "on_hold", "closed"]
AMOUNT_PATTERN = r"^\d{1,16}(\.\d{1,4})?$"


class InvalidCursor(DomainError):
    code = "INVALID_CURSOR"


# ---------------------------------------------------------------- schemas


class MoneyOut(Schema):
    """Money is never a JSON number: a decimal string plus its ISO 4217 currency."""

    amount: str = Field(..., examples=["100000.00"])
    currency: str = Field(..., examples=["CNY"])


class Ref(Schema):
    id: int
    name: str


class Address(Schema):
    street: str
    city: str
    postcode: str
    region: str
    country: str = Field(..., description="ISO 3166-1 alpha-2, or empty")


class AccountItem(Schema):
    id: int
    number: str
    name: str
    type: str
    status: str
    territory: Ref | None
    owner: Ref | None
    billing_city: str
    billing_country: str
    currency: str


class AccountOut(AccountItem):
    parent_id: int | None
    salesforce_id: str | None
    sap_number: str | None
    hubspot_id: str | None
    payment_term: str | None = Field(None, description="payment term code")
    credit_limit: MoneyOut | None
    tax_id: str
    phone: str
    email: str
    website: str
    industry: str
    billing_address: Address
    shipping_address: Address
    created_at: dt.datetime
    updated_at: dt.datetime


class AccountPage(Schema):
    items: list[AccountItem]
    limit: int
    offset: int
    next_cursor: str | None = Field(
        None,
        description="Pass as `cursor` for the next page (keyset paging; constant cost at any "
        "depth). Null on the last page.",
    )


def _money(amount: Decimal | None, currency: str) -> dict | None:
    if amount is None:
        return None
    try:
        return {"amount": str(Money(amount, currency).rounded().amount), "currency": currency}
    except UnknownCurrency:
        return {"amount": str(amount), "currency": currency}


def _ref(obj) -> dict | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def _account_item(a: Account) -> dict:
    return {
        "id": a.pk,
        "number": a.number,
        "name": a.name,
        "type": a.type,
        "status": a.status,
        "territory": _ref(a.territory),
        "owner": _ref(a.owner),
        "billing_city": a.billing_city,
        "billing_country": a.billing_country,
        "currency": a.currency,
    }


def _address(a: Account, kind: str) -> dict:
    return {
        k: getattr(a, f"{kind}_{k}") for k in ("street", "city", "postcode", "region", "country")
    }


def _account_out(a: Account) -> dict:
    return {
        **_account_item(a),
        "parent_id": a.parent_id,
        "salesforce_id": a.salesforce_id,
        "sap_number": a.sap_number,
        "hubspot_id": a.hubspot_id,
        "payment_term": a.payment_term.code if a.payment_term_id else None,
        "credit_limit": _money(a.credit_limit, a.currency),
        "tax_id": a.tax_id,
        "phone": a.phone,
        "email": a.email,
        "website": a.website,
        "industry": a.industry,
        "billing_address": _address(a, "billing"),
        "shipping_address": _address(a, "shipping"),
        "created_at": a.created_at,
        "updated_at": a.updated_at,
    }


# ---------------------------------------------------------------- account reads


def _cursor_encode(a: Account) -> str:
    raw = json.dumps([a.name_search, a.pk], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor_decode(cursor: str) -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key, pk = json.loads(raw.decode())
        if not isinstance(key, str) or not isinstance(pk, int) or not 0 < pk < MAX_ID:
            raise ValueError
        return key, pk
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursor(
            _("The cursor is not valid; use next_cursor from the previous page."),
            detail={"field": "cursor", "value": cursor[:100]},
        ) from None


class AccountQuery(Schema):
    q: str = Field(
        "",
        max_length=100,
        description="Start of the name (case-insensitive), or exactly an account number, "
        "Salesforce id, SAP number or tax id.",
    )
    type: AccountType | None = None
    status: AccountStatus | None = None
    territory: int | None = Field(None, ge=1, le=MAX_ID, description="territory org unit id")
    owner: int | None = Field(None, ge=1, le=MAX_ID, description="owner person id")
    country: str = Field("", max_length=2, description="billing country, ISO 3166 alpha-2")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(
        0, ge=0, le=MAX_OFFSET, description="For shallow pages; use `cursor` beyond that."
    )
    cursor: str | None = Field(
        None,
        max_length=1000,
        description="Keyset cursor from `next_cursor`; when given, `offset` is ignored.",
    )


def _clean_text(value: str) -> str:
    return value.replace("\x00", "").strip()


@router.get("/accounts", response={200: AccountPage, **ERRORS}, summary="List accounts")
def account_list(request, filters: Query[AccountQuery]):
    """Accounts the caller may see, ordered by name then id. Two ways to page: `offset` +
    `limit` for the first pages (offset at most 10,000), or the keyset `cursor` from
    `next_cursor` for any depth. There is no total count (it would cost a scan)."""
    qs = selectors.account_list(
        user=request.user,
        filters=selectors.AccountFilters(
            q=_clean_text(filters.q),
            type=filters.type or "",
            status=filters.status or "",
            territory_id=filters.territory,
            owner_id=filters.owner,
            country=_clean_text(filters.country),
        ),
    )
    offset = filters.offset
    if filters.cursor:
        key, pk = _cursor_decode(filters.cursor)
        qs = qs.filter(Q(name_search__gt=key) | Q(name_search=key, id__gt=pk))
        offset = 0
    rows = list(qs[offset : offset + filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    return {
        "items": [_account_item(a) for a in rows],
        "limit": filters.limit,
        "offset": offset,
        "next_cursor": _cursor_encode(rows[-1]) if more else None,
    }


def _account(request, account_id: int) -> Account:
    return selectors.account_get(user=request.user, account_id=account_id)


@router.get("/accounts/{account_id}", response={200: AccountOut, **ERRORS})
def account_detail(request, account_id: int = Path(..., ge=1, le=MAX_ID)):
    return _account_out(_account(request, account_id))


class ContactOut(Schema):
    id: int
    account_id: int
    first_name: str
    last_name: str
    title: str
    email: str
    phone: str
    portal_login: bool


@router.get("/accounts/{account_id}/contacts", response={200: list[ContactOut], **ERRORS})
def account_contacts(
    request,
    account_id: int = Path(..., ge=1, le=MAX_ID),
    limit: int = Query(200, ge=1, le=500),
):
    account = _account(request, account_id)
    rows = selectors.contact_list(user=request.user, account_id=account.pk)[:limit]
    return [_contact_out(c) for c in rows]


def _contact_out(c) -> dict:
    return {
        "id": c.pk,
        "account_id": c.account_id,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "title": c.title,
        "email": c.email,
        "phone": c.phone,
        "portal_login": c.user_id is not None,
    }


class ContactIn(Schema):
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    title: str = Field("", max_length=100)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)


class ContactPatchIn(Schema):
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    title: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)


def _contact_values(data: dict) -> dict:
    out = {}
    for key, value in data.items():
        if value is None:
            raise ContactInvalid(
                _("%(field)s cannot be null.") % {"field": key}, detail={"field": key}
            )
        out[key] = _clean_str(key, value, ContactInvalid)
    return out


@router.post("/accounts/{account_id}/contacts", response={201: ContactOut, **WRITE_ERRORS})
def contact_create(request, payload: ContactIn, account_id: int = Path(..., ge=1, le=MAX_ID)):
    """Coordinators and admins, and the rep who owns the account."""
    account = _account(request, account_id)
    values = _contact_values(payload.dict(exclude_unset=True))
    contact = services.contact_create(account=account, by=request.user, **values)
    return Status(201, _contact_out(contact))


@router.patch("/contacts/{contact_id}", response={200: ContactOut, **WRITE_ERRORS})
def contact_update(request, payload: ContactPatchIn, contact_id: int = Path(..., ge=1, le=MAX_ID)):
    """Coordinators and admins, and the rep who owns the contact's account."""
    contact = selectors.contact_list(user=request.user).filter(pk=contact_id).first()
    if contact is None:
        raise ContactNotFound(_("No such contact."))
    values = _contact_values(payload.dict(exclude_unset=True))
    return _contact_out(services.contact_update(contact=contact, by=request.user, **values))


# ---------------------------------------------------------------- account writes


class AccountFieldsIn(Schema):
    type: AccountType | None = None
    parent_id: int | None = Field(None, ge=1, le=MAX_ID)
    territory_id: int | None = Field(None, ge=1, le=MAX_ID)
    owner_id: int | None = Field(None, ge=1, le=MAX_ID)
    salesforce_id: str | None = Field(None, max_length=18)
    sap_number: str | None = Field(None, max_length=20)
    hubspot_id: str | None = Field(None, max_length=30)
    payment_term: str | None = Field(None, max_length=20, description="payment term code")
    credit_limit: str | None = Field(
        None, pattern=AMOUNT_PATTERN, description="decimal string", examples=["50000.00"]
    )
    currency: str | None = Field(None, min_length=3, max_length=3, examples=["CNY"])
    tax_id: str | None = Field(None, max_length=40)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    website: str | None = Field(None, max_length=255)
    industry: str | None = Field(None, max_length=100)
    billing_street: str | None = Field(None, max_length=255)
    billing_city: str | None = Field(None, max_length=100)
    billing_postcode: str | None = Field(None, max_length=20)
    billing_region: str | None = Field(None, max_length=100)
    billing_country: str | None = Field(None, max_length=2)
    shipping_street: str | None = Field(None, max_length=255)
    shipping_city: str | None = Field(None, max_length=100)
    shipping_postcode: str | None = Field(None, max_length=20)
    shipping_region: str | None = Field(None, max_length=100)
    shipping_country: str | None = Field(None, max_length=2)


class AccountCreateIn(AccountFieldsIn):
    name: str = Field(..., min_length=1, max_length=255)
    status: Literal["requested", "active"] = "requested"


class AccountPatchIn(AccountFieldsIn):
    name: str | None = Field(None, min_length=1, max_length=255)
    reason: str = Field("", max_length=1000, description="why, for the audit log")


def _clean_str(key: str, value: str, error_class) -> str:
    """Drop NUL characters (PostgreSQL refuses them) and refuse lone surrogates."""
    value = value.replace("\x00", "")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise error_class(
            _("%(field)s: the text is not valid Unicode.") % {"field": key},
            detail={"field": key},
        )
    return value


_NULLABLE = {"parent", "territory", "owner", "payment_term", "credit_limit"}
_NULLABLE |= {"salesforce_id", "sap_number", "hubspot_id"}


def _service_values(data: dict) -> dict:
    """API field names -> service values; strings are cleaned, unknown codes refused."""
    out = {}
    for key, value in data.items():
        field = key[:-3] if key.endswith("_id") and key[:-3] in _NULLABLE else key
        if isinstance(value, str):
            value = _clean_str(key, value, AccountInvalid)
        if value is None and field not in _NULLABLE:
            raise AccountInvalid(
                _("%(field)s cannot be null.") % {"field": key}, detail={"field": key}
            )
        if field == "payment_term" and value is not None:
            term = PaymentTerm.objects.filter(code=value).first()
            if term is None:
                raise AccountInvalid(
                    _("payment_term: '%(value)s' is not a payment term code.") % {"value": value},
                    detail={
                        "field": "payment_term",
                        "value": value,
                        "valid": list(PaymentTerm.objects.values_list("code", flat=True)[:50]),
                    },
                )
            value = term
        out[field] = value
    return out


@router.post("/accounts", response={201: AccountOut, **WRITE_ERRORS}, summary="Create an account")
def account_create(request, payload: AccountCreateIn):
    """Coordinators and admins. The number comes from the account number series."""
    data = _service_values(payload.dict(exclude_unset=True))
    name = data.pop("name")
    status = data.pop("status", "requested")
    account = services.account_create(by=request.user, name=name, status=status, **data)
    return Status(
        201, _account_out(selectors.account_get(user=request.user, account_id=account.pk))
    )


@router.patch("/accounts/{account_id}", response={200: AccountOut, **WRITE_ERRORS})
def account_update(request, payload: AccountPatchIn, account_id: int = Path(..., ge=1, le=MAX_ID)):
    """Change some fields (coordinators and admins); the audit log keeps before -> after."""
    account = _account(request, account_id)
    data = _service_values(payload.dict(exclude_unset=True))
    reason = data.pop("reason", "")
    services.account_update(account=account, by=request.user, reason=reason, **data)
    return _account_out(_account(request, account_id))


class ReasonIn(Schema):
    reason: str = Field("", max_length=1000, description="Required to close an account.")


def _transition(request, account_id: int, payload: ReasonIn, service):
    account = _account(request, account_id)
    service(account=account, by=request.user, reason=payload.reason.replace("\x00", ""))
    return _account_out(_account(request, account_id))


@router.post("/accounts/{account_id}/activate", response={200: AccountOut, **WRITE_ERRORS})
def account_activate(request, payload: ReasonIn, account_id: int = Path(..., ge=1, le=MAX_ID)):
    """requested -> active (coordinators and admins)."""
    return _transition(request, account_id, payload, services.account_activate)


@router.post("/accounts/{account_id}/hold", response={200: AccountOut, **WRITE_ERRORS})
def account_hold(request, payload: ReasonIn, account_id: int = Path(..., ge=1, le=MAX_ID)):
    """active -> on_hold (coordinators, admins, finance)."""
    return _transition(request, account_id, payload, services.account_hold)


@router.post("/accounts/{account_id}/release", response={200: AccountOut, **WRITE_ERRORS})
def account_release(request, payload: ReasonIn, account_id: int = Path(..., ge=1, le=MAX_ID)):
    """on_hold -> active (coordinators, admins, finance)."""
    return _transition(request, account_id, payload, services.account_release)


@router.post("/accounts/{account_id}/close", response={200: AccountOut, **WRITE_ERRORS})
def account_close(request, payload: ReasonIn, account_id: int = Path(..., ge=1, le=MAX_ID)):
    """requested, active or on_hold -> closed, with a reason. Closed accounts stay closed."""
    return _transition(request, account_id, payload, services.account_close)


# ---------------------------------------------------------------- products and prices


class FamilyOut(Schema):
    code: str
    name: str


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    family: FamilyOut | None
    unit: str
    active: bool


class PriceOut(Schema):
    id: int
    price_book_id: int
    price_book: str
    product_id: int
    sku: str
    unit_price: MoneyOut
    valid_from: dt.date


class CostOut(Schema):
    cost: MoneyOut
    valid_from: dt.date


class ProductDetailOut(ProductOut):
    description: str
    prices: list[PriceOut]
    standard_costs: list[CostOut] = Field(..., description="Empty for partners.")


def _product(p) -> dict:
    return {
        "id": p.pk,
        "sku": p.sku,
        "name": p.name,
        "family": {"code": p.family.code, "name": p.family.name} if p.family_id else None,
        "unit": p.unit,
        "active": p.active,
    }


def _price(e, book=None) -> dict:
    book = book or e.price_book
    return {
        "id": e.pk,
        "price_book_id": book.pk,
        "price_book": book.name,
        "product_id": e.product_id,
        "sku": e.product.sku,
        "unit_price": _money(e.unit_price, book.currency),
        "valid_from": e.valid_from,
    }


@router.get("/products", response={200: list[ProductOut], **ERRORS})
def product_list(
    request,
    q: str = Query("", max_length=100),
    family: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(100, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """Active products (the catalogue is visible to every role), by SKU."""
    rows = selectors.product_list(user=request.user, q=_clean_text(q), family_id=family)
    return [_product(p) for p in rows.order_by("sku", "id")[offset : offset + limit]]


@router.get("/products/{product_id}", response={200: ProductDetailOut, **ERRORS})
def product_detail(request, product_id: int = Path(..., ge=1, le=MAX_ID)):
    product = selectors.product_get(user=request.user, product_id=product_id)
    prices = selectors.product_prices(user=request.user, product=product).select_related("product")[
        :500
    ]
    costs = selectors.product_costs(user=request.user, product=product)[:100]
    return {
        **_product(product),
        "description": product.description,
        "prices": [_price(e) for e in prices],
        "standard_costs": [
            {"cost": _money(c.cost, c.currency), "valid_from": c.valid_from} for c in costs
        ],
    }


class PriceBookOut(Schema):
    id: int
    name: str
    currency: str
    is_standard: bool
    active: bool


@router.get("/price-books", response={200: list[PriceBookOut], **ERRORS})
def price_book_list(request):
    return [
        {
            "id": b.pk,
            "name": b.name,
            "currency": b.currency,
            "is_standard": b.is_standard,
            "active": b.active,
        }
        for b in selectors.price_book_list(user=request.user)[:500]
    ]


@router.get("/price-books/{price_book_id}/prices", response={200: list[PriceOut], **ERRORS})
def price_book_prices(
    request,
    price_book_id: int = Path(..., ge=1, le=MAX_ID),
    product: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(200, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """Every effective-dated list price in the book: by SKU, newest first."""
    book = selectors.price_book_get(user=request.user, price_book_id=price_book_id)
    rows = selectors.price_book_prices(user=request.user, price_book=book, product_id=product)
    return [_price(e, book) for e in rows[offset : offset + limit]]
