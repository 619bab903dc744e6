"""SWIFT MT940 (end-of-day statement) and MT942 (interim report), read with the mt-940 library.

The library reads a whole file into one collection whose statement data is overwritten by
each statement in turn; we cut the file at each `:20:` (a new message) so that every
statement keeps its own account, balances and lines. Before the library sees a tag we check
it strictly ourselves, because the library is lenient where money is concerned: a malformed
amount in `:61:` silently merges the line into the previous one, and `:60F:C110522EUR32A6,28`
reads as 32. Unknown tags are an error, except inside the free text of `:86:`/`:NS:` (a wrapped
time such as `T13:12:11` looks like a tag) and the `:940:` header line some banks write.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from decimal import Decimal, InvalidOperation

import mt940
import mt940.models

from .model import BankFileError, BankStatement, BankTransaction, TransactionIds

# The library logs every failed pattern match at ERROR with the whole pattern; we try variants
# on purpose and report a failure ourselves as one BankFileError, so its tag logger stays quiet.
logging.getLogger("mt940.tags").setLevel(logging.CRITICAL)

# The library's own tag pattern (a tag may be wrapped after its first colon).
TAG_RE = re.compile(r"^:\n?(?P<full>(?P<tag>[0-9]{2,3}|NS)(?P<sub>[A-Z])?):", re.MULTILINE)
KNOWN_TAGS = {"13", "20", "21", "25", "28", "34", "60", "61", "62", "64", "65", "86", "90", "NS"}
FREE_TEXT_TAGS = {"86", "NS"}

# A balance: C/D, date, currency (some banks leave it out), amount; our own reading, because the
# library takes the first three characters as the currency whatever they are.
BALANCE_RE = re.compile(r"^(?P<mark>[CD])(?P<date>\d{6})(?P<ccy>[A-Z]{3})?(?P<amount>\d+(,\d*)?)$")
LINE_RE = re.compile(
    r"^(?P<date>\d{6})(?P<entry>\d{4}|\s{4})?(?P<mark>R?[CD])(?P<funds>[A-Z])?[\n ]?"
    r"(?P<amount>\d+(,\d*)?)(?=[A-Z]|\n|$)",
)
SUM_RE = re.compile(r"^\d+[A-Z]{3}\d+(,\d*)?$")
FLOOR_RE = re.compile(r"^[A-Z]{3}[CD ]?\d+(,\d*)?$")
# Structured :86: of Dutch banks (ING, ABN AMRO, Rabobank): /KEY/value/KEY/value ...
SLASH_KEYS = ("EREF", "NAME", "REMI", "IBAN", "CNTP", "BENM", "ORDP", "MARF", "CSID", "TRTP")


def _date(text: str, filename: str, where: str) -> dt.date:
    try:
        year, month, day = 2000 + int(text[0:2]), int(text[2:4]), int(text[4:6])
        if month == 2 and 28 < day <= 31:  # some banks write 30 February (the library's fixup)
            day = 29 if (year % 4 == 0) else 28
        return dt.date(year, month, day)
    except ValueError:
        raise BankFileError(filename, where, "not a valid date (YYMMDD)", text) from None


def _amount(text: str, filename: str, where: str) -> Decimal:
    if text.count(",") > 1 or not text.replace(",", "").isdigit():
        raise BankFileError(filename, where, "malformed amount (digits with a decimal comma)", text)
    try:
        return Decimal(text.replace(",", ".").rstrip(".") or "0")
    except InvalidOperation:
        raise BankFileError(filename, where, "malformed amount", text) from None


def _line_no(data: str, pos: int, numbers: list[int] | None = None) -> int:
    index = data.count("\n", 0, pos)
    return numbers[index] if numbers and index < len(numbers) else index + 1


def _validate(data: str, filename: str, numbers: list[int]) -> list[tuple[int, str]]:
    """Check every tag strictly; return the (offset, tag) of each `:20:` (statement start)."""
    matches = list(TAG_RE.finditer(data))
    if not matches:
        raise BankFileError(filename, "", "no MT940 tags found (:20:, :25:, :60F:, :61: ...)")
    starts: list[tuple[int, str]] = []
    previous_known = ""
    for i, m in enumerate(matches):
        tag, sub = m.group("tag"), m.group("sub") or ""
        end = matches[i + 1].start() if i + 1 < len(matches) else len(data)
        value = data[m.end() : end].strip()
        if tag in {"60", "62", "64", "65", "90", "34"}:
            # Anything after the first line is framing some banks leave between messages.
            value = value.split("\n")[0].strip()
        where = f"line {_line_no(data, m.start(), numbers)}, tag :{tag}{sub}:"
        if tag not in KNOWN_TAGS:
            if previous_known in FREE_TEXT_TAGS or (tag == "940" and not starts):
                continue
            raise BankFileError(filename, where, "unknown MT940 tag", m.group(0).strip())
        previous_known = tag
        if tag == "20":
            starts.append((m.start(), value))
        elif tag in {"60", "62", "64", "65"}:
            b = BALANCE_RE.match(value)
            if not b:
                raise BankFileError(
                    filename, where, "malformed balance (C/D, YYMMDD, currency, amount)", value
                )
            _date(b["date"], filename, where)
            _amount(b["amount"], filename, where)
        elif tag == "61":
            line = LINE_RE.match(value)
            if not line:
                raise BankFileError(
                    filename,
                    where,
                    "malformed statement line (value date, C/D mark, amount with a decimal comma)",
                    value.split("\n")[0],
                )
            _date(line["date"], filename, where)
            _amount(line["amount"], filename, where)
        elif tag == "90" and not SUM_RE.match(value):
            raise BankFileError(filename, where, "malformed sum of entries", value)
        elif tag == "34" and not FLOOR_RE.match(value):
            raise BankFileError(filename, where, "malformed floor limit", value)
    return starts


def _slash_fields(details: str) -> dict[str, str]:
    """/EREF/x/NAME/y/REMI/z -> {"EREF": "x", "NAME": "y", "REMI": "z"} (Dutch banks)."""
    flat = details.replace("\n", "")
    if not flat.startswith("/"):
        return {}
    parts = flat.split("/")
    out: dict[str, str] = {}
    i = 1
    key = None
    buf: list[str] = []
    while i < len(parts):
        part = parts[i]
        if part in SLASH_KEYS or (part.isupper() and part.isalpha() and 2 <= len(part) <= 4):
            if key is not None:
                out.setdefault(key, "/".join(buf).strip("/ "))
            key, buf = part, []
        else:
            buf.append(part)
        i += 1
    if key is not None:
        out.setdefault(key, "/".join(buf).strip("/ "))
    return out


def _clean(value: object) -> str:
    return " ".join(str(value or "").split())


def _signed(amount: Decimal, mark: str) -> Decimal:
    # C credit +, D debit -, RC reversal of a credit -, RD reversal of a debit +.
    return -amount if mark in {"D", "RC"} else amount


def _unwrap(text: str) -> tuple[str, list[int]]:
    """Drop the SWIFT envelope ({1:...}{2:...}{4: and -}{5:...}), SOH/ETX framing, blank lines
    and "-" separators (as the library does); return the text and, for each line kept, its
    line number in the file (so errors name the line a person sees)."""
    text = text.replace("\x01", "").replace("\x03", "").replace("\x1a", "")
    lines: list[str] = []
    numbers: list[int] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.replace("\r", "").rstrip()
        stripped = line.strip()
        if not stripped or stripped == "-" or stripped.startswith(("{1:", "-}")):
            continue
        lines.append(line)
        numbers.append(number)
    return "\n".join(lines), numbers


def read_mt940(text: str, filename: str) -> list[BankStatement]:
    data, numbers = _unwrap(text)
    starts = _validate(data, filename, numbers)
    cuts = [pos for pos, _ in starts]
    if not cuts or cuts[0] != 0:
        cuts.insert(0, 0)
    chunks = [data[a:b] for a, b in zip(cuts, [*cuts[1:], len(data)], strict=True)]
    options = mt940.Options(applicant_iban=True, merge_keeps_values=True, unbounded_details=True)
    statements: list[BankStatement] = []
    for chunk in chunks:
        if not TAG_RE.search(chunk):
            continue
        first_line = _line_no(data, data.find(chunk), numbers)
        parsed = None
        message = ""
        # The standard :61: first; then the variants for banks that write a customer reference
        # longer than SWIFT's 16 characters (GLS/Atruvia before "//", ASN Bank an IBAN).
        for variant in (None, mt940.tags.StatementGLS(), mt940.tags.StatementASNB()):
            attempt = mt940.models.Transactions(
                options=options, tags={variant.id: variant} if variant else None
            )
            try:
                attempt.parse(chunk)
            except (RuntimeError, ValueError, KeyError, InvalidOperation) as exc:
                message = message or str(exc.args[0] if exc.args else exc).split("\n")[0]
                continue
            parsed = attempt
            break
        if parsed is None:
            raise BankFileError(
                filename, f"statement starting at line {first_line}", "cannot be read", message
            )
        if parsed.transactions or any(
            parsed.data.get(k)
            for k in ("account_identification", "final_opening_balance", "final_closing_balance",
                      "intermediate_opening_balance", "intermediate_closing_balance",
                      "transaction_reference")
        ):  # fmt: skip
            statements.append(_statement(parsed, chunk, filename, first_line))
    if not statements:
        raise BankFileError(filename, "", "no MT940 statement found")
    return statements


def _balances(chunk: str, filename: str):
    """(amount, currency, date) of the :60F:/:60M: and :62F:/:62M: of a chunk (the last of each)."""
    opening = closing = (None, None, None)
    matches = list(TAG_RE.finditer(chunk))
    for i, m in enumerate(matches):
        tag = m.group("tag")
        if tag not in {"60", "62"}:
            continue
        end = matches[i + 1].start() if i + 1 < len(matches) else len(chunk)
        value = chunk[m.end() : end].strip().split("\n")[0].strip()
        b = BALANCE_RE.match(value)
        if not b:  # pragma: no cover - _validate has refused it already
            continue
        where = f"tag :{tag}{m.group('sub') or ''}:"
        amount = _amount(b["amount"], filename, where)
        found = (
            amount if b["mark"] == "C" else -amount,
            b["ccy"] or None,
            _date(b["date"], filename, where),
        )
        if tag == "60":
            opening = found
        elif tag == "62":
            closing = found
    return opening, closing


def _statement(parsed, chunk: str, filename: str, first_line: int) -> BankStatement:
    d = parsed.data
    (opening, o_ccy, o_date), (closing, c_ccy, c_date) = _balances(chunk, filename)
    account = _clean(d.get("account_identification"))
    lib_ccy = parsed.currency if re.fullmatch(r"[A-Z]{3}", parsed.currency or "") else ""
    currency = o_ccy or c_ccy or lib_ccy
    is_942 = opening is None and closing is None and bool(d.get("date_time_indication"))
    number = _clean(d.get("statement_number"))
    if number and d.get("sequence_number"):
        number += f"/{_clean(d.get('sequence_number'))}"
    statement_id = number or _clean(d.get("transaction_reference"))
    warnings = []
    if not account:
        warnings.append("no account (:25:)")
    ids = TransactionIds(account, currency)
    raw_lines = _raw_lines(chunk)
    transactions = []
    for i, t in enumerate(parsed.transactions):
        td = t.data
        if "amount" not in td:
            continue
        amount = _signed(abs(Decimal(td["amount"].amount)), str(td.get("status", "C")).upper())
        value_date = td.get("date")
        value_date = (
            dt.date(value_date.year, value_date.month, value_date.day) if value_date else None
        )
        entry = td.get("entry_date") or td.get("guessed_entry_date")
        booking_date = dt.date(entry.year, entry.month, entry.day) if entry else value_date
        details = str(td.get("transaction_details") or td.get("non_swift_text") or "")
        slash = _slash_fields(details)
        name = _clean(td.get("applicant_name") or slash.get("NAME"))
        if not name and slash.get("CNTP"):
            cntp = slash["CNTP"].split("/")
            name = _clean(cntp[2] if len(cntp) > 2 else "")
        account_no = _clean(td.get("applicant_iban") or slash.get("IBAN"))
        if not account_no and slash.get("CNTP"):
            account_no = _clean(slash["CNTP"].split("/")[0])
        customer_ref = _clean(td.get("customer_reference"))
        if customer_ref.upper() in {"NONREF", "EREF"}:
            customer_ref = ""
        reference = _clean(td.get("end_to_end_reference") or slash.get("EREF") or customer_ref)
        if reference.upper() in {"NOTPROVIDED", "NONREF"}:
            reference = ""
        purpose = td.get("purpose")
        if purpose:
            remittance = _clean(" ".join(filter(None, [purpose, td.get("additional_purpose")])))
        elif slash.get("REMI"):
            remittance = _clean(slash["REMI"].replace("USTD//", "").replace("STRD/", ""))
        else:
            remittance = _clean(details)
        bank_ref = _clean(td.get("bank_reference"))
        currency_t = str(td.get("currency") or td["amount"].currency or currency)
        transactions.append(
            BankTransaction(
                transaction_id=ids.make(
                    bank_reference=bank_ref,
                    booking_date=booking_date,
                    amount=amount,
                    reference=reference,
                    counterparty=name or account_no,
                    remittance=remittance,
                ),
                booking_date=booking_date,
                value_date=value_date,
                amount=amount,
                currency=currency_t,
                counterparty_name=name,
                counterparty_account=account_no,
                reference=reference,
                remittance_info=remittance,
                bank_reference=bank_ref,
                raw=raw_lines[i] if i < len(raw_lines) else "",
                type_code=_clean(td.get("id")),
            )
        )
    return BankStatement(
        format="mt942" if is_942 else "mt940",
        statement_id=statement_id,
        bank_account=account,
        currency=currency,
        opening_balance=opening,
        closing_balance=closing,
        opening_date=o_date,
        closing_date=c_date,
        transactions=transactions,
        warnings=tuple(warnings),
    )


def _raw_lines(chunk: str) -> list[str]:
    """The text of each :61: with the :86: (or other tags) that follow it, for `raw`."""
    out: list[str] = []
    matches = list(TAG_RE.finditer(chunk))
    current: list[str] | None = None
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(chunk)
        piece = chunk[m.start() : end].strip()
        tag = m.group("tag")
        if tag == "61":
            current = [piece]
            out.append("")
        elif current is not None and tag in {"86", "NS"} | (set() if tag in KNOWN_TAGS else {tag}):
            current.append(piece)
        else:
            current = None
            continue
        out[-1] = "\n".join(current)
    return out
