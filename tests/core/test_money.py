"""Money: Decimal amounts with an ISO 4217 currency, one rounding policy (half-up to the
currency's minor unit), splits that always sum to the whole, effective-dated FX rates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesops.core.money import (
    CurrencyMismatch,
    FxQuote,
    Money,
    UnknownCurrency,
    currency_exponent,
    decimal_parse,
    fx_rate_pick,
)

CURRENCIES = ["CNY", "JPY", "KWD", "USD", "EUR"]
amounts = st.decimals(
    min_value=Decimal("-1000000000"),
    max_value=Decimal("1000000000"),
    places=4,
    allow_nan=False,
    allow_infinity=False,
)
weights = st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=30).filter(
    lambda ws: sum(ws) > 0
)


# -- rounding ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("currency", "exponent"), [("JPY", 0), ("CNY", 2), ("KWD", 3)])
def test_each_currency_has_its_iso_4217_minor_unit(currency, exponent):
    assert currency_exponent(currency) == exponent


@pytest.mark.parametrize(
    ("amount", "currency", "rounded"),
    [
        ("2.5", "JPY", "3"),
        ("-2.5", "JPY", "-3"),
        ("1.005", "CNY", "1.01"),
        ("1.004", "CNY", "1.00"),
        ("-1.005", "CNY", "-1.01"),
        ("0.0005", "KWD", "0.001"),
        ("0.0004", "KWD", "0.000"),
    ],
)
def test_rounding_is_half_up_to_the_currency_exponent(amount, currency, rounded):
    assert Money(Decimal(amount), currency).rounded().amount == Decimal(rounded)
    assert str(Money(Decimal(amount), currency).rounded().amount) == rounded


@given(amount=amounts, currency=st.sampled_from(CURRENCIES))
def test_minor_units_round_trip_the_rounded_amount(amount, currency):
    m = Money(amount, currency)
    assert Money.from_minor_units(m.minor_units(), currency) == m.rounded()


# -- arithmetic ----------------------------------------------------------------------------------
def test_adding_two_currencies_raises():
    with pytest.raises(CurrencyMismatch):
        Money(Decimal("1.00"), "CNY") + Money(Decimal("1.00"), "USD")


def test_comparing_two_currencies_raises():
    with pytest.raises(CurrencyMismatch):
        _ = Money(Decimal("1.00"), "CNY") < Money(Decimal("1.00"), "USD")


@pytest.mark.parametrize(
    "make",
    [
        lambda: Money(1.10, "CNY"),
        lambda: Money(Decimal("1.10"), "CNY") * 1.5,
        lambda: Money(Decimal("1.10"), "CNY").convert("USD", 0.14),
        lambda: decimal_parse(1.10),
    ],
    ids=["amount", "multiplier", "fx rate", "parse"],
)
def test_floats_are_refused_everywhere_near_money(make):
    with pytest.raises(TypeError):
        make()


def test_unknown_currency_code_is_refused():
    with pytest.raises(UnknownCurrency):
        Money(Decimal("1"), "XYZ")


def test_currency_codes_are_normalised_to_upper_case():
    assert Money(Decimal("1"), " cny ").currency == "CNY"


# -- splitting -----------------------------------------------------------------------------------
@given(amount=amounts, currency=st.sampled_from(CURRENCIES), ws=weights)
def test_allocated_parts_always_sum_to_the_rounded_whole(amount, currency, ws):
    whole = Money(amount, currency)
    parts = whole.allocate(ws)
    assert len(parts) == len(ws)
    assert sum(p.amount for p in parts) == whole.rounded().amount
    quantum = Decimal(1).scaleb(-currency_exponent(currency))
    assert all(p.amount == p.amount.quantize(quantum) for p in parts)


@given(amount=amounts, currency=st.sampled_from(CURRENCIES), ws=weights)
def test_allocated_parts_keep_the_sign_of_the_whole_and_zero_weights_get_nothing(
    amount, currency, ws
):
    whole = Money(amount, currency).rounded().amount
    parts = Money(amount, currency).allocate(ws)
    assert all(p.amount * whole >= 0 for p in parts)
    assert all(p.is_zero() for p, w in zip(parts, ws, strict=True) if w == 0)


def test_the_rounding_remainder_goes_to_the_last_part():
    parts = Money(Decimal("100.00"), "CNY").allocate([1, 1, 1])
    assert [p.amount for p in parts] == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


def test_many_small_parts_never_go_negative():
    parts = Money(Decimal("0.05"), "CNY").allocate([1] * 10)
    assert sum(p.amount for p in parts) == Decimal("0.05")
    assert min(p.amount for p in parts) == 0


@pytest.mark.parametrize("bad", [[], [0, 0], [1, -1], [Decimal("0.5"), 0.5]])
def test_allocate_refuses_weights_that_cannot_split(bad):
    with pytest.raises(ValueError):
        Money(Decimal("10"), "CNY").allocate(bad)


# -- parsing -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234.50", "1234.50"),
        ("1.234,50", "1234.50"),
        ("1 234,50", "1234.50"),
        ("(12.00)", "-12.00"),
        ("12.00-", "-12.00"),
        ("-7", "-7"),
        ("1,234", "1234"),
        ("12,5", "12.5"),
        ("1.234.567", "1234567"),
        ("1'234.50", "1234.50"),
    ],
)
def test_decimal_parse_reads_amounts_as_people_and_files_write_them(text, value):
    assert decimal_parse(text) == Decimal(value)


@pytest.mark.parametrize("garbage", ["", "abc", "12.3.4,5,6x", "NaN", "Infinity", "--1"])
def test_decimal_parse_refuses_garbage_with_value_error(garbage):
    with pytest.raises(ValueError):
        decimal_parse(garbage)


# -- FX ------------------------------------------------------------------------------------------
QUOTES = [
    FxQuote("USD", "CNY", Decimal("7.10"), date(2026, 1, 1)),
    FxQuote("USD", "CNY", Decimal("7.20"), date(2026, 4, 1)),
    FxQuote("EUR", "CNY", Decimal("7.80"), date(2026, 1, 1)),
]


@pytest.mark.parametrize(
    ("on", "rate"),
    [(date(2026, 1, 1), "7.10"), (date(2026, 3, 31), "7.10"), (date(2026, 4, 1), "7.20")],
)
def test_fx_rate_in_force_is_the_latest_effective_on_or_before_the_date(on, rate):
    assert fx_rate_pick(QUOTES, base="USD", quote="CNY", on=on) == Decimal(rate)


def test_fx_rate_for_the_reverse_pair_is_the_inverse():
    rate = fx_rate_pick(QUOTES, base="CNY", quote="USD", on=date(2026, 5, 1))
    assert rate == Decimal(1) / Decimal("7.20")
    converted = Money(Decimal("720.00"), "CNY").convert("USD", rate).rounded()
    assert converted == Money(Decimal("100.00"), "USD")


def test_fx_rate_before_the_first_quote_is_not_found():
    with pytest.raises(LookupError):
        fx_rate_pick(QUOTES, base="USD", quote="CNY", on=date(2025, 12, 31))


def test_fx_rate_of_a_currency_to_itself_is_one():
    assert fx_rate_pick([], base="CNY", quote="cny", on=date(2026, 1, 1)) == 1
