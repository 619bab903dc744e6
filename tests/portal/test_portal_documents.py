"""Partner downloads: statement, payment sheet and order board of the partner's own account,
as real PDF and XLSX files read back with pypdf and openpyxl; nothing of partner2's inside."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    )


READ = {"pdf": _pdf_text, "xlsx": _xlsx_text}


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_partner_downloads_own_statement(fmt, portal, login):
    r = login("partner").get(
        reverse("portal:document", args=["statement"]), {"month": "2026-10", "fmt": fmt}
    )
    assert r.status_code == 200
    assert "attachment" in r["Content-Disposition"]
    text = READ[fmt](r.content)
    assert portal.ledger.inv2.number in text and portal.ledger.pay1.number in text
    assert [s for s in portal.secrets if s in text] == []


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_partner_downloads_own_payment_sheet_and_order_board(fmt, portal, login):
    client = login("partner")
    r = client.get(
        reverse("portal:document", args=["payment_sheet"]), {"month": "2026-10", "fmt": fmt}
    )
    assert r.status_code == 200
    text = READ[fmt](r.content)
    assert portal.ledger.pay1.number in text
    assert [s for s in portal.secrets if s in text] == []
    r = client.get(reverse("portal:document", args=["order_board"]), {"fmt": fmt})
    assert r.status_code == 200
    text = READ[fmt](r.content)
    assert portal.order1.number in text
    assert [s for s in portal.secrets if s in text] == []
