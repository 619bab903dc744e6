"""Partner reconciliation: read the partner's own ledger of us, match it with ours, keep it.

The partner's file (CSV in any encoding the import framework detects, or XLSX) is read with
`core.imports.readers` and its cells parsed with `core.imports.parsers`, through a column
mapping that is saved per partner (`PartnerLedgerMapping`) and offered again next time:

  columns  date, document (our number, when they quote it), reference (their own voucher
           number), debit, credit -- or one signed amount column -- and description
  options  date_format ('' = year-first formats and Excel dates), flip_sign (their file is
           their payable ledger: our invoice is their credit), decimal_mark ('.' or ','; CSV
           only, Excel numbers are numbers), date_window_days (the amount-and-date pass),
           encoding and sheet

A bad cell stops the run with an error naming file, row, column, value and what would be
valid; nothing is written (not even the mapping). Rows without any amount (an opening-balance
line that only fills the balance column) and total rows (合计, 累计, Total ...) are skipped and
counted; rows dated after the as-of date are left out and counted.

Matching is `salesops.engines.reconcile` (pure). `reconciliation_run` stores the result as a
`Reconciliation` with its `ReconciliationLine` rows in one transaction, audited.

Who sees reconciliations: staff only (admin, coordinator, finance). A reconciliation is the
coordinator's working paper, with our judgement on the partner's bookkeeping in it; partners
get statements (documents) instead, and reps and managers ask the coordinator. Everyone else
gets not-found, exactly as for something that does not exist.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.audit import audit_record
from salesops.core.imports import parsers
from salesops.core.imports.framework import header_norm
from salesops.core.imports.readers import Source, header_read
from salesops.core.scoping import STAFF_ROLES, role_required, scope_for
from salesops.engines import reconcile as engine
from salesops.masterdata.models import Account

from . import errors
from .models import PartnerLedgerMapping, Reconciliation, ReconciliationLine
from .selectors import ledger_entries

FIELDS = {
    "date": gettext_lazy("Date"),
    "document": gettext_lazy("Our document number"),
    "reference": gettext_lazy("Their reference (voucher)"),
    "debit": gettext_lazy("Debit"),
    "credit": gettext_lazy("Credit"),
    "amount": gettext_lazy("Signed amount"),
    "description": gettext_lazy("Description"),
}

# Header spellings a partner's export uses, for a first guess at the mapping.
HEADER_GUESSES = {
    "date": ["date", "postingdate", "documentdate", "日期", "记账日期", "凭证日期", "业务日期"],
    "document": [
        "document",
        "documentnumber",
        "documentno",
        "invoice",
        "invoicenumber",
        "invoiceno",
        "ourreference",
        "单据号",
        "单据编号",
        "发票号",
        "发票号码",
        "原始单号",
        "业务单号",
    ],
    "reference": [
        "reference",
        "ref",
        "voucher",
        "voucherno",
        "vouchernumber",
        "凭证号",
        "凭证字号",
        "凭证编号",
    ],
    "debit": ["debit", "dr", "借方", "借方金额", "借方发生额"],
    "credit": ["credit", "cr", "贷方", "贷方金额", "贷方发生额"],
    "amount": ["amount", "signedamount", "金额", "发生额"],
    "description": ["description", "text", "memo", "narrative", "摘要", "说明", "备注"],
}

DATE_FORMATS = {
    "": gettext_lazy("Detect (2026-10-05, 2026/10/05, 2026.10.05, 2026年10月5日, Excel dates)"),
    "%d/%m/%Y": "DD/MM/YYYY",
    "%m/%d/%Y": "MM/DD/YYYY",
    "%d.%m.%Y": "DD.MM.YYYY",
    "%d-%m-%Y": "DD-MM-YYYY",
    "%Y%m%d": "YYYYMMDD",
}
AUTO_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")

DEFAULT_OPTIONS = {
    "date_format": "",
    "flip_sign": True,
    "decimal_mark": ".",
    "date_window_days": 3,
    "encoding": "",
    "sheet": "",
}

TOTAL_MARKERS = re.compile(
    r"合计|累计|小计|期初余额|期末余额|上年结转|结转下年|^\s*(sub)?total\b|opening balance"
    r"|closing balance|balance (b/f|c/f|brought forward|carried forward)",
    re.IGNORECASE,
)
MAX_ERRORS = 50


@dataclass
class Mapping:
    columns: dict[str, str] = field(default_factory=dict)  # field -> header in the file
    options: dict = field(default_factory=dict)

    def option(self, name: str):
        return self.options.get(name, DEFAULT_OPTIONS[name])

    def as_dict(self) -> dict:
        return {"columns": dict(self.columns), "options": {**DEFAULT_OPTIONS, **self.options}}

    @classmethod
    def from_any(cls, value) -> Mapping:
        if isinstance(value, Mapping):
            return value
        if isinstance(value, PartnerLedgerMapping):
            return cls(dict(value.columns), dict(value.options))
        value = value or {}
        columns, options = value.get("columns") or {}, value.get("options") or {}
        if not isinstance(columns, dict) or not isinstance(options, dict):
            raise errors.ReconciliationMappingInvalid(
                _('The mapping is {"columns": {field: column}, "options": {...}}.'),
                detail={"field": "mapping"},
            )
        return cls(dict(columns), dict(options))


@dataclass
class PartnerFile:
    """What was read from the partner's file, before matching."""

    file_name: str
    encoding: str
    items: list[engine.TheirItem]
    skipped_rows: list[int]  # no amount, or a total / balance row
    after_as_of_rows: list[int]
    rows_read: int


