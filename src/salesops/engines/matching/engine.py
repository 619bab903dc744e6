"""Cash application: propose allocations of bank receipts to open items, with reasons.

Pure computation (no Django; import-linter enforces it). `MatchIndex` is built once from the
open items and what confirmed matches taught (`Knowledge`); `match_receipt` answers one receipt,
`match_batch` streams many through one index (optionally over a process pool). Both give the
same answer for the same inputs (tests/engines/test_matching.py proves it).

Evidence, per receipt
  references  document and order numbers in the remittance text and reference, typo-tolerant
              (`text.number_candidates`), looked up by number value in a dict: no scans.
  payer       bank account learned from confirmed matches; payer name learned as an alias; the
              name's folded key equal to an account's; or a fuzzy name score (rapidfuzz) against
              account names that share rare letter trigrams with it (blocking, no full scan).
  amount      exact, within `amount_tolerance`, net of an early-payment discount, net of bank
              charges up to `bank_charge_max`; several items per receipt (bounded subset-sum over
              the payer's oldest open items); a part payment of one referenced item.

Calibration (auto = confidence >= `Settings.auto_threshold`, 0.90 by default, and no rival)
  * referenced items whose sum equals the amount (exactly or within tolerance): 0.95, 0.99 when
    the payer is identified as their account; 0.91 when the payer is clearly someone else (a parent
    paying for a subsidiary, a trade name).
  * referenced items net of bank charges or a discount: 0.96 with the payer, 0.91 without it.
  * a subset of the referenced items fits: 0.92 with the payer, else suggest.
  * one referenced item part-paid: 0.92 with the payer, else suggest.
  * no usable reference, payer identified (>= 0.90): the only combination of the payer's open
    items that fits the amount: payer confidence (0.95-0.97) for an exact sum, x 0.96 net of
    charges or discount; several combinations fit: suggest (oldest due first).
  * everything else (overpayments, unknown payers, amount-only look-alikes) is a suggestion.
"""

from __future__ import annotations

import datetime as dt
import heapq
import multiprocessing
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from rapidfuzz import fuzz

from .model import (
    AUTO,
    SUGGEST,
    ZERO,
    Allocation,
    ConfirmedMatch,
    Knowledge,
    OpenItem,
    Proposal,
    Reason,
    Receipt,
    Result,
    Settings,
)
from .text import bank_account_key, doc_number_key, name_key, name_words, number_candidates

SCALE = 10_000  # amounts inside the engine are integers in 1/10,000 (DECIMAL(20, 4))
MAX_SOLUTIONS = 64
TRIGRAM_POSTING_MAX = 5_000
TRIGRAMS_PER_QUERY = 6


def _units(amount: Decimal) -> int:
    return int((amount * SCALE).to_integral_value(ROUND_HALF_UP))


@lru_cache(maxsize=64)
def _quantum(currency: str) -> Decimal:
    try:
        from babel.numbers import get_currency_precision

        return Decimal(1).scaleb(-get_currency_precision(currency))
    except Exception:  # an unknown code: cents
        return Decimal("0.01")


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


_COUNT_WORDS = {2: "two", 3: "three", 4: "four", 5: "five"}


def _items_phrase(items: Sequence[OpenItem]) -> str:
    if len(items) == 1:
        return f"invoice {items[0].document_number}"
    return f"the {_COUNT_WORDS.get(len(items), str(len(items)))} invoices"


# --- the index -------------------------------------------------------------------------------


