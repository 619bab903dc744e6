"""Money: a Decimal amount with its ISO 4217 currency. No Django here.

Rounding policy (the one documented step): amounts are kept at full precision while they
are computed and are rounded with `Money.rounded()` -- half-up to the currency's minor
unit (ISO 4217 exponent: CNY/EUR/USD 2, JPY/KRW 0, KWD/BHD 3) -- when they are posted,
displayed or written to a document. `allocate` splits an amount so that the parts always
sum to the whole, the rounding remainder going to the last part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

import pycountry
from babel.numbers import format_currency, get_currency_precision

ROUNDING = ROUND_HALF_UP
ROUNDING_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}


class CurrencyMismatch(ValueError):
    pass


class UnknownCurrency(ValueError):
    pass


@cache
def currency_exponent(code: str) -> int:
    """Minor-unit exponent of an ISO 4217 currency (CLDR data shipped with Babel)."""
    code = currency_check(code)
    return get_currency_precision(code)


@cache
def currency_check(code: str) -> str:
    """Return the upper-cased code if it is an active ISO 4217 currency, else raise."""
    norm = (code or "").strip().upper()
    if len(norm) != 3 or pycountry.currencies.get(alpha_3=norm) is None:
        raise UnknownCurrency(f"'{code}' is not an ISO 4217 currency code")
    return norm


def decimal_parse(text: str | int | Decimal) -> Decimal:
    """Parse an amount written by a person or a file: '1,234.50', '1 234,50', '(12.00)'."""
    if isinstance(text, Decimal):
        return text
    if isinstance(text, int):
        return Decimal(text)
    if isinstance(text, float):
        raise TypeError("floats are not accepted for money; pass a string or Decimal")
    s = str(text).strip().replace("\u00a0", "").replace(" ", "").replace("'", "")
    negative = s.startswith("(") and s.endswith(")")
    if negative:
        s = s[1:-1]
    elif s.endswith("-") and len(s) > 1:  # SAP and some bank files write "12.00-"
        negative, s = True, s[:-1]
    if "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif "," in s:
        head, _, tail = s.rpartition(",")
        s = s.replace(",", "") if len(tail) == 3 and head else s.replace(",", ".")
    elif s.count(".") > 1:  # "1.234.567": dots as thousands separators
        s = s.replace(".", "")
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise ValueError(f"'{text}' is not a number") from None
    if not value.is_finite():
        raise ValueError(f"'{text}' is not a finite number")
    return -value if negative else value


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self):
        if isinstance(self.amount, float):
            raise TypeError("Money takes Decimal, not float")
        if not isinstance(self.amount, Decimal):
            object.__setattr__(self, "amount", decimal_parse(self.amount))
        object.__setattr__(self, "currency", currency_check(self.currency))

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, float):
            raise TypeError("multiply Money by Decimal or int, not float")
        return Money(self.amount * Decimal(factor), self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def is_zero(self) -> bool:
        return self.amount == 0

    @property
    def exponent(self) -> int:
        return currency_exponent(self.currency)

    def rounded(self, rounding: str = ROUNDING) -> Money:
        quantum = Decimal(1).scaleb(-self.exponent)
        return Money(self.amount.quantize(quantum, rounding=rounding), self.currency)

    def minor_units(self) -> int:
        """Integer minor units of the rounded amount, for engines that work in integers."""
        return int(self.rounded().amount.scaleb(self.exponent))

    @classmethod
    def from_minor_units(cls, units: int, currency: str) -> Money:
        return cls(Decimal(units).scaleb(-currency_exponent(currency)), currency)

    def allocate(self, weights: list[Decimal | int]) -> list[Money]:
        """Split by weights into rounded parts that sum exactly to the rounded whole.

        Each part is rounded by the policy and the rounding remainder goes to the last part
        that has a weight. Where that would give the last part the opposite sign of the
        whole (many small parts: 0.05 over ten lines), the parts are instead the differences
        of the rounded running totals, so no part is off by more than one minor unit and
        every part keeps the sign of the whole. Either way the parts sum to the whole.
        """
        if not weights or any(isinstance(w, float) for w in weights):
            raise ValueError("weights must be Decimal or int, not float, and not empty")
        if any(w < 0 for w in weights) or sum(weights) == 0:
            raise ValueError("weights must be non-negative and not all zero")
        whole = self.rounded()
        total = Decimal(sum(weights))
        exact = [whole.amount * Decimal(w) / total for w in weights]
        quantum = Decimal(1).scaleb(-self.exponent)
        parts = [a.quantize(quantum, rounding=ROUNDING) for a in exact]
        last = max(i for i, w in enumerate(weights) if w)
        parts[last] += whole.amount - sum(parts)
        if parts[last] * whole.amount < 0:
            parts, before, running = [], Decimal(0), Decimal(0)
            for a in exact:
                running += a
                upto = running.quantize(quantum, rounding=ROUNDING)
                parts.append(upto - before)
                before = upto
            parts[-1] += whole.amount - sum(parts)  # zero unless the context lost digits
        return [Money(p, self.currency) for p in parts]

    def convert(self, to: str, rate: Decimal) -> Money:
        """Convert at `rate` (units of `to` per one unit of self.currency); not rounded."""
        if isinstance(rate, float):
            raise TypeError("FX rates are Decimal, not float")
        if currency_check(to) == self.currency:
            return self
        return Money(self.amount * rate, to)

    def format(self, locale: str = "en") -> str:
        return format_currency(self.rounded().amount, self.currency, locale=locale)

    def __str__(self) -> str:
        return f"{self.rounded().amount} {self.currency}"


@dataclass(frozen=True, slots=True)
class FxQuote:
    """An effective-dated rate: 1 `base` = `rate` `quote`, valid from `valid_from`."""

    base: str
    quote: str
    rate: Decimal
    valid_from: date


def fx_rate_pick(quotes: list[FxQuote], *, base: str, quote: str, on: date) -> Decimal:
    """The rate in force on a date: the latest quote valid on or before it; inverse allowed."""
    base, quote = currency_check(base), currency_check(quote)
    if base == quote:
        return Decimal(1)
    best: FxQuote | None = None
    inverted = False
    for q in quotes:
        if q.valid_from > on:
            continue
        pair = (q.base, q.quote)
        if pair in ((base, quote), (quote, base)) and (
            best is None or q.valid_from > best.valid_from
        ):
            best, inverted = q, pair == (quote, base)
    if best is None:
        raise LookupError(f"no {base}/{quote} rate on or before {on.isoformat()}")
    return (Decimal(1) / best.rate) if inverted else best.rate