# ---------------------------------------------------------------- reading the file


def _source(path: Path, file_name: str, mapping: Mapping) -> Source:
    return Source(
        path=Path(path),
        name=file_name,
        encoding=(mapping.option("encoding") or None),
        sheet=(mapping.option("sheet") or None),
    )


def file_preview(*, path, file_name: str, mapping=None, rows: int = 5) -> tuple[list, list]:
    """(header, the first `rows` data rows as lists of text) for the mapping page."""
    m = Mapping.from_any(mapping)
    _types_check(m)
    _enc, header, it = header_read(_source(path, file_name, m))
    out = []
    try:
        for _row, cells in it:
            out.append([str(c) for c in cells[: len(header)]])
            if len(out) >= rows:
                break
    finally:
        it.close()
    return header, out


def mapping_guess(header: list[str], saved=None) -> Mapping:
    """The saved mapping where its columns exist in this file, else a guess from the headers."""
    norm = {header_norm(h): h for h in header}
    cols: dict[str, str] = {}
    base = Mapping.from_any(saved) if saved is not None else Mapping()
    for f, h in base.columns.items():
        if h and header_norm(h) in norm:
            cols[f] = norm[header_norm(h)]
    for f, spellings in HEADER_GUESSES.items():
        if f in cols:
            continue
        for s in spellings:
            if header_norm(s) in norm and norm[header_norm(s)] not in cols.values():
                cols[f] = norm[header_norm(s)]
                break
    if "amount" in cols and ("debit" in cols or "credit" in cols):
        cols.pop("amount")  # debit/credit columns say more than a guessed amount column
    return Mapping(cols, {**DEFAULT_OPTIONS, **base.options})


def _types_check(m: Mapping) -> None:
    """Columns are header texts; options have their documented types (before any is used)."""
    kinds = {
        "date_format": str,
        "flip_sign": bool,
        "decimal_mark": str,
        "date_window_days": (int, type(None)),
        "encoding": str,
        "sheet": str,
    }
    bad = [f for f, h in m.columns.items() if not isinstance(f, str) or not isinstance(h, str)]
    bad += [
        k
        for k, v in m.options.items()
        if k not in kinds or not isinstance(v, kinds[k]) or (k == "date_window_days" and v is True)
    ]
    if bad:
        raise errors.ReconciliationMappingInvalid(
            _("The mapping has values of the wrong kind: %(f)s") % {"f": ", ".join(map(str, bad))},
            detail={"fields": [str(b) for b in bad]},
        )


