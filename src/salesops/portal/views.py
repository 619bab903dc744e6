"""Partner portal pages. Every read goes through the receivables selectors with the partner's
own user (`user=request.user`), so the partner sees only its own account; any other id is
"not found" (404), exactly like an id that does not exist. Staff and reps get 404 on /portal/
(the portal is the partner's view; they have the desk and the inbox)."""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from salesops.core.errors import DomainError, NotFound
from salesops.core.models import Role
from salesops.core.scoping import scope_for
from salesops.masterdata.models import Account
from salesops.receivables import queries, selectors
from salesops.receivables.models import (
    Allocation,
    Invoice,
    LedgerEntry,
    Query,
)

from .templatetags.portal_tags import money

LIMIT = 500
DOWNLOADS = ("statement", "payment_sheet", "order_board")


def partner_page(view):
    """Partners only (404 for everyone else); the view gets the partner's own account."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if user.is_superuser or user.role != Role.PARTNER:
            raise Http404
        scope = scope_for(user)
        if scope.kind != "account":
            return render(request, "portal/not_linked.html", status=200)
        account = Account.objects.get(pk=scope.account_id)
        try:
            return view(request, account, *args, **kwargs)
        except NotFound:
            raise Http404 from None

    return wrapped


def _render(request, template, account, section, **context):
    return render(
        request,
        template,
        {"account": account, "section": section, "today": timezone.localdate(), **context},
    )


def _totals(rows, field="open_amount") -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        out[r.currency] += getattr(r, field)
    return dict(sorted(out.items()))


@partner_page
def home(request, account):
    user = request.user
    today = timezone.localdate()
    open_items = list(selectors.open_items(user=user, account_id=account.pk)[:LIMIT])
    overdue = [i for i in open_items if i.due_date < today]
    lines = selectors.order_board_lines(user=user, account_id=account.pk)
    active = queries.query_list(user=user, status="active")
    answered = queries.query_list(user=user, status=Query.Status.ANSWERED)
    return _render(
        request,
        "portal/home.html",
        account,
        "home",
        balances=selectors.account_balance(user=user, account_id=account.pk),
        open_count=len(open_items),
        overdue_count=len(overdue),
        overdue_totals=_totals(overdue),
        next_due=next((i for i in open_items if i.due_date >= today), None),
        line_count=lines.count(),
        query_count=active.count(),
        answered=list(answered.order_by("-first_answered_at")[:5]),
        recent_payments=list(selectors.payment_list(user=user, account_id=account.pk)[:5]),
    )


@partner_page
def orders(request, account):
    lines = list(selectors.order_board_lines(user=request.user, account_id=account.pk)[:LIMIT])
    today = timezone.localdate()
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        line.late = (line.promised_date or line.requested_date) < today
        totals[line.order.currency] += line.backlog_value
    return _render(
        request,
        "portal/orders.html",
        account,
        "orders",
        lines=lines,
        totals=dict(sorted(totals.items())),
        truncated=len(lines) == LIMIT,
    )


@partner_page
def invoices(request, account):
    user = request.user
    today = timezone.localdate()
    rows = list(selectors.open_items(user=user, account_id=account.pk)[:LIMIT])
    for inv in rows:
        inv.overdue_days = (today - inv.due_date).days if inv.due_date < today else 0
    return _render(
        request,
        "portal/invoices.html",
        account,
        "invoices",
        invoices=rows,
        open_totals=_totals(rows),
        overdue_totals=_totals([i for i in rows if i.overdue_days]),
        balances=selectors.account_balance(user=user, account_id=account.pk),
        truncated=len(rows) == LIMIT,
    )


@partner_page
def invoice_detail(request, account, invoice_id: int):
    invoice = selectors.invoice_get(user=request.user, invoice_id=invoice_id)
    allocations = invoice.allocations.select_related("payment").order_by("applied_on", "id")
    credits = invoice.credit_applications.select_related("credit_note").order_by("applied_on", "id")
    return _render(
        request,
        "portal/invoice_detail.html",
        account,
        "invoices",
        invoice=invoice,
        allocations=allocations,
        credits=credits,
        overdue=invoice.status == Invoice.Status.OPEN and invoice.due_date < timezone.localdate(),
        queries=queries.query_list(user=request.user).filter(invoice_id=invoice.pk),
    )


def _month(value: str | None) -> tuple[dt.date, dt.date] | None:
    try:
        year, month = (int(x) for x in (value or "").split("-"))
        start = dt.date(year, month, 1)
    except (TypeError, ValueError):
        return None
    return start, dt.date(year, month, calendar.monthrange(year, month)[1])


def _last_months(n: int = 12) -> list[dt.date]:
    d = timezone.localdate().replace(day=1)
    out = []
    for _i in range(n):
        out.append(d)
        d = (d - dt.timedelta(days=1)).replace(day=1)
    return out


@partner_page
def payments(request, account):
    user = request.user
    months = _last_months(24)
    period = _month(request.GET.get("month"))
    qs = selectors.payment_list(user=user, account_id=account.pk).prefetch_related(
        Prefetch(
            "allocations",
            queryset=Allocation.objects.select_related("invoice").order_by("id"),
        )
    )
    if period:
        qs = qs.filter(value_date__gte=period[0], value_date__lte=period[1])
    rows = list(qs[:LIMIT])
    return _render(
        request,
        "portal/payments.html",
        account,
        "payments",
        payments=rows,
        totals=_totals(rows, "amount"),
        months=months,
        period=period,
        month_value=period[0].strftime("%Y-%m") if period else "",
        truncated=len(rows) == LIMIT,
    )


def _document_render():
    """The receivables documents renderer (statement, payment sheet, order board)."""
    try:
        from salesops.receivables.documents import document_render
    except ImportError:  # pragma: no cover - the documents package is part of receivables
        return None
    return document_render


@partner_page
def statements(request, account):
    user = request.user
    months = _last_months(24)
    period = _month(request.GET.get("month")) or _month(months[0].strftime("%Y-%m"))
    start, end = period
    entries = list(
        selectors.ledger_entries(user=user, account_id=account.pk, start=start, end=end)[:2000]
    )
    opening = selectors.account_balance(
        user=user, account_id=account.pk, on=start - dt.timedelta(days=1)
    )
    closing = selectors.account_balance(user=user, account_id=account.pk, on=end)
    currencies = sorted(set(opening) | set(closing))
    by_currency = []
    for cur in currencies:
        running = opening.get(cur, Decimal(0))
        rows = []
        for e in entries:
            if e.currency != cur:
                continue
            running += e.amount
            rows.append({"entry": e, "balance": running})
        by_currency.append(
            {
                "currency": cur,
                "opening": opening.get(cur, Decimal(0)),
                "closing": closing.get(cur, Decimal(0)),
                "rows": rows,
            }
        )
    return _render(
        request,
        "portal/statements.html",
        account,
        "statements",
        months=months,
        start=start,
        end=end,
        month_value=start.strftime("%Y-%m"),
        statement=by_currency,
        entry_kinds=LedgerEntry.Kind,
    )


@partner_page
def document_download(request, account, kind: str):
    """The partner's own statement or payment sheet for a month (?month=YYYY-MM), or the
    order board as of today, as PDF or XLSX in the page's language. No account id is taken:
    it is always the partner's own account."""
    render_document = _document_render()
    fmt = request.GET.get("fmt", "pdf")
    if render_document is None or kind not in DOWNLOADS or fmt not in ("pdf", "xlsx"):
        raise Http404
    if kind == "order_board":
        start, end = None, timezone.localdate()
    else:
        period = _month(request.GET.get("month"))
        if period is None:
            raise Http404
        start, end = period
    lang = "zh-hans" if (get_language() or "").lower().startswith("zh") else "en"
    doc = render_document(
        kind=kind, account=account, start=start, end=end, fmt=fmt, lang=lang, user=request.user
    )
    response = HttpResponse(doc.content, content_type=doc.content_type)
    response["Content-Disposition"] = f'attachment; filename="{doc.filename}"'
    return response


