"""Bank CSV exports, read through mapping presets.

A preset names, for each of our fields, the column headers banks use for it. The preset whose
required columns are all in the file's header wins (the most specific first). Amounts come
either from one signed column or from a credit and a debit column; decimal comma or point is
decided per file (a value ending in a comma and one or two digits means decimal comma), and
thousands separators, currency symbols and spaces are dropped. Dates are read in ISO, dotted
European, slashed (day first unless a value proves it is month first), compact and Chinese
(2024年1月5日) forms.

Encoding: UTF-8 (with or without BOM), else GB18030 (the Chinese banks' exports), else
Windows-1252 -- the first under which a preset matches the header.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .model import BankFileError, BankStatement, BankTransaction, TransactionIds


@dataclass(frozen=True)
class CsvPreset:
    name: str
    columns: dict[str, tuple[str, ...]]
    required: tuple[tuple[str, ...], ...]  # each inner tuple: at least one of these fields
    default_currency: str = ""
    day_first: bool = True


def _h(*names: str) -> tuple[str, ...]:
    return tuple(_key(n) for n in names)


def _key(header: str) -> str:
    return re.sub(r"[\s_\-./()（）:：]+", "", header.strip().lower())


PRESETS: tuple[CsvPreset, ...] = (
    CsvPreset(
        name="cn_bank",
        columns={
            "booking_date": _h("交易日期", "记账日期", "交易时间", "入账日期"),
            "value_date": _h("起息日", "起息日期"),
            "credit": _h("贷方金额", "贷方发生额", "收入金额", "收入"),
            "debit": _h("借方金额", "借方发生额", "支出金额", "支出"),
            "amount": _h("交易金额", "金额"),
            "currency": _h("币种", "货币"),
            "counterparty_name": _h("对方户名", "对方账户名称", "对方名称", "收付款人名称"),
            "counterparty_account": _h("对方账号", "对方账户", "收付款人账号"),
            "reference": _h("业务编号", "客户参考号", "参考号"),
            "summary": _h("摘要", "交易摘要"),
            "remittance": _h("附言", "用途", "备注", "交易附言"),
            "bank_reference": _h("交易流水号", "流水号", "凭证号", "交易序号"),
            "bank_account": _h("本方账号", "账号", "账户"),
            "balance": _h("余额", "账户余额"),
        },
        required=(
            ("booking_date",),
            ("credit", "debit", "amount"),
            ("counterparty_name", "summary", "remittance"),
        ),
        default_currency="CNY",
    ),
    CsvPreset(
        name="generic",
        columns={
            "booking_date": _h(
                "booking date",
                "date",
                "transaction date",
                "posting date",
                "booked",
                "buchungstag",
                "datum",
            ),
            "value_date": _h("value date", "valuta", "valutadatum", "wertstellung"),
            "amount": _h("amount", "signed amount", "betrag", "montant", "bedrag"),
            "credit": _h("credit", "credit amount", "paid in", "money in", "haben"),
            "debit": _h("debit", "debit amount", "paid out", "money out", "soll"),
            "currency": _h("currency", "ccy", "währung", "waehrung", "devise", "munt"),
            "counterparty_name": _h(
                "counterparty",
                "counterparty name",
                "payer",
                "payer name",
                "name",
                "beneficiary",
                "payee",
                "auftraggeber",
                "empfänger",
                "naam tegenpartij",
            ),
            "counterparty_account": _h(
                "counterparty account",
                "counterparty iban",
                "iban",
                "payer account",
                "account number",
                "tegenrekening",
            ),
            "reference": _h(
                "reference",
                "end to end id",
                "end-to-end id",
                "customer reference",
                "referenz",
                "kenmerk",
            ),
            "remittance": _h(
                "description",
                "remittance",
                "remittance info",
                "remittance information",
                "details",
                "memo",
                "narrative",
                "verwendungszweck",
                "omschrijving",
                "purpose",
            ),
            "bank_reference": _h("transaction id", "bank reference", "id", "transaction reference"),
            "bank_account": _h(
                "bank account", "own account", "our account", "account iban", "account"
            ),
            "summary": _h("type", "transaction type", "buchungstext"),
            "balance": _h("balance", "running balance", "saldo", "solde"),
        },
        required=(("booking_date",), ("amount", "credit", "debit")),
    ),
)

# Chinese exports name the currency rather than give its code.
CURRENCY_NAMES = {"人民币": "CNY", "元": "CNY", "RMB": "CNY", "美元": "USD", "欧元": "EUR",
                  "港币": "HKD", "港元": "HKD", "日元": "JPY", "英镑": "GBP"}  # fmt: skip
DECIMAL_COMMA_RE = re.compile(r",\d{1,2}$")
CN_DATE_RE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日")


def _decode(data: bytes):
    for encoding in ("utf-8-sig", "gb18030", "cp1252"):
        try:
            yield encoding, data.decode(encoding)
        except UnicodeDecodeError:
            continue


def _sniff(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    return max(counts, key=counts.get) if max(counts.values()) else ","


def _match(header: list[str]) -> tuple[CsvPreset, dict[str, int]] | None:
    keys = [_key(h) for h in header]
    for preset in PRESETS:
        mapping: dict[str, int] = {}
        for field_name, names in preset.columns.items():
            for name in names:  # the preset's order is the preference order
                if name in keys and keys.index(name) not in mapping.values():
                    mapping[field_name] = keys.index(name)
                    break
        if all(any(f in mapping for f in group) for group in preset.required):
            return preset, mapping
    return None


def _amount(raw: str, decimal_comma: bool, filename: str, where: str) -> Decimal | None:
    text = raw.strip().replace("\u00a0", "").replace(" ", "").replace("'", "")
    if not text or text in {"-", "--"}:
        return None
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    text = re.sub(r"^[^\d+\-.,]+|[^\d.,]+$", "", text)  # currency symbols or codes around it
    if text.endswith("-"):
        negative, text = True, text[:-1]
    text = text.replace(".", "").replace(",", ".") if decimal_comma else text.replace(",", "")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?|[+-]?\.\d+", text):
        raise BankFileError(filename, where, "malformed amount", raw)
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover
        raise BankFileError(filename, where, "malformed amount", raw) from None
    return -value if negative else value


def _date(raw: str, day_first: bool, filename: str, where: str) -> dt.date | None:
    text = raw.strip()
    if not text:
        return None
    m = CN_DATE_RE.match(text)
    if m:
        parts = (int(m[1]), int(m[2]), int(m[3]))
    else:
        text = text.split("T")[0].split(" ")[0]
        try:
            if re.fullmatch(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}", text):
                y, mo, d = re.split(r"[-/.]", text)
                parts = (int(y), int(mo), int(d))
            elif re.fullmatch(r"\d{8}", text):
                parts = (int(text[:4]), int(text[4:6]), int(text[6:]))
            elif re.fullmatch(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}", text):
                a, b, y = (int(p) for p in re.split(r"[-/.]", text))
                y = y + 2000 if y < 100 else y
                parts = (y, b, a) if day_first else (y, a, b)
            else:
                raise ValueError
            return dt.date(*parts)
        except ValueError:
            raise BankFileError(filename, where, "not a date", raw) from None
    try:
        return dt.date(*parts)
    except ValueError:
        raise BankFileError(filename, where, "not a date", raw) from None


def read_csv(data: bytes, filename: str) -> list[BankStatement]:
    if b"\x00" in data[:4096]:
        raise BankFileError(filename, "", "binary data, not a text file (wrong encoding?)")
    chosen = None
    for _encoding, text in _decode(data):
        rows = list(csv.reader(io.StringIO(text), delimiter=_sniff(text)))
        # Some exports put a title or account lines above the header: look at the first ten.
        for start, header in enumerate(rows[:10]):
            found = _match(header)
            if found:
                chosen = (rows, start, *found)
                break
        if chosen:
            break
    if not chosen:
        raise BankFileError(
            filename,
            "header",
            "not a bank file we recognise (MT940, camt.05x XML, BAI2) nor a CSV with a known "
            "header (date and amount, or 交易日期 and 贷方金额/借方金额)",
        )
    rows, start, preset, mapping = chosen
    body = [
        (start + 2 + i, r) for i, r in enumerate(rows[start + 1 :]) if any(c.strip() for c in r)
    ]

    def cell(row: list[str], name: str) -> str:
        i = mapping.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    amount_cols = [c for c in ("amount", "credit", "debit") if c in mapping]
    samples = [cell(r, c) for _, r in body for c in amount_cols]
    decimal_comma = any(DECIMAL_COMMA_RE.search(s.strip()) for s in samples if s) and not any(
        re.search(r"\.\d{1,2}$", s.strip()) for s in samples if s
    )
    day_first = preset.day_first
    for _, r in body:
        for c in ("booking_date", "value_date"):
            m = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.]\d{2,4}", cell(r, c).split(" ")[0])
            if m and int(m[2]) > 12:
                day_first = False
    parsed: list[dict] = []
    for lineno, row in body:
        where = f"line {lineno}"
        amount = None
        if "amount" in mapping and cell(row, "amount"):
            amount = _amount(
                cell(row, "amount"), decimal_comma, filename, f"{where}, column amount"
            )
        credit = _amount(cell(row, "credit"), decimal_comma, filename, f"{where}, column credit")
        debit = _amount(cell(row, "debit"), decimal_comma, filename, f"{where}, column debit")
        if amount is None:
            if credit is None and debit is None:
                raise BankFileError(filename, where, "no amount on the line", ",".join(row))
            amount = (credit or Decimal(0)) - abs(debit or Decimal(0))
        booking = _date(cell(row, "booking_date"), day_first, filename, f"{where}, column date")
        if booking is None:
            raise BankFileError(filename, where, "no booking date on the line", ",".join(row))
        value_date = _date(
            cell(row, "value_date"), day_first, filename, f"{where}, column value date"
        )
        remittance = " ".join(x for x in (cell(row, "summary"), cell(row, "remittance")) if x)
        balance = _amount(cell(row, "balance"), decimal_comma, filename, f"{where}, column balance")
        parsed.append(
            {
                "account": cell(row, "bank_account"),
                "currency": CURRENCY_NAMES.get(
                    cell(row, "currency"), cell(row, "currency") or preset.default_currency
                ).upper(),
                "booking": booking,
                "value": value_date or booking,
                "amount": amount,
                "name": cell(row, "counterparty_name"),
                "cp_account": cell(row, "counterparty_account").replace(" ", ""),
                "reference": cell(row, "reference"),
                "remittance": remittance,
                "bank_ref": cell(row, "bank_reference"),
                "raw": ",".join(row),
                "balance": balance,
            }
        )
    if not parsed:
        raise BankFileError(filename, f"line {start + 2}", "the file has a header but no lines")
    statements: dict[tuple[str, str], list[dict]] = {}
    for p in parsed:
        statements.setdefault((p["account"], p["currency"]), []).append(p)
    out = []
    for (account, currency), lines in statements.items():
        ids = TransactionIds(account, currency)
        transactions = [
            BankTransaction(
                transaction_id=ids.make(
                    bank_reference=p["bank_ref"],
                    booking_date=p["booking"],
                    amount=p["amount"],
                    reference=p["reference"],
                    counterparty=p["name"] or p["cp_account"],
                    remittance=p["remittance"],
                ),
                booking_date=p["booking"],
                value_date=p["value"],
                amount=p["amount"],
                currency=currency,
                counterparty_name=p["name"],
                counterparty_account=p["cp_account"],
                reference=p["reference"],
                remittance_info=p["remittance"],
                bank_reference=p["bank_ref"],
                raw=p["raw"],
            )
            for p in lines
        ]
        first = min(p["booking"] for p in lines)
        last = max(p["booking"] for p in lines)
        # A running balance column gives the statement's balances: the balance before the
        # first line and after the last one (lines in booking order, oldest first).
        opening = closing = None
        if all(p["balance"] is not None for p in lines):
            ordered = lines if lines[0]["booking"] <= lines[-1]["booking"] else lines[::-1]
            opening = ordered[0]["balance"] - ordered[0]["amount"]
            closing = ordered[-1]["balance"]
        warnings = [] if account else ["no account column: the account must be chosen on import"]
        if not currency:
            warnings.append("no currency column: the account's currency applies")
        out.append(
            BankStatement(
                format=f"csv:{preset.name}",
                statement_id=f"{first.isoformat()}..{last.isoformat()}",
                bank_account=account,
                currency=currency,
                opening_balance=opening,
                closing_balance=closing,
                opening_date=first,
                closing_date=last,
                transactions=transactions,
                warnings=tuple(warnings),
            )
        )
    return out