class MatchIndex:
    """Open items and knowledge arranged for look-ups: number value -> items, account -> items
    (oldest due first), folded name -> accounts, rare trigram -> names, (currency, amount) ->
    items. Built once per batch."""

    def __init__(
        self,
        items: Iterable[OpenItem],
        knowledge: Knowledge | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.knowledge = knowledge or Knowledge()
        self.items: list[OpenItem] = list(items)
        self.units: list[int] = [_units(it.open_amount) for it in self.items]
        self.by_value: dict[int, list[tuple[int, str]]] = defaultdict(list)  # value -> (i, prefix)
        self.prefixes: set[str] = set()
        by_account: dict[str, list[int]] = defaultdict(list)
        self.account_names: dict[str, str] = {}
        self.by_amount: dict[tuple[str, int], list[int]] = defaultdict(list)
        for i, it in enumerate(self.items):
            for number in (it.document_number, it.order_number):
                key = doc_number_key(number) if number else None
                if key:
                    self.by_value[key[1]].append((i, key[0]))
                    if key[0]:
                        self.prefixes.add(key[0])
            by_account[it.account_id].append(i)
            self.account_names.setdefault(it.account_id, it.account_name)
            self.by_amount[(it.currency, self.units[i])].append(i)
        self.by_account: dict[str, list[int]] = {
            acc: sorted(ix, key=self._age_key) for acc, ix in by_account.items()
        }
        # payer names
        self.name_exact: dict[str, list[str]] = defaultdict(list)
        self.names: list[tuple[str, str, str]] = []  # (key, spaced words, account_id)
        self.trigrams: dict[str, list[int]] = defaultdict(list)
        for acc, name in self.account_names.items():
            words = name_words(name)
            key = "".join(words)
            if not key:
                continue
            self.name_exact[key].append(acc)
            n = len(self.names)
            self.names.append((key, " ".join(words), acc))
            for g in _trigrams(key):
                self.trigrams[g].append(n)

    def _age_key(self, i: int) -> tuple:
        it = self.items[i]
        return (it.due_date or dt.date.max, it.document_number, it.item_id)


def _trigrams(key: str) -> set[str]:
    padded = f"  {key} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def index_build(
    items: Iterable[OpenItem], knowledge: Knowledge | None = None, settings: Settings | None = None
) -> MatchIndex:
    return MatchIndex(items, knowledge, settings)


# --- payer -----------------------------------------------------------------------------------


def _payer(ix: MatchIndex, r: Receipt) -> dict[str, tuple[float, Reason]]:
    """account_id -> (confidence the receipt comes from it, why)."""
    out: dict[str, tuple[float, Reason]] = {}

    def offer(acc: str, conf: float, reason: Reason) -> None:
        if acc in ix.account_names and (acc not in out or out[acc][0] < conf):
            out[acc] = (conf, reason)

    bank = bank_account_key(r.counterparty_account)
    if bank:
        for acc, times in ix.knowledge.bank_accounts.get(bank, {}).items():
            shown = r.counterparty_account.strip()
            shown = shown if len(shown) <= 10 else shown[:6] + "…" + shown[-4:]
            offer(
                acc,
                0.97,
                Reason(
                    "payer_bank_account",
                    f"bank account {shown} seen on {times} earlier confirmed receipt"
                    f"{'s' if times != 1 else ''} of account '{ix.account_names.get(acc, acc)}'",
                    (("bank_account", shown), ("times", str(times)), ("account", acc)),
                ),
            )
    if not r.counterparty_name.strip():
        return out
    words = name_words(r.counterparty_name)
    key = "".join(words)
    if not key:
        return out
    for acc, times in ix.knowledge.aliases.get(key, {}).items():
        offer(
            acc,
            0.96,
            Reason(
                "payer_alias",
                f"payer name '{r.counterparty_name}' was confirmed for account "
                f"'{ix.account_names.get(acc, acc)}' {times} "
                f"time{'s' if times != 1 else ''} before",
                (("name", r.counterparty_name), ("account", acc), ("times", str(times))),
            ),
        )
    exact = ix.name_exact.get(key, [])
    for acc in exact:
        offer(
            acc,
            0.95 if len(exact) == 1 else 0.70,
            Reason(
                "payer_name",
                f"payer name '{r.counterparty_name}' matches account "
                f"'{ix.account_names[acc]}' (score 100)",
                (("name", r.counterparty_name), ("account", acc), ("score", "100")),
            ),
        )
    if exact or len(key) < 4 or any(c >= 0.9 for c, _ in out.values()):
        return out  # already known by bank account or alias: no fuzzy search needed
    # fuzzy: candidates share the query's rarest trigrams
    grams = sorted(
        (g for g in _trigrams(key) if g in ix.trigrams), key=lambda g: len(ix.trigrams[g])
    )
    counts: dict[int, int] = defaultdict(int)
    for g in grams[:TRIGRAMS_PER_QUERY]:
        posting = ix.trigrams[g]
        if len(posting) > TRIGRAM_POSTING_MAX:
            break
        for n in posting:
            counts[n] += 1
    if not counts:
        return out
    spaced = " ".join(words)
    scored = []
    for n in heapq.nsmallest(50, counts, key=lambda n: (-counts[n], n)):
        cand_key, cand_spaced, acc = ix.names[n]
        score = max(fuzz.ratio(key, cand_key), fuzz.WRatio(spaced, cand_spaced))
        if score >= ix.settings.name_score_min:
            scored.append((score, acc))
    scored.sort(key=lambda t: (-t[0], t[1]))
    for rank, (score, acc) in enumerate(scored[:3]):
        conf = min(0.9, 0.5 + (score - 80) * 0.02)
        if rank == 0 and len(scored) > 1 and scored[1][0] > score - 3:
            conf = min(conf, 0.6)  # two names about as close: not identified
        offer(
            acc,
            conf,
            Reason(
                "payer_name",
                f"payer name '{r.counterparty_name}' matches account "
                f"'{ix.account_names[acc]}' (score {round(score)})",
                (("name", r.counterparty_name), ("account", acc), ("score", str(round(score)))),
            ),
        )
    return out


