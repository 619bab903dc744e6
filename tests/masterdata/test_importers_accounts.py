"""Account imports through each preset: atomic, idempotent, and precise about bad input."""

from __future__ import annotations

import csv
import io
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from salesops.core.imports.framework import import_run
from salesops.core.imports.readers import FileError
from salesops.core.models import AuditEvent, ImportBatch
from salesops.masterdata.models import Account

SAMPLE = Path("/work/shared/testdata/crm/salesforce-sample/Accounts.csv")
SF_HEADER = [
    "Id",
    "Name",
    "Type",
    "ParentId",
    "BillingCity",
    "BillingCountry",
    "AnnualRevenue",
    "NumberOfEmployees",
    "CreatedDate",
    "IsDeleted",
]


def write_csv(path: Path, header, rows, *, encoding="utf-8-sig", newline="\r\n") -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline)
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def db_state():
    return list(
        Account.objects.order_by("pk").values_list(
            "pk",
            "number",
            "name",
            "salesforce_id",
            "sap_number",
            "hubspot_id",
            "annual_revenue",
            "billing_country",
            "parent_id",
            "owner_id",
            "territory_id",
        )
    )


def sf_rows():
    return [
        [
            "001D000000IqhSL",
            "Alpha Ltd",
            "Customer - Direct",
            "",
            "Shanghai",
            "China",
            "1,200,000.50",
            "120",
            "2024-01-05T10:00:00.000Z",
            "false",
        ],
        [
            "001D000000IqhSMIAZ",
            "Beta GmbH",
            "Channel Partner / Reseller",
            "001D000000IqhSLIAZ",
            "München",
            "Germany",
            "",
            "",
            "2024-01-06T10:00:00.000Z",
            "false",
        ],
        [
            "001D000000IqhSN",
            "Gone Inc",
            "Prospect",
            "",
            "Austin",
            "US",
            "",
            "",
            "2024-01-07T10:00:00.000Z",
            "true",
        ],
    ]


