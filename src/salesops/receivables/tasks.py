"""Huey tasks of receivables (Huey's Django integration imports this module)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/5"))
def booking_warnings() -> int:
    """Every 5 minutes: e-mail the coordinators about receipts close to (or past) the
    24-hour booking limit, once per receipt."""
    from .booking import booking_warnings_send

    return booking_warnings_send()
