"""salesops import KIND FILE [--preset P] [--dry-run] [--skip-invalid] [--encoding ENC]
[--errors-xlsx PATH]

Exit code 0 when the file was previewed or committed without rejected rows (or with
--skip-invalid), 1 when rows were rejected, 2 when the file as a whole cannot be imported.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from salesops.core.errors import DomainError
from salesops.core.imports.framework import registry
from salesops.core.imports.services import import_batch_create, import_batch_run
from salesops.core.jobs import ProgressReporter


class Command(BaseCommand):
    help = "Import accounts, contacts, products or people from a CSV or XLSX file."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="accounts, contacts, products or users")
        parser.add_argument("file")
        parser.add_argument("--preset", help="salesforce, hubspot, sap, generic ...")
        parser.add_argument("--dry-run", action="store_true", help="preview, write nothing")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="load valid rows, report rejected ones"
        )
        parser.add_argument("--encoding", help="force the CSV encoding (utf-8, gb18030 ...)")
        parser.add_argument("--sheet", help="XLSX sheet name (default: the first sheet)")
        parser.add_argument("--errors-xlsx", help="write the row error report to this file")
        parser.add_argument(
            "--ignore-unknown-columns", action="store_true", help="do not reject unknown columns"
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument("--user", help="username recorded as the importer")

    def handle(self, *args, **o):
        from salesops.core.models import User

        path = Path(o["file"])
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        by = None
        if o.get("user"):
            by = User.objects.filter(username=o["user"]).first()
            if by is None:
                raise CommandError(f"no user {o['user']}")
        try:
            registry.target(o["kind"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        batch = import_batch_create(
            path=path.resolve(),
            file_name=path.name,
            kind=o["kind"],
            preset=o.get("preset") or "",
            by=by,
            options={
                "skip_invalid": o["skip_invalid"],
                "encoding": o.get("encoding") or "",
                "sheet": o.get("sheet") or "",
                "allow_unknown": o["ignore_unknown_columns"],
            },
        )
        started = time.monotonic()

        def echo(done, total, message):
            rate = done / max(1e-6, time.monotonic() - started)
            of = f"/{total}" if total else ""
            sys.stderr.write(f"\r{done}{of} rows  {rate:,.0f} rows/s  {message}\x1b[K")
            sys.stderr.flush()

        reporter = ProgressReporter(None, every=1.0, echo=echo)
        errors_xlsx = Path(o["errors_xlsx"]) if o.get("errors_xlsx") else None
        try:
            result = import_batch_run(
                batch=batch,
                commit=not o["dry_run"],
                by=by,
                progress=reporter,
                errors_xlsx=errors_xlsx,
            )
        except DomainError as exc:
            sys.stderr.write("\n")
            if o["json"]:
                self.stdout.write(json.dumps(exc.as_dict(), ensure_ascii=False, default=str))
            self.stderr.write(f"error: {exc.message}")
            sys.exit(2)
        sys.stderr.write("\n")
        if o["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, default=str))
        else:
            self.stdout.write(result.message)
            self.stdout.write(
                f"rows {result.rows}  created {result.created}  updated {result.updated}  "
                f"unchanged {result.unchanged}  rejected {result.rejected}  "
                f"skipped {result.skipped}  ({result.seconds:.1f}s, preset {result.preset})"
            )
            for e in result.errors[:20]:
                self.stdout.write(
                    f"  {e.file} row {e.row}, column {e.column}, value {e.value!r}: "
                    f"{e.message}" + (f" (valid: {e.valid})" if e.valid else "")
                )
            if result.error_count > 20:
                self.stdout.write(f"  ... {result.error_count - 20} more errors")
            if result.error_count and errors_xlsx:
                self.stdout.write(f"error report: {errors_xlsx}")
        if result.rejected and not (result.committed and o["skip_invalid"]):
            sys.exit(1)
