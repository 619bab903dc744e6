"""The receivables desk: receipts to book (with the 24-hour clock), book and allocate,
invoices, payments, the order board, credit notes, approvals, the booking report, and the
receivables panel of the account 360 page.

Views are thin: scoped selectors to read, services (or booking.payment_book_allocate) to
write. Records outside the user's scope are 404. Errors a user can fix come back as
messages in their language (ERROR_TEXT), never as a stack trace.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from salesops.core.audit import audit_history
from salesops.core.errors import DomainError, NotFound
from salesops.core.formatting import money_text
from salesops.core.models import Role
from salesops.core.money import Money, UnknownCurrency, decimal_parse
from salesops.core.scoping import scope_for
from salesops.masterdata import selectors as md_selectors

from . import booking, errors, selectors, services
from .models import CreditNote, Invoice, Payment, SalesOrder, WriteOff

PAGE_SIZE = 50
STAFF = (Role.ADMIN, Role.COORDINATOR, Role.FINANCE)
APPROVERS = (Role.ADMIN, Role.FINANCE)

# What the user reads when a rule refuses their request, by error code.
ERROR_TEXT = {
    "SELF_APPROVAL": gettext_lazy(
        "You asked for this yourself, so someone else in finance has to approve or reject it "
        "(four eyes)."
    ),
    "NOT_PENDING": gettext_lazy("This has already been decided; reload the page to see how."),
    "REASON_REQUIRED": gettext_lazy("Please give a reason."),
    "AMOUNT_INVALID": gettext_lazy(
        "Enter an amount above zero, with no more decimals than the currency has."
    ),
    "ALLOCATION_EXCEEDS_OPEN_AMOUNT": gettext_lazy(
        "That is more than is still open on the invoice."
    ),
    "ALLOCATION_EXCEEDS_PAYMENT": gettext_lazy(
        "The amounts add up to more than the receipt has left."
    ),
    "CREDIT_EXCEEDS_OPEN_AMOUNT": gettext_lazy("That is more than the credit note has left."),
    "PAYMENT_ALREADY_BOOKED": gettext_lazy("This receipt has already been booked."),
    "PAYMENT_NOT_BOOKED": gettext_lazy("Book the receipt first."),
    "CURRENCY_MISMATCH": gettext_lazy("The receipt and the invoice are in different currencies."),
    "ACCOUNT_MISMATCH": gettext_lazy("The receipt and the invoice belong to different accounts."),
    "FX_RATE_MISSING": gettext_lazy(
        "There is no exchange rate for this currency on that date; add one under FX rates first."
    ),
    "SHIPMENT_EXCEEDS_ORDER": gettext_lazy("That is more than is left to ship on the line."),
    "WRITE_OFF_ABOVE_TOLERANCE": gettext_lazy(
        "That is above the write-off tolerance; raise a credit note instead."
    ),
    "PERMISSION_DENIED": gettext_lazy("Your role may not do this."),
    "REFUND_EXCEEDS_AVAILABLE": gettext_lazy("That is more than is available to refund."),
}


ACTION_TEXT = {
    "invoice.post": gettext_lazy("Invoice posted"),
    "invoice.reverse": gettext_lazy("Invoice reversed"),
}


def error_text(exc: DomainError) -> str:
    return str(ERROR_TEXT.get(exc.code, exc.message))


def _role(user) -> str:
    return Role.ADMIN if user.is_superuser else user.role


def _require(user, roles) -> None:
    if _role(user) not in roles:
        raise DjangoPermissionDenied


def _internal(user) -> None:
    if not scope_for(user).is_internal:
        raise DjangoPermissionDenied


def _int(value) -> int | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if 0 < n < 2**62 else None


def _amount(value) -> Decimal | None:
    """A typed amount ('1,234.50', '1 234,50'), or None when it is not a number."""
    try:
        return decimal_parse(value or "")
    except (ValueError, TypeError):
        return None


def _plain(amount: Decimal, currency: str) -> str:
    """An amount for an input field: the currency's decimals, no grouping."""
    try:
        return str(Money(amount, currency).rounded().amount)
    except UnknownCurrency:
        return str(amount)


