"""Reads of master data, each scoped to the user (core.scoping)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from salesops.core.errors import NotFound
from salesops.core.scoping import Scope, scope_for

from .models import Account, Contact, PriceBook, PriceBookEntry, Product, account_name_search_key


def account_scope_q(scope: Scope) -> Q:
    if scope.kind == "all":
        return Q()
    if scope.kind == "subtree":
        return Q(territory__path__startswith=scope.org_path) | Q(
            owner__org_unit__path__startswith=scope.org_path
        )
    if scope.kind == "own":
        return Q(owner_id=scope.person_id)
    if scope.kind == "account":
        return Q(pk=scope.account_id)
    return Q(pk__in=[])


def account_queryset(*, user) -> QuerySet[Account]:
    return Account.objects.filter(account_scope_q(scope_for(user)))


@dataclass(frozen=True)
class AccountFilters:
    q: str = ""
    type: str = ""
    status: str = ""
    territory_id: int | None = None
    owner_id: int | None = None
    country: str = ""


def account_list(*, user, filters: AccountFilters | None = None) -> QuerySet[Account]:
    """Accounts the user may see, filtered, ordered by (name, id) for keyset paging.

    `q` matches the start of the name (case-folded, index range scan), or exactly an account
    number, external id or tax id.
    """
    f = filters or AccountFilters()
    qs = account_queryset(user=user).select_related("territory", "owner")
    if f.q:
        key = account_name_search_key(f.q.strip())
        term = f.q.strip()
        qs = qs.filter(
            Q(name_search__startswith=key)
            | Q(number=term.upper())
            | Q(salesforce_id=term)
            | Q(sap_number=term)
            | Q(tax_id=term)
        )
    if f.type:
        qs = qs.filter(type=f.type)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.territory_id:
        qs = qs.filter(territory_id=f.territory_id)
    if f.owner_id:
        qs = qs.filter(owner_id=f.owner_id)
    if f.country:
        qs = qs.filter(billing_country=f.country.upper())
    return qs.order_by("name_search", "id")


def account_get(*, user, account_id: int) -> Account:
    """One account, or NotFound -- also when it exists but lies outside the user's scope."""
    account = (
        account_queryset(user=user)
        .select_related("territory", "owner", "parent", "payment_term")
        .filter(pk=account_id)
        .first()
    )
    if account is None:
        raise NotFound("No such account.", code="ACCOUNT_NOT_FOUND")
    return account


def account_children(*, user, account: Account) -> QuerySet[Account]:
    return account_queryset(user=user).filter(parent=account).order_by("name")


def contact_list(*, user, account_id: int | None = None) -> QuerySet[Contact]:
    scope = scope_for(user)
    qs = Contact.objects.select_related("account")
    if scope.kind != "all":
        qs = qs.filter(account__in=Account.objects.filter(account_scope_q(scope)).values("pk"))
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    return qs


def product_list(*, user, q: str = "", family_id: int | None = None) -> QuerySet[Product]:
    """The catalogue is visible to every logged-in role (partners order from it)."""
    qs = Product.objects.select_related("family").filter(active=True)
    if q:
        qs = qs.filter(Q(sku__istartswith=q) | Q(name__icontains=q))
    if family_id:
        qs = qs.filter(family_id=family_id)
    return qs


def product_prices(*, user, product: Product) -> QuerySet[PriceBookEntry]:
    return product.prices.select_related("price_book").order_by("price_book__name", "-valid_from")


def price_book_list(*, user) -> QuerySet[PriceBook]:
    """Price books are part of the catalogue: visible to every logged-in role."""
    return PriceBook.objects.filter(active=True).order_by("name", "id")


def price_book_get(*, user, price_book_id: int) -> PriceBook:
    book = price_book_list(user=user).filter(pk=price_book_id).first()
    if book is None:
        raise NotFound("No such price book.", code="PRICE_BOOK_NOT_FOUND")
    return book


def price_book_prices(
    *, user, price_book: PriceBook, product_id: int | None = None
) -> QuerySet[PriceBookEntry]:
    """Every effective-dated list price of a book, by product then newest first."""
    qs = price_book.entries.select_related("product").filter(product__active=True)
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    return qs.order_by("product__sku", "-valid_from", "id")


def product_get(*, user, product_id: int) -> Product:
    product = product_list(user=user).filter(pk=product_id).first()
    if product is None:
        raise NotFound("No such product.", code="PRODUCT_NOT_FOUND")
    return product


def product_costs(*, user, product: Product):
    """Standard costs are internal: partners get none."""
    scope = scope_for(user)
    if not scope.is_internal:
        return product.costs.none()
    return product.costs.order_by("-valid_from")


def account_parent_chain(*, user, account: Account, max_depth: int = 10) -> list[Account]:
    """The account's parents the user may see, top-most first (stops at the first one out of
    scope, and after max_depth levels so a bad cycle cannot loop)."""
    visible = account_queryset(user=user)
    chain: list[Account] = []
    seen = {account.pk}
    parent_id = account.parent_id
    while parent_id and parent_id not in seen and len(chain) < max_depth:
        parent = visible.filter(pk=parent_id).only("pk", "name", "number", "parent_id").first()
        if parent is None:
            break
        chain.append(parent)
        seen.add(parent.pk)
        parent_id = parent.parent_id
    chain.reverse()
    return chain
