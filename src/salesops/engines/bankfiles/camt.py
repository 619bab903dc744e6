"""ISO 20022 camt.052 (account report), camt.053 (statement) and camt.054 (debit/credit
notification), any message version (001.01 to 001.12 seen in the wild), read with lxml.

Elements are found by local name under the document's own namespace, so one reader serves
every version: where versions differ (v1 `PrtryAcct`, v2-v6 `Dbtr/Nm`, v8+ `Dbtr/Pty/Nm`,
`Sts` as text before v7 and `Sts/Cd` after) both shapes are read.

One `BankTransaction` per `Ntry`. A batch entry whose `TxDtls` each carry an amount that add
up to the entry's amount (same currency) is split into one transaction per `TxDtls` — that is
how several customers' receipts arrive in one booking; otherwise the entry stays whole and the
details of its first `TxDtls` describe it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from lxml import etree

from .model import BankFileError, BankStatement, BankTransaction, TransactionIds

NS_RE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.05([234])\.001\.(\d\d)$")
RECORDS = {"2": ("BkToCstmrAcctRpt", "Rpt"), "3": ("BkToCstmrStmt", "Stmt"),
           "4": ("BkToCstmrDbtCdtNtfctn", "Ntfctn")}  # fmt: skip
OPENING_CODES = ("OPBD", "PRCD")
CLOSING_CODES = ("CLBD",)
BOOKED = "BOOK"
AMOUNT_RE = re.compile(r"^\d{1,18}(\.\d{1,10})?$")


class _Doc:
    def __init__(self, ns: str, filename: str):
        self.ns = ns
        self.filename = filename

    def q(self, path: str) -> str:
        return "/".join(f"{{{self.ns}}}{p}" if p not in (".", "..") else p for p in path.split("/"))

    def find(self, el, path: str):
        return None if el is None else el.find(self.q(path))

    def findall(self, el, path: str):
        return [] if el is None else el.findall(self.q(path))

    def text(self, el, *paths: str) -> str:
        for path in paths:
            found = self.find(el, path)
            if found is not None and found.text and found.text.strip():
                return " ".join(found.text.split())
        return ""

    def where(self, el) -> str:
        names = []
        node = el
        while node is not None:
            names.append(etree.QName(node).localname)
            node = node.getparent()
        return f"line {el.sourceline}, element {'/'.join(reversed(names))}"

    def amount(self, el) -> tuple[Decimal, str]:
        raw = (el.text or "").strip()
        if not AMOUNT_RE.match(raw):
            raise BankFileError(self.filename, self.where(el), "malformed amount", raw)
        try:
            value = Decimal(raw)
        except InvalidOperation:  # pragma: no cover - the pattern guarantees a number
            raise BankFileError(self.filename, self.where(el), "malformed amount", raw) from None
        currency = (el.get("Ccy") or "").strip()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise BankFileError(
                self.filename, self.where(el), "missing or bad currency (Ccy)", currency
            )
        return value, currency

    def sign(self, el, owner) -> int:
        ind = self.text(owner, "CdtDbtInd")
        if ind not in ("CRDT", "DBIT"):
            raise BankFileError(
                self.filename, self.where(owner), "CdtDbtInd must be CRDT or DBIT", ind
            )
        return 1 if ind == "CRDT" else -1

    def date(self, el, path: str) -> dt.date | None:
        node = self.find(el, path)
        if node is None:
            return None
        raw = self.text(node, "Dt") or self.text(node, "DtTm")
        if not raw:
            return None
        try:
            return dt.date.fromisoformat(raw[:10])
        except ValueError:
            raise BankFileError(self.filename, self.where(node), "not a valid date", raw) from None


def read_camt(data: bytes, filename: str) -> list[BankStatement]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             remove_comments=True)  # fmt: skip
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = getattr(exc, "lineno", None) or (exc.position[0] if exc.position else "?")
        raise BankFileError(filename, f"line {line}", "invalid XML", exc.msg) from None
    ns = etree.QName(root).namespace or ""
    m = NS_RE.match(ns)
    if not m:
        raise BankFileError(
            filename, "root element", "not an ISO 20022 camt.052/053/054 document", ns
        )
    kind, version = m.group(1), m.group(2)
    doc = _Doc(ns, filename)
    wrapper_name, record_name = RECORDS[kind]
    wrapper = None
    for child in root:
        if isinstance(child.tag, str) and etree.QName(child).localname.startswith(wrapper_name):
            wrapper = child
            break
    if wrapper is None:
        raise BankFileError(filename, "root element", f"no {wrapper_name} message", ns)
    records = doc.findall(wrapper, record_name)
    if not records:
        raise BankFileError(
            filename, doc.where(wrapper), f"the message holds no {record_name} (no statement)"
        )
    fmt = f"camt.05{kind}.001.{version}"
    return [_record(doc, rec, fmt) for rec in records]


def _account(doc: _Doc, acct) -> str:
    return doc.text(acct, "Id/IBAN", "Id/Othr/Id", "Id/PrtryAcct/Id", "Id/BBAN", "Id/UPIC")


def _balances(doc: _Doc, rec):
    found: dict[str, tuple[Decimal, str, dt.date | None]] = {}
    for bal in doc.findall(rec, "Bal"):
        code = doc.text(bal, "Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry", "Tp/Cd", "Tp/Prtry")
        amt_el = doc.find(bal, "Amt")
        if amt_el is None:
            raise BankFileError(doc.filename, doc.where(bal), "balance without an amount")
        value, currency = doc.amount(amt_el)
        found.setdefault(code, (value * doc.sign(amt_el, bal), currency, doc.date(bal, "Dt")))
    opening = next((found[c] for c in OPENING_CODES if c in found), None)
    closing = next((found[c] for c in CLOSING_CODES if c in found), None)
    return opening, closing


def _status(doc: _Doc, ntry) -> str:
    return doc.text(ntry, "Sts/Cd", "Sts/Prtry", "Sts") or BOOKED


def _party(doc: _Doc, tx, role: str) -> tuple[str, str]:
    """Name and account of Dbtr or Cdtr (v2-v6 `Dbtr/Nm`, v8+ `Dbtr/Pty/Nm`; ultimate too)."""
    name = doc.text(
        tx,
        f"RltdPties/Ultmt{role}/Nm",
        f"RltdPties/Ultmt{role}/Pty/Nm",
        f"RltdPties/{role}/Nm",
        f"RltdPties/{role}/Pty/Nm",
    )
    # The ultimate party is who the payment is for; prefer the direct party's name when both.
    direct = doc.text(tx, f"RltdPties/{role}/Nm", f"RltdPties/{role}/Pty/Nm")
    acct = doc.find(tx, f"RltdPties/{role}Acct")
    return (direct or name), _account(doc, acct)


def _remittance(doc: _Doc, tx) -> tuple[str, str]:
    """(structured reference, free text) from RmtInf: Ustrd lines, Strd creditor references,
    referred document numbers (invoice numbers) and additional remittance text."""
    refs: list[str] = []
    parts: list[str] = []
    for rmt in doc.findall(tx, "RmtInf"):
        for u in doc.findall(rmt, "Ustrd"):
            if u.text and u.text.strip():
                parts.append(" ".join(u.text.split()))
        for s in doc.findall(rmt, "Strd"):
            ref = doc.text(s, "CdtrRefInf/Ref")
            if ref:
                refs.append(ref)
            for rd in doc.findall(s, "RfrdDocInf"):
                nb = doc.text(rd, "Nb")
                if nb:
                    parts.append(nb)
            for add in doc.findall(s, "AddtlRmtInf"):
                if add.text and add.text.strip():
                    parts.append(" ".join(add.text.split()))
    return " ".join(refs), " ".join(parts)


def _record(doc: _Doc, rec, fmt: str) -> BankStatement:
    acct = doc.find(rec, "Acct")
    account = _account(doc, acct)
    opening, closing = _balances(doc, rec)
    currency = doc.text(acct, "Ccy") or (opening or closing or (None, ""))[1]
    statement_id = doc.text(rec, "Id") or doc.text(rec, "ElctrncSeqNb")
    transactions: list[BankTransaction] = []
    for ntry in doc.findall(rec, "Ntry"):
        if not currency:
            amt_el = doc.find(ntry, "Amt")
            currency = amt_el.get("Ccy", "") if amt_el is not None else ""
        transactions.extend(_entry(doc, ntry, account, currency))
    ids = TransactionIds(account, currency)
    final = []
    for t, keys in transactions:
        final.append(_with_id(t, ids.make(**keys)))
    warnings = []
    if not account:
        warnings.append("no account (Acct/Id)")
    return BankStatement(
        format=fmt,
        statement_id=statement_id,
        bank_account=account,
        currency=currency,
        opening_balance=opening[0] if opening else None,
        closing_balance=closing[0] if closing else None,
        opening_date=opening[2] if opening else None,
        closing_date=closing[2] if closing else None,
        transactions=final,
        warnings=tuple(warnings),
    )


def _with_id(t: BankTransaction, transaction_id: str) -> BankTransaction:
    from dataclasses import replace

    return replace(t, transaction_id=transaction_id)


def _entry(doc: _Doc, ntry, account: str, currency: str):
    amt_el = doc.find(ntry, "Amt")
    if amt_el is None:
        raise BankFileError(doc.filename, doc.where(ntry), "entry (Ntry) without an amount")
    value, ccy = doc.amount(amt_el)
    amount = value * doc.sign(amt_el, ntry)
    status = _status(doc, ntry)
    booking = doc.date(ntry, "BookgDt")
    value_date = doc.date(ntry, "ValDt")
    entry_ref = doc.text(ntry, "AcctSvcrRef")
    code = doc.text(ntry, "BkTxCd/Domn/Fmly/SubFmlyCd", "BkTxCd/Prtry/Cd")
    entry_info = doc.text(ntry, "AddtlNtryInf")
    details = [tx for d in doc.findall(ntry, "NtryDtls") for tx in doc.findall(d, "TxDtls")]
    raw = etree.tostring(ntry, encoding="unicode")
    # Split a batch when its details carry amounts that add up to the entry.
    split: list[tuple[object, Decimal]] = []
    if len(details) > 1:
        for tx in details:
            tx_amt = doc.find(tx, "Amt")
            if tx_amt is None:
                tx_amt = doc.find(tx, "AmtDtls/TxAmt/Amt")
            if tx_amt is None:
                split = []
                break
            v, c = doc.amount(tx_amt)
            if c != ccy:
                split = []
                break
            ind_owner = tx if doc.text(tx, "CdtDbtInd") else ntry
            split.append((tx, v * doc.sign(tx_amt, ind_owner)))
        if split and sum(a for _, a in split) != amount:
            split = []
    parts = split or [(details[0] if details else None, amount)]
    out = []
    for tx, part_amount in parts:
        credit = part_amount >= 0
        name, cp_account = (
            _party(doc, tx, "Dbtr" if credit else "Cdtr") if tx is not None else ("", "")
        )
        reference, remittance = _remittance(doc, tx) if tx is not None else ("", "")
        end_to_end = doc.text(tx, "Refs/EndToEndId") if tx is not None else ""
        if end_to_end.upper() in {"NOTPROVIDED", "NOT PROVIDED"}:
            end_to_end = ""
        tx_ref = doc.text(tx, "Refs/AcctSvcrRef") if tx is not None else ""
        bank_ref = (tx_ref if split else "") or entry_ref
        if split and not tx_ref:
            bank_ref = ""  # an entry reference shared by the batch does not identify one part
        if not bank_ref:
            bank_ref = end_to_end or (
                doc.text(tx, "Refs/TxId", "Refs/UETR") if tx is not None else ""
            )
        if not remittance:
            remittance = (doc.text(tx, "AddtlTxInf") if tx is not None else "") or entry_info
        t = BankTransaction(
            transaction_id="",
            booking_date=booking,
            value_date=value_date,
            amount=part_amount,
            currency=ccy,
            counterparty_name=name,
            counterparty_account=cp_account,
            # The payer's structured creditor reference(s), then the end-to-end id if different.
            reference=" ".join(dict.fromkeys(x for x in (reference, end_to_end) if x)),
            remittance_info=remittance,
            bank_reference=bank_ref,
            raw=etree.tostring(tx, encoding="unicode") if split else raw,
            type_code=code,
            status=status,
        )
        keys = dict(
            bank_reference=bank_ref,
            booking_date=booking,
            amount=part_amount,
            reference=t.reference,
            counterparty=name or cp_account,
            remittance=remittance,
        )
        out.append((t, keys))
    return out
