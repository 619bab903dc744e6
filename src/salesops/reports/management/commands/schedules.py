"""`salesops schedules run-due` / `salesops schedules send ID [--now]` / `salesops schedules list`.

run-due      queue every due slot and send what is due (what the worker does every minute)
send ID      a manual run of schedule ID ("send now"): queued for the worker, or with --now
             sent by this process before it exits
list         the schedules with their next slot and delivery counts
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError


def _instant(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"not an ISO 8601 instant: {text!r}") from exc
    if value.tzinfo is None:
        raise CommandError("give the instant with its offset, e.g. 2026-01-05T00:00:00+00:00")
    return value


class Command(BaseCommand):
    help = "Scheduled distribution: run due schedules, send one now, list them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run-due", help="Queue due slots and send due deliveries.")
        run.add_argument(
            "--at", type=_instant, default=None, help="Pretend it is this instant (ISO 8601)."
        )
        run.add_argument("--no-send", action="store_true", help="Only queue the deliveries.")
        send = sub.add_parser("send", help="Run a schedule now, outside its cron timing.")
        send.add_argument("schedule_id", type=int)
        send.add_argument(
            "--now", action="store_true", help="Send in this process instead of the worker."
        )
        sub.add_parser("list", help="List the schedules.")

    def handle(self, *args, action, **opts):
        from salesops.reports import services
        from salesops.reports.models import Delivery, Schedule

        if action == "run-due":
            result = services.schedules_run_due(now=opts["at"], send=not opts["no_send"])
            self._report(result)
        elif action == "send":
            schedule = Schedule.objects.filter(pk=opts["schedule_id"]).first()
            if schedule is None:
                raise CommandError(f"no schedule {opts['schedule_id']}")
            key = services.schedule_send_now(schedule=schedule, by=None)
            count = Delivery.objects.filter(schedule=schedule, slot_key=key).count()
            self.stdout.write(f"{schedule.name}: slot {key}, {count} deliveries queued")
            if opts["now"]:
                result = services.deliveries_send_due()
                self._report(result)
                left = Delivery.objects.filter(schedule=schedule, slot_key=key).exclude(
                    status=Delivery.Status.SENT
                )
                if left.exists():
                    for d in left:
                        self.stderr.write(f"  {d.recipient}: {d.status} {d.last_error}")
                    raise CommandError(f"{left.count()} of {count} deliveries not sent")
        else:
            for s in Schedule.objects.order_by("pk"):
                self.stdout.write(
                    f"{s.pk:>5}  {'active' if s.active else 'paused':6}  {s.kind:13}  "
                    f"{s.cron:18} {s.timezone:16} next {s.next_slot_at or '-'}  {s.name}"
                )

    def _report(self, result) -> None:
        self.stdout.write(" ".join(f"{k}={v}" for k, v in asdict(result).items()))
