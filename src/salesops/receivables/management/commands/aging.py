"""salesops aging --as-of 2026-10-31 --out aging.xlsx|aging.csv [--currency account|reporting]

One row per account and currency: the buckets (SALESOPS_AGING_BUCKETS), on account, total,
the same in the reporting currency, and DSO. All accounts (the system's view)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from salesops.core.money import currency_exponent
from salesops.receivables.aging import aging_report
from salesops.receivables.documents.layout import bucket_label
from salesops.receivables.documents.xlsx import money_format


class Command(BaseCommand):
    help = "Write the aging of all accounts on a date as XLSX or CSV (by the file's extension)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", type=dt.date.fromisoformat)
        parser.add_argument("--out", required=True)
        parser.add_argument("--lang", default="en", choices=["en", "zh-hans"])

    def handle(self, *args, **o):
        out = Path(o["out"])
        ext = out.suffix.lower()
        if ext not in (".xlsx", ".csv"):
            raise CommandError("--out must end in .xlsx or .csv")
        as_of = o["as_of"] or dt.date.today()
        report = aging_report(user=None, as_of=as_of)
        rep = report.reporting_currency
        with translation.override(o["lang"]):
            labels = [bucket_label(b) for b in report.buckets]
            from django.utils.translation import gettext as _

            header = [
                _("Account"),
                _("Currency"),
                *labels,
                _("On account"),
                _("Total"),
                *[f"{label} ({rep})" for label in labels],
                f"{_('On account')} ({rep})",
                f"{_('Total')} ({rep})",
                "DSO",
            ]
        rows = [
            [
                a.label,
                a.currency,
                *a.buckets,
                a.credit,
                a.total,
                *a.reporting_buckets,
                a.reporting_credit,
                a.reporting_total,
                a.dso,
            ]
            for a in report.accounts
        ]
        if ext == ".csv":
            with out.open("w", newline="", encoding="utf-8") as f:
                w = csv.writer(f)
                w.writerow(header)
                for r in rows:
                    w.writerow(["" if v is None else str(v) for v in r])
        else:
            from openpyxl import Workbook
            from openpyxl.cell import WriteOnlyCell
            from openpyxl.styles import Font

            wb = Workbook(write_only=True)
            ws = wb.create_sheet(as_of.isoformat())
            ws.freeze_panes = "C2"
            head = []
            for h in header:
                c = WriteOnlyCell(ws, value=h)
                c.font = Font(bold=True)
                head.append(c)
            ws.append(head)
            n = len(labels) + 2
            rep_fmt = money_format(currency_exponent(rep))
            for r, a in zip(rows, report.accounts, strict=True):
                fmt = money_format(currency_exponent(a.currency))
                cells = [r[0], r[1]]
                for i, v in enumerate(r[2:-1]):
                    c = WriteOnlyCell(ws, value=v)
                    c.number_format = fmt if i < n else rep_fmt
                    cells.append(c)
                cells.append(r[-1])
                ws.append(cells)
            wb.save(out)
        self.stdout.write(f"{out}: {len(rows):,} account rows on {as_of.isoformat()}")
