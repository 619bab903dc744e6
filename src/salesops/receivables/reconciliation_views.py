"""Partner reconciliation pages (staff): pick a partner and upload their ledger -> map the
columns (pre-filled from the partner's saved mapping, with the first rows shown) -> result with
the four sections, filters, totals and the statement as PDF/XLSX; past runs per account.

A reconciliation outside the user's reach is 404, like one that does not exist."""

from __future__ import annotations

import datetime as dt
import secrets
from functools import wraps
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from salesops.core.errors import DomainError, NotFound
from salesops.core.imports.services import upload_store
from salesops.core.scoping import scope_for

from . import reconciliation as rc
from .models import ReconciliationLine

SESSION_KEY = "reconciliation_uploads"
T = "receivables/reconciliation/"


def staff_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if scope_for(request.user).kind != "all":
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


@staff_required
@require_http_methods(["GET", "POST"])
def reconciliation_index(request):
    """Pick a partner and upload their file; below, the past reconciliations."""
    accounts = list(rc.reconcilable_accounts(user=request.user)[:500])
    account_id = _int(request.GET.get("account") or request.POST.get("account"))
    ctx = {
        "accounts": accounts,
        "account_id": account_id,
        "as_of": request.POST.get("as_of") or timezone.localdate().isoformat(),
        "past": rc.reconciliation_list(user=request.user, account_id=account_id)[:100],
    }
    if request.method == "POST":
        account = next((a for a in accounts if a.pk == account_id), None)
        if account is None and account_id:
            account = rc.reconcilable_accounts(user=request.user).filter(pk=account_id).first()
        as_of = _date(request.POST.get("as_of"))
        upload = request.FILES.get("file")
        if account is None:
            ctx["error"] = _("Choose the partner.")
        elif as_of is None:
            ctx["error"] = _("Enter the as-of date as YYYY-MM-DD.")
        elif upload is None:
            ctx["error"] = _("Choose the partner's file (CSV or Excel .xlsx).")
        else:
            path = upload_store(fileobj=upload, file_name=upload.name)
            token = secrets.token_urlsafe(12)
            uploads = request.session.get(SESSION_KEY, {})
            uploads = dict(list(uploads.items())[-9:])  # keep the last ten
            uploads[token] = {
                "path": str(path),
                "name": upload.name,
                "account_id": account.pk,
                "as_of": as_of.isoformat(),
            }
            request.session[SESSION_KEY] = uploads
            return redirect("reconciliations:mapping", token=token)
        return render(request, T + "index.html", ctx, status=400)
    return render(request, T + "index.html", ctx)


def _upload(request, token: str) -> dict:
    up = request.session.get(SESSION_KEY, {}).get(token)
    if not up or not Path(up["path"]).exists():
        raise Http404
    return up


