"""The demo schedules: every partner contact gets the order board and the payment sheet on
Monday morning and the statement on the 1st, without anyone pressing a button."""

from __future__ import annotations

import datetime as dt

from salesops.reports.demo import demo_schedules
from salesops.reports.models import Schedule
from salesops.reports.services import schedules_run_due

from .conftest import CREATED, MONDAY_SLOT


def test_demo_schedules_send_each_partner_its_weekly_documents(company, smtp_server):
    demo_schedules(now=CREATED)
    assert len(demo_schedules(now=CREATED)) == 3  # idempotent
    assert Schedule.objects.count() == 3
    schedules_run_due(now=MONDAY_SLOT + dt.timedelta(minutes=6))
    got = sorted((str(m["To"]), len(list(m.iter_attachments()))) for m in smtp_server.messages)
    # order board and payment sheet, each as PDF and XLSX, to both partner contacts
    assert got == [
        ("xu.tao@jiangnan.example", 2),
        ("xu.tao@jiangnan.example", 2),
        ("zhou.min@huadong.example", 2),
        ("zhou.min@huadong.example", 2),
    ]
    # customers' contacts get nothing
    assert all("dfmy" not in str(m["To"]) for m in smtp_server.messages)