@pytest.mark.django_db
def test_salesforce_export_loads_with_bom_crlf_and_mixed_id_lengths(tmp_path):
    path = write_csv(tmp_path / "Account.csv", SF_HEADER, sf_rows())
    res = import_run(path=path, kind="accounts", commit=True)
    assert res.preset == "salesforce" and res.committed
    assert (res.created, res.skipped, res.rejected) == (2, 1, 0)
    alpha = Account.objects.get(salesforce_id="001D000000IqhSLIAZ")
    beta = Account.objects.get(name="Beta GmbH")
    assert beta.parent_id == alpha.pk and beta.type == "partner" and beta.billing_country == "DE"
    assert alpha.annual_revenue == Decimal("1200000.50") and alpha.name_search == "alpha ltd"
    assert not Account.objects.filter(name="Gone Inc").exists()


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    path = write_csv(tmp_path / "Account.csv", SF_HEADER, sf_rows())
    import_run(path=path, kind="accounts", preset="salesforce", commit=True)
    before = db_state()
    again = import_run(path=path, kind="accounts", preset="salesforce", commit=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert db_state() == before


@pytest.mark.django_db
def test_a_15_char_id_updates_the_record_imported_with_its_18_char_id(tmp_path):
    import_run(
        path=write_csv(tmp_path / "a.csv", ["Id", "Name"], [["001D000000IqhSLIAZ", "Old"]]),
        kind="accounts",
        preset="salesforce",
        commit=True,
    )
    res = import_run(
        path=write_csv(tmp_path / "b.csv", ["Id", "Name"], [["001D000000IqhSL", "New"]]),
        kind="accounts",
        preset="salesforce",
        commit=True,
    )
    assert (res.created, res.updated) == (0, 1)
    assert list(Account.objects.values_list("name", flat=True)) == ["New"]


@pytest.mark.django_db
def test_preview_writes_nothing_and_counts_what_would_happen(tmp_path):
    path = write_csv(tmp_path / "Account.csv", SF_HEADER, sf_rows())
    res = import_run(path=path, kind="accounts", preset="salesforce", commit=False)
    assert (res.created, res.updated, res.unchanged, res.rejected) == (2, 0, 0, 0)
    assert res.changes[0]["action"] == "create" and not Account.objects.exists()


@pytest.mark.django_db
def test_shared_salesforce_sample_loads_keyed_by_name(tmp_path):
    res = import_run(path=SAMPLE, kind="accounts", commit=True)
    assert res.preset == "salesforce-sample" and (res.created, res.rejected) == (50, 0)
    z = Account.objects.get(name="Zoonoodle 37")
    assert (z.billing_country, z.employees, z.billing_city) == ("US", 28549, "Newark")
    again = import_run(path=SAMPLE, kind="accounts", commit=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 50)


@pytest.mark.django_db
def test_hubspot_company_export(tmp_path):
    header = [
        "Record ID",
        "Company name",
        "Company Domain Name",
        "Phone Number",
        "City",
        "Country/Region",
        "Create Date",
    ]
    path = write_csv(
        tmp_path / "hubspot-companies.csv",
        header,
        [["5551", "Gamma Co.", "gamma.cn", "+86 10 1234", "Beijing", "China", "2024-01-01"]],
    )
    res = import_run(path=path, kind="accounts", commit=True)
    assert res.preset == "hubspot" and res.created == 1
    a = Account.objects.get(hubspot_id="5551")
    assert (a.website, a.billing_city, a.billing_country) == ("gamma.cn", "Beijing", "CN")


@pytest.mark.django_db
def test_sap_kna1_with_and_without_leading_zeros_is_one_customer(tmp_path):
    header = [
        "KUNNR",
        "NAME1",
        "NAME2",
        "ORT01",
        "PSTLZ",
        "STRAS",
        "LAND1",
        "STCD1",
        "TELF1",
        "SPRAS",
    ]
    row = [
        "0000012345",
        "Delta",
        "Trading GmbH",
        "Hamburg",
        "20095",
        "Hafenstr. 1",
        "DE",
        "DE123456789",
        "+49 40 1",
        "D",
    ]
    first = import_run(
        path=write_csv(tmp_path / "kna1.csv", header, [row]), kind="accounts", commit=True
    )
    assert first.preset == "sap" and first.created == 1
    row[0] = "12345"
    again = import_run(
        path=write_csv(tmp_path / "kna1b.csv", header, [row]),
        kind="accounts",
        preset="sap",
        commit=True,
    )
    assert (again.created, again.unchanged) == (0, 1)
    a = Account.objects.get()
    assert (a.sap_number, a.name, a.tax_id) == ("12345", "Delta Trading GmbH", "DE123456789")


@pytest.mark.django_db
def test_generic_template_resolves_owner_and_territory(company, tmp_path):
    from salesops.masterdata.importers import template_csv

    company.rep1.external_id = "EMP-0001"
    company.rep1.save()
    path = tmp_path / "template.csv"
    path.write_bytes(template_csv("accounts"))
    res = import_run(path=path, kind="accounts", preset="generic", commit=True)
    assert res.created == 1, res.errors
    a = Account.objects.get(number="C1000001")
    assert (a.owner, a.territory, a.credit_limit) == (company.rep1, company.t1, Decimal("100000"))


@pytest.mark.django_db
def test_unresolved_owner_is_a_row_error(company, tmp_path):
    header = ["account_number", "name", "owner_external_id", "territory_code"]
    path = write_csv(tmp_path / "g.csv", header, [["X1", "Owned", "NOBODY", "T-NOPE"]])
    before = db_state()
    res = import_run(path=path, kind="accounts", preset="generic", commit=True)
    assert not res.committed and db_state() == before
    assert {(e.row, e.column, e.value) for e in res.errors} == {
        (2, "owner_external_id", "NOBODY"),
        (2, "territory_code", "T-NOPE"),
    }


@pytest.mark.django_db
def test_generic_template_xlsx_is_importable(tmp_path):
    from salesops.masterdata.importers import template_xlsx

    path = tmp_path / "template.xlsx"
    path.write_bytes(template_xlsx("accounts"))
    res = import_run(path=path, kind="accounts", preset="generic", commit=False)
    # the example row refers to an owner and territory this empty database does not have
    assert res.rows == 1 and {e.column for e in res.errors} == {
        "owner_external_id",
        "territory_code",
    }


# --- bad input: a clear error and an unchanged database --------------------------------


@pytest.mark.django_db
def test_missing_required_column_names_the_columns_and_the_expected_ones(company, tmp_path):
    path = write_csv(tmp_path / "wrong.csv", ["Id", "Phone"], [["001D000000IqhSL", "1"]])
    before = db_state()
    with pytest.raises(FileError) as exc:
        import_run(path=path, kind="accounts", preset="salesforce", commit=True)
    assert exc.value.code == "IMPORT_COLUMNS"
    assert exc.value.detail["missing"] == ["Name"] and "BillingCity" in exc.value.detail["expected"]
    assert "wrong.csv" in exc.value.message and db_state() == before


@pytest.mark.django_db
def test_unknown_columns_are_reported_up_front(company, tmp_path):
    path = write_csv(
        tmp_path / "x.csv", ["Id", "Name", "Colour"], [["001D000000IqhSL", "A", "red"]]
    )
    with pytest.raises(FileError) as exc:
        import_run(path=path, kind="accounts", preset="salesforce", commit=True)
    assert exc.value.detail["unknown"] == ["Colour"]
    ok = import_run(path=path, kind="accounts", preset="salesforce", allow_unknown=True)
    assert ok.created == 1


@pytest.mark.django_db
def test_file_matching_no_preset_is_a_clear_error(tmp_path):
    path = write_csv(tmp_path / "x.csv", ["foo", "bar"], [["1", "2"]])
    with pytest.raises(FileError) as exc:
        import_run(path=path, kind="accounts", commit=False)
    assert exc.value.code == "IMPORT_PRESET_UNKNOWN"


@pytest.mark.django_db
def test_bad_decimal_and_number_name_row_column_value_and_what_is_valid(company, tmp_path):
    rows = sf_rows()[:2]
    rows[1][6] = "12,5x"
    rows[1][7] = "many"
    path = write_csv(tmp_path / "bad.csv", SF_HEADER, rows)
    before = db_state()
    res = import_run(path=path, kind="accounts", preset="salesforce", commit=True)
    assert not res.committed and res.rejected == 1 and db_state() == before
    by_col = {e.column: e for e in res.errors}
    assert (by_col["AnnualRevenue"].row, by_col["AnnualRevenue"].value) == (3, "12,5x")
    assert by_col["AnnualRevenue"].valid and by_col["NumberOfEmployees"].value == "many"
    assert all(e.file == "bad.csv" for e in res.errors)


@pytest.mark.django_db
def test_duplicate_keys_reject_both_rows_naming_the_other(company, tmp_path):
    rows = [["001D000000IqhSL", "A"], ["001D000000IqhSO", "B"], ["001D000000IqhSLIAZ", "A again"]]
    path = write_csv(tmp_path / "dup.csv", ["Id", "Name"], rows)
    before = db_state()
    res = import_run(path=path, kind="accounts", preset="salesforce", commit=True)
    assert not res.committed and db_state() == before
    assert {(e.row, e.message.rsplit(" ", 1)[-1]) for e in res.errors} == {(2, "4"), (4, "2")}


@pytest.mark.django_db
def test_skip_invalid_writes_the_valid_rows_and_reports_the_rest(company, tmp_path):
    rows = [["001D000000IqhSL", "Good"], ["bad-id", "Bad"]]
    path = write_csv(tmp_path / "mixed.csv", ["Id", "Name"], rows)
    res = import_run(
        path=path, kind="accounts", preset="salesforce", commit=True, skip_invalid=True
    )
    assert res.committed and (res.created, res.rejected) == (1, 1)
    assert res.errors[0].row == 3 and res.errors[0].column == "Id"
    assert (
        Account.objects.filter(name="Good").exists()
        and not Account.objects.filter(name="Bad").exists()
    )


@pytest.mark.django_db
def test_header_only_file_is_a_clear_error(tmp_path):
    path = write_csv(tmp_path / "head.csv", ["Id", "Name"], [])
    with pytest.raises(FileError) as exc:
        import_run(path=path, kind="accounts", preset="salesforce", commit=True)
    assert exc.value.code == "IMPORT_FILE_NO_ROWS"


@pytest.mark.django_db
def test_truncated_xlsx_leaves_the_database_unchanged(company, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["Id", "Name"])
    for i in range(2000):
        wb.active.append([f"001D0000{i:07d}", f"Account {i}"])
    full = tmp_path / "full.xlsx"
    wb.save(full)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(full.read_bytes()[:-200])
    before = db_state()
    with pytest.raises(FileError):
        import_run(path=cut, kind="accounts", preset="salesforce", commit=True)
    assert db_state() == before


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "latin-1"])
@pytest.mark.django_db
def test_each_encoding_loads_the_same_names(tmp_path, encoding):
    name = "Société Générale" if encoding == "latin-1" else "上海东方贸易有限公司"
    path = write_csv(
        tmp_path / "enc.csv", ["Id", "Name"], [["001D000000IqhSL", name]] * 1, encoding=encoding
    )
    import_run(path=path, kind="accounts", preset="salesforce", commit=True)
    assert Account.objects.get().name == name


