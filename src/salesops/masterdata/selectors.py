"""Reads of master data, each scoped to the user (core.scoping)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from salesops.core.errors import NotFound
from salesops.core.models import OrgUnit, Person
from salesops.core.scoping import Scope, scope_for
from salesops.core.selectors import subtree_people, subtree_units

from .models import Account, Contact, PriceBook, PriceBookEntry, Product, account_name_search_key


def account_scope_q(scope: Scope) -> Q:
    if scope.kind == "all":
        return Q()
    if scope.kind == "subtree":
        # `territory_id IN (subtree's units) OR owner_id IN (subtree's people)`: the small
        # subqueries run once and the account indexes do the rest, where joining org units by
        # path prefix per account scans every account (seconds at 1,000,000). Lists go
        # through account_page, which merges per-unit index scans instead.
        units = subtree_units(scope.org_path).values("pk")
        people = subtree_people(scope.org_path).values("pk")
        return Q(territory_id__in=units) | Q(owner_id__in=people)
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
    qs = account_queryset(user=user).select_related("territory", "owner")
    return _account_filtered(qs, filters or AccountFilters())


def _account_filtered(qs: QuerySet[Account], f: AccountFilters) -> QuerySet[Account]:
    if f.q.strip():
        qs = qs.filter(account_search_q(f.q))
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


def subtree_ids(org_path: str) -> tuple[list[int], list[int]]:
    """The territories (org units) and people in the subtree under `org_path`, as id lists."""
    units = list(subtree_units(org_path).values_list("pk", flat=True))
    people = list(Person.objects.filter(org_unit_id__in=units).values_list("pk", flat=True))
    return units, people


def name_prefix_q(text: str) -> Q:
    """Names starting with `text`, case- and width-folded, as a plain range on name_search:
    [key, key with its last character bumped). A range uses the (name_search, id) index on
    SQLite and PostgreSQL alike (LIKE does not: SQLite's is case-insensitive, PostgreSQL's
    needs a C collation)."""
    key = account_name_search_key(text.strip())
    if not key:
        return Q()
    last = ord(key[-1])
    if last >= 0x10FFFF:
        return Q(name_search__gte=key)
    return Q(name_search__gte=key, name_search__lt=key[:-1] + chr(last + 1))


def account_search_q(text: str) -> Q:
    """The start of the name, or exactly an account number, Salesforce id, SAP number or tax
    id. The exact ids are looked up first on their own unique indexes, so the name part
    stays one index range and the whole is an OR of two indexed conditions."""
    from django.db.models.functions import Upper

    term = text.strip()
    exact: list[int] = []
    if term and " " not in term and len(term) <= 40:
        exact = list(
            Account.objects.filter(
                Q(number=term.upper()) | Q(salesforce_id=term) | Q(sap_number=term)
            ).values_list("pk", flat=True)[:20]
        )
        exact += list(
            Account.objects.alias(tax_upper=Upper("tax_id"))
            .filter(tax_upper=term.upper())
            .values_list("pk", flat=True)[:20]
        )
    if exact:
        return name_prefix_q(term) | Q(pk__in=exact)
    return name_prefix_q(term)


def accounts_after(qs: QuerySet[Account], *, key: str, pk: int) -> QuerySet[Account]:
    """Keyset paging: the rows after (key, pk) in (name_search, id) order. Written as
    `name_search >= key AND (name_search > key OR id > pk)` so the first part bounds the
    index scan (an OR alone would not)."""
    return qs.filter(name_search__gte=key).filter(Q(name_search__gt=key) | Q(id__gt=pk))


def account_page(
    *,
    user,
    filters: AccountFilters | None = None,
    after: tuple[str, int] | None = None,
    limit: int = 50,
) -> tuple[list[Account], bool]:
    """One page of account_list in (name_search, id) order, after the keyset `after`;
    returns (rows, has_more). No COUNT(*): the cost of a page does not grow with the table.

    For a manager's subtree, `territory IN (...) OR owner IN (...)` would make the database
    sort every account of the subtree to return 50. Instead each territory and each person
    is read on its own (territory|owner, name_search, id) index, `limit + 1` keys each, and
    the keys are merged here; then only the page's rows are fetched.
    """
    f = filters or AccountFilters()
    scope = scope_for(user)
    if scope.kind != "subtree":
        qs = account_list(user=user, filters=f)
        if after is not None:
            qs = accounts_after(qs, key=after[0], pk=after[1])
        rows = list(qs[: limit + 1])
        return rows[:limit], len(rows) > limit
    territory_ids, person_ids = subtree_ids(scope.org_path)
    base = _account_filtered(Account.objects.all(), f)
    if after is not None:
        base = accounts_after(base, key=after[0], pk=after[1])
    parts = [
        base.filter(**{field: one}).values_list("name_search", "id")[: limit + 1]
        for field, ids in (("territory_id", territory_ids), ("owner_id", person_ids))
        for one in ids
    ]
    keys: set[tuple[str, int]] = set()
    for i in range(0, len(parts), 200):  # one round trip per 200 index scans
        keys.update(_union_all(parts[i : i + 200]))
    page_ids = [pk for _key, pk in sorted(keys)[: limit + 1]]
    rows = list(
        Account.objects.select_related("territory", "owner")
        .filter(pk__in=page_ids)
        .order_by("name_search", "id")
    )
    return rows[:limit], len(rows) > limit


def territory_choices(*, user) -> list[dict]:
    """Market units and territories for the list filter, limited to the user's part of the
    tree (a rep: their own unit's; a manager: their subtree; a partner: none), as plain
    {pk, name} rows: at 1,000,000 accounts the page's cost is mostly rendering."""
    scope = scope_for(user)
    if not scope.is_internal:
        return []
    units = OrgUnit.objects.filter(level__gte=3)
    if scope.kind == "subtree":
        units = units & subtree_units(scope.org_path)
    elif scope.kind == "own":
        person = Person.objects.filter(pk=scope.person_id).select_related("org_unit").first()
        if person is None:
            return []
        units = units.filter(path__startswith=person.org_unit.path)
    return list(units.order_by("name").values("pk", "name"))


def _union_all(querysets: list[QuerySet]) -> list[tuple]:
    """Run sliced, ordered querysets as one `UNION ALL` statement (each stays its own index
    scan with its own LIMIT; Django's union() refuses sliced parts on SQLite)."""
    from django.db import connection

    if not querysets:
        return []
    sqls, params = [], []
    for qs in querysets:
        sql, p = qs.query.sql_with_params()
        sqls.append(f"SELECT * FROM ({sql}) AS part{len(sqls)}")  # noqa: S608 (ORM-compiled)
        params.extend(p)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(sqls), params)
        return [tuple(row) for row in cursor.fetchall()]


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


def fx_rate_on(*, base: str, quote: str, on) -> Decimal:
    """1 `base` in `quote` on a date (latest rate in force, inverse allowed); LookupError if
    there is none. Rates are company-wide reference data, so this read is not scoped."""
    from salesops.core.money import FxQuote, fx_rate_pick

    from .models import FxRate

    if base == quote:
        return Decimal(1)
    rows = FxRate.objects.filter(
        Q(base=base, quote=quote) | Q(base=quote, quote=base), valid_from__lte=on
    ).order_by("-valid_from")[:2]
    quotes = [FxQuote(r.base, r.quote, r.rate, r.valid_from) for r in rows]
    return fx_rate_pick(quotes, base=base, quote=quote, on=on)