def _get(fn, **kw):
    try:
        return fn(**kw)
    except NotFound:
        raise Http404 from None


def _paged(request, qs):
    """Offset pages of PAGE_SIZE (the desk's lists are filtered; deep paging is rare)."""
    page = max(1, min(_int(request.GET.get("page")) or 1, 2000))
    rows = list(qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    params = request.GET.copy()
    nav = {"page": page, "next": None, "prev": None}
    if len(rows) > PAGE_SIZE:
        params["page"] = page + 1
        nav["next"] = params.urlencode()
    if page > 1:
        params["page"] = page - 1
        nav["prev"] = params.urlencode()
    return rows[:PAGE_SIZE], nav


@login_required
def home(request):
    if _role(request.user) in APPROVERS and _role(request.user) != Role.ADMIN:
        return redirect("receivables:approvals")
    if _role(request.user) in STAFF:
        return redirect("receivables:receipts")
    return redirect("receivables:invoice_list")


# ---------------------------------------------------------------- receipts to book


def _receipt_rows(user, now=None):
    now = now or timezone.now()
    rows = list(selectors.receipts_unbooked(user=user).select_related("account")[:500])
    for p in rows:
        p.left = booking.time_left(p, now=now)
        p.deadline = booking.deadline(p)
    return rows


@login_required
def receipts(request):
    _require(request.user, STAFF)
    context = {
        "rows": _receipt_rows(request.user),
        "methods": Payment.Method.choices,
        "warn_hours": _settings().BOOKING_WARN_HOURS,
        "limit_hours": _settings().BOOKING_LIMIT_HOURS,
        "today": timezone.localdate(),
        "form": {},
    }
    if request.htmx and request.GET.get("fragment") == "rows":
        return render(request, "receivables/_receipt_rows.html", context)
    return render(request, "receivables/receipts.html", context)


def _settings():
    from django.conf import settings

    return settings


@login_required
@require_POST
def receipt_create(request):
    _require(request.user, STAFF)
    p = request.POST
    form = {
        k: p.get(k, "").strip()
        for k in ("amount", "currency", "payer_name", "reference", "method", "value_date")
    }
    amount = _amount(form["amount"])
    value_date = None
    if form["value_date"]:
        try:
            value_date = dt.date.fromisoformat(form["value_date"])
        except ValueError:
            value_date = None
    try:
        if amount is None:
            raise errors.AmountInvalid("amount", detail={"field": "amount"})
        payment = services.payment_receive(
            amount=amount,
            currency=(form["currency"] or "CNY").upper()[:3],
            value_date=value_date,
            reference=form["reference"][:140],
            payer_name=form["payer_name"][:140],
            method=form["method"] if form["method"] in Payment.Method.values else "transfer",
            by=request.user,
        )
    except DomainError as exc:
        messages.error(request, error_text(exc))
        context = {
            "rows": _receipt_rows(request.user),
            "methods": Payment.Method.choices,
            "warn_hours": _settings().BOOKING_WARN_HOURS,
            "limit_hours": _settings().BOOKING_LIMIT_HOURS,
            "today": timezone.localdate(),
            "form": form,
        }
        return render(request, "receivables/receipts.html", context, status=400)
    messages.success(
        request,
        _("Receipt %(number)s recorded. Book it to an account now or within 24 hours.")
        % {"number": payment.number},
    )
    return redirect("receivables:receipt_book", payment.pk)


@login_required
def account_search(request):
    """The account picker: accounts by name prefix, number or tax id (the account list's
    search), as links that continue the booking with that account."""
    _require(request.user, STAFF)
    payment = _get(
        selectors.payment_get, user=request.user, payment_id=_int(request.GET.get("payment")) or 0
    )
    q = request.GET.get("q", "").strip()[:100]
    rows = []
    if q:
        rows, _more = md_selectors.account_page(
            user=request.user, filters=md_selectors.AccountFilters(q=q), limit=10
        )
    return render(
        request,
        "receivables/_account_picker_results.html",
        {"accounts": rows, "payment": payment, "q": q},
    )


def _open_items_for(user, account, payment):
    items = list(selectors.open_items(user=user, account_id=account.pk))
    same = [i for i in items if i.currency == payment.currency]
    return same, len(items) - len(same)


@login_required
def receipt_book(request, payment_id: int):
    """Book a receipt to an account and allocate it, in one step. GET ?account= shows that
    account's open items (oldest due first); ?suggest=oldest fills in the amounts."""
    _require(request.user, STAFF)
    payment = _get(selectors.payment_get, user=request.user, payment_id=payment_id)
    account = payment.account
    account_id = _int(request.POST.get("account") or request.GET.get("account"))
    if account_id and payment.status == Payment.Status.RECEIVED:
        account = _get(md_selectors.account_get, user=request.user, account_id=account_id)
    items, other_currency = ([], 0)
    if account is not None:
        items, other_currency = _open_items_for(request.user, account, payment)
    amounts: dict[int, str] = {}
    if request.method == "POST":
        allocations, total, bad = [], Decimal(0), False
        by_id = {i.pk: i for i in items}
        for inv_id, inv in by_id.items():
            raw = request.POST.get(f"alloc_{inv_id}", "").strip()
            amounts[inv_id] = raw
            if not raw:
                continue
            value = _amount(raw)
            if value is None or value < 0:
                bad = True
                continue
            if value > 0:
                allocations.append((inv, value))
                total += value
        if bad:
            messages.error(request, ERROR_TEXT["AMOUNT_INVALID"])
        elif account is None:
            messages.error(request, _("Choose the account this money came from."))
        else:
            try:
                payment = booking.payment_book_allocate(
                    payment=payment, account=account, allocations=allocations, by=request.user
                )
            except DomainError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _booked_message(payment, total))
                return redirect("receivables:payment_detail", payment.pk)
    elif request.GET.get("suggest") == "oldest" and account is not None:
        suggested = booking.suggest_oldest_first(payment.unallocated_amount, items)
        amounts = {k: _plain(v, payment.currency) for k, v in suggested.items()}
    for inv in items:
        inv.entered = amounts.get(inv.pk, "")
    context = {
        "payment": payment,
        "left": booking.time_left(payment) if payment.status == Payment.Status.RECEIVED else None,
        "account": account,
        "items": items,
        "other_currency": other_currency,
        "q": payment.payer_name[:40] if account is None else "",
        "today": timezone.localdate(),
    }
    return render(
        request,
        "receivables/receipt_book.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


def _booked_message(payment: Payment, allocated: Decimal) -> str:
    values = {
        "number": payment.number,
        "account": payment.account.name,
        "allocated": f"{allocated} {payment.currency}",
        "left": money_text(payment.unallocated_amount, payment.currency),
    }
    if payment.unallocated_amount:
        return (
            _(
                "%(number)s is booked to %(account)s: %(allocated)s allocated, %(left)s stays "
                "on account."
            )
            % values
        )
    return _("%(number)s is booked to %(account)s and fully allocated.") % values


# ---------------------------------------------------------------- invoices and payments


@login_required
def invoice_list(request):
    _internal(request.user)
    g = request.GET
    status = g.get("status", "") if g.get("status") in Invoice.Status.values else ""
    overdue = g.get("overdue") == "1"
    account_id = _int(g.get("account"))
    account = None
    if account_id:
        account = _get(md_selectors.account_get, user=request.user, account_id=account_id)
    qs = selectors.invoice_list(
        user=request.user,
        account_id=account_id,
        status=status,
        overdue_on=timezone.localdate() if overdue else None,
    )
    rows, nav = _paged(request, qs)
    return render(
        request,
        "receivables/invoice_list.html",
        {
            "rows": rows,
            "nav": nav,
            "status": status,
            "overdue": overdue,
            "account": account,
            "statuses": Invoice.Status.choices,
            "today": timezone.localdate(),
            "is_staff": _role(request.user) in STAFF,
        },
    )


@login_required
def invoice_detail(request, invoice_id: int):
    _internal(request.user)
    invoice = _get(selectors.invoice_get, user=request.user, invoice_id=invoice_id)
    history = []
    if _role(request.user) in STAFF:
        for e in audit_history(obj=invoice, limit=50):
            actor = e.actor
            who = "—"
            if actor is not None:
                person = getattr(actor, "person", None)
                who = actor.get_full_name() or (person.name if person else "") or actor.username
            history.append(
                {
                    "at": e.at,
                    "who": who,
                    "what": ACTION_TEXT.get(e.action, e.action),
                    "why": e.reason,
                }
            )
    return render(
        request,
        "receivables/invoice_detail.html",
        {
            "invoice": invoice,
            "allocations": invoice.allocations.select_related("payment").order_by("id"),
            "applications": invoice.credit_applications.select_related("credit_note"),
            "credit_notes": invoice.credit_notes.all(),
            "write_offs": invoice.write_offs.select_related("requested_by", "decided_by"),
            "history": history,
            "is_staff": _role(request.user) in STAFF,
            "today": timezone.localdate(),
            **_invoice_acts(request.user, invoice),
        },
    )


def _reporting_amount(amount: Decimal, rate: Decimal) -> Decimal:
    return Money(amount * rate, _settings().REPORTING_CURRENCY).rounded().amount


def _invoice_acts(user, invoice: Invoice) -> dict:
    """What staff can do on an open invoice besides a credit note: write off a small
    difference (within WRITE_OFF_TOLERANCE, reporting currency) and apply the account's
    approved credit on account in the invoice's currency."""
    if _role(user) not in STAFF or invoice.status != Invoice.Status.OPEN:
        return {"write_off_offer": None, "credits_available": []}
    offer = None
    open_amount = invoice.open_amount
    if (
        open_amount > 0
        and _reporting_amount(open_amount, invoice.fx_rate)
        <= Decimal(_settings().WRITE_OFF_TOLERANCE)
        and not invoice.write_offs.filter(status=WriteOff.Status.PENDING).exists()
    ):
        offer = {
            "amount": _plain(open_amount, invoice.currency),
            "tolerance": _settings().WRITE_OFF_TOLERANCE,
            "reporting_currency": _settings().REPORTING_CURRENCY,
        }
    credits = []
    if open_amount > 0:
        credits = list(
            selectors.credit_note_list(
                user=user, account_id=invoice.account_id, status=CreditNote.Status.APPROVED
            ).filter(currency=invoice.currency, open_amount__gt=0)[:50]
        )
        for note in credits:
            note.prefill = _plain(min(note.open_amount, open_amount), invoice.currency)
    return {"write_off_offer": offer, "credits_available": credits}


def _form_reason(request) -> str:
    return request.POST.get("reason", "").strip()[:500]


@login_required
@require_POST
def invoice_write_off(request, invoice_id: int):
    """Ask to write off the small difference left on an invoice; finance approves it."""
    _require(request.user, STAFF)
    invoice = _get(selectors.invoice_get, user=request.user, invoice_id=invoice_id)
    amount = _amount(request.POST.get("amount"))
    try:
        if amount is None:
            raise errors.AmountInvalid("amount")
        write_off = services.write_off_request(
            invoice=invoice, amount=amount, reason=_form_reason(request), by=request.user
        )
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request,
            _("Write-off %(number)s is waiting for finance to approve it.")
            % {"number": write_off.number},
        )
    return redirect("receivables:invoice_detail", invoice.pk)