@pytest.mark.django_db
def test_wrong_forced_encoding_is_a_clear_error(tmp_path):
    path = write_csv(
        tmp_path / "enc.csv", ["Id", "Name"], [["001D000000IqhSL", "上海"]], encoding="gb18030"
    )
    with pytest.raises(FileError) as exc:
        import_run(path=path, kind="accounts", preset="salesforce", encoding="utf-8")
    assert exc.value.code == "IMPORT_ENCODING"


# --- records of the import ---------------------------------------------------------------


@pytest.mark.django_db
def test_one_audit_event_per_committed_batch(company, tmp_path):
    from salesops.core.imports.services import import_batch_create, import_batch_run

    path = write_csv(tmp_path / "Account.csv", SF_HEADER, sf_rows())
    batch = import_batch_create(
        path=path,
        file_name="Account.csv",
        kind="accounts",
        preset="",
        by=company.users["coordinator"],
    )
    n = AuditEvent.objects.count()
    import_batch_run(batch=batch, commit=True, by=company.users["coordinator"])
    events = AuditEvent.objects.filter(action="import.commit")
    assert AuditEvent.objects.count() == n + 1 and events.count() == 1
    ev = events.get()
    assert ev.after["created"] == 2 and ev.after["sha256"] == batch.sha256
    batch.refresh_from_db()
    assert (batch.status, batch.created, batch.skipped) == (ImportBatch.Status.COMMITTED, 2, 1)


