"""Partner reconciliation: realistic partner files in, the four outcomes out, the mapping kept
per partner, nothing written for a bad file, and staff-only reach.

The partner files are written here as a partner's bookkeeping software exports them:
- Huadong (partner1) sends an Excel export of their payable ledger of us: 日期 as text
  '2026/10/05' (one a real Excel date), 凭证字号 (their voucher), 单据号 (our invoice number,
  typed their way), 摘要, 借方/贷方, 方向, 余额, an opening-balance line and a month total.
- Jiangnan (partner2) sends a CSV in GB18030 with one signed amount column.
- A third file quotes only their own voucher numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest

from salesops.core.errors import PermissionDenied
from salesops.core.models import AuditEvent
from salesops.receivables import errors, services
from salesops.receivables import reconciliation as rc
from salesops.receivables.models import (
    PartnerLedgerMapping,
    Reconciliation,
    ReconciliationLine,
)

D = Decimal
AS_OF = dt.date(2026, 10, 31)

HUADONG_COLUMNS = {
    "date": "日期",
    "reference": "凭证字号",
    "document": "单据号",
    "description": "摘要",
    "debit": "借方",
    "credit": "贷方",
}
HUADONG_MAPPING = {"columns": HUADONG_COLUMNS, "options": {"flip_sign": True}}


def huadong_xlsx(path: Path, inv1: str, inv2: str, *, bad_date: str | None = None) -> Path:
    """Their 应付账款 ledger of us: our invoices are their credits (贷方), payments debits."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "应付账款明细账"
    ws.append(["日期", "凭证字号", "单据号", "摘要", "借方", "贷方", "方向", "余额"])
    ws.append(["2026/09/01", "", "", "期初余额", None, None, "平", 0])
    # matched: our invoice 1, quoted as their clerk typed it
    ws.append(
        [
            "2026/09/06",
            "记-0012",
            inv1.lower().replace("-", " "),
            "采购货款",
            None,
            11300,
            "贷",
            11300,
        ]
    )
    # amount differs: they booked 5,600.00 against our 5,650.00
    ws.append(
        [
            bad_date or "2026/10/11",
            "记-0031",
            inv2.replace("-", ""),
            "采购货款",
            None,
            "5,600.00",
            "贷",
            16900,
        ]
    )
    # our receipt, their payment voucher, no number of ours: matched by amount and date
    ws.append([dt.datetime(2026, 10, 14), "记-0040", "", "付货款 银行转账", 8000, None, "贷", 8900])
    # only theirs: a freight allowance they deducted
    ws.append(["2026/10/20", "记-0052", "", "运费补贴", 300, None, "贷", 8600])
    ws.append(["", "", "", "本月合计", 8300, 16900, "贷", 8600])
    # after the as-of date: left out
    ws.append(["2026/11/03", "记-0060", "", "采购货款", None, 999, "贷", 9599])
    wb.save(path)
    return path


def jiangnan_csv(path: Path, inv3: str) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["日期", "凭证号", "摘要", "金额"])
    w.writerow(["2026-10-13", "转-0007", f"收到发票 {inv3} 货款", "-2,260.00"])
    w.writerow(["2026-10-25", "转-0011", "退货 扣款", "150.00"])
    path.write_bytes(buf.getvalue().encode("gb18030"))
    return path


