"""The result of reading a bank file: statements of transactions, and the one error.

Pure data, no Django. Amounts are exact `Decimal`s, signed from the account holder's side:
a credit (money in, a receipt) is positive, a debit negative.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

#: References that banks write when there is none; never used as a transaction's identity.
PLACEHOLDER_REFERENCES = frozenset(
    {"", "NONREF", "NOTPROVIDED", "NOT PROVIDED", "NONE", "N/A", "NA", "0", "-", "/"}
)


class BankFileError(ValueError):
    """A bank file that cannot be read: the message names the file, the place and the value."""

    def __init__(self, filename: str, where: str, problem: str, value: object = None):
        self.filename = filename or "<data>"
        self.where = where
        self.problem = problem
        self.value = value
        text = f"{self.filename}"
        if where:
            text += f", {where}"
        text += f": {problem}"
        if value is not None:
            shown = str(value)
            if len(shown) > 80:
                shown = shown[:77] + "..."
            text += f" ({shown!r})"
        super().__init__(text)


@dataclass(frozen=True)
class BankTransaction:
    transaction_id: str
    booking_date: dt.date | None
    value_date: dt.date | None
    amount: Decimal
    currency: str
    counterparty_name: str = ""
    counterparty_account: str = ""
    reference: str = ""
    remittance_info: str = ""
    bank_reference: str = ""
    raw: str = ""
    #: The bank's type code for the line (MT940 :61: type, BAI2 type code, camt BkTxCd).
    type_code: str = ""
    #: "BOOK" for a booked line; camt.052/054 may also report pending ("PDNG") or information
    #: ("INFO") entries, which are not money on the account yet and are left out of the balance.
    status: str = "BOOK"

    @property
    def booked(self) -> bool:
        return self.status == "BOOK"


@dataclass(frozen=True)
class BankStatement:
    format: str
    statement_id: str
    bank_account: str
    currency: str
    opening_balance: Decimal | None
    closing_balance: Decimal | None
    opening_date: dt.date | None
    closing_date: dt.date | None
    transactions: list[BankTransaction] = field(default_factory=list)
    #: Things a person should know that do not stop the file from being read
    #: (BAI2 trailer totals that disagree, a statement without an account ...).
    warnings: tuple[str, ...] = ()

    @property
    def lines_total(self) -> Decimal:
        return sum((t.amount for t in self.transactions if t.booked), Decimal(0))

    @property
    def balance_difference(self) -> Decimal | None:
        """closing - (opening + sum of the lines); 0 when they add up, None without balances."""
        if self.opening_balance is None or self.closing_balance is None:
            return None
        return self.closing_balance - (self.opening_balance + self.lines_total)

    @property
    def balanced(self) -> bool | None:
        diff = self.balance_difference
        return None if diff is None else diff == 0


# --- transaction ids ---------------------------------------------------------------------------


def _norm(value: object) -> str:
    return " ".join(str(value or "").split()).upper()


def _amount_key(amount: Decimal) -> str:
    """The same amount always gives the same text, whatever its exponent (1.5 == 1.50)."""
    return format(amount.normalize(), "f") if amount else "0"


@dataclass
class TransactionIds:
    """Hands out stable transaction ids within one statement (see docs/cashapp.md).

    With a usable bank reference (not a placeholder such as NONREF or NOTPROVIDED) the id is
    a hash of ("ref", account, currency, reference, amount): the same line in a re-export or an
    overlapping export gets the same id, and a bank that reuses a reference for a different
    amount cannot make two payments collide. Without one it is a hash of ("line", account,
    currency, booking date, amount, reference, counterparty, remittance text). Either way, the
    n-th identical key within the statement gets the occurrence index n appended, so two
    genuinely identical lines stay two transactions and are the same two next time.
    """

    account: str
    currency: str
    seen: Counter = field(default_factory=Counter)

    def make(
        self,
        *,
        bank_reference: str,
        booking_date: dt.date | None,
        amount: Decimal,
        reference: str = "",
        counterparty: str = "",
        remittance: str = "",
    ) -> str:
        ref = _norm(bank_reference)
        if ref not in PLACEHOLDER_REFERENCES:
            parts = ["ref", _norm(self.account), _norm(self.currency), ref, _amount_key(amount)]
        else:
            parts = [
                "line",
                _norm(self.account),
                _norm(self.currency),
                booking_date.isoformat() if booking_date else "",
                _amount_key(amount),
                _norm(reference),
                _norm(counterparty),
                _norm(remittance),
            ]
        key = "\x1f".join(parts)
        occurrence = self.seen[key]
        self.seen[key] += 1
        if occurrence:
            key += f"\x1f#{occurrence}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
