"""The column path (a batch parsed column by column, parsers' C-level column functions) gives
exactly what the cell-by-cell path gives: the same values, the same rejected rows, the same
error reports, the same records written."""

from __future__ import annotations

import csv
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops.core.imports import framework
from salesops.core.imports import parsers as P
from salesops.core.imports.framework import import_run
from salesops.masterdata.importers import ACCOUNT_STATUS, ACCOUNT_TYPES
from salesops.masterdata.models import Account

from .test_imports_bulk import FIELDS, bench_file

EMPTY = object()

PARSERS = {
    "text": P.text(12),
    "integer": P.integer(0),
    "integer_signed": P.integer(-5, 10**6),
    "decimal": P.decimal(20, 4),
    "decimal_small": P.decimal(6, 2),
    "boolean": P.boolean(),
    "country": P.country(),
    "currency": P.currency(),
    "choice": P.choice(ACCOUNT_TYPES),
    "status": P.choice(ACCOUNT_STATUS),
    "salesforce_id": P.salesforce_id(),
}

SAMPLES = [
    "", " ", "  \t", "\u3000", "0", "007", "12", "+5", "-3", "1,200", "12.0", "1e5", "-0",
    "1234.50", "12.12345", "(12.00)", " 12.5", "1 234,50", "99999999999999999", "١٢٣", "nan",
    "true", "FALSE", "yes", "x", "是", "maybe", "CN", "usa", " de ", "Atlantis", "中国", "EUR",
    "usd", "XXX", "Customer", "partner ", "on_hold", "Active", "a" * 12, "a" * 13,
    "001D000000IqhSL", "001D000000IqhSLIAZ", "001d000000iqhslIAZ", "001D000000IqhSLAAA",
    "001D000000IqhS", " 001D000000IqhSL", "001D000000IqhS!", "001000000000001AAA",
]  # fmt: skip
cells = st.one_of(
    st.sampled_from(SAMPLES),
    st.text(alphabet="0123456789.,- aAzZ", max_size=20),
    st.integers(0, 6)
    .flatmap(lambda places: st.decimals(min_value=-(10**18), max_value=10**18, places=places))
    .map(str),
    st.integers(-(10**12), 10**12).map(str),
)


def cell_by_cell(parse, column: list, empty) -> list:
    out = []
    for c in column:
        if c.__class__ is str and (not c or c.isspace()):
            out.append(empty)
            continue
        try:
            out.append(parse(c))
        except P.ParseError:
            out.append(P.ParseError)
    return out


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(PARSERS)), column=st.lists(cells, max_size=30))
@pytest.mark.parametrize("empty", [None, "", EMPTY])
def test_a_column_path_agrees_with_its_parser_cell_by_cell(name, column, empty):
    parse = PARSERS[name]
    fast = P.column_of(parse)(column, empty)
    slow = cell_by_cell(parse, column, empty)
    if fast is None:
        return  # the framework then goes cell by cell
    assert P.ParseError not in slow  # it never accepts what the parser rejects
    assert fast == slow
    assert [type(v) for v in fast] == [type(v) for v in slow]
    for a, b in zip(fast, slow, strict=True):
        if isinstance(a, Decimal):
            assert a.as_tuple() == b.as_tuple()  # same digits and exponent, not only equal


def test_a_column_path_takes_the_plain_cells_of_a_batch():
    """The fast path is used where it matters (else the speed would silently go)."""
    assert P.column_of(PARSERS["decimal"])(["1234.50", "", "7"], None) == [
        Decimal("1234.50"),
        None,
        Decimal("7"),
    ]
    assert P.column_of(PARSERS["salesforce_id"])(["001D000000IqhSL"], None) == [
        "001D000000IqhSLIAZ"
    ]
    assert P.column_of(PARSERS["integer"])(["12", ""], None) == [12, None]
    assert P.column_of(PARSERS["text"])([" a ", " "], None) == ["a", None]


def messy_file(path, rows: int = 1500):
    """The benchmark's account file with bad cells of every kind, short rows and duplicates."""
    bench_file(path, rows)
    rnd = random.Random(5)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        head, *data = list(csv.reader(fh))
    bad = {
        0: ["", "  ", "001XYZ", "001000000000001AAB", " 001000000000002AAA ", "001000000000003"],
        1: ["", "   ", "x" * 300, "  padded name  ", "Ａｃｃｏｕｎｔ wide"],
        2: ["Partner", "nonsense", "  prospect ", "", "客户"],
        6: ["lots", "1,234.50", "(12.00)", "1e5", " 12.5", "12.123456", "99999999999999999"],
        7: ["+5", "-3", "1,200", "12.0", "abc", "", "99999999999", "007", "١٢"],
        12: ["Atlantis", "usa", "中国", "", " CN "],
        13: ["XXX", "usd", "", "EUR "],
        14: ["true", "yes", "maybe", "", "1"],
    }
    for r in data:
        if rnd.random() < 0.3:
            col = rnd.choice(list(bad))
            r[col] = rnd.choice(bad[col])
        if rnd.random() < 0.01:
            del r[rnd.randrange(5, len(r)) :]
    for _ in range(3):
        data[rnd.randrange(len(data))][0] = data[rnd.randrange(len(data))][0]
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(head)
        w.writerows(data)
    return path


def run_both_ways(path, monkeypatch, **kw) -> list:
    out = []
    for column in (False, True):
        monkeypatch.setattr(framework, "COLUMN_PARSE", column)
        Account.objects.all().delete()
        res = import_run(path=path, kind="accounts", preset="salesforce", **kw)
        d = res.as_dict()
        d.pop("seconds")
        rows = list(Account.objects.order_by("salesforce_id").values_list(*FIELDS))
        out.append((d, rows))
    return out


@pytest.mark.django_db
def test_column_and_cell_paths_reject_the_same_rows_with_the_same_errors(tmp_path, monkeypatch):
    path = messy_file(tmp_path / "messy.csv")
    monkeypatch.setattr(framework, "ERROR_KEEP", 10_000)
    cells, columns = run_both_ways(path, monkeypatch, commit=False)
    assert columns == cells
    res = columns[0]
    assert res["rejected"] > 100 and res["created"] > 900 and res["skipped"] > 10
    assert len(res["errors"]) == res["error_count"]
    assert {e["message"] for e in res["errors"]} >= {
        "not a number",
        "not a whole number",
        "unknown country",
        "a value is required",
        "not a Salesforce Id",
    }


@pytest.mark.django_db
def test_column_and_cell_paths_write_the_same_records(tmp_path, monkeypatch):
    path = messy_file(tmp_path / "messy.csv")
    cells, columns = run_both_ways(path, monkeypatch, commit=True, skip_invalid=True)
    assert columns == cells
    assert len(columns[1]) == columns[0]["created"] > 900