# --- references ------------------------------------------------------------------------------


def _references(ix: MatchIndex, r: Receipt) -> dict[int, str]:
    """item index -> the text that named it (typo-tolerant; weak prefix-less numbers need
    `min_digits`)."""
    found: dict[int, str] = {}
    clean: dict[int, bool] = {}
    for text in (r.reference, r.remittance_info):
        for hit in number_candidates(text):
            cands = ix.by_value.get(hit.value)
            if not cands:
                continue
            known_prefix = hit.prefix in ix.prefixes
            for i, prefix in cands:
                if known_prefix:
                    if prefix != hit.prefix:
                        continue
                elif hit.significant_digits < ix.settings.min_digits:
                    continue
                good = known_prefix and hit.clean
                if i not in found or (good and not clean[i]):
                    found[i] = hit.raw
                    clean[i] = good
    return found


# --- amounts ---------------------------------------------------------------------------------


def _net_units(ix: MatchIndex, i: int, rate: Decimal | None, value_date: dt.date | None) -> int:
    it = ix.items[i]
    if it.discount_rate is not None:
        if (
            it.discount_until is not None
            and value_date is not None
            and value_date > it.discount_until
        ):
            return ix.units[i]
        rate = it.discount_rate
    if rate is None:
        return ix.units[i]
    return _units((it.open_amount * (1 - rate)).quantize(_quantum(it.currency), ROUND_HALF_UP))


def _fit(ix: MatchIndex, idx: Sequence[int], amount: int, value_date: dt.date | None):
    """How a set of items explains the amount: ('exact'|'tolerance'|'discount'|'charges', rate)
    or None."""
    s = ix.settings
    gross = sum(ix.units[i] for i in idx)
    diff = gross - amount
    tol = _units(s.amount_tolerance)
    if diff == 0:
        return "exact", None
    if abs(diff) <= tol:
        return "tolerance", None
    if diff > 0:
        rates: list[Decimal | None] = list(s.discount_rates)
        if any(ix.items[i].discount_rate is not None for i in idx):
            rates.insert(0, None)
        for rate in rates:
            net = sum(_net_units(ix, i, rate, value_date) for i in idx)
            if net != gross and abs(net - amount) <= tol:
                return "discount", rate
        if diff <= _units(s.bank_charge_max):
            return "charges", None
    return None


_KIND_RANK = {"exact": 0, "tolerance": 1, "discount": 2, "charges": 3}


