"""salesops statement ACCOUNT --period 2026-10 [--start D --end D] --format pdf|xlsx|html
--lang en|zh-hans --out FILE [--kind statement|payment_sheet|order_board]

ACCOUNT is the account number or its Salesforce id. Runs as the system (the operator on the
server), so every account is reachable."""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from salesops.core.errors import DomainError
from salesops.masterdata.models import Account
from salesops.receivables.documents import DOCUMENT_KINDS, FORMATS, LANGUAGES, document_render


def period_bounds(text: str) -> tuple[dt.date, dt.date]:
    """'2026-10' -> 1 to 31 October 2026."""
    try:
        year, month = (int(p) for p in text.split("-"))
        last = calendar.monthrange(year, month)[1]
    except (ValueError, calendar.IllegalMonthError):
        raise CommandError(f"--period must look like 2026-10, not {text!r}") from None
    return dt.date(year, month, 1), dt.date(year, month, last)


class Command(BaseCommand):
    help = "Write an account statement (or payment sheet, order board) as PDF, XLSX or HTML."

    def add_arguments(self, parser):
        parser.add_argument("account", help="account number or Salesforce id")
        parser.add_argument("--period", help="a month: 2026-10")
        parser.add_argument("--start", type=dt.date.fromisoformat)
        parser.add_argument("--end", type=dt.date.fromisoformat)
        parser.add_argument("--kind", default="statement", choices=DOCUMENT_KINDS)
        parser.add_argument("--format", dest="fmt", default=None, choices=FORMATS)
        parser.add_argument("--lang", default="en", choices=LANGUAGES)
        parser.add_argument("--out", required=True)

    def handle(self, *args, **o):
        key = o["account"].strip()
        account = Account.objects.filter(Q(number=key) | Q(salesforce_id=key)).first()
        if account is None:
            raise CommandError(f"No account with number or Salesforce id {key!r}.")
        if o["period"]:
            start, end = period_bounds(o["period"])
        else:
            end = o["end"] or dt.date.today()
            start = o["start"] or end.replace(day=1)
        out = Path(o["out"])
        fmt = o["fmt"] or out.suffix.lstrip(".").lower() or "pdf"
        if fmt not in FORMATS:
            raise CommandError(f"--format must be one of {', '.join(FORMATS)}")
        try:
            doc = document_render(
                kind=o["kind"], account=account, start=start, end=end, fmt=fmt, lang=o["lang"]
            )
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        out.write_bytes(doc.content)
        self.stdout.write(f"{out} ({len(doc.content):,} bytes, {doc.content_type})")