def _mapping_check(m: Mapping, header: list[str], file_name: str) -> dict[str, int]:
    """Column index per mapped field, or ReconciliationMappingInvalid."""
    _types_check(m)
    unknown = set(m.columns) - set(FIELDS)
    if unknown:
        raise errors.ReconciliationMappingInvalid(
            _("Unknown fields in the mapping: %(f)s") % {"f": ", ".join(sorted(unknown))},
            detail={"fields": sorted(unknown)},
        )
    cols = {f: h for f, h in m.columns.items() if h}
    if "date" not in cols:
        raise errors.ReconciliationMappingInvalid(
            _("Choose the column that holds the date."), detail={"field": "date"}
        )
    has_dc = "debit" in cols or "credit" in cols
    if has_dc == ("amount" in cols):
        raise errors.ReconciliationMappingInvalid(
            _("Choose either debit and credit columns or one signed amount column."),
            detail={"field": "amount"},
        )
    if m.option("decimal_mark") not in (".", ","):
        raise errors.ReconciliationMappingInvalid(
            _("The decimal mark is '.' or ','."), detail={"field": "decimal_mark"}
        )
    if m.option("date_format") not in DATE_FORMATS:
        raise errors.ReconciliationMappingInvalid(
            _("Unknown date format."), detail={"field": "date_format"}
        )
    window = m.option("date_window_days")
    if window is not None and (not isinstance(window, int) or not 0 <= window <= 366):
        raise errors.ReconciliationMappingInvalid(
            _("The date window is a number of days from 0 to 366."),
            detail={"field": "date_window_days", "value": str(window)},
        )
    norm = {header_norm(h): i for i, h in enumerate(header)}
    index = {}
    for f, h in cols.items():
        i = norm.get(header_norm(h))
        if i is None:
            raise errors.ReconciliationMappingInvalid(
                _("%(file)s has no column '%(col)s' (for %(field)s). Columns found: %(cols)s")
                % {"file": file_name, "col": h, "field": FIELDS[f], "cols": ", ".join(header)},
                detail={"file": file_name, "column": h, "field": f, "found": header},
            )
        index[f] = i
    return index


def _amount_parser(m: Mapping, is_csv: bool):
    strict = parsers.decimal(20, 4)
    comma = m.option("decimal_mark") == ","

    def parse(value):
        if comma and is_csv and isinstance(value, str):
            value = value.strip().replace(" ", "").replace("\u00a0", "")
            value = value.replace(".", "").replace(",", ".")
        elif is_csv and isinstance(value, str) and "," in value:
            value = value.replace(",", "")  # '.' is the decimal mark: commas group thousands
        return strict(value)

    return parse


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def partner_file_read(*, path, file_name: str, mapping, as_of: dt.date | None = None):
    """Read the partner's file with `mapping` into a PartnerFile; ReconciliationFileInvalid
    naming file, row, column and value on the first bad cells (up to 50 are listed)."""
    m = Mapping.from_any(mapping)
    _types_check(m)
    encoding, header, it = header_read(_source(path, file_name, m))
    index = _mapping_check(m, header, file_name)
    fmt = m.option("date_format")
    parse_date = parsers.date((fmt,) if fmt else AUTO_DATE_FORMATS)
    parse_amount = _amount_parser(m, is_csv=encoding != "xlsx")
    parse_text = parsers.text(120)
    problems: list[dict] = []
    items: list[engine.TheirItem] = []
    skipped: list[int] = []
    after: list[int] = []
    rows_read = 0

    def cell(cells, f):
        i = index.get(f)
        return cells[i] if i is not None and i < len(cells) else ""

    def bad(row, f, value, exc):
        problems.append(
            {
                "file": file_name,
                "row": row,
                "column": header[index[f]],
                "value": str(value),
                "message": exc.message,
                "valid": exc.valid,
            }
        )

    try:
        for row, cells in it:
            rows_read += 1
            texts = [str(cell(cells, f)) for f in ("document", "reference", "description")]
            amount_fields = [f for f in ("debit", "credit", "amount") if f in index]
            if all(_blank(cell(cells, f)) for f in amount_fields):
                skipped.append(row)
                continue
            if any(TOTAL_MARKERS.search(t) for t in texts if t):
                skipped.append(row)
                continue
            values = {}
            ok = True
            for f in amount_fields:
                v = cell(cells, f)
                if _blank(v):
                    values[f] = Decimal(0)
                    continue
                try:
                    values[f] = parse_amount(v)
                except parsers.ParseError as exc:
                    bad(row, f, v, exc)
                    ok = False
            raw_date = cell(cells, "date")
            if _blank(raw_date):
                bad(row, "date", "", parsers.ParseError(_("empty"), _("a date")))
                ok = False
            else:
                try:
                    posted_on = parse_date(raw_date)
                except parsers.ParseError as exc:
                    bad(row, "date", raw_date, exc)
                    ok = False
            text_values = {}
            for f in ("document", "reference", "description"):
                v = cell(cells, f)
                try:
                    text_values[f] = "" if _blank(v) else parse_text(v)
                except parsers.ParseError as exc:
                    if f == "description":  # a long narrative is no reason to refuse the file
                        text_values[f] = str(v).strip()[:120]
                    else:
                        bad(row, f, v, exc)
                        ok = False
            if len(problems) >= MAX_ERRORS:
                break
            if not ok:
                continue
            if "amount" in values:
                amount = values["amount"]
            else:
                amount = values.get("debit", Decimal(0)) - values.get("credit", Decimal(0))
            if as_of is not None and posted_on > as_of:
                after.append(row)
                continue
            items.append(
                engine.TheirItem(
                    row=row,
                    posted_on=posted_on,
                    amount=amount,
                    reference=text_values["reference"],
                    document_number=text_values["document"],
                    description=text_values["description"],
                )
            )
    finally:
        it.close()
    if problems:
        p = problems[0]
        msg = _(
            "%(file)s row %(row)s, column '%(column)s': '%(value)s' is %(message)s; "
            "expected %(valid)s."
        ) % {**p, "valid": p["valid"] or "-"}
        if len(problems) > 1:
            msg += " " + _("%(n)s more problems in the file.") % {"n": len(problems) - 1}
        raise errors.ReconciliationFileInvalid(msg, detail={"errors": problems})
    if not items:
        raise errors.ReconciliationFileInvalid(
            _("%(file)s has no ledger rows up to %(as_of)s with this mapping.")
            % {"file": file_name, "as_of": as_of.isoformat() if as_of else "-"},
            detail={"file": file_name, "skipped_rows": skipped, "after_as_of_rows": after},
        )
    return PartnerFile(file_name, encoding, items, skipped, after, rows_read)