@login_required
@require_POST
def credit_note_apply(request, credit_note_id: int):
    """Apply (part of) an approved credit note to one of the account's open invoices. Comes
    from the invoice page (back=invoice) or the credit note's page."""
    _require(request.user, STAFF)
    note = _get(selectors.credit_note_get, user=request.user, credit_note_id=credit_note_id)
    invoice = _get(
        selectors.invoice_get, user=request.user, invoice_id=_int(request.POST.get("invoice")) or 0
    )
    amount = _amount(request.POST.get("amount"))
    try:
        if amount is None:
            raise errors.AmountInvalid("amount")
        services.credit_note_apply(
            credit_note=note, invoice=invoice, amount=amount, by=request.user
        )
    except DomainError as exc:
        messages.error(request, f"{note.number}: {error_text(exc)}")
    else:
        messages.success(
            request,
            _("%(amount)s of %(credit_note)s applied to %(invoice)s.")
            % {
                "amount": money_text(amount, note.currency),
                "credit_note": note.number,
                "invoice": invoice.number,
            },
        )
    if request.POST.get("back") == "invoice":
        return redirect("receivables:invoice_detail", invoice.pk)
    return redirect("receivables:credit_note_detail", note.pk)


def _refund(request, *, payment=None, credit_note=None) -> None:
    amount = _amount(request.POST.get("amount"))
    try:
        if amount is None:
            raise errors.AmountInvalid("amount")
        refund = services.refund_request(
            payment=payment,
            credit_note=credit_note,
            amount=amount,
            reason=_form_reason(request),
            by=request.user,
        )
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request,
            _("Refund %(number)s is waiting for finance to approve it.")
            % {"number": refund.number},
        )


