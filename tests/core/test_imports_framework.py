"""The engine on its own: a target with a date field, and idempotent re-import as a property."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesops.core.imports import parsers as P
from salesops.core.imports.framework import Field, Preset, Target, import_run, registry
from salesops.masterdata.models import Account, FxRate


class RateTarget(Target):
    kind = "test_rates"
    model = FxRate
    fields = {
        "base": Field("base", P.currency(), "base currency", required=True),
        "rate": Field("rate", P.decimal(24, 10), "rate", text=False, required=True),
        "valid_from": Field("valid_from", P.date(("%d.%m.%Y",)), "valid from", text=False),
    }


@pytest.fixture
def rate_target():
    registry._load()
    preset = Preset(
        kind="test_rates",
        name="generic",
        label="rates",
        key="base",
        columns={"Base": "base", "Rate": "rate", "Valid from": "valid_from"},
    )
    registry.register(RateTarget(), [preset])
    yield
    registry.targets.pop("test_rates")
    registry.presets.pop(("test_rates", "generic"))


@pytest.mark.django_db
def test_bad_date_is_a_row_error_naming_row_column_value_and_formats(rate_target, tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text("Base,Rate,Valid from\nUSD,7.1,01.02.2024\nEUR,7.8,2024-31-01\n")
    res = import_run(path=path, kind="test_rates", preset="generic", commit=False)
    assert (res.created, res.rejected) == (1, 1)
    (err,) = res.errors
    assert (err.file, err.row, err.column, err.value) == (
        "rates.csv",
        3,
        "Valid from",
        "2024-31-01",
    )
    assert "DD.MM.YYYY" in err.valid


@pytest.mark.django_db
def test_required_value_missing_is_a_row_error(rate_target, tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text("Base,Rate,Valid from\nUSD,,01.02.2024\n")
    res = import_run(path=path, kind="test_rates", preset="generic", commit=False)
    assert [(e.row, e.column) for e in res.errors] == [(2, "Rate")]


names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() == s and s.strip())
account_rows = st.lists(
    st.tuples(
        names,
        st.sampled_from(["customer", "partner", "prospect", ""]),
        st.one_of(st.just(""), st.decimals(min_value=0, max_value=10**9, places=2).map(str)),
        st.sampled_from(["", "CN", "Germany", "usa", "中国"]),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=account_rows)
@pytest.mark.django_db
def test_any_valid_file_imported_twice_second_run_changes_nothing(tmp_path, rows):
    Account.objects.all().delete()
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["account_number", "name", "type", "credit_limit", "billing_country"])
    for i, (name, type_, limit, country) in enumerate(rows):
        w.writerow([f"H{i:05d}", name, type_, limit, country])
    path = tmp_path / "gen.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    first = import_run(path=path, kind="accounts", preset="generic", commit=True)
    assert first.committed and first.created == len(rows), first.errors
    state = list(Account.objects.order_by("pk").values())
    second = import_run(path=path, kind="accounts", preset="generic", commit=True)
    assert (second.created, second.updated, second.unchanged) == (0, 0, len(rows))
    assert list(Account.objects.order_by("pk").values()) == state
