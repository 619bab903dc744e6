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