@login_required
def payment_list(request):
    _internal(request.user)
    g = request.GET
    status = g.get("status", "") if g.get("status") in Payment.Status.values else ""
    account_id = _int(g.get("account"))
    qs = selectors.payment_list(user=request.user, account_id=account_id, status=status)
    rows, nav = _paged(request, qs)
    return render(
        request,
        "receivables/payment_list.html",
        {"rows": rows, "nav": nav, "status": status, "statuses": Payment.Status.choices},
    )


@login_required
def payment_detail(request, payment_id: int):
    _internal(request.user)
    payment = _get(selectors.payment_get, user=request.user, payment_id=payment_id)
    return render(
        request,
        "receivables/payment_detail.html",
        {
            "payment": payment,
            "allocations": payment.allocations.select_related("invoice").order_by("id"),
            "left": booking.time_left(payment)
            if payment.status == Payment.Status.RECEIVED
            else None,
            "is_staff": _role(request.user) in STAFF,
            "refunds": payment.refunds.order_by("-created_at", "-id")[:50],
            "refund_amount": _plain(payment.unallocated_amount, payment.currency),
        },
    )


@login_required
@require_POST
def payment_refund(request, payment_id: int):
    """Ask finance to pay back what is left on account of a booked receipt."""
    _require(request.user, STAFF)
    payment = _get(selectors.payment_get, user=request.user, payment_id=payment_id)
    _refund(request, payment=payment)
    return redirect("receivables:payment_detail", payment.pk)