@pytest.mark.django_db
def test_error_report_xlsx_lists_file_row_column_value_error_and_valid(tmp_path):
    path = write_csv(tmp_path / "bad.csv", ["Id", "Name"], [["nope", "A"]])
    report = tmp_path / "errors.xlsx"
    import_run(path=path, kind="accounts", preset="salesforce", errors_xlsx=report)
    rows = list(openpyxl.load_workbook(report).active.iter_rows(values_only=True))
    assert rows[0] == ("file", "row", "column", "value", "error", "valid values")
    assert rows[1][:4] == ("bad.csv", 2, "Id", "nope") and rows[1][5]


@pytest.mark.django_db
def test_import_from_a_copy_keeps_the_users_file_name(tmp_path):
    stored = tmp_path / "3f2a-upload.csv"
    shutil.copy(SAMPLE, stored)
    res = import_run(
        path=stored, file_name="Accounts.csv", kind="accounts", preset="salesforce-sample"
    )
    assert res.file == "Accounts.csv"


@pytest.mark.django_db
def test_error_report_keeps_its_bold_header_in_view(tmp_path):
    """A report of thousands of errors is read in Excel: the header row is frozen and bold."""
    path = write_csv(tmp_path / "bad.csv", ["Id", "Name"], [["nope", "A"]])
    report = tmp_path / "errors.xlsx"
    import_run(path=path, kind="accounts", preset="salesforce", errors_xlsx=report)
    sheet = openpyxl.load_workbook(report).active
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["E"].width >= 40
