from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from salesops.core.audit import audit_history
from salesops.core.errors import NotFound
from salesops.core.models import OrgUnit

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
    qs = selectors.account_list(user=request.user, filters=filters)
    after_key, after_id = g.get("after_key"), _int_or_none(g.get("after_id"))
    if after_key is not None and after_id is not None:
        from django.db.models import Q

        qs = qs.filter(Q(name_search__gt=after_key) | Q(name_search=after_key, id__gt=after_id))
    rows = list(qs[: PAGE_SIZE + 1])
    has_more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
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
        "territories": OrgUnit.objects.filter(level__gte=3).order_by("name")
        if request.user.role != "partner"
        else [],
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
    context = {
        "account": account,
        "contacts": selectors.contact_list(user=request.user, account_id=account.pk)[:200],
        "children": selectors.account_children(user=request.user, account=account)[:200],
        "history": audit_history(obj=account, limit=50) if request.user.role != "partner" else [],
    }
    return render(request, "masterdata/account_detail.html", context)


@login_required
def product_list(request):
    products = selectors.product_list(user=request.user, q=request.GET.get("q", "")[:100])
    return render(request, "masterdata/product_list.html", {"products": products[:500]})


@login_required
def product_detail(request, product_id: int):
    product = get_object_or_404(selectors.product_list(user=request.user), pk=product_id)
    prices = selectors.product_prices(user=request.user, product=product)
    show_costs = request.user.role not in ("partner",)
    return render(
        request,
        "masterdata/product_detail.html",
        {
            "product": product,
            "prices": prices,
            "costs": product.costs.all() if show_costs else [],
        },
    )
