"""Demo schedules: what a coordinator sets up once so that "a partner finds the right
documents in their mailbox every week without anyone pressing a button".

`demo_schedules()` is called by the demo company generator (salesops.demo) after the partners
and their contacts exist. It is idempotent: schedules that exist (by name) are kept.
"""

from __future__ import annotations

import datetime as dt

from .models import Schedule

DEMO_SCHEDULES = [
    {
        "name": "Weekly order board · all channel partners",
        "kind": "order_board",
        "params": {"period": "as_of_today"},
        "fmt": "both",
        "language": "recipient",
        "cron": "0 8 * * MON",
    },
    {
        "name": "Weekly payment sheet · all channel partners",
        "kind": "payment_sheet",
        "params": {"period": "previous_week"},
        "fmt": "both",
        "language": "recipient",
        "cron": "5 8 * * MON",
    },
    {
        "name": "Monthly statement · all channel partners",
        "kind": "statement",
        "params": {"period": "previous_month"},
        "fmt": "pdf",
        "language": "recipient",
        "cron": "0 7 1 * *",
    },
]


def demo_schedules(*, now: dt.datetime | None = None) -> list[Schedule]:
    """Weekly order board and payment sheet (Mondays 08:00 and 08:05) and a monthly statement
    (the 1st, 07:00), Asia/Shanghai, to every channel partner's contacts."""
    from .services import schedule_create

    out = []
    for spec in DEMO_SCHEDULES:
        existing = Schedule.objects.filter(name=spec["name"]).first()
        if existing is not None:
            out.append(existing)
            continue
        out.append(
            schedule_create(
                by=None,
                now=now,
                audience=Schedule.Audience.PARTNERS,
                to_contacts=True,
                timezone="Asia/Shanghai",
                catch_up=Schedule.CatchUp.SEND_MISSED_ONCE,
                **spec,
            )
        )
    return out
