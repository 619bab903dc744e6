"""BAI2 (Cash Management Balance Reporting Specifications, version 2): our own reader.

The `bai2` package on PyPI was tried on the sample files and refused four of the nine real
ones (a continuation that starts a new summary field, records without a terminator, two
records on one physical line, text containing slashes), so this is a small reader of its own.

Framing as banks really write it:
  * a record ends at "/" -- but a physical line may carry two records (`.../   02,...`), a
    record whose last field is free text often has no "/" at all (the newline ends it), and
    that text may itself contain "/" (`AB/GS/TEST0001`). So a line is cut only at a "/"
    followed by the start of a known record ("01,", "16," ...), and a trailing "/" is dropped;
  * a physical line that does not start with a record code continues the previous record's
    text (a bank that wraps a long `16`), and `88` continues the previous record: a new field
    for `03`/`49`/..., more text for `16`;
  * `88:` with a colon is read as `88,`; blank padding lines are ignored.

Amounts carry no decimal point: the implied decimals are the currency's minor unit (USD 2,
JPY 0; Babel's CLDR data). `03` amounts are signed, `16` amounts are unsigned and the type
code gives the direction (100-399 and 920-959 credit, 400-699 and 960-999 debit; others,
such as 890, are information and not money: status INFO).

One `BankStatement` per account (`03`...`49`) within a group: opening = 010 opening ledger
(040 opening available when there is no 010), closing = 015 closing ledger. Trailer checks:
each `49`, `98` and `99` states a control total (the sum of every amount in the records it
closes) and a record count; a mismatch does not stop the file but is reported in the
statement's warnings.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision

from .model import BankFileError, BankStatement, BankTransaction, TransactionIds

RECORD_CODES = ("01", "02", "03", "16", "49", "88", "98", "99")
_CUT_RE = re.compile(r"/\s*(?=(?:01|02|03|16|49|88|98|99)[,:])")
_START_RE = re.compile(r"^(01|02|03|16|49|88|98|99)[,:]")
FUNDS_EXTRA = {"V": 2, "S": 3}
SIGNED_AMOUNT_RE = re.compile(r"^[+-]?\d+$")


@dataclass
class _Record:
    code: str
    text: str
    line: int
    physical: int = 1  # records it stands for (itself plus its 88 continuations)
    parts: list[str] = field(default_factory=list)


def _records(text: str, filename: str) -> list[_Record]:
    records: list[_Record] = []
    for lineno, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.rstrip()
        if not line.strip():
            continue
        for piece in _CUT_RE.split(line):
            piece = piece.strip()
            if not piece:
                continue
            m = _START_RE.match(piece)
            body = piece[3:] if m else piece
            if body.endswith("/"):
                body = body[:-1]
            if not m:
                if not records:
                    problem = (
                        "unknown BAI2 record code" if piece[:2].isdigit() else "not a BAI2 record"
                    )
                    raise BankFileError(filename, f"line {lineno}", problem, piece)
                records[-1].parts[-1] += " " + body.rstrip()
                continue
            code = m.group(1)
            if code == "88":
                if not records:
                    raise BankFileError(
                        filename, f"line {lineno}", "continuation (88) first", piece
                    )
                records[-1].parts.append(body)
                records[-1].physical += 1
                continue
            records.append(_Record(code, "", lineno, parts=[body]))
    return records


def _implied(raw: str, currency: str, filename: str, where: str, signed: bool) -> Decimal:
    raw = raw.strip()
    if raw == "":
        return Decimal(0)
    if not SIGNED_AMOUNT_RE.match(raw) or (not signed and raw[0] in "+-"):
        raise BankFileError(filename, where, "malformed amount (digits, implied decimals)", raw)
    try:
        return Decimal(raw).scaleb(-_places(currency))
    except InvalidOperation:  # pragma: no cover
        raise BankFileError(filename, where, "malformed amount", raw) from None


def _date(raw: str, filename: str, where: str) -> dt.date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return dt.datetime.strptime(raw, "%y%m%d").date()
    except ValueError:
        raise BankFileError(filename, where, "not a valid date (YYMMDD)", raw) from None


def _direction(code: str) -> int:
    """+1 credit, -1 debit, 0 not money (status, loan and information codes)."""
    if not code.isdigit() or len(code) != 3:
        return 0
    n = int(code)
    if 100 <= n <= 399 or 920 <= n <= 959:
        return 1
    if 400 <= n <= 699 or n >= 960:
        return -1
    return 0


def _summary(fields: list[str], currency: str, filename: str, where: str):
    """03 fields after account and currency: (type, amount, count, funds type [+ extras])."""
    out: dict[str, Decimal] = {}
    total = Decimal(0)
    i = 0
    while i < len(fields):
        code = fields[i].strip()
        if not code:  # an empty group, or the stray empty field some banks put before "/"
            i += 1
            continue
        if not code.isdigit():
            raise BankFileError(filename, where, "malformed type code in account summary", code)
        amount = _implied(
            fields[i + 1] if i + 1 < len(fields) else "", currency, filename, where, True
        )
        funds = fields[i + 3].strip().upper() if i + 3 < len(fields) else ""
        i += 4
        if funds in FUNDS_EXTRA:
            i += FUNDS_EXTRA[funds]
        elif funds == "D" and i < len(fields):
            n = int(fields[i] or 0)
            i += 1 + 2 * n
        out.setdefault(code, amount)
        total += amount
    return out, total


def _detail_fields(body: str, filename: str, where: str):
    """16: type, amount, funds type [+ extras], bank ref, customer ref, text (may hold commas)."""
    head = body.split(",", 3)
    if len(head) < 2:
        raise BankFileError(filename, where, "transaction detail (16) too short", body)
    code, amount = head[0].strip(), head[1].strip()
    funds = head[2].strip().upper() if len(head) > 2 else ""
    rest = head[3] if len(head) > 3 else ""
    extra = FUNDS_EXTRA.get(funds, 0)
    if funds == "D":
        first = rest.split(",", 1)
        n = int(first[0] or 0) if first[0].strip().isdigit() else 0
        extra = 1 + 2 * n
    pieces = rest.split(",", extra + 2)
    if extra:
        pieces = pieces[extra:]
    while len(pieces) < 3:
        pieces.append("")
    bank_ref, customer_ref, text = pieces[0].strip(), pieces[1].strip(), pieces[2]
    return code, amount, bank_ref, customer_ref, text


_TEXT_KEYS = {
    "name": ("DBNM", "ORIGINATOR", "OB", "ORG", "PY", "FROM"),
    "account": ("DACT", "OBI", "OACT"),
    "reference": ("EREF", "REF", "TRID"),
    "remittance": ("REMI", "RMTINF", "OBI", "REMITTANCE INFO"),
}


def _from_text(text: str, keys: tuple[str, ...]) -> str:
    for key in keys:
        m = re.search(rf"(?:^|\s){re.escape(key)}\s*[:=]\s*(.+?)(?=\s+[A-Z]{{2,5}}\d?\s*:|$)", text)
        if m and m.group(1).strip():
            return m.group(1).strip(" ;,")
    return ""


def read_bai2(text: str, filename: str) -> list[BankStatement]:
    records = _records(text, filename)
    if not records or records[0].code != "01":
        found = records[0].code if records else ""
        raise BankFileError(filename, "line 1", "a BAI2 file starts with a file header (01)", found)
    statements: list[BankStatement] = []
    file_id = ""
    group_currency = "USD"
    as_of: dt.date | None = None
    group_ordinal = 0
    current = None  # the open account
    file_minor = 0  # the sum of the groups' control totals, in minor units
    file_records = 0
    group_records = 0
    group_accounts = 0
    warnings_file: list[str] = []
    closed = False
    group_statements: list[int] = []
    totals: list[Decimal] = []  # each statement's control total, as its records add up

    def where(rec: _Record) -> str:
        return f"line {rec.line}, record {rec.code}"

    for rec in records:
        fields = ",".join(rec.parts).split(",") if rec.code != "16" else []
        file_records += rec.physical
        if closed:
            raise BankFileError(filename, where(rec), "data after the file trailer (99)")
        if rec.code == "01":
            file_id = fields[4].strip() if len(fields) > 4 else ""
        elif rec.code == "02":
            group_ordinal += 1
            group_currency = (fields[5].strip() if len(fields) > 5 else "") or "USD"
            as_of = _date(fields[3] if len(fields) > 3 else "", filename, where(rec))
            group_records, group_accounts = rec.physical, 0
            group_statements = []
        elif rec.code == "03":
            if current is not None:
                raise BankFileError(
                    filename, where(rec), "account (03) before the previous one's trailer (49)"
                )
            account = fields[0].strip() if fields else ""
            currency = (fields[1].strip() if len(fields) > 1 else "") or group_currency
            summary, total = _summary(fields[2:], currency, filename, where(rec))
            current = {
                "account": account,
                "currency": currency,
                "summary": summary,
                "total": total,
                "records": rec.physical,
                "lines": [],
                "ids": TransactionIds(account, currency),
                "line": rec.line,
            }
        elif rec.code == "16":
            if current is None:
                raise BankFileError(
                    filename, where(rec), "transaction detail (16) outside an account"
                )
            body = rec.parts[0]
            code, raw_amount, bank_ref, customer_ref, text_ = _detail_fields(
                body, filename, where(rec)
            )
            amount = _implied(raw_amount, current["currency"], filename, where(rec), False)
            current["total"] += amount
            current["records"] += rec.physical
            extra = " ".join(p.strip() for p in rec.parts[1:] if p.strip())
            full_text = " ".join(x for x in (text_.strip(), extra) if x)
            current["lines"].append((rec, code, amount, bank_ref, customer_ref, full_text))
        elif rec.code == "49":
            if current is None:
                raise BankFileError(filename, where(rec), "account trailer (49) without an account")
            current["records"] += rec.physical
            warnings = []
            stated = _implied(
                fields[0] if fields else "", current["currency"], filename, where(rec), True
            )
            if fields and fields[0].strip() and stated != current["total"]:
                warnings.append(
                    f"account trailer (line {rec.line}) states a control total of {stated}, "
                    f"the records add up to {current['total']}"
                )
            count = fields[1].strip() if len(fields) > 1 else ""
            if count.isdigit() and int(count) != current["records"]:
                warnings.append(
                    f"account trailer (line {rec.line}) states {count} records, "
                    f"the account has {current['records']}"
                )
            group_records += current["records"]
            group_accounts += 1
            group_statements.append(len(statements))
            totals.append(current["total"])
            statements.append(
                _statement(current, file_id, as_of, group_ordinal, warnings, filename)
            )
            current = None
        elif rec.code == "98":
            if current is not None:
                raise BankFileError(
                    filename, where(rec), "group trailer (98) before the account trailer (49)"
                )
            group_records += rec.physical
            stated_total = fields[0].strip() if fields else ""
            problems = []
            # Group and file totals mix currencies; compare in the implied minor units.
            mine = sum(
                int(totals[i].scaleb(_places(statements[i].currency))) for i in group_statements
            )
            file_minor += mine
            if stated_total and SIGNED_AMOUNT_RE.match(stated_total) and int(stated_total) != mine:
                problems.append(
                    f"group trailer (line {rec.line}) states a control total of "
                    f"{int(stated_total)}, the accounts add up to {mine}"
                )
            if len(fields) > 2 and fields[2].strip().isdigit() and int(fields[2]) != group_records:
                problems.append(
                    f"group trailer (line {rec.line}) states {fields[2].strip()} "
                    f"records, the group has {group_records}"
                )
            for i in group_statements:
                statements[i] = _add_warnings(statements[i], problems)
        elif rec.code == "99":
            closed = True
            stated_total = fields[0].strip() if fields else ""
            if (
                stated_total
                and SIGNED_AMOUNT_RE.match(stated_total)
                and int(stated_total) != file_minor
            ):
                warnings_file.append(
                    f"file trailer (line {rec.line}) states a control total of "
                    f"{int(stated_total)}, the groups add up to {file_minor}"
                )
            if len(fields) > 2 and fields[2].strip().isdigit() and int(fields[2]) != file_records:
                warnings_file.append(
                    f"file trailer (line {rec.line}) states {fields[2].strip()} "
                    f"records, the file has {file_records}"
                )
    if current is not None:
        raise BankFileError(
            filename, f"line {current['line']}", "truncated: the account has no trailer (49)"
        )
    if not closed:
        raise BankFileError(filename, "end of file", "truncated: no file trailer (99)")
    if not statements:
        raise BankFileError(filename, "", "no account (03) in the file")
    return [_add_warnings(s, warnings_file) for s in statements]


def _places(currency: str) -> int:
    try:
        return get_currency_precision(currency or "USD")
    except Exception:
        return 2


def _add_warnings(statement: BankStatement, extra: list[str]) -> BankStatement:
    if not extra:
        return statement
    from dataclasses import replace

    return replace(statement, warnings=statement.warnings + tuple(extra))


def _statement(current, file_id, as_of, group_ordinal, warnings, filename) -> BankStatement:
    summary = current["summary"]
    currency = current["currency"]
    opening = summary.get("010", summary.get("040"))
    closing = summary.get("015")
    transactions = []
    for rec, code, amount, bank_ref, customer_ref, text in current["lines"]:
        direction = _direction(code)
        signed = amount * direction if direction else amount
        name = _from_text(text, _TEXT_KEYS["name"])
        cp_account = _from_text(text, _TEXT_KEYS["account"])
        remittance = _from_text(text, _TEXT_KEYS["remittance"]) or text
        reference = customer_ref or _from_text(text, _TEXT_KEYS["reference"])
        transactions.append(
            BankTransaction(
                transaction_id=current["ids"].make(
                    bank_reference=bank_ref,
                    booking_date=as_of,
                    amount=signed,
                    reference=reference,
                    counterparty=name,
                    remittance=text,
                ),
                booking_date=as_of,
                value_date=as_of,
                amount=signed,
                currency=currency,
                counterparty_name=name,
                counterparty_account=cp_account,
                reference=reference,
                remittance_info=remittance,
                bank_reference=bank_ref,
                raw="16," + "\n88,".join(rec.parts),
                type_code=code,
                status="BOOK" if direction else "INFO",
            )
        )
    statement = BankStatement(
        format="bai2",
        statement_id=f"{as_of.isoformat() if as_of else ''}/{file_id}/{group_ordinal}",
        bank_account=current["account"],
        currency=currency,
        opening_balance=opening,
        closing_balance=closing,
        opening_date=as_of,
        closing_date=as_of,
        transactions=transactions,
        warnings=tuple(warnings),
    )
    return statement