# ---------------------------------------------------------------- services


def _staff(by) -> None:
    role_required(by, *STAFF_ROLES)


def partner_ledger_mapping_save(*, account: Account, mapping, by) -> PartnerLedgerMapping:
    """Keep the partner's column mapping and options for next time (audited)."""
    _staff(by)
    m = Mapping.from_any(mapping).as_dict()
    with transaction.atomic():
        obj = PartnerLedgerMapping.objects.select_for_update().filter(account=account).first()
        before = {"columns": obj.columns, "options": obj.options} if obj else None
        if obj is None:
            obj = PartnerLedgerMapping(account=account)
        obj.columns, obj.options, obj.updated_by = m["columns"], m["options"], by
        obj.save()
        if before != m:
            audit_record(
                actor=by, action="partner_ledger_mapping.save", obj=obj, before=before, after=m
            )
    return obj


def _our_items(*, by, account: Account, currency: str, as_of: dt.date) -> list[engine.OurItem]:
    rows = ledger_entries(user=by, account_id=account.pk, currency=currency, end=as_of)
    return [
        engine.OurItem(number, posted_on, amount, kind, pk)
        for pk, number, posted_on, amount, kind in rows.values_list(
            "pk", "document_number", "posted_on", "amount", "kind"
        ).iterator(chunk_size=5000)
    ]


def _file_arg(file, file_name: str | None) -> tuple[Path, str]:
    if isinstance(file, str | Path):
        return Path(file), file_name or Path(file).name
    from salesops.core.imports.services import upload_store

    name = file_name or Path(getattr(file, "name", "") or "partner-ledger").name
    return upload_store(fileobj=file, file_name=name), name


def _s(d: Decimal) -> str:
    return str(d)