def _subsets(ix: MatchIndex, cand: Sequence[int], amount: int, value_date, max_size: int):
    """All combinations (up to max_size items) of `cand` that fit the amount, best kind first,
    then oldest due. Bounded depth-first search over amounts in ascending order."""
    s = ix.settings
    rmax = max(
        [*s.discount_rates, *(ix.items[i].discount_rate or ZERO for i in cand)], default=ZERO
    )
    upper = amount + max(
        _units(s.bank_charge_max),
        _units(s.amount_tolerance),
        int(amount * float(rmax) / max(1e-9, 1 - float(rmax))) + _units(Decimal("0.05")),
    )
    lower = amount - _units(s.amount_tolerance)
    order = sorted(cand, key=lambda i: (ix.units[i], i))
    order = [i for i in order if ix.units[i] > 0]
    found: list[tuple[tuple[int, ...], str, Decimal | None]] = []

    def dfs(start: int, chosen: list[int], total: int) -> None:
        if len(found) >= MAX_SOLUTIONS:
            return
        if chosen and total >= lower:
            f = _fit(ix, chosen, amount, value_date)
            if f:
                found.append((tuple(chosen), f[0], f[1]))
        if len(chosen) >= max_size:
            return
        for k in range(start, len(order)):
            i = order[k]
            if total + ix.units[i] > upper:
                break
            chosen.append(i)
            dfs(k + 1, chosen, total + ix.units[i])
            chosen.pop()

    dfs(0, [], 0)
    found.sort(key=lambda t: (_KIND_RANK[t[1]], sorted(ix._age_key(i) for i in t[0]), len(t[0])))
    return found


CHANCE_MAX = 0.002  # a unique subset fit is evidence only when chance would rarely give one


def _combinations(n: int, k: int) -> int:
    from math import comb

    return sum(comb(n, j) for j in range(1, min(n, k) + 1))


def _window(ix: MatchIndex, kind: str, amount: int) -> int:
    """Width (in units) of the amounts a combination may sum to and still fit as `kind`."""
    s = ix.settings
    tol = _units(s.amount_tolerance)
    if kind == "exact":
        return 1
    if kind == "tolerance":
        return 2 * tol + 1
    if kind == "discount":
        return (2 * tol + 1) * max(1, len(s.discount_rates) + 1)
    return _units(s.bank_charge_max)


def _allocations(
    ix: MatchIndex, idx: Sequence[int], amount: Decimal, currency: str
) -> tuple[tuple[Allocation, ...], Decimal]:
    """Cash over the items oldest first; a shortfall (charges, discount, tolerance) is spread in
    proportion to the open amounts, the rounding remainder on the last item. Returns the
    allocations and the unapplied cash."""
    idx = sorted(idx, key=ix._age_key)
    opens = [ix.items[i].open_amount for i in idx]
    total = sum(opens, ZERO)
    q = _quantum(currency)
    if amount >= total:
        allocs = tuple(_alloc(ix.items[i], o) for i, o in zip(idx, opens, strict=True))
        return allocs, amount - total
    short = total - amount
    out = []
    given = ZERO
    for n, (i, o) in enumerate(zip(idx, opens, strict=True)):
        d = short - given if n == len(idx) - 1 else (short * o / total).quantize(q, ROUND_HALF_UP)
        given += d
        out.append(_alloc(ix.items[i], o - d, d))
    return tuple(out), ZERO


def _alloc(it: OpenItem, amount: Decimal, deduction: Decimal = ZERO) -> Allocation:
    """An allocation with amounts in the currency's minor unit when that changes no value
    (12000.0000 from a DECIMAL(20, 4) column is shown as 12000.00)."""
    q = _quantum(it.currency)

    def tidy(x: Decimal) -> Decimal:
        y = x.quantize(q)
        return y if y == x else x

    return Allocation(it.item_id, tidy(amount), tidy(deduction) if deduction else ZERO)


def _partial(ix: MatchIndex, idx: Sequence[int], amount: Decimal) -> tuple[Allocation, ...]:
    """Part payment: cash to the oldest items first until it runs out."""
    out = []
    left = amount
    for i in sorted(idx, key=ix._age_key):
        if left <= 0:
            break
        take = min(left, ix.items[i].open_amount)
        out.append(_alloc(ix.items[i], take))
        left -= take
    return tuple(out)


