"""Huey tasks of scheduled distribution: every minute, queue the due slots and send."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_periodic_task(crontab(minute="*"))
def schedules_run_due_task() -> dict:
    from dataclasses import asdict

    from .services import schedules_run_due

    return asdict(schedules_run_due())


@db_task()
def deliveries_send_task() -> dict:
    """Send what is due now (after "send now"), without waiting for the next minute."""
    from dataclasses import asdict

    from .services import deliveries_send_due

    return asdict(deliveries_send_due())