# ---------------------------------------------------------------- orders


@login_required
def order_list(request):
    _internal(request.user)
    g = request.GET
    status = g.get("status", "") if g.get("status") in SalesOrder.Status.values else ""
    open_only = g.get("open", "1" if "status" not in g else "") == "1"
    qs = selectors.order_list(
        user=request.user, account_id=_int(g.get("account")), open_only=open_only
    )
    if status:
        qs = qs.filter(status=status)
    rows, nav = _paged(request, qs.prefetch_related("lines"))
    for o in rows:
        o.backlog = sum((ln.backlog_value for ln in o.lines.all()), Decimal(0))
    return render(
        request,
        "receivables/order_list.html",
        {
            "rows": rows,
            "nav": nav,
            "status": status,
            "open_only": open_only,
            "statuses": SalesOrder.Status.choices,
        },
    )


@login_required
def order_detail(request, order_id: int):
    _internal(request.user)
    order = _get(selectors.order_get, user=request.user, order_id=order_id)
    if request.method == "POST":
        _require(request.user, STAFF)
        shipments = []
        for line in order.lines.all():
            raw = request.POST.get(f"ship_{line.pk}", "").strip()
            if raw:
                qty = _amount(raw)
                if qty is None:
                    messages.error(request, ERROR_TEXT["AMOUNT_INVALID"])
                    return redirect("receivables:order_detail", order.pk)
                shipments.append((line, qty))
        try:
            with transaction.atomic():
                for line, qty in shipments:
                    services.sales_order_line_ship(line=line, quantity=qty, by=request.user)
        except DomainError as exc:
            messages.error(request, error_text(exc))
        else:
            if shipments:
                messages.success(request, _("Shipment recorded."))
        return redirect("receivables:order_detail", order.pk)
    lines = list(order.lines.select_related("product"))
    return render(
        request,
        "receivables/order_detail.html",
        {
            "order": order,
            "lines": lines,
            "backlog": sum((ln.backlog_value for ln in lines), Decimal(0)),
            "invoices": selectors.invoice_list(user=request.user).filter(order=order)[:100],
            "is_staff": _role(request.user) in STAFF,
        },
    )