def _mapping_from_post(post, header: list[str]) -> rc.Mapping:
    cols = {}
    for f in rc.FIELDS:
        i = _int(post.get(f"col_{f}"))
        if i is not None and 0 <= i < len(header):
            cols[f] = header[i]
    window = post.get("date_window_days", "").strip()
    return rc.Mapping(
        cols,
        {
            "date_format": post.get("date_format", ""),
            "flip_sign": post.get("flip_sign") == "on",
            "decimal_mark": post.get("decimal_mark", "."),
            # empty switches the amount-and-date pass off; anything but a number is refused
            "date_window_days": None
            if not window
            else _int(window)
            if _int(window) is not None
            else window,
            "encoding": post.get("encoding", "").strip(),
            "sheet": post.get("sheet", "").strip(),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def reconciliation_mapping(request, token: str):
    up = _upload(request, token)
    account = rc.reconcilable_accounts(user=request.user).filter(pk=up["account_id"]).first()
    if account is None:
        raise Http404
    saved = rc.partner_ledger_mapping_get(user=request.user, account_id=account.pk)
    error = ""
    mapping = None
    if request.method == "POST":
        base = rc.Mapping(
            {},
            {
                "encoding": request.POST.get("encoding", "").strip(),
                "sheet": request.POST.get("sheet", "").strip(),
            },
        )
    else:
        base = rc.Mapping.from_any(saved) if saved else rc.Mapping()
    try:
        header, preview = rc.file_preview(path=up["path"], file_name=up["name"], mapping=base)
    except DomainError as exc:
        header, preview, error = [], [], exc.message
    if request.method == "POST" and header:
        mapping = _mapping_from_post(request.POST, header)
        if "reconcile" in request.POST:
            try:
                rec = rc.reconciliation_run(
                    account=account,
                    file=up["path"],
                    file_name=up["name"],
                    as_of=dt.date.fromisoformat(up["as_of"]),
                    mapping=mapping,
                    by=request.user,
                )
            except DomainError as exc:
                error = exc.message
            else:
                request.session[SESSION_KEY] = {
                    k: v for k, v in request.session.get(SESSION_KEY, {}).items() if k != token
                }
                return redirect("reconciliations:detail", reconciliation_id=rec.pk)
    if mapping is None:
        mapping = rc.mapping_guess(header, saved)
    chosen = {f: (header.index(h) if h in header else None) for f, h in mapping.columns.items()}
    ctx = {
        "account": account,
        "upload": up,
        "token": token,
        "header": list(enumerate(header)),
        "preview": preview,
        "fields": [(f, label, chosen.get(f)) for f, label in rc.FIELDS.items()],
        "options": {**rc.DEFAULT_OPTIONS, **mapping.options},
        "date_formats": list(rc.DATE_FORMATS.items()),
        "saved": saved,
        "error": error,
    }
    return render(request, T + "mapping.html", ctx, status=400 if error else 200)


def _get(request, reconciliation_id: int):
    try:
        return rc.reconciliation_get(user=request.user, reconciliation_id=reconciliation_id)
    except NotFound:
        raise Http404 from None


@login_required
def reconciliation_detail(request, reconciliation_id: int):
    rec = _get(request, reconciliation_id)
    result = request.GET.get("result", "")
    if result not in ReconciliationLine.Result.values:
        result = ""
    q = request.GET.get("q", "")[:60]
    lines = rc.reconciliation_lines(user=request.user, reconciliation_id=rec.pk, result=result, q=q)
    by_amount_date = set(rec.summary.get("amount_date_rows") or [])
    sections = []
    s = rec.summary.get("sections", {})
    for value, label in ReconciliationLine.Result.choices:
        if result and value != result:
            continue
        rows = [ln for ln in lines if ln.result == value]
        for ln in rows:
            ln.by_amount_date = ln.result == "matched" and ln.their_row in by_amount_date
        sections.append(
            {
                "key": value,
                "label": label,
                "rows": rows[:2000],
                "more": max(0, len(rows) - 2000),
                "totals": s.get(value, {}),
            }
        )
    ctx = {
        "rec": rec,
        "sections": sections,
        "result": result,
        "q": q,
        "results": ReconciliationLine.Result.choices,
        "difference": rec.our_balance - rec.their_balance,
        "summary": rec.summary,
        "lang": get_language(),
    }
    return render(request, T + "detail.html", ctx)


@login_required
def reconciliation_statement(request, reconciliation_id: int, fmt: str):
    from .reconciliation_statement import statement_render

    if fmt not in ("pdf", "xlsx"):
        raise Http404
    _get(request, reconciliation_id)
    lang = request.GET.get("lang") or get_language() or "en"
    lang = "zh-hans" if lang.lower().startswith("zh") else "en"
    doc = statement_render(
        user=request.user, reconciliation_id=reconciliation_id, fmt=fmt, lang=lang
    )
    resp = HttpResponse(doc.content, content_type=doc.content_type)
    resp["Content-Disposition"] = f'attachment; filename="{doc.filename}"'
    return resp