def _amount_reason(ix: MatchIndex, idx: Sequence[int], r: Receipt, kind: str, rate) -> Reason:
    items = sorted((ix.items[i] for i in idx), key=lambda it: it.document_number)
    total = sum((it.open_amount for it in items), ZERO)
    what = _items_phrase(items)
    diff = total - r.amount
    if kind == "exact":
        return Reason("amount_exact", f"amount equals {what}", (("total", str(total)),))
    if kind == "tolerance":
        return Reason(
            "amount_tolerance",
            f"amount equals {what} within {_money(abs(diff))}",
            (("difference", str(diff)),),
        )
    if kind == "discount":
        pct = f"{((rate or items[0].discount_rate or ZERO) * 100).normalize():f}%"
        return Reason(
            "amount_discount",
            f"amount equals {what} less {pct} early-payment discount ({_money(diff)})",
            (("discount", str(diff)), ("rate", pct)),
        )
    return Reason(
        "amount_charges",
        f"amount equals {what} less {_money(diff)} bank charges",
        (("charges", str(diff)),),
    )


def _refs_reason(ix: MatchIndex, refs: dict[int, str], idx: Sequence[int]) -> Reason:
    items = sorted(idx, key=lambda i: ix.items[i].document_number)
    numbers = [ix.items[i].document_number for i in items]
    noun = "invoice number" if len(numbers) == 1 else "invoice numbers"
    text = f"{noun} {_join(numbers)} found in the remittance text"
    read_as = [
        f"'{refs[i]}' read as {ix.items[i].document_number}"
        for i in items
        if doc_number_key(refs[i]) != doc_number_key(ix.items[i].document_number)
        and refs[i].replace(" ", "").replace("-", "")
        != ix.items[i].document_number.replace("-", "")
    ]
    if read_as:
        text += " (" + "; ".join(read_as) + ")"
    return Reason("references", text, (("documents", ",".join(numbers)),))


# --- one receipt -----------------------------------------------------------------------------


