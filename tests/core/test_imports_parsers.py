"""Cell parsers: each accepts what people write and says what would be valid otherwise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesops.core.imports import parsers as P
from salesops.core.imports.framework import header_norm


def test_salesforce_15_and_18_char_ids_normalise_to_the_same_key():
    assert P.salesforce_id18("001D000000IqhSL") == "001D000000IqhSLIAZ"
    assert P.salesforce_id18("001D000000IqhSLIAZ") == "001D000000IqhSLIAZ"


def test_salesforce_ids_differing_only_in_case_are_different_records():
    assert P.salesforce_id18("001d000000iqhsl") != P.salesforce_id18("001D000000IqhSL")


def test_salesforce_id_with_a_wrong_checksum_is_rejected():
    with pytest.raises(P.ParseError) as exc:
        P.salesforce_id18("001D000000IqhSLAAA")
    assert "checksum" in exc.value.message


@given(
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        min_size=15,
        max_size=15,
    )
)
def test_salesforce_id18_is_idempotent(id15):
    id18 = P.salesforce_id18(id15)
    assert len(id18) == 18 and P.salesforce_id18(id18) == id18


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234.50", Decimal("1234.50")),
        ("1 234,50", Decimal("1234.50")),
        ("(12.00)", Decimal("-12.00")),
    ],
)
def test_decimal_accepts_what_people_write(text, value):
    assert P.decimal()(text) == value


@pytest.mark.parametrize("text", ["12abc", "1.2.3x", "N/A", "€12"])
def test_decimal_rejects_text_and_says_what_is_valid(text):
    with pytest.raises(P.ParseError) as exc:
        P.decimal()(text)
    assert exc.value.valid


def test_date_uses_the_preset_formats_and_iso_timestamps():
    parse = P.date(("%d.%m.%Y",))
    assert parse("31.12.2024") == dt.date(2024, 12, 31)
    assert parse("2020-12-22T21:16:01.000Z") == dt.date(2020, 12, 22)
    with pytest.raises(P.ParseError) as exc:
        parse("31/31/2024")
    assert "DD.MM.YYYY" in exc.value.valid


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("CN", "CN"),
        ("chn", "CN"),
        ("China", "CN"),
        ("United States", "US"),
        ("UK", "GB"),
        ("中国", "CN"),
    ],
)
def test_country_names_and_codes_become_iso2(text, code):
    assert P.country()(text) == code


def test_unknown_currency_is_rejected():
    with pytest.raises(P.ParseError):
        P.currency()("XYZ")


def test_sap_customer_numbers_lose_their_leading_zeros():
    assert P.sap_number()("0000012345") == P.sap_number()("12345") == "12345"


def test_headers_match_case_and_space_insensitively():
    assert header_norm(" Billing City") == header_norm("billing_city") == header_norm("BILLINGCITY")