def vouchers_csv(path: Path) -> Path:
    path.write_text(
        "Date,Voucher,Text,Debit,Credit\n"
        "05.09.2026,PV-2026-0101,Purchase,,11300.00\n"
        "12.10.2026,PV-2026-0240,Purchase,,5650.00\n"
        "16.10.2026,BP-2026-0077,Bank payment,8000.00,\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def partner1_extra(ledger):
    """An invoice of ours that the partner has not booked yet (only ours)."""
    return services.invoice_post(
        account=ledger.inv1.account,
        amount="2000.00",
        currency="CNY",
        issue_date=dt.date(2026, 10, 28),
        by=ledger.coordinator,
    )


def _by_result(rec):
    out = {}
    for ln in rec.lines.all():
        out.setdefault(ln.result, []).append(ln)
    return out


def test_chinese_xlsx_gives_all_four_outcomes_and_the_difference_is_explained(
    ledger, partner1_extra, tmp_path
):
    f = huadong_xlsx(tmp_path / "华东分销-应付账款.xlsx", ledger.inv1.number, ledger.inv2.number)
    rec = rc.reconciliation_run(
        account=ledger.inv1.account,
        file=f,
        as_of=AS_OF,
        mapping=HUADONG_MAPPING,
        by=ledger.coordinator,
    )
    lines = _by_result(rec)
    matched = {ln.document_number: ln for ln in lines["matched"]}
    assert set(matched) == {ledger.inv1.number, ledger.pay1.number}
    assert matched[ledger.inv1.number].their_reference == "记-0012"
    assert matched[ledger.pay1.number].their_reference == "记-0040"  # by amount and date
    assert rec.summary["amount_date_rows"] == [matched[ledger.pay1.number].their_row]
    (differs,) = lines["amount_differs"]
    assert differs.document_number == ledger.inv2.number
    assert (differs.our_amount, differs.their_amount, differs.difference) == (
        D("5650"),
        D("5600"),
        D("50"),
    )
    (theirs,) = lines["only_theirs"]
    assert (theirs.their_reference, theirs.their_amount, theirs.their_row) == (
        "记-0052",
        D("-300"),
        6,
    )
    (ours,) = lines["only_ours"]
    assert (ours.document_number, ours.our_amount) == (partner1_extra.number, D("2000"))

    assert rec.our_balance == D("10950.00")  # 11300 + 5650 - 8000 + 2000
    assert rec.their_balance == D("8600.00")  # the balance in their file, in our sign
    assert D(rec.summary["difference"]) == D("2350") == D(rec.summary["explained"])
    assert D(rec.summary["unexplained"]) == 0
    assert rec.summary["skipped_rows"] == [2, 7]  # opening balance, month total
    assert rec.summary["after_as_of_rows"] == [8]
    assert AuditEvent.objects.filter(action="reconciliation.run", object_id=str(rec.pk)).exists()


def test_gb18030_csv_with_one_signed_amount_column(ledger, tmp_path):
    f = jiangnan_csv(tmp_path / "jiangnan.csv", ledger.inv3.number)
    rec = rc.reconciliation_run(
        account=ledger.inv3.account,
        file=f,
        as_of=AS_OF,
        mapping={
            "columns": {
                "date": "日期",
                "reference": "凭证号",
                "description": "摘要",
                "amount": "金额",
            },
            "options": {"flip_sign": True},
        },
        by=ledger.coordinator,
    )
    assert rec.summary["encoding"] == "gb18030"
    lines = _by_result(rec)
    (m,) = lines["matched"]  # our invoice number found in their description
    assert (m.document_number, m.their_reference, m.our_amount) == (
        ledger.inv3.number,
        "转-0007",
        D("2260"),
    )
    (t,) = lines["only_theirs"]
    assert t.their_amount == D("-150") and t.their_reference == "转-0011"
    assert "amount_differs" not in lines and "only_ours" not in lines
    assert rec.our_balance - rec.their_balance == D("150")


def test_own_voucher_numbers_only_match_by_amount_and_date(ledger, tmp_path):
    f = vouchers_csv(tmp_path / "vouchers.csv")
    rec = rc.reconciliation_run(
        account=ledger.inv1.account,
        file=f,
        as_of=AS_OF,
        mapping={
            "columns": {
                "date": "Date",
                "reference": "Voucher",
                "description": "Text",
                "debit": "Debit",
                "credit": "Credit",
            },
            "options": {"date_format": "%d.%m.%Y", "flip_sign": True, "date_window_days": 3},
        },
        by=ledger.coordinator,
    )
    lines = _by_result(rec)
    assert {ln.document_number: ln.their_reference for ln in lines["matched"]} == {
        ledger.inv1.number: "PV-2026-0101",
        ledger.inv2.number: "PV-2026-0240",
        ledger.pay1.number: "BP-2026-0077",
    }
    assert len(rec.summary["amount_date_rows"]) == 3
    assert set(lines) == {"matched"}
    assert rec.our_balance == rec.their_balance == D("8950")


def test_mapping_is_saved_per_partner_and_reused(ledger, tmp_path):
    account = ledger.inv1.account
    f = huadong_xlsx(tmp_path / "h.xlsx", ledger.inv1.number, ledger.inv2.number)
    rc.reconciliation_run(
        account=account, file=f, as_of=AS_OF, mapping=HUADONG_MAPPING, by=ledger.coordinator
    )
    saved = PartnerLedgerMapping.objects.get(account=account)
    assert saved.columns == HUADONG_COLUMNS
    assert saved.options["flip_sign"] is True and saved.updated_by == ledger.coordinator
    # next month: no mapping given, the saved one is used
    rec2 = rc.reconciliation_run(account=account, file=f, as_of=AS_OF, by=ledger.finance)
    assert rec2.summary["mapping"]["columns"] == HUADONG_COLUMNS
    assert Reconciliation.objects.filter(account=account).count() == 2
    # and the mapping page is pre-filled from it, even with headers spelt another way
    guess = rc.mapping_guess(["日期", "凭证字号", "单据号", "摘要", "借方", "贷方"], saved)
    assert guess.columns == HUADONG_COLUMNS
    # the other partner has none
    with pytest.raises(errors.ReconciliationMappingInvalid):
        rc.reconciliation_run(
            account=ledger.inv3.account, file=f, as_of=AS_OF, by=ledger.coordinator
        )


def test_header_guess_for_a_new_partner():
    guess = rc.mapping_guess(["日期", "凭证字号", "摘要", "借方", "贷方", "方向", "余额"])
    assert guess.columns == {
        "date": "日期",
        "reference": "凭证字号",
        "description": "摘要",
        "debit": "借方",
        "credit": "贷方",
    }


def test_bad_date_names_file_row_column_value_and_writes_nothing(ledger, tmp_path):
    f = huadong_xlsx(
        tmp_path / "坏文件.xlsx", ledger.inv1.number, ledger.inv2.number, bad_date="2026/13/45"
    )
    events = AuditEvent.objects.count()
    with pytest.raises(errors.ReconciliationFileInvalid) as exc:
        rc.reconciliation_run(
            account=ledger.inv1.account,
            file=f,
            as_of=AS_OF,
            mapping=HUADONG_MAPPING,
            by=ledger.coordinator,
        )
    msg = exc.value.message
    assert "坏文件.xlsx" in msg and "row 4" in msg and "日期" in msg and "2026/13/45" in msg
    assert exc.value.detail["errors"][0] == {
        "file": "坏文件.xlsx",
        "row": 4,
        "column": "日期",
        "value": "2026/13/45",
        "message": "not a date",
        "valid": "a date as YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY年MM月DD日",
    }
    assert not Reconciliation.objects.exists()
    assert not ReconciliationLine.objects.exists()
    assert not PartnerLedgerMapping.objects.exists()
    assert AuditEvent.objects.count() == events


def test_bad_amount_and_missing_column_are_clear(ledger, tmp_path):
    f = tmp_path / "amounts.csv"
    f.write_text("Date,Debit,Credit\n2026-10-01,12abc,\n", encoding="utf-8")
    mapping = {"columns": {"date": "Date", "debit": "Debit", "credit": "Credit"}}
    with pytest.raises(errors.ReconciliationFileInvalid, match=r"row 2, column 'Debit': '12abc'"):
        rc.reconciliation_run(
            account=ledger.inv1.account, file=f, as_of=AS_OF, mapping=mapping, by=ledger.coordinator
        )
    mapping["columns"]["description"] = "Narrative"
    with pytest.raises(errors.ReconciliationMappingInvalid, match="has no column 'Narrative'"):
        rc.reconciliation_run(
            account=ledger.inv1.account, file=f, as_of=AS_OF, mapping=mapping, by=ledger.coordinator
        )
    assert not Reconciliation.objects.exists() and not PartnerLedgerMapping.objects.exists()


def test_decimal_comma_csv(ledger, tmp_path):
    f = tmp_path / "de.csv"
    f.write_text(
        f"Datum;Beleg;Soll;Haben\n05.09.2026;{ledger.inv1.number};;11.300,00\n", encoding="utf-8"
    )
    rec = rc.reconciliation_run(
        account=ledger.inv1.account,
        file=f,
        as_of=dt.date(2026, 9, 30),
        mapping={
            "columns": {"date": "Datum", "document": "Beleg", "debit": "Soll", "credit": "Haben"},
            "options": {"date_format": "%d.%m.%Y", "decimal_mark": ","},
        },
        by=ledger.coordinator,
    )
    assert [ln.result for ln in rec.lines.all()] == ["matched"]
    assert rec.their_balance == D("11300")


def test_only_staff_may_run_or_see_reconciliations(ledger, company, tmp_path):
    f = huadong_xlsx(tmp_path / "h.xlsx", ledger.inv1.number, ledger.inv2.number)
    for role in ("rep", "manager", "partner"):
        with pytest.raises(PermissionDenied):
            rc.reconciliation_run(
                account=company.partner1,
                file=f,
                as_of=AS_OF,
                mapping=HUADONG_MAPPING,
                by=company.users[role],
            )
    rec = rc.reconciliation_run(
        account=company.partner1, file=f, as_of=AS_OF, mapping=HUADONG_MAPPING, by=ledger.finance
    )
    for role in ("rep", "manager", "partner", "partner2"):
        user = company.users[role]
        assert not rc.reconciliation_list(user=user).exists()
        with pytest.raises(errors.ReconciliationNotFound):
            rc.reconciliation_get(user=user, reconciliation_id=rec.pk)
        assert rc.partner_ledger_mapping_get(user=user, account_id=company.partner1.pk) is None
    assert rc.reconciliation_get(user=company.users["coordinator"], reconciliation_id=rec.pk)


@pytest.mark.parametrize(
    "mapping",
    [
        {"columns": ["date"]},
        {"columns": {"date": 5, "amount": "Debit"}},
        {"columns": {"date": "Date", "amount": "Debit"}, "options": {"encoding": 1}},
        {"columns": {"date": "Date", "amount": "Debit"}, "options": {"date_format": []}},
        {"columns": {"date": "Date", "amount": "Debit"}, "options": {"date_window_days": "3"}},
        {"columns": {"date": "Date", "amount": "Debit"}, "options": {"colour": "red"}},
        {"columns": {"date": "Date", "debit": "Debit", "amount": "Debit"}},
        {"columns": {"amount": "Debit"}},
    ],
)
def test_a_malformed_mapping_is_refused_before_the_file_is_read(ledger, tmp_path, mapping):
    f = tmp_path / "ok.csv"
    f.write_text("Date,Debit\n2026-10-01,10\n", encoding="utf-8")
    with pytest.raises(errors.ReconciliationMappingInvalid):
        rc.reconciliation_run(
            account=ledger.inv1.account, file=f, as_of=AS_OF, mapping=mapping, by=ledger.coordinator
        )
