"""Fast inserts for the big demo tables: plain row dicts straight to the database, without
making a model instance per row (bulk_create's per-field overhead dominates at 1,000,000 rows).

Ids are given explicitly so later rows (subsidiaries, contacts) can point at earlier ones
without reading them back; `reset_sequences` puts PostgreSQL's id sequences past them.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Max
from django.utils import timezone


class RowWriter:
    """Writes dicts keyed by field attname (`owner_id`, not `owner`) into a model's table."""

    def __init__(self, model):
        self.model = model
        fields = list(model._meta.concrete_fields)
        now = timezone.now()
        self.fields = fields
        self.columns = [f.column for f in fields]
        self.defaults = []
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                default = now
                if connection.vendor != "postgresql":
                    default = connection.ops.adapt_datetimefield_value(now)
            elif f.primary_key:
                default = None
            else:
                default = f.get_default()
            self.defaults.append(default)
        self.attnames = [f.attname for f in fields]
        self.next_id = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.written = 0

    def take_ids(self, rows: list[dict]) -> None:
        for row in rows:
            row["id"] = self.next_id
            self.next_id += 1

    def write(self, rows: list[dict]) -> None:
        if not rows:
            return
        self.take_ids(rows)
        pairs = list(zip(self.attnames, self.defaults, strict=True))
        tuples = [tuple(row.get(a, d) for a, d in pairs) for row in rows]
        table = connection.ops.quote_name(self.model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for t in tuples:
                        copy.write_row(t)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608 (model meta)
                cursor.executemany(sql, tuples)
        self.written += len(rows)


def reset_sequences(*models) -> None:
    """After explicit ids, make the next ORM insert continue past them (PostgreSQL)."""
    from django.core.management.color import no_style

    sql = connection.ops.sequence_reset_sql(no_style(), list(models))
    if sql:
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)
