"""Fixtures of scheduled distribution: schedules over the `company` fixture's partners."""

from __future__ import annotations

import datetime as dt
import io

import pytest

UTC = dt.UTC
# Sunday 4 January 2026, noon UTC: the schedules below are created then.
CREATED = dt.datetime(2026, 1, 4, 12, 0, tzinfo=UTC)
# "0 8 * * MON" in Asia/Shanghai: Monday 08:00 local = 00:00 UTC.
MONDAY_SLOT = dt.datetime(2026, 1, 5, 0, 0, tzinfo=UTC)


@pytest.fixture
def make_schedule(company):
    from salesops.reports.services import schedule_create

    def _make(**fields):
        values = {
            "name": "Weekly order board",
            "kind": "order_board",
            "params": {"period": "as_of_today"},
            "audience": "partners",
            "to_contacts": True,
            "fmt": "xlsx",
            "language": "en",
            "cron": "0 8 * * MON",
            "timezone": "Asia/Shanghai",
            "catch_up": "send_missed_once",
        }
        values.update(fields)
        users = values.pop("users", None)
        now = values.pop("now", CREATED)
        return schedule_create(by=company.users["coordinator"], users=users, now=now, **values)

    return _make


def attachment_texts(msg) -> list[str]:
    """Every cell of every XLSX attachment, and the text of every PDF attachment."""
    from openpyxl import load_workbook

    out = []
    for part in msg.iter_attachments():
        data = part.get_payload(decode=True)
        name = part.get_filename() or ""
        if name.endswith(".xlsx"):
            wb = load_workbook(io.BytesIO(data), read_only=True)
            cells = []
            for ws in wb.worksheets:
                for row in ws.iter_rows(values_only=True):
                    cells += [str(v) for v in row if v is not None]
            out.append("\n".join(cells))
        elif name.endswith(".pdf"):
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data))
            out.append("\n".join(page.extract_text() or "" for page in reader.pages))
    return out
