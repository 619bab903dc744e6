"""Partner reconciliation: our ledger of an account against the partner's own ledger of us.

Pure computation over plain frozen dataclasses; no Django (import-linter enforces it).

Inputs
  `OurItem`   one posting of our customer ledger (signed: + the partner owes us more).
  `TheirItem` one row of the partner's file, with the amount as it stands in their file;
              `Options.flip_sign` says whether their signs are the opposite of ours (a
              partner's ledger of us is their payable: our invoice is their credit).

Passes
  1. By document: the document number they quote (or, failing that, one of our document
     numbers found in their reference or description) is normalised (`doc_key`: case,
     full-width characters, spaces and punctuation, leading zeros) and compared with ours.
     Within one document, items of equal amount pair one to one (matched); what is left on
     both sides is summed into one line: matched if the sums agree (an invoice they booked in
     two rows), otherwise amount differs. A number quoted without its prefix ("12" for
     INV-0000012) matches only when exactly one of our documents has those digits.
  2. By amount and date: what is still unmatched (a file with their own voucher numbers only)
     pairs by equal amount with the nearest date within `Options.date_window_days`.
  What remains is only ours / only theirs.

Exact matching after normalisation, no fuzzy string matching: our document numbers are
sequential, so INV-0000012 and INV-0000013 are one character apart and a similarity score
would pair exactly the items a person most needs to see as different.

Balance check: every item lands in exactly one line and each line's difference is
(our amount or 0) - (their amount or 0), so
    our balance - their balance = sum(only ours) - sum(only theirs) + sum(amount differences)
holds by construction; tests/engines/test_reconcile.py proves it for random ledgers.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

MATCHED = "matched"
AMOUNT_DIFFERS = "amount_differs"
ONLY_THEIRS = "only_theirs"
ONLY_OURS = "only_ours"
RESULTS = (MATCHED, AMOUNT_DIFFERS, ONLY_THEIRS, ONLY_OURS)

BY_DOCUMENT = "document"
BY_AMOUNT_DATE = "amount_date"

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class OurItem:
    document_number: str
    posted_on: dt.date
    amount: Decimal  # signed: + the partner owes us more
    kind: str = ""
    key: int | None = None  # our ledger entry id, for tracing


@dataclass(frozen=True, slots=True)
class TheirItem:
    row: int  # row number in their file, as Excel shows it
    posted_on: dt.date
    amount: Decimal  # signed as in their file
    reference: str = ""  # their own voucher / reference number
    document_number: str = ""  # our document number, when they quote it
    description: str = ""


@dataclass(frozen=True, slots=True)
class Options:
    flip_sign: bool = True  # their file is their payable ledger: our + is their -
    date_window_days: int | None = 3  # pass 2; None switches it off


@dataclass(frozen=True, slots=True)
class Line:
    result: str
    method: str  # BY_DOCUMENT, BY_AMOUNT_DATE, or "" for only ours / only theirs
    document_number: str  # ours when we have it, else the number they quoted
    their_reference: str
    our_date: dt.date | None
    their_date: dt.date | None
    our_amount: Decimal | None
    their_amount: Decimal | None  # in our sign convention
    difference: Decimal  # (our amount or 0) - (their amount or 0)
    their_rows: tuple[int, ...] = ()
    our_keys: tuple[int | None, ...] = ()
    kind: str = ""
    description: str = ""

    @property
    def posted_on(self) -> dt.date | None:
        return self.our_date or self.their_date


@dataclass(frozen=True, slots=True)
class Section:
    count: int
    ours: Decimal
    theirs: Decimal
    difference: Decimal


@dataclass(frozen=True, slots=True)
class Result:
    lines: tuple[Line, ...]
    our_balance: Decimal
    their_balance: Decimal  # in our sign convention
    sections: dict[str, Section] = field(default_factory=dict)

    @property
    def difference(self) -> Decimal:
        """Our balance less theirs."""
        return self.our_balance - self.their_balance

    @property
    def explained(self) -> Decimal:
        """sum(only ours) - sum(only theirs) + sum(amount differences)."""
        s = self.sections
        return s[ONLY_OURS].ours - s[ONLY_THEIRS].theirs + s[AMOUNT_DIFFERS].difference

    @property
    def unexplained(self) -> Decimal:
        return self.difference - self.explained

    def by_result(self, result: str) -> list[Line]:
        return [ln for ln in self.lines if ln.result == result]


# ---------------------------------------------------------------- document numbers

_PUNCT = re.compile(r"[\s\-_/\\.#:：·,，。]+")
_KEY = re.compile(r"^([A-Z]*)0*(\d+)([A-Z]*)$")
_TOKEN = re.compile(r"[A-Za-z]{1,6}[\s\-_/#]?\d{1,20}|\d{3,20}")


def doc_key(value: str) -> str:
    """The comparable form of a document number: 'inv-0000012', 'INV 12', 'ＩＮＶ００１２'
    all give 'INV12'. Empty for empty input."""
    s = unicodedata.normalize("NFKC", value or "").upper()
    s = _PUNCT.sub("", s)
    if s.startswith("NO") and s[2:3].isdigit():
        s = s[2:]
    m = _KEY.match(s)
    if m:
        prefix, digits, suffix = m.groups()
        return f"{prefix}{int(digits)}{suffix}"
    return s


def digits_key(key: str) -> str:
    """The number part of a key ('INV12' -> '12'), for a number quoted without its prefix."""
    m = _KEY.match(key)
    return str(int(m.group(2))) if m else ""


def doc_tokens(*texts: str) -> list[str]:
    """Candidate document keys inside free text ('付款 INV-0000012 部分' -> ['INV12'])."""
    out: list[str] = []
    for text in texts:
        if not text:
            continue
        norm = unicodedata.normalize("NFKC", text)
        for tok in _TOKEN.findall(norm):
            k = doc_key(tok)
            if k and k not in out:
                out.append(k)
    return out


# ---------------------------------------------------------------- matching


@dataclass
class _Their:
    item: TheirItem
    amount: Decimal  # our sign convention


def _flip(items: Iterable[TheirItem], options: Options) -> list[_Their]:
    return [_Their(t, -t.amount if options.flip_sign else t.amount) for t in items]


class _OurIndex:
    def __init__(self, ours: Sequence[OurItem]):
        self.by_key: dict[str, list[int]] = defaultdict(list)
        for i, o in enumerate(ours):
            k = doc_key(o.document_number)
            if k:
                self.by_key[k].append(i)
        digits: dict[str, set[str]] = defaultdict(set)
        for k in self.by_key:
            d = digits_key(k)
            if d:
                digits[d].add(k)
        # a bare number stands for one of our documents only when exactly one has it
        self.by_digits = {d: next(iter(ks)) for d, ks in digits.items() if len(ks) == 1}

    def key_for(self, t: TheirItem) -> str:
        """Which of our documents this row is about, or ''."""
        if t.document_number:
            k = doc_key(t.document_number)
            if k in self.by_key:
                return k
            if k.isdigit() and k in self.by_digits:
                return self.by_digits[k]
        for k in doc_tokens(t.document_number, t.reference, t.description):
            if k in self.by_key:
                return k
        return ""


def _pair_equal(our_idx: list[int], their_idx: list[int], ours, theirs):
    """Pair items of equal amount one to one, nearest date first; return the pairs and
    what is left on each side (in input order)."""
    pairs = []
    left_ours = list(our_idx)
    left_theirs = []
    for ti in their_idx:
        t = theirs[ti]
        best = None
        for pos, oi in enumerate(left_ours):
            o = ours[oi]
            if o.amount != t.amount:
                continue
            gap = abs((o.posted_on - t.item.posted_on).days)
            if best is None or gap < best[0]:
                best = (gap, pos)
        if best is None:
            left_theirs.append(ti)
        else:
            pairs.append((left_ours.pop(best[1]), ti))
    return pairs, left_ours, left_theirs


def _line_matched(o: OurItem, t: _Their, method: str) -> Line:
    return Line(
        result=MATCHED,
        method=method,
        document_number=o.document_number,
        their_reference=t.item.reference or t.item.document_number,
        our_date=o.posted_on,
        their_date=t.item.posted_on,
        our_amount=o.amount,
        their_amount=t.amount,
        difference=o.amount - t.amount,
        their_rows=(t.item.row,),
        our_keys=(o.key,),
        kind=o.kind,
        description=t.item.description,
    )


def _join(values: Iterable[str]) -> str:
    seen: list[str] = []
    for v in values:
        if v and v not in seen:
            seen.append(v)
    return "; ".join(seen)


def _line_group(os_: list[OurItem], ts: list[_Their]) -> Line:
    our_sum = sum((o.amount for o in os_), ZERO)
    their_sum = sum((t.amount for t in ts), ZERO)
    return Line(
        result=MATCHED if our_sum == their_sum else AMOUNT_DIFFERS,
        method=BY_DOCUMENT,
        document_number=os_[0].document_number,
        their_reference=_join(t.item.reference or t.item.document_number for t in ts),
        our_date=min(o.posted_on for o in os_),
        their_date=min(t.item.posted_on for t in ts),
        our_amount=our_sum,
        their_amount=their_sum,
        difference=our_sum - their_sum,
        their_rows=tuple(t.item.row for t in ts),
        our_keys=tuple(o.key for o in os_),
        kind=_join(o.kind for o in os_),
        description=_join(t.item.description for t in ts),
    )


def _line_only_ours(o: OurItem) -> Line:
    return Line(
        result=ONLY_OURS,
        method="",
        document_number=o.document_number,
        their_reference="",
        our_date=o.posted_on,
        their_date=None,
        our_amount=o.amount,
        their_amount=None,
        difference=o.amount,
        our_keys=(o.key,),
        kind=o.kind,
    )


def _line_only_theirs(t: _Their) -> Line:
    return Line(
        result=ONLY_THEIRS,
        method="",
        document_number=t.item.document_number,
        their_reference=t.item.reference,
        our_date=None,
        their_date=t.item.posted_on,
        our_amount=None,
        their_amount=t.amount,
        difference=-t.amount,
        their_rows=(t.item.row,),
        description=t.item.description,
    )


def _sections(lines: Sequence[Line]) -> dict[str, Section]:
    acc = {r: [0, ZERO, ZERO, ZERO] for r in RESULTS}
    for ln in lines:
        a = acc[ln.result]
        a[0] += 1
        a[1] += ln.our_amount or ZERO
        a[2] += ln.their_amount or ZERO
        a[3] += ln.difference
    return {r: Section(*a) for r, a in acc.items()}


def _sort_key(ln: Line):
    return (
        RESULTS.index(ln.result),
        ln.posted_on or dt.date.min,
        doc_key(ln.document_number),
        ln.their_rows,
    )


def reconcile(
    ours: Sequence[OurItem], theirs_in: Sequence[TheirItem], options: Options = Options()
) -> Result:
    """Match the two ledgers; see the module docstring for the passes."""
    ours = list(ours)
    theirs = _flip(theirs_in, options)
    index = _OurIndex(ours)
    lines: list[Line] = []

    # pass 1: by document
    their_by_key: dict[str, list[int]] = defaultdict(list)
    rest_theirs: list[int] = []
    for ti, t in enumerate(theirs):
        k = index.key_for(t.item)
        (their_by_key[k].append(ti) if k else rest_theirs.append(ti))
    used_ours: set[int] = set()
    for k, tis in their_by_key.items():
        ois = index.by_key[k]
        pairs, left_o, left_t = _pair_equal(ois, tis, ours, theirs)
        for oi, ti in pairs:
            lines.append(_line_matched(ours[oi], theirs[ti], BY_DOCUMENT))
            used_ours.add(oi)
        if left_o and left_t:
            lines.append(_line_group([ours[i] for i in left_o], [theirs[i] for i in left_t]))
            used_ours.update(left_o)
        else:
            rest_theirs.extend(left_t)  # their surplus rows on a known document
    rest_ours = [i for i in range(len(ours)) if i not in used_ours]

    # pass 2: by amount and date window
    window = options.date_window_days
    if window is not None and window >= 0 and rest_ours and rest_theirs:
        by_amount: dict[Decimal, list[int]] = defaultdict(list)
        for oi in rest_ours:
            by_amount[ours[oi].amount].append(oi)
        still: list[int] = []
        taken: set[int] = set()
        for ti in sorted(rest_theirs, key=lambda i: (theirs[i].item.posted_on, theirs[i].item.row)):
            t = theirs[ti]
            best = None
            for oi in by_amount.get(t.amount, ()):
                if oi in taken:
                    continue
                gap = abs((ours[oi].posted_on - t.item.posted_on).days)
                if gap <= window and (best is None or gap < best[0]):
                    best = (gap, oi)
            if best is None:
                still.append(ti)
            else:
                taken.add(best[1])
                lines.append(_line_matched(ours[best[1]], t, BY_AMOUNT_DATE))
        rest_ours = [oi for oi in rest_ours if oi not in taken]
        rest_theirs = still

    lines.extend(_line_only_ours(ours[oi]) for oi in rest_ours)
    lines.extend(_line_only_theirs(theirs[ti]) for ti in rest_theirs)
    lines.sort(key=_sort_key)
    return Result(
        lines=tuple(lines),
        our_balance=sum((o.amount for o in ours), ZERO),
        their_balance=sum((t.amount for t in theirs), ZERO),
        sections=_sections(lines),
    )
