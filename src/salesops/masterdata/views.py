from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from salesops.core.errors import NotFound
from salesops.core.scoping import scope_for

from . import selectors
from .models import Account

PAGE_SIZE = 50


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def account_list(request):
    """Keyset paging on (name_search, id): page N costs the same as page 1 at any size."""
    g = request.GET
    filters = selectors.AccountFilters(
        q=g.get("q", "")[:100],
        type=g.get("type", "") if g.get("type") in Account.Type.values else "",
        status=g.get("status", "") if g.get("status") in Account.Status.values else "",
        territory_id=_int_or_none(g.get("territory")),
    )
    after_key, after_id = g.get("after_key"), _int_or_none(g.get("after_id"))
    after = (after_key, after_id) if after_key is not None and after_id is not None else None
    rows, has_more = selectors.account_page(
        user=request.user, filters=filters, after=after, limit=PAGE_SIZE
    )
    nxt = None
    if has_more:
        params = g.copy()
        params["after_key"], params["after_id"] = rows[-1].name_search, rows[-1].pk
        nxt = params.urlencode()
    context = {
        "accounts": rows,
        "filters": filters,
        "next_query": nxt,
        "types": Account.Type.choices,
        "statuses": Account.Status.choices,
        "territories": selectors.territory_choices(user=request.user),
        "is_first_page": after_id is None,
    }
    template = "masterdata/_account_rows.html" if request.htmx else "masterdata/account_list.html"
    return render(request, template, context)


@login_required
def account_detail(request, account_id: int):
    try:
        account = selectors.account_get(user=request.user, account_id=account_id)
    except NotFound:
        raise Http404 from None
    from .history import account_history_rows

    is_partner = request.user.role == "partner" and not request.user.is_superuser
    context = {
        "account": account,
        "contacts": selectors.contact_list(user=request.user, account_id=account.pk)[:200],
        "parents": selectors.account_parent_chain(user=request.user, account=account),
        "children": selectors.account_children(user=request.user, account=account)[:200],
        "history": [] if is_partner else account_history_rows(account=account, limit=50),
        "show_history": not is_partner,
    }
    return render(request, "masterdata/account_detail.html", context)


@login_required
def product_list(request):
    products = selectors.product_list(user=request.user, q=request.GET.get("q", "")[:100])
    return render(request, "masterdata/product_list.html", {"products": products[:500]})


@login_required
def product_detail(request, product_id: int):
    product = get_object_or_404(selectors.product_list(user=request.user), pk=product_id)
    prices = _mark_current(
        list(selectors.product_prices(user=request.user, product=product)[:500]),
        key=lambda e: e.price_book_id,
    )
    show_costs = scope_for(request.user).is_internal
    return render(
        request,
        "masterdata/product_detail.html",
        {
            "product": product,
            "prices": prices,
            "show_costs": show_costs,
            "costs": selectors.product_costs(user=request.user, product=product)
            if show_costs
            else [],
        },
    )


@login_required
def price_book_list(request):
    books = selectors.price_book_list(user=request.user).annotate(entry_count=Count("entries"))
    return render(request, "masterdata/price_book_list.html", {"books": books[:200]})


@login_required
def price_book_detail(request, price_book_id: int):
    try:
        book = selectors.price_book_get(user=request.user, price_book_id=price_book_id)
    except NotFound:
        raise Http404 from None
    prices = selectors.price_book_prices(user=request.user, price_book=book)
    rows = _mark_current(list(prices[:2000]), key=lambda e: e.product_id)
    return render(
        request,
        "masterdata/price_book_detail.html",
        {"book": book, "prices": rows, "truncated": prices[2000:2001].exists()},
    )


def _mark_current(entries, key):
    """Flag the price in force today: per key, the newest entry that is not in the future
    (entries come newest first within each key)."""
    import datetime as dt

    today = dt.date.today()
    seen = set()
    for e in entries:
        e.is_current = False
        k = key(e)
        if k not in seen and e.valid_from <= today:
            e.is_current = True
            seen.add(k)
    return entries