# ---------------------------------------------------------------- queries


@partner_page
def query_list(request, account):
    rows = list(queries.query_list(user=request.user, status="all")[:LIMIT])
    rows.sort(key=lambda q: (q.status == Query.Status.CLOSED, -q.pk))
    return _render(request, "portal/queries.html", account, "queries", queries=rows)


class PartnerQueryForm(forms.Form):
    category = forms.ChoiceField(
        label=gettext_lazy("What is it about?"), choices=Query.Category.choices
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=queries.SUBJECT_MAX)
    body = forms.CharField(
        label=gettext_lazy("Your question"), widget=forms.Textarea(attrs={"rows": 6})
    )
    invoice = forms.TypedChoiceField(
        label=gettext_lazy("Invoice"), required=False, coerce=int, empty_value=None
    )
    payment = forms.TypedChoiceField(
        label=gettext_lazy("Payment"), required=False, coerce=int, empty_value=None
    )
    credit_note = forms.TypedChoiceField(
        label=gettext_lazy("Credit note"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, user, account, linked=None, **kwargs):
        super().__init__(*args, **kwargs)
        none = [("", _("— none —"))]
        linked = linked or {}
        sources = {
            "invoice": (selectors.invoice_list, "issue_date"),
            "payment": (selectors.payment_list, "value_date"),
            "credit_note": (selectors.credit_note_list, "issue_date"),
        }
        for field, (select, date_field) in sources.items():
            rows = list(select(user=user, account_id=account.pk)[:300])
            doc = linked.get(field)  # linked from another page: offered even if older
            if doc is not None and doc not in rows:
                rows.insert(0, doc)
            self.fields[field].choices = none + [
                (
                    d.pk,
                    f"{d.number} · {getattr(d, date_field):%Y-%m-%d} · "
                    f"{money(d.amount, d.currency)}",
                )
                for d in rows
            ]


@partner_page
def query_new(request, account):
    user = request.user
    initial, linked = {}, {}
    getters = {
        "invoice": lambda pk: selectors.invoice_get(user=user, invoice_id=pk),
        "payment": lambda pk: selectors.payment_get(user=user, payment_id=pk),
        "credit_note": lambda pk: selectors.credit_note_get(user=user, credit_note_id=pk),
    }
    for field, get in getters.items():
        raw = request.GET.get(field)
        if raw:
            try:
                linked[field] = get(int(raw))  # someone else's id: NotFound -> 404
                initial[field] = linked[field].pk
            except ValueError:
                raise Http404 from None
    if "invoice" in initial and "category" not in initial:
        initial["category"] = Query.Category.PAYMENT
    if "credit_note" in initial:
        initial["category"] = Query.Category.CREDIT_NOTE
    if request.method == "POST":  # the documents chosen are offered even if older
        for field, get in getters.items():
            raw = request.POST.get(field)
            if raw and raw.isdigit():
                # not one of the partner's: not offered, so the form refuses the choice
                with contextlib.suppress(NotFound):
                    linked[field] = get(int(raw))
    form = PartnerQueryForm(
        request.POST or None, initial=initial, user=user, account=account, linked=linked
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            query = queries.query_raise(
                by=user,
                category=d["category"],
                subject=d["subject"],
                body=d["body"],
                invoice=d["invoice"],
                payment=d["payment"],
                credit_note=d["credit_note"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Thank you. Your query %(number)s has been sent; we answer by %(due)s.")
                % {
                    "number": query.number,
                    "due": timezone.localtime(query.due_at).strftime("%Y-%m-%d %H:%M"),
                },
            )
            return redirect("portal:query_detail", query_id=query.pk)
    return _render(request, "portal/query_new.html", account, "queries", form=form)


@partner_page
def query_detail(request, account, query_id: int):
    query = queries.query_get(user=request.user, query_id=query_id)
    if request.method == "POST":
        try:
            queries.query_reply(query=query, body=request.POST.get("body", ""), by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your message was sent to sales operations."))
        return redirect("portal:query_detail", query_id=query.pk)
    docs = []
    for label, doc in (
        (_("Invoice"), query.invoice),
        (_("Payment"), query.payment),
        (_("Credit note"), query.credit_note),
    ):
        if doc is not None:
            url = reverse("portal:invoice_detail", args=[doc.pk]) if doc == query.invoice else ""
            docs.append({"label": label, "doc": doc, "url": url})
    return _render(
        request,
        "portal/query_detail.html",
        account,
        "queries",
        query=query,
        thread=queries.query_messages(user=request.user, query=query),
        documents=docs,
    )
