"""The documents and the aging page on the web.

/receivables/documents/<kind>/<account_id>/?start=&end=&fmt=html|pdf|xlsx&lang=
    the page (fmt=html, inside the site's layout) or the file to download. Scoped: an account
    outside the user's scope is 404, exactly like one that does not exist.
/receivables/aging/?as_of=&currency=account|reporting&unit=<org unit id>
    buckets by account, rolled up the org tree.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from salesops.core.errors import DomainError, NotFound
from salesops.masterdata.selectors import account_get

from .. import aging
from . import DOCUMENT_KINDS, FORMATS, LANGUAGES, document_data, document_render
from .html import html_context
from .layout import layout


def _date(value: str | None, default: dt.date) -> dt.date:
    if not value:
        return default
    try:
        d = dt.date.fromisoformat(value)
    except ValueError:
        d = None
    if d is None or not 2000 <= d.year <= 2099:
        raise SuspiciousOperation(f"'{value}' is not a date between 2000-01-01 and 2099-12-31")
    return d


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The month so far."""
    return today.replace(day=1), today


KIND_TITLES = {
    "statement": lambda: _("Account statement"),
    "payment_sheet": lambda: _("Payment sheet"),
    "order_board": lambda: _("Order board"),
}


@login_required
def document(request, kind: str, account_id: int):
    if kind not in DOCUMENT_KINDS:
        raise Http404("no such document")
    try:
        account = account_get(user=request.user, account_id=account_id)
    except NotFound:
        raise Http404("no such account") from None
    start_default, end_default = default_period(timezone.localdate())
    end = _date(request.GET.get("end"), end_default)
    start = _date(request.GET.get("start"), min(start_default, end.replace(day=1)))
    if start > end:
        start = end.replace(day=1)
    fmt = request.GET.get("fmt") or "html"
    if fmt not in FORMATS:
        raise Http404("no such format")
    lang = (request.GET.get("lang") or translation.get_language() or "en").lower()
    if lang not in LANGUAGES:
        lang = "en"
    if fmt != "html":
        try:
            out = document_render(
                kind=kind,
                account=account,
                start=start,
                end=end,
                fmt=fmt,
                lang=lang,
                user=request.user,
            )
        except NotFound:
            raise Http404("no such account") from None
        response = HttpResponse(out.content, content_type=out.content_type)
        response["Content-Disposition"] = f'attachment; filename="{out.filename}"'
        return response
    try:
        doc = document_data(kind=kind, account=account, start=start, end=end, user=request.user)
    except NotFound:
        raise Http404("no such account") from None
    except DomainError:
        raise Http404("bad period") from None
    with translation.override(lang):
        ctx = html_context(layout(doc))
    base = {"start": start.isoformat(), "end": end.isoformat(), "lang": lang}
    downloads = [
        (label, "?" + urlencode({**base, "fmt": f}))
        for label, f in (("PDF", "pdf"), ("Excel (XLSX)", "xlsx"))
    ]
    others = [(KIND_TITLES[k](), k) for k in DOCUMENT_KINDS if k != kind]
    return render(
        request,
        "receivables/documents/page.html",
        {
            **ctx,
            "account": account,
            "kind": kind,
            "start": start,
            "end": end,
            "lang": lang,
            "downloads": downloads,
            "others": others,
            "query": urlencode(base),
            "doc_languages": [("en", "English"), ("zh-hans", "简体中文")],
        },
    )


@login_required
def aging_page(request):
    today = timezone.localdate()
    as_of = _date(request.GET.get("as_of"), today)
    show = request.GET.get("currency") or "account"
    if show not in ("account", "reporting"):
        show = "account"
    unit = request.GET.get("unit") or ""
    report = aging.aging_report(user=request.user, as_of=as_of)
    ctx = aging.aging_page_context(report, show=show, unit=unit)
    return render(
        request,
        "receivables/documents/aging.html",
        {**ctx, "as_of": as_of, "show": show, "unit": unit},
    )