def _match(ix: MatchIndex, r: Receipt) -> Result:
    s = ix.settings
    payer = _payer(ix, r)
    refs = _references(ix, r)
    amount = _units(r.amount)
    proposals: list[Proposal] = []

    def payer_reasons(accounts: Iterable[str]) -> list[Reason]:
        return [payer[a][1] for a in sorted(set(accounts)) if a in payer]

    def payer_conf(accounts: Iterable[str]) -> float:
        return max((payer[a][0] for a in accounts if a in payer), default=0.0)

    strong_payers = {a for a, (c, _) in payer.items() if c >= 0.9}

    # 1. referenced items
    ref_idx = [i for i in refs if ix.items[i].currency == r.currency]
    other_cur = [i for i in refs if ix.items[i].currency != r.currency]
    if r.amount > 0 and ref_idx:
        accounts = {ix.items[i].account_id for i in ref_idx}
        consistent = payer_conf(accounts) >= 0.6
        elsewhere = bool(strong_payers) and not (strong_payers & accounts)
        f = _fit(ix, ref_idx, amount, r.value_date)
        if f:
            kind, rate = f
            if kind in ("exact", "tolerance"):
                conf = 0.99 if consistent else (0.91 if elsewhere else 0.95)
            else:
                conf = 0.96 if consistent else (0.85 if elsewhere else 0.91)
            allocs, unapplied = _allocations(ix, ref_idx, r.amount, r.currency)
            reasons = [_refs_reason(ix, refs, ref_idx), _amount_reason(ix, ref_idx, r, kind, rate)]
            reasons += payer_reasons(accounts)
            if elsewhere:
                reasons.append(_elsewhere_reason(ix, strong_payers, accounts))
            proposals.append(Proposal(allocs, conf, tuple(reasons), "reference", unapplied))
        else:
            fits = (
                _subsets(ix, ref_idx, amount, r.value_date, len(ref_idx))
                if len(ref_idx) <= s.max_references
                else []
            )
            fits = [t for t in fits if len(t[0]) < len(ref_idx)]
            if fits:
                best_kind = fits[0][1]
                same = [t for t in fits if t[1] == best_kind]
                for rank, (idx, kind, rate) in enumerate(same[:3]):
                    acc = {ix.items[i].account_id for i in idx}
                    if len(same) > 1:
                        conf = 0.6 - 0.05 * rank
                    elif payer_conf(acc) >= 0.6:
                        conf = 0.92 if kind in ("exact", "tolerance") else 0.9
                    else:
                        conf = 0.85 if kind in ("exact", "tolerance") else 0.8
                    left = sorted(
                        set(ref_idx) - set(idx), key=lambda i: ix.items[i].document_number
                    )
                    allocs, unapplied = _allocations(ix, idx, r.amount, r.currency)
                    reasons = [_refs_reason(ix, refs, idx), _amount_reason(ix, idx, r, kind, rate)]
                    reasons.append(
                        Reason(
                            "references_left_out",
                            f"also mentioned but not paid: "
                            f"{_join([ix.items[i].document_number for i in left])}",
                        )
                    )
                    reasons += payer_reasons(acc)
                    proposals.append(Proposal(allocs, conf, tuple(reasons), "reference", unapplied))
            else:
                total = sum((ix.items[i].open_amount for i in ref_idx), ZERO)
                if r.amount < total:
                    single = len(ref_idx) == 1
                    conf = 0.6  # several items part-paid: which ones is a guess
                    if single:
                        conf = 0.92 if consistent else (0.6 if elsewhere else 0.85)
                    allocs = _partial(ix, ref_idx, r.amount)
                    why = Reason(
                        "amount_partial",
                        f"part payment: {_money(r.amount)} of {_money(total)} open"
                        + ("" if single else ", oldest due first"),
                        (("paid", str(r.amount)), ("open", str(total))),
                    )
                    reasons = [_refs_reason(ix, refs, ref_idx), why, *payer_reasons(accounts)]
                    proposals.append(Proposal(allocs, conf, tuple(reasons), "partial"))
                else:
                    allocs, unapplied = _allocations(ix, ref_idx, r.amount, r.currency)
                    why = Reason(
                        "amount_over",
                        f"overpayment: {_money(r.amount)} for {_money(total)} open; "
                        f"{_money(unapplied)} left unapplied",
                        (("paid", str(r.amount)), ("open", str(total))),
                    )
                    reasons = [_refs_reason(ix, refs, ref_idx), why, *payer_reasons(accounts)]
                    proposals.append(Proposal(allocs, 0.7, tuple(reasons), "over", unapplied))

    # 2. the payer's open items (subset-sum)
    if r.amount > 0 and not any(p.confidence >= s.auto_threshold for p in proposals):
        for group in _payer_groups(payer):
            conf_p = payer_conf(group)
            cand = [
                i
                for acc in sorted(group)
                for i in ix.by_account.get(acc, [])
                if ix.items[i].currency == r.currency
            ]
            if not cand:
                continue
            every = cand
            cand = sorted(cand, key=ix._age_key)[: s.subset_max_items]
            fits = _subsets(ix, cand, amount, r.value_date, s.subset_max_size)
            if len(every) > len(cand):  # single items beyond the oldest: one pass, no combinations
                seen_fit = {t[0] for t in fits}
                for i in sorted(set(every) - set(cand), key=ix._age_key):
                    f = _fit(ix, [i], amount, r.value_date)
                    if f and (i,) not in seen_fit:
                        fits.append(((i,), f[0], f[1]))
                fits.sort(
                    key=lambda t: (_KIND_RANK[t[0 + 1]], sorted(ix._age_key(i) for i in t[0]))
                )
            # how many fits chance alone would give: combinations tried x width of the window
            tried = _combinations(len(cand), s.subset_max_size) + max(0, len(every) - len(cand))
            if fits:
                best_kind = fits[0][1]
                same = [t for t in fits if t[1] == best_kind]
                unique = len(same) == 1
                for rank, (idx, kind, rate) in enumerate(same[:3]):
                    window = _window(ix, kind, amount)
                    chance = tried * window / max(amount, 1)
                    if unique and conf_p >= 0.9 and chance <= CHANCE_MAX:
                        conf = conf_p if kind in ("exact", "tolerance") else conf_p * 0.96
                        if len(fits) > 1:
                            conf -= 0.02
                    elif unique:
                        conf = min(0.85, conf_p + 0.05)
                    else:
                        conf = min(0.6, conf_p) - 0.05 * rank
                    allocs, unapplied = _allocations(ix, idx, r.amount, r.currency)
                    reasons = [_amount_reason(ix, idx, r, kind, rate)]
                    reasons.append(
                        Reason(
                            "subset_unique" if unique else "subset_several",
                            (
                                f"the only combination of the payer's {len(cand)} open "
                                f"item{'s' if len(cand) != 1 else ''} "
                                "that fits the amount"
                            )
                            if unique
                            else f"{len(same)} combinations of the payer's open items fit; "
                            "oldest due first",
                            (("items", str(len(cand))), ("combinations", str(len(same)))),
                        )
                    )
                    reasons += payer_reasons(group)
                    proposals.append(Proposal(allocs, conf, tuple(reasons), "subset", unapplied))
            elif conf_p >= 0.6:
                allocs = _partial(ix, cand, r.amount)
                why = Reason(
                    "payer_oldest",
                    "no combination of the payer's open items fits the amount; oldest due first",
                )
                proposals.append(Proposal(allocs, 0.4, (why, *payer_reasons(group)), "partial"))

    # 3. amount alone (a look-alike for the queue, never booked by itself)
    if r.amount > 0 and not proposals:
        same_amount = ix.by_amount.get((r.currency, amount), [])
        if 0 < len(same_amount) <= 5:
            for i in sorted(same_amount, key=ix._age_key)[:3]:
                it = ix.items[i]
                conf = 0.5 if len(same_amount) == 1 else 0.3
                if it.account_id in payer:
                    conf = min(0.85, conf + payer[it.account_id][0] * 0.5)
                why = Reason(
                    "amount_only",
                    f"amount equals the open amount of {it.document_number} ('{it.account_name}')",
                    (("document", it.document_number),),
                )
                proposals.append(
                    Proposal(
                        (_alloc(it, it.open_amount),),
                        conf,
                        (why, *payer_reasons([it.account_id])),
                        "amount",
                    )
                )

    # dedupe by items, best first
    proposals.sort(key=lambda p: (-p.confidence, sorted(p.item_ids)))
    unique_props: list[Proposal] = []
    seen: set[frozenset[str]] = set()
    for p in proposals:
        if p.item_ids in seen:
            continue
        seen.add(p.item_ids)
        unique_props.append(p)
    proposals = unique_props[:3]
    if other_cur and not proposals:
        it = ix.items[other_cur[0]]
        proposals = []
        note = Reason(
            "references_other_currency",
            f"{it.document_number} found in the remittance text, but it is in {it.currency}",
        )
        return Result(r.transaction_id, SUGGEST, (), tuple(sorted(payer)), (note,))
    decision = SUGGEST
    if proposals and proposals[0].confidence >= s.auto_threshold:
        rival = len(proposals) > 1 and proposals[1].confidence >= s.auto_threshold - 0.05
        decision = SUGGEST if rival else AUTO
        if rival:
            proposals[0] = _with_reason(
                proposals[0],
                Reason("rival", "another proposal is about as likely: a person decides"),
            )
    strong = tuple(sorted(a for a, (c, _) in payer.items() if c >= 0.6))
    reasons = tuple(payer[a][1] for a in strong)
    if not proposals:
        reasons += (Reason("no_candidate", "no open item fits this receipt"),)
    return Result(r.transaction_id, decision, tuple(proposals), strong, reasons)


