"""The query inbox pages (/receivables/queries/): staff answer, note, assign and close; reps
raise queries about their accounts and follow their own. Partners use the portal instead
(these pages are "not found" for them). Thin: parse, call receivables.queries, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from salesops.core.errors import DomainError, NotFound
from salesops.core.models import User
from salesops.core.scoping import scope_for
from salesops.masterdata.selectors import account_queryset

from . import queries, selectors
from .models import Query, QueryMessage

LIST_LIMIT = 200


def _internal(view):
    """Internal users only: a partner (or a login linked to nothing) gets "not found"."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not scope_for(request.user).is_internal:
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _get(request, query_id: int) -> Query:
    try:
        return queries.query_get(user=request.user, query_id=query_id)
    except NotFound:
        raise Http404 from None


def _url(name: str, pk: int) -> str:
    """A link to a receivables page when that page exists (the desk's pages), else ""."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def linked_documents(query: Query, *, names: dict[str, str]) -> list[dict]:
    out = []
    for field, label in (
        ("invoice", _("Invoice")),
        ("payment", _("Payment")),
        ("credit_note", _("Credit note")),
    ):
        doc = getattr(query, field)
        if doc is not None:
            url = _url(names[field], doc.pk) if names.get(field) else ""
            out.append({"label": label, "number": doc.number, "url": url, "doc": doc})
    return out


DESK_URLS = {
    "invoice": "receivables:invoice_detail",
    "payment": "receivables:payment_detail",
    "credit_note": "receivables:credit_note_detail",
}


def with_clock(rows, now=None):
    now = now or timezone.now()
    for q in rows:
        q.is_overdue = queries.query_overdue(q, now=now)
        q.time_left = queries.query_time_left(q, now=now)
        q.clock_running = q.status == Query.Status.OPEN
    return rows


def _bool(value) -> bool:
    return value in ("1", "on", "true", "yes")


@_internal
def query_list(request):
    g = request.GET
    status = g.get("status", "active")
    filters = {
        "status": status if status in [*Query.Status.values, "active", "all"] else "active",
        "category": g.get("category", "") if g.get("category") in Query.Category.values else "",
        "mine": _bool(g.get("mine")),
        "overdue": _bool(g.get("overdue")),
    }
    qs = queries.query_list(
        user=request.user,
        status="" if filters["status"] == "all" else filters["status"],
        category=filters["category"],
        mine=filters["mine"],
        overdue=filters["overdue"],
    )
    rows = with_clock(list(qs[: LIST_LIMIT + 1]))
    context = {
        "rows": rows[:LIST_LIMIT],
        "truncated": len(rows) > LIST_LIMIT,
        "filters": filters,
        "statuses": Query.Status.choices,
        "categories": Query.Category.choices,
        "is_staff": queries.is_staff_user(request.user),
    }
    return render(request, "receivables/queries/list.html", context)


@_internal
def query_detail(request, query_id: int):
    query = _get(request, query_id)
    with_clock([query])
    staff = queries.is_staff_user(request.user)
    context = {
        "query": query,
        "thread": queries.query_messages(user=request.user, query=query),
        "documents": linked_documents(query, names=DESK_URLS),
        "is_staff": staff,
        "can_follow_up": not staff and query.raised_by_id == request.user.pk,
        "owners": queries.query_owner_choices() if staff else [],
        "account_url": _url("masterdata:account_detail", query.account_id)
        if query.account_id
        else "",
    }
    return render(request, "receivables/queries/detail.html", context)


def _act(request, query_id: int, act, success: str):
    query = _get(request, query_id)
    try:
        act(query)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("queries:detail", query_id=query.pk)


@_internal
@require_POST
def query_reply(request, query_id: int):
    staff = queries.is_staff_user(request.user)
    return _act(
        request,
        query_id,
        lambda q: queries.query_reply(query=q, body=request.POST.get("body", ""), by=request.user),
        _("Reply saved; it is being e-mailed to the requester.")
        if staff
        else _("Your message was added to the query."),
    )


@_internal
@require_POST
def query_note(request, query_id: int):
    return _act(
        request,
        query_id,
        lambda q: queries.query_note(query=q, body=request.POST.get("body", ""), by=request.user),
        _("Internal note added. The requester does not see it."),
    )


@_internal
@require_POST
def query_assign(request, query_id: int):
    owner = User.objects.filter(pk=_int(request.POST.get("owner"))).first()
    return _act(
        request,
        query_id,
        lambda q: queries.query_assign(query=q, owner=owner, by=request.user),
        _("Owner changed."),
    )


@_internal
@require_POST
def query_close(request, query_id: int):
    return _act(
        request,
        query_id,
        lambda q: queries.query_close(
            query=q, by=request.user, reason=request.POST.get("reason", "")
        ),
        _("Query closed."),
    )


@_internal
@require_POST
def query_reopen(request, query_id: int):
    return _act(
        request,
        query_id,
        lambda q: queries.query_reopen(
            query=q, by=request.user, reason=request.POST.get("reason", "")
        ),
        _("Query reopened; the answer clock runs again."),
    )


@_internal
@require_POST
def query_resend(request, query_id: int, message_id: int):
    query = _get(request, query_id)
    msg = query.messages.filter(pk=message_id, kind=QueryMessage.Kind.REPLY).first()
    if msg is None:
        raise Http404
    try:
        sent = queries.query_reply_resend(message=msg, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if sent:
            messages.success(request, _("Reply e-mailed."))
        else:
            messages.error(request, _("The reply could not be e-mailed; the error is shown."))
    return redirect("queries:detail", query_id=query.pk)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class RaiseForm(forms.Form):
    account = forms.CharField(
        label=gettext_lazy("Account number"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("The account the question is about, if any."),
    )
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Query.Category.choices)
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=queries.SUBJECT_MAX)
    body = forms.CharField(label=gettext_lazy("Question"), widget=forms.Textarea(attrs={"rows": 6}))
    invoice = forms.CharField(label=gettext_lazy("Invoice number"), required=False, max_length=30)
    payment = forms.CharField(label=gettext_lazy("Receipt number"), required=False, max_length=30)
    credit_note = forms.CharField(
        label=gettext_lazy("Credit note number"), required=False, max_length=30
    )


def _by_number(qs, number: str):
    number = (number or "").strip()
    return qs.filter(number=number).first() if number else None


@_internal
def query_new(request):
    """A rep (or staff, on someone's behalf) raises a query; documents by their numbers."""
    user = request.user
    initial = {}
    for field, lookup in (
        ("invoice", lambda pk: selectors.invoice_get(user=user, invoice_id=pk)),
        ("payment", lambda pk: selectors.payment_get(user=user, payment_id=pk)),
        ("credit_note", lambda pk: selectors.credit_note_get(user=user, credit_note_id=pk)),
    ):
        pk = _int(request.GET.get(field))
        if pk:
            try:
                doc = lookup(pk)
            except NotFound:
                raise Http404 from None
            initial[field] = doc.number
            initial["account"] = doc.account.number if doc.account else ""
    form = RaiseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        refs, missing = {}, False
        account = None
        if d["account"]:
            account = _by_number(account_queryset(user=user), d["account"])
            if account is None:
                form.add_error("account", _("No account with this number among yours."))
                missing = True
        for field, qs in (
            ("invoice", selectors.invoice_list(user=user)),
            ("payment", selectors.payment_list(user=user)),
            ("credit_note", selectors.credit_note_list(user=user)),
        ):
            if d[field]:
                refs[field] = _by_number(qs, d[field])
                if refs[field] is None:
                    form.add_error(field, _("No document with this number among yours."))
                    missing = True
        if not missing:
            try:
                query = queries.query_raise(
                    by=user,
                    category=d["category"],
                    subject=d["subject"],
                    body=d["body"],
                    account=account,
                    **refs,
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Query %(number)s raised. The coordinator answers by %(due)s.")
                    % {
                        "number": query.number,
                        "due": timezone.localtime(query.due_at).strftime("%Y-%m-%d %H:%M"),
                    },
                )
                return redirect("queries:detail", query_id=query.pk)
    return render(
        request,
        "receivables/queries/new.html",
        {"form": form},
    )
