"""Reconciliation pages and the statement: the wizard through the Django client, the statement
opened with openpyxl and pypdf and tied out to the stored lines, and nobody but staff reaching
a reconciliation (404)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from salesops.receivables import reconciliation as rc
from salesops.receivables.models import PartnerLedgerMapping, Reconciliation
from salesops.receivables.reconciliation_statement import statement_render

from .test_reconciliation import AS_OF, HUADONG_MAPPING, huadong_xlsx

D = Decimal


@pytest.fixture
def rec(ledger, tmp_path):
    f = huadong_xlsx(tmp_path / "华东.xlsx", ledger.inv1.number, ledger.inv2.number)
    return rc.reconciliation_run(
        account=ledger.inv1.account,
        file=f,
        as_of=AS_OF,
        mapping=HUADONG_MAPPING,
        by=ledger.coordinator,
    )


def _sheet_rows(content: bytes):
    wb = load_workbook(io.BytesIO(content), data_only=True)
    ws = wb.worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _section(rows, title):
    """The data rows under a section title, up to and including its Total row."""
    start = next(
        i
        for i, r in enumerate(rows)
        if r and r[0] == title and sum(v is not None for v in r) == 1 and rows[i + 1][0]
    )
    header = rows[start + 1]
    out = []
    for r in rows[start + 2 :]:
        if not any(v is not None for v in r):
            break
        out.append(dict(zip(header, r, strict=False)))
    return out


def test_statement_xlsx_has_numeric_cells_and_ties_out(rec, ledger):
    doc = statement_render(user=ledger.coordinator, reconciliation_id=rec.pk, fmt="xlsx", lang="en")
    assert doc.filename.endswith(".xlsx")
    rows = _sheet_rows(doc.content)
    flat = [v for r in rows for v in r if v is not None]
    assert "Reconciliation statement" in flat and rec.account.name in " ".join(map(str, flat))
    summary_at = next(i for i, r in enumerate(rows) if r and r[0] == "Our balance")
    summary = dict(zip(rows[summary_at], rows[summary_at + 1], strict=False))
    assert D(str(summary["Our balance"])) == rec.our_balance == D("8950.00")
    assert D(str(summary["Their balance"])) == rec.their_balance
    assert D(str(summary["Difference"])) == rec.our_balance - rec.their_balance

    for title, amount_col, result in (
        ("Matched", "Our amount", "matched"),
        ("Amount differs", "Difference", "amount_differs"),
        ("Only in their ledger", "Their amount", "only_theirs"),
        ("Only in our ledger", "Our amount", "only_ours"),
    ):
        body = _section(rows, title)
        *lines, total = body
        assert total[next(iter(total))] is None and "Total" in total.values()
        stored = rec.lines.filter(result=result)
        assert len(lines) == stored.count(), title
        values = [r[amount_col] for r in lines]
        assert all(isinstance(v, int | float) for v in values), title  # real numbers
        assert D(str(sum(values))).quantize(D("0.01")) == D(str(total[amount_col])).quantize(
            D("0.01")
        )
        field = {"Our amount": "our_amount", "Difference": "difference"}.get(
            amount_col, "their_amount"
        )
        assert sum((getattr(ln, field) for ln in stored), D(0)) == D(str(total[amount_col]))

    explain = {r["Item"]: r["Amount"] for r in _section(rows, "Explained difference")}
    assert D(str(explain["Explained difference"])) == D(rec.summary["explained"])
    assert D(str(explain["Unexplained"])) == 0


def test_statement_pdf_opens_and_shows_the_figures_in_chinese(rec, ledger):
    doc = statement_render(
        user=ledger.coordinator, reconciliation_id=rec.pk, fmt="pdf", lang="zh-hans"
    )
    reader = PdfReader(io.BytesIO(doc.content))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert rec.account.name in text
    assert ledger.inv2.number in text and "记-0052" in text
    for amount in ("8,950.00", "5,650.00", "5,600.00", "-300.00"):
        assert amount in text, amount
    doc_en = statement_render(
        user=ledger.coordinator, reconciliation_id=rec.pk, fmt="pdf", lang="en"
    )
    text_en = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(doc_en.content)).pages)
    for label in ("Reconciliation statement", "Only in their ledger", "Explained difference"):
        assert label in text_en


def test_wizard_upload_map_and_see_the_result(login, ledger, tmp_path):
    client = login("coordinator")
    f = huadong_xlsx(tmp_path / "华东分销.xlsx", ledger.inv1.number, ledger.inv2.number)
    account = ledger.inv1.account
    r = client.get("/receivables/reconciliations/")
    assert r.status_code == 200 and account.name in r.content.decode()
    with open(f, "rb") as fh:
        r = client.post(
            "/receivables/reconciliations/",
            {"account": account.pk, "as_of": AS_OF.isoformat(), "file": fh},
        )
    assert r.status_code == 302, r.content.decode()[:500]
    mapping_url = r["Location"]
    page = client.get(mapping_url).content.decode()
    assert "记-0012" in page  # preview of the first rows
    assert 'value="0" selected' in page  # 日期 guessed for the date
    header = ["日期", "凭证字号", "单据号", "摘要", "借方", "贷方", "方向", "余额"]
    post = {f"col_{k}": header.index(v) for k, v in HUADONG_MAPPING["columns"].items()}
    post.update({"flip_sign": "on", "decimal_mark": ".", "date_window_days": "3"})
    r = client.post(mapping_url, {**post, "reconcile": "1"})
    assert r.status_code == 302, r.content.decode()[:2000]
    rec = Reconciliation.objects.get()
    assert r["Location"] == f"/receivables/reconciliations/{rec.pk}/"
    page = client.get(r["Location"]).content.decode()
    for text in ("Matched", "Amount differs", "Only in their ledger", "Only in our ledger"):
        assert text in page
    assert "记-0052" in page and "by amount and date" in page
    page = client.get(r["Location"], {"result": "only_theirs"}).content.decode()
    assert "记-0052" in page and ledger.inv2.number not in page
    pdf = client.get(f"/receivables/reconciliations/{rec.pk}/statement.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"/receivables/reconciliations/{rec.pk}/statement.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    # next time the mapping page is pre-filled from the saved mapping
    assert PartnerLedgerMapping.objects.get(account=account).columns == HUADONG_MAPPING["columns"]
    with open(f, "rb") as fh:
        r = client.post(
            "/receivables/reconciliations/",
            {"account": account.pk, "as_of": AS_OF.isoformat(), "file": fh},
        )
    page = client.get(r["Location"]).content.decode()
    assert "Pre-filled from the mapping saved for this partner" in page


def test_wizard_shows_a_bad_file_and_writes_nothing(login, ledger, tmp_path):
    client = login("coordinator")
    f = huadong_xlsx(
        tmp_path / "bad.xlsx", ledger.inv1.number, ledger.inv2.number, bad_date="2026/13/45"
    )
    with open(f, "rb") as fh:
        r = client.post(
            "/receivables/reconciliations/",
            {"account": ledger.inv1.account.pk, "as_of": AS_OF.isoformat(), "file": fh},
        )
    header = ["日期", "凭证字号", "单据号", "摘要", "借方", "贷方", "方向", "余额"]
    post = {f"col_{k}": header.index(v) for k, v in HUADONG_MAPPING["columns"].items()}
    r = client.post(r["Location"], {**post, "flip_sign": "on", "reconcile": "1"})
    assert r.status_code == 400
    page = r.content.decode()
    assert "bad.xlsx row 4, column &#x27;日期&#x27;: &#x27;2026/13/45&#x27;" in page
    assert not Reconciliation.objects.exists() and not PartnerLedgerMapping.objects.exists()


@pytest.mark.parametrize("role", ["rep", "manager", "partner", "partner2"])
def test_nobody_but_staff_reaches_a_reconciliation(rec, client, company, role):
    from tests.conftest import PASSWORD

    assert client.login(username=role, password=PASSWORD)
    base = f"/receivables/reconciliations/{rec.pk}/"
    for url in (base, base + "statement.pdf", base + "statement.xlsx"):
        assert client.get(url).status_code == 404, url
    assert client.get("/receivables/reconciliations/").status_code == 403


def test_staff_other_than_the_author_see_it(rec, login):
    assert login("finance").get(f"/receivables/reconciliations/{rec.pk}/").status_code == 200