def _with_reason(p: Proposal, reason: Reason) -> Proposal:
    return Proposal(p.allocations, p.confidence, (*p.reasons, reason), p.kind, p.unapplied)


def _elsewhere_reason(ix: MatchIndex, payers: set[str], accounts: set[str]) -> Reason:
    who = _join([f"'{ix.account_names[a]}'" for a in sorted(payers)])
    of = _join([f"'{ix.account_names[a]}'" for a in sorted(accounts)])
    return Reason(
        "payer_other_account",
        f"paid by {who} for {of}",
        (("payer", ",".join(sorted(payers))), ("accounts", ",".join(sorted(accounts)))),
    )


def _payer_groups(payer: dict[str, tuple[float, Reason]]) -> list[set[str]]:
    """Accounts whose items are searched together: those named by one bank account or alias
    (a parent paying for its subsidiaries) form one group; other candidates stand alone."""
    groups: list[set[str]] = []
    by_reason: dict[str, set[str]] = defaultdict(set)
    for acc, (conf, reason) in payer.items():
        if conf < 0.6:
            continue
        if reason.code in ("payer_bank_account", "payer_alias"):
            by_reason[reason.code].add(acc)
        else:
            groups.append({acc})
    groups = list(by_reason.values()) + groups
    groups.sort(key=lambda g: (-max(payer[a][0] for a in g), sorted(g)))
    out: list[set[str]] = []
    for g in groups:
        if g not in out:
            out.append(g)
    return out[:3]