# ---------------------------------------------------------------- credit notes


@login_required
def credit_note_list(request):
    _internal(request.user)
    g = request.GET
    status = g.get("status", "") if g.get("status") in CreditNote.Status.values else ""
    qs = selectors.credit_note_list(
        user=request.user, account_id=_int(g.get("account")), status=status
    ).select_related("requested_by")
    rows, nav = _paged(request, qs)
    return render(
        request,
        "receivables/credit_note_list.html",
        {
            "rows": rows,
            "nav": nav,
            "status": status,
            "statuses": CreditNote.Status.choices,
            "is_staff": _role(request.user) in STAFF,
        },
    )


@login_required
def credit_note_new(request):
    """Request a credit note against an invoice (?invoice=) or on account (?account=)."""
    _require(request.user, STAFF)
    src = request.POST if request.method == "POST" else request.GET
    invoice = account = None
    if _int(src.get("invoice")):
        invoice = _get(
            selectors.invoice_get, user=request.user, invoice_id=_int(src.get("invoice"))
        )
        account = invoice.account
    elif _int(src.get("account")):
        account = _get(
            md_selectors.account_get, user=request.user, account_id=_int(src.get("account"))
        )
    form = {k: src.get(k, "").strip() for k in ("amount", "reason", "memo", "currency")}
    if request.method == "POST" and account is not None:
        amount = _amount(form["amount"])
        try:
            if amount is None:
                raise errors.AmountInvalid("amount")
            if form["reason"] not in CreditNote.Reason.values:
                raise errors.ReasonRequired("reason")
            note = services.credit_note_request(
                account=account,
                amount=amount,
                currency=invoice.currency if invoice else (form["currency"] or account.currency),
                reason=form["reason"],
                invoice=invoice,
                memo=form["memo"][:500],
                by=request.user,
            )
        except DomainError as exc:
            messages.error(request, error_text(exc))
        else:
            if note.status == CreditNote.Status.PENDING:
                text = _("Credit note %(number)s is waiting for finance to approve it.")
            else:
                text = _(
                    "Credit note %(number)s is approved and posted (within the approval limit)."
                )
            messages.success(request, text % {"number": note.number})
            if invoice is not None:
                return redirect("receivables:invoice_detail", invoice.pk)
            return redirect("receivables:credit_note_list")
    return render(
        request,
        "receivables/credit_note_form.html",
        {
            "invoice": invoice,
            "account": account,
            "form": form,
            "reasons": CreditNote.Reason.choices,
            "threshold": _settings().CREDIT_NOTE_APPROVAL_ABOVE,
            "reporting_currency": _settings().REPORTING_CURRENCY,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def credit_note_detail(request, credit_note_id: int):
    """A credit note: what it was for, where it has been applied, its refunds; staff apply
    what is left to an open invoice of the account or ask for it to be refunded."""
    _internal(request.user)
    note = _get(selectors.credit_note_get, user=request.user, credit_note_id=credit_note_id)
    is_staff = _role(request.user) in STAFF
    invoices = []
    if is_staff and note.status == CreditNote.Status.APPROVED and note.open_amount > 0:
        invoices = list(
            selectors.open_items(user=request.user, account_id=note.account_id).filter(
                currency=note.currency, open_amount__gt=0
            )[:50]
        )
        for inv in invoices:
            inv.prefill = _plain(min(note.open_amount, inv.open_amount), note.currency)
    return render(
        request,
        "receivables/credit_note_detail.html",
        {
            "note": note,
            "applications": note.applications.select_related("invoice").order_by("id"),
            "refunds": note.refunds.order_by("-created_at", "-id")[:50],
            "invoices": invoices,
            "refund_amount": _plain(note.open_amount, note.currency),
            "is_staff": is_staff,
        },
    )


@login_required
@require_POST
def credit_note_refund(request, credit_note_id: int):
    """Ask finance to pay out what is left of an approved credit note."""
    _require(request.user, STAFF)
    note = _get(selectors.credit_note_get, user=request.user, credit_note_id=credit_note_id)
    _refund(request, credit_note=note)
    return redirect("receivables:credit_note_detail", note.pk)


# ---------------------------------------------------------------- approvals

DECISIONS = {
    "credit_note": (
        selectors.credit_note_get,
        "credit_note_id",
        services.credit_note_approve,
        services.credit_note_reject,
        "credit_note",
    ),
    "refund": (
        selectors.refund_get,
        "refund_id",
        services.refund_approve,
        services.refund_reject,
        "refund",
    ),
    "write_off": (
        selectors.write_off_get,
        "write_off_id",
        services.write_off_approve,
        services.write_off_reject,
        "write_off",
    ),
}


@login_required
def approvals(request):
    _require(request.user, APPROVERS)
    pending = selectors.approvals_pending(user=request.user)
    return render(
        request,
        "receivables/approvals.html",
        {
            "credit_notes": pending["credit_notes"][:200],
            "refunds": pending["refunds"][:200],
            "write_offs": pending["write_offs"][:200],
        },
    )


@login_required
@require_POST
def decide(request, kind: str, pk: int):
    _require(request.user, APPROVERS)
    if kind not in DECISIONS:
        raise Http404
    getter, id_name, approve, reject, arg = DECISIONS[kind]
    obj = _get(getter, user=request.user, **{id_name: pk})
    action = request.POST.get("action")
    note = request.POST.get("reason", "").strip()[:500]
    try:
        if action == "approve":
            approve(**{arg: obj}, note=note, by=request.user)
            messages.success(request, _("%(number)s approved.") % {"number": obj.number})
        elif action == "reject":
            if not note:
                raise errors.ReasonRequired("reason")
            reject(**{arg: obj}, reason=note, by=request.user)
            messages.success(request, _("%(number)s rejected.") % {"number": obj.number})
    except DomainError as exc:
        messages.error(request, f"{obj.number}: {error_text(exc)}")
    return redirect(reverse("receivables:approvals"))


# ---------------------------------------------------------------- booking report


@login_required
def booking_report(request):
    _require(request.user, STAFF)
    today = timezone.localdate()

    def _d(name, default):
        try:
            value = dt.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return default
        return value if dt.date(2000, 1, 1) <= value <= dt.date(2099, 12, 31) else default

    end = _d("end", today)
    start = _d("start", end - dt.timedelta(weeks=12))
    report = booking.booking_report(user=request.user, start=start, end=end)
    return render(request, "receivables/booking_report.html", {"report": report})


# ---------------------------------------------------------------- account 360 panel


@login_required
def account_panel(request, account_id: int):
    """The receivables part of the account 360 page, loaded by htmx from masterdata's page:
    balance per currency, open items, recent payments, open orders."""
    account = _get(md_selectors.account_get, user=request.user, account_id=account_id)
    user = request.user
    open_qs = selectors.open_items(user=user, account_id=account.pk)
    context = {
        "account": account,
        "balances": selectors.account_balance(user=user, account_id=account.pk),
        "open_items": list(open_qs[:20]),
        "open_more": open_qs[20:21].exists(),
        "payments": list(selectors.payment_list(user=user, account_id=account.pk)[:10]),
        "orders": list(selectors.order_list(user=user, account_id=account.pk, open_only=True)[:10]),
        "today": timezone.localdate(),
        "is_internal": scope_for(user).is_internal,
        "invoices_url": reverse("receivables:invoice_list")
        + "?"
        + urlencode({"account": account.pk}),
    }
    return render(request, "receivables/_account_panel.html", context)
