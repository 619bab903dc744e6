"""The matching engine's inputs and outputs: plain frozen dataclasses, money as Decimal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

AUTO = "auto"
SUGGEST = "suggest"
ZERO = Decimal(0)


def _reduce(self):
    """Pickle as (class, field values): several times faster than the default for frozen
    slotted dataclasses, which matters for the process pool's results."""
    return (type(self), tuple(getattr(self, f) for f in self.__slots__))


@dataclass(frozen=True, slots=True)
class Receipt:
    """One incoming payment as the bank reports it (credits positive)."""

    __reduce__ = _reduce

    transaction_id: str
    amount: Decimal
    currency: str
    booking_date: dt.date | None = None
    value_date: dt.date | None = None
    counterparty_name: str = ""
    counterparty_account: str = ""  # IBAN or account number of the payer
    reference: str = ""  # end-to-end id / structured reference
    remittance_info: str = ""  # free text


@dataclass(frozen=True, slots=True)
class OpenItem:
    """An open receivable (invoice, or anything with a number that can be paid)."""

    item_id: str
    account_id: str
    account_name: str
    document_number: str
    currency: str
    open_amount: Decimal
    due_date: dt.date | None = None
    order_number: str = ""
    discount_rate: Decimal | None = None  # early-payment discount, e.g. Decimal("0.02")
    discount_until: dt.date | None = None  # last value date the discount may be taken


@dataclass(frozen=True, slots=True)
class Knowledge:
    """What confirmed matches taught: normalised payer name / bank account -> {account_id: times
    confirmed}. Treat as immutable; `knowledge_learn` returns a new one."""

    aliases: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    bank_accounts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ConfirmedMatch:
    """A receipt a person (or an automatic booking) allocated to items of these accounts."""

    receipt: Receipt
    account_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Settings:
    auto_threshold: float = 0.90  # a proposal at or above this confidence is booked automatically
    amount_tolerance: Decimal = Decimal("0.01")  # |paid - open| at most this counts as equal
    bank_charge_max: Decimal = Decimal("50")  # a shortfall up to this is bank charges
    discount_rates: tuple[Decimal, ...] = (Decimal("0.02"),)  # tried on items without own terms
    name_score_min: int = 88  # rapidfuzz score (0-100) for a fuzzy payer name
    subset_max_items: int = 16  # subset-sum looks at this many of the payer's oldest items
    subset_max_size: int = 4  # ... in combinations of at most this many items
    min_digits: int = 4  # a number quoted without a known prefix needs this many digits
    max_references: int = 12  # more distinct referenced items than this: no subset search


@dataclass(frozen=True, slots=True)
class Reason:
    """A reason a person can read (`text`), with a stable `code` and its parameters so the app
    can translate it."""

    __reduce__ = _reduce

    code: str
    text: str
    params: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Allocation:
    __reduce__ = _reduce

    item_id: str
    amount: Decimal  # cash applied to the item
    deduction: Decimal = ZERO  # bank charges or discount written off on the item


@dataclass(frozen=True, slots=True)
class Proposal:
    __reduce__ = _reduce

    allocations: tuple[Allocation, ...]
    confidence: float
    reasons: tuple[Reason, ...]
    kind: str  # reference | subset | partial | amount | ...
    unapplied: Decimal = ZERO  # cash left over (overpayment)

    @property
    def item_ids(self) -> frozenset[str]:
        return frozenset(a.item_id for a in self.allocations)


@dataclass(frozen=True, slots=True)
class Result:
    """The engine's answer for one receipt: proposals best first, and whether the best one may
    be booked without a person."""

    __reduce__ = _reduce

    transaction_id: str
    decision: str  # auto | suggest
    proposals: tuple[Proposal, ...]
    payer_account_ids: tuple[str, ...] = ()
    payer_reasons: tuple[Reason, ...] = ()

    @property
    def best(self) -> Proposal | None:
        return self.proposals[0] if self.proposals else None