def match_receipt(
    receipt: Receipt,
    *,
    items: Iterable[OpenItem] | MatchIndex,
    knowledge: Knowledge | None = None,
    settings: Settings | None = None,
) -> Result:
    """The single-record path: one receipt against the given open items (or a built index)."""
    ix = items if isinstance(items, MatchIndex) else MatchIndex(items, knowledge, settings)
    return _match(ix, receipt)


_WORKER_INDEX: MatchIndex | None = None


def _worker_match(r: Receipt) -> Result:
    assert _WORKER_INDEX is not None
    return _match(_WORKER_INDEX, r)


def match_batch(
    receipts: Iterable[Receipt],
    *,
    items: Iterable[OpenItem] | MatchIndex,
    knowledge: Knowledge | None = None,
    settings: Settings | None = None,
    processes: int = 1,
    chunksize: int = 512,
) -> Iterator[Result]:
    """The batch path: the index is built once, receipts are streamed through it, results come
    back in the receipts' order. `processes` > 1 forks a pool that shares the index."""
    global _WORKER_INDEX
    ix = items if isinstance(items, MatchIndex) else MatchIndex(items, knowledge, settings)
    if processes <= 1:
        for r in receipts:
            yield _match(ix, r)
        return
    _WORKER_INDEX = ix
    ctx = multiprocessing.get_context("fork")
    try:
        with ctx.Pool(processes) as pool:
            yield from pool.imap(_worker_match, receipts, chunksize=chunksize)
    finally:
        _WORKER_INDEX = None


# --- learning and settling -------------------------------------------------------------------


def knowledge_learn(knowledge: Knowledge, confirmed: ConfirmedMatch) -> Knowledge:
    """A new Knowledge that also knows this confirmed match's payer name and bank account."""
    return knowledge_learn_many(knowledge, [confirmed])


def knowledge_learn_many(knowledge: Knowledge, confirmed: Iterable[ConfirmedMatch]) -> Knowledge:
    aliases = {k: dict(v) for k, v in knowledge.aliases.items()}
    banks = {k: dict(v) for k, v in knowledge.bank_accounts.items()}
    for c in confirmed:
        accounts = sorted(set(c.account_ids))
        if not accounts:
            continue
        key = name_key(c.receipt.counterparty_name)
        bank = bank_account_key(c.receipt.counterparty_account)
        for target, k in ((aliases, key), (banks, bank)):
            if not k:
                continue
            entry = target.setdefault(k, {})
            for acc in accounts:
                entry[acc] = entry.get(acc, 0) + 1
    return Knowledge(aliases=aliases, bank_accounts=banks)


def results_settle(results: Iterable[Result], items: Iterable[OpenItem]) -> list[Result]:
    """Across a batch, automatic bookings may not take more from an item than is open: in the
    receipts' order, an automatic proposal that would over-draw an item becomes a suggestion."""
    left = {it.item_id: it.open_amount for it in items}
    out = []
    for res in results:
        best = res.best
        if res.decision == AUTO and best is not None:
            need = {a.item_id: a.amount + a.deduction for a in best.allocations}
            if all(left.get(i, ZERO) >= amt for i, amt in need.items()):
                for i, amt in need.items():
                    left[i] -= amt
            else:
                why = Reason(
                    "item_taken",
                    "an earlier receipt in this batch already pays these items: a person decides",
                )
                res = Result(
                    res.transaction_id,
                    SUGGEST,
                    (_with_reason(best, why), *res.proposals[1:]),
                    res.payer_account_ids,
                    res.payer_reasons,
                )
        out.append(res)
    return out
