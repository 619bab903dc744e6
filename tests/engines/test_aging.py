"""The aging engine: the plain-Python path and the DuckDB batch path agree to the cent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops.engines import aging

EXPONENTS = {"CNY": 2, "USD": 2, "JPY": 0, "KWD": 3}
AS_OF = dt.date(2026, 10, 31)

items_st = st.lists(
    st.builds(
        aging.AgingItem,
        account_id=st.integers(1, 5),
        currency=st.sampled_from(sorted(EXPONENTS)),
        due_date=st.dates(dt.date(2025, 1, 1), dt.date(2027, 6, 30)),
        open_minor=st.integers(-(10**12), 10**13),
        fx_rate=st.decimals(Decimal("0.0000000001"), Decimal("99999.9999999999"), places=10),
    ),
    max_size=60,
)


def _table(items):
    return pa.table(
        {
            "account_id": pa.array([i.account_id for i in items], pa.int64()),
            "currency": pa.array([i.currency for i in items], pa.string()),
            "due_date": pa.array([i.due_date for i in items], pa.date32()),
            "open_minor": pa.array([i.open_minor for i in items], pa.int64()),
            "fx_rate": pa.array([i.fx_rate for i in items], pa.decimal128(24, 10)),
        }
    )


@settings(max_examples=150)
@given(items=items_st, edges=st.sampled_from([(30, 60, 90, 120), (15, 45), (7,)]))
def test_batch_and_single_record_paths_agree_to_the_cent(items, edges):
    single = aging.age_items(items, as_of=AS_OF, exponents=EXPONENTS, edges=edges)
    batch = aging.rows_from_table(
        aging.age_table(_table(items), as_of=AS_OF, exponents=EXPONENTS, edges=edges), edges
    )
    assert batch == single
    for row in single:
        mine = [i for i in items if (i.account_id, i.currency) == (row.account_id, row.currency)]
        assert row.total == sum(i.open_minor for i in mine)


def test_buckets_by_days_past_due():
    edges = aging.DEFAULT_EDGES
    assert [aging.bucket_index(d, edges) for d in (-5, 0, 1, 30, 31, 60, 61, 90, 91, 120, 121)] == [
        0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5
    ]  # fmt: skip
    assert aging.bucket_keys((30, 60)) == [(None, 0), (1, 30), (31, 60), (61, None)]


def test_credits_are_not_aged_and_conversion_rounds_half_up():
    items = [
        aging.AgingItem(1, "USD", dt.date(2026, 1, 1), -505, Decimal("7.1")),  # -35.855 CNY
        aging.AgingItem(1, "USD", dt.date(2026, 10, 1), 1005, Decimal("7.1")),  # 71.355 CNY
    ]
    (row,) = aging.age_items(items, as_of=AS_OF, exponents=EXPONENTS)
    assert row.buckets == [0, 1005, 0, 0, 0, 0] and row.credit == -505
    assert row.reporting_buckets[1] == 7136 and row.reporting_credit == -3586  # away from zero


def test_parquet_input(tmp_path):
    import pyarrow.parquet as pq

    items = [aging.AgingItem(7, "JPY", dt.date(2026, 6, 1), 1001, Decimal("0.0475"))]
    path = tmp_path / "items.parquet"
    pq.write_table(_table(items), path)
    (row,) = aging.rows_from_table(aging.age_table(str(path), as_of=AS_OF, exponents=EXPONENTS))
    assert row.buckets[5] == 1001 and row.reporting_total == 4755  # 47.5475 CNY -> 47.55


def test_edges_setting_is_validated():
    assert aging.edges_parse("30, 60,90,120") == (30, 60, 90, 120)
    assert aging.edges_parse("") == aging.DEFAULT_EDGES
    for bad in ("60,30", "0,30", "a,b"):
        with pytest.raises(ValueError):
            aging.edges_parse(bad)


def test_dso_simple_method():
    assert aging.dso(receivables=Decimal(500), credit_sales=Decimal(1500), days=90) == Decimal(
        "30.0"
    )
    assert aging.dso(receivables=Decimal(1), credit_sales=Decimal(0), days=90) is None


def _both_ways(items, edges=aging.DEFAULT_EDGES):
    table = aging.age_table(_table(items), as_of=AS_OF, exponents=EXPONENTS, edges=edges)
    single = aging.age_items(items, as_of=AS_OF, exponents=EXPONENTS, edges=edges)
    assert aging.rows_from_table(table, edges) == single
    return table


def test_real_amounts_take_the_64_bit_path_huge_ones_the_hugeint_query():
    real = [
        aging.AgingItem(3, "USD", dt.date(2026, 9, 1), 123_456_789, Decimal("7.1234567891")),
        aging.AgingItem(3, "JPY", dt.date(2026, 1, 1), -50_000, Decimal("0.0475123456")),
        aging.AgingItem(9, "KWD", dt.date(2026, 11, 30), 1_000_001, Decimal("23.4567890123")),
    ]
    assert _both_ways(real).schema.field("rep_total").type == pa.int64()
    # 10^13 yen at 99,999.99: the reporting amount needs more than 64 bits
    huge = [*real, aging.AgingItem(4, "JPY", AS_OF, 10**13, Decimal("99999.9999999999"))]
    assert pa.types.is_decimal(_both_ways(huge).schema.field("rep_total").type)
    # a rate of 100,000 or more is not converted through DOUBLE
    big_rate = [*real, aging.AgingItem(5, "USD", AS_OF, 10, Decimal("123456.0000000001"))]
    assert pa.types.is_decimal(_both_ways(big_rate).schema.field("rep_total").type)


def test_sparse_account_ids_and_an_empty_input():
    items = [
        aging.AgingItem(10**12 + k, "CNY", dt.date(2026, 10, k), 100 * k, Decimal(1))
        for k in range(1, 20)
    ] + [aging.AgingItem(1, "USD", dt.date(2025, 1, 1), 77, Decimal("7.2"))]
    table = _both_ways(items)
    assert table.num_rows == 20 and table.column("account_id")[0].as_py() == 1
    assert aging.age_table(_table([]), as_of=AS_OF, exponents=EXPONENTS).num_rows == 0


def test_rate_given_as_integer_column():
    items = [aging.AgingItem(2, "USD", dt.date(2026, 3, 3), 1005, Decimal("7.1"))]
    table = (
        _table(items)
        .drop_columns(["fx_rate"])
        .append_column("rate_e10", pa.array([71_000_000_000], pa.int64()))
    )
    (row,) = aging.rows_from_table(aging.age_table(table, as_of=AS_OF, exponents=EXPONENTS))
    assert row == aging.age_items(items, as_of=AS_OF, exponents=EXPONENTS)[0]


def test_unknown_currency_is_an_error():
    items = [aging.AgingItem(2, "GBP", dt.date(2026, 3, 3), 1005, Decimal("9.1"))]
    with pytest.raises(Exception, match="currency without an exponent"):
        aging.age_table(_table(items), as_of=AS_OF, exponents=EXPONENTS)