def reconciliation_run(
    *,
    account: Account,
    file,
    as_of: dt.date,
    mapping=None,
    by,
    file_name: str | None = None,
    currency: str | None = None,
) -> Reconciliation:
    """Reconcile the partner's file with our ledger of `account` up to `as_of`.

    `file` is a path or an uploaded file. `mapping` ({"columns", "options"}) is saved for the
    partner when the run succeeds; None uses the partner's saved mapping. Staff only."""
    _staff(by)
    if scope_for(by).kind != "all" and not Account.objects.filter(pk=account.pk).exists():
        raise errors.ReconciliationNotFound(_("Account not found."))
    if mapping is None:
        saved = PartnerLedgerMapping.objects.filter(account=account).first()
        if saved is None:
            raise errors.ReconciliationMappingInvalid(
                _("No column mapping is saved for %(account)s yet; map the columns first.")
                % {"account": account.name},
                detail={"account_id": account.pk},
            )
        mapping = saved
    m = Mapping.from_any(mapping)
    path, name = _file_arg(file, file_name)
    theirs = partner_file_read(path=path, file_name=name, mapping=m, as_of=as_of)
    currency = (currency or account.currency).upper()
    window = m.option("date_window_days")
    options = engine.Options(flip_sign=bool(m.option("flip_sign")), date_window_days=window)
    with transaction.atomic():
        ours = _our_items(by=by, account=account, currency=currency, as_of=as_of)
        result = engine.reconcile(ours, theirs.items, options)
        summary = {
            "sections": {
                k: {
                    "count": s.count,
                    "ours": _s(s.ours),
                    "theirs": _s(s.theirs),
                    "difference": _s(s.difference),
                }
                for k, s in result.sections.items()
            },
            "difference": _s(result.difference),
            "explained": _s(result.explained),
            "unexplained": _s(result.unexplained),
            "amount_date_rows": [
                ln.their_rows[0] for ln in result.lines if ln.method == engine.BY_AMOUNT_DATE
            ],
            "rows_read": theirs.rows_read,
            "skipped_rows": theirs.skipped_rows,
            "after_as_of_rows": theirs.after_as_of_rows,
            "our_entries": len(ours),
            "their_rows": len(theirs.items),
            "encoding": theirs.encoding,
            "mapping": m.as_dict(),
        }
        rec = Reconciliation.objects.create(
            account=account,
            as_of=as_of,
            currency=currency,
            file_name=name[:255],
            our_balance=result.our_balance,
            their_balance=result.their_balance,
            summary=summary,
            created_by=by,
        )
        ReconciliationLine.objects.bulk_create(
            [
                ReconciliationLine(
                    reconciliation=rec,
                    result=ln.result,
                    document_number=ln.document_number[:60],
                    their_reference=ln.their_reference[:120],
                    posted_on=ln.posted_on,
                    our_amount=ln.our_amount,
                    their_amount=ln.their_amount,
                    difference=ln.difference,
                    their_row=ln.their_rows[0] if ln.their_rows else None,
                )
                for ln in result.lines
            ],
            batch_size=2000,
        )
        partner_ledger_mapping_save(account=account, mapping=m, by=by)
        audit_record(
            actor=by,
            action="reconciliation.run",
            obj=rec,
            after={
                "account": account.pk,
                "as_of": as_of.isoformat(),
                "file": name,
                "our_balance": _s(result.our_balance),
                "their_balance": _s(result.their_balance),
                "difference": _s(result.difference),
                "counts": {k: s.count for k, s in result.sections.items()},
            },
        )
    return rec


# ---------------------------------------------------------------- selectors


def _visible_q(user) -> Q:
    """Staff only; see the module docstring."""
    return Q() if scope_for(user).kind == "all" else Q(pk__in=[])


def reconciliation_list(*, user, account_id: int | None = None) -> QuerySet[Reconciliation]:
    qs = Reconciliation.objects.filter(_visible_q(user)).select_related("account", "created_by")
    if account_id:
        qs = qs.filter(account_id=account_id)
    return qs.order_by("-created_at", "-id")


def reconciliation_get(*, user, reconciliation_id: int) -> Reconciliation:
    rec = reconciliation_list(user=user).filter(pk=reconciliation_id).first()
    if rec is None:
        raise errors.ReconciliationNotFound(
            "Not found, or not yours to see.", detail={"id": reconciliation_id}
        )
    return rec


def reconciliation_lines(
    *, user, reconciliation_id: int, result: str = "", q: str = ""
) -> QuerySet[ReconciliationLine]:
    rec = reconciliation_get(user=user, reconciliation_id=reconciliation_id)
    qs = rec.lines.all()
    if result:
        qs = qs.filter(result=result)
    if q.strip():
        s = q.strip()
        qs = qs.filter(Q(document_number__icontains=s) | Q(their_reference__icontains=s))
    return qs.order_by("result", "posted_on", "id")


def partner_ledger_mapping_get(*, user, account_id: int) -> PartnerLedgerMapping | None:
    if scope_for(user).kind != "all":
        return None
    return PartnerLedgerMapping.objects.filter(account_id=account_id).first()


def reconcilable_accounts(*, user) -> QuerySet[Account]:
    """The channel partners a reconciliation can be run for (staff only)."""
    if scope_for(user).kind != "all":
        return Account.objects.none()
    return Account.objects.filter(type=Account.Type.PARTNER).order_by("name_search", "id")
