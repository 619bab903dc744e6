"""The import framework: presets map a file's columns to a target's fields; the engine reads
the file twice, streaming (pass 1: keys, duplicates and the row count; pass 2: parse,
validate, compare and write in batches), inside one transaction when it commits.

It knows nothing about accounts or contacts: a `Target` (see masterdata/importers.py) says
how to look records up by their external key, how to resolve references, and how to write.
"""

from __future__ import annotations

import gc
import hashlib
import operator
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .parsers import ParseError, Parser, column_of
from .readers import FileError, Source, header_read, rows_open

BATCH_SIZE = 2000
# Bulk mode: a commit of at least this many rows that is also larger than the target table
# drops the table's non-unique indexes inside the import's transaction and rebuilds them
# before it commits (a sorted build is far cheaper than a million index inserts). Unique
# indexes (external keys, numbers) always stay. See docs/imports.md.
BULK_INDEX_MIN_ROWS = 50_000
COPY_ON_POSTGRES = True  # new rows go in by COPY on PostgreSQL (tests compare both paths)
COLUMN_PARSE = True  # parse a batch column by column (tests compare it with cell by cell)
# While an import runs, the cyclic garbage collector starts a collection after this many new
# container objects instead of 700: a batch makes thousands of short-lived rows and dicts,
# and each collection also walks everything alive (the key index of a million rows); at the
# default that cost ~20 us per row. Imports make no reference cycles to speak of.
GC_GEN0_THRESHOLD = 50_000
ERROR_KEEP = 200  # errors kept in memory for the preview; the xlsx report gets them all
SAMPLE_CHANGES = 20


def header_norm(h: str) -> str:
    """Headers match case-, space- and underscore-insensitively: 'Billing City' = billing_city."""
    return re.sub(r"[\s_\-]+", "", str(h).lstrip("\ufeff").casefold())


@dataclass(frozen=True)
class Field:
    name: str
    parser: Parser
    label: str = ""  # for references and file-only fields; model columns use verbose_name
    required: bool = False  # the value may not be empty when the column is there
    text: bool = True  # empty text cells become "" (else None)


@dataclass
class Preset:
    kind: str
    name: str
    label: str
    columns: dict[str, str]  # source header -> target field name
    key: str  # the field that identifies a record across imports
    required: tuple[str, ...] = ()  # fields whose column must be in the file
    ignore: tuple[str, ...] = ()  # known columns that are not loaded
    ignore_pattern: str | None = None  # e.g. Salesforce custom fields r".*__c$"
    parsers: dict[str, Parser] = field(default_factory=dict)  # per-preset parser overrides
    skip: Callable[[dict], bool] | None = None  # rows to leave out (deleted records)
    note: str = ""

    def column_map(self) -> dict[str, str]:
        return {header_norm(k): v for k, v in self.columns.items()}

    def score(self, header: list[str]) -> float:
        """How well a header fits this preset: 0 when a required column is missing."""
        cols = self.column_map()
        have = {header_norm(h) for h in header}
        mapped = {cols[h] for h in have if h in cols}
        if not set(self.required) <= mapped or self.key not in mapped:
            return 0.0
        return len([h for h in have if h in cols]) / max(1, len(have))


@dataclass
class RowError:
    file: str
    row: int
    column: str
    value: str
    message: str
    valid: str = ""

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "valid": self.valid,
        }


class Row:
    """One data row while it is checked: parsed values, errors, the record's key."""

    __slots__ = ("cells", "columns", "errors", "index", "key", "number", "values")

    def __init__(self, number: int, values: dict, cells: list, index: dict, columns: dict):
        self.number, self.values, self.cells = number, values, cells
        self.index, self.columns = index, columns  # field -> cell index / column header
        self.errors: list[RowError] = []
        self.key = None

    @property
    def raw(self) -> dict:
        return {f: self.cells[i] if i < len(self.cells) else "" for f, i in self.index.items()}

    def error(self, fieldname: str, message: str, valid: str = "", *, file: str) -> None:
        i = self.index.get(fieldname)
        value = self.cells[i] if i is not None and i < len(self.cells) else ""
        self.errors.append(
            RowError(
                file=file,
                row=self.number,
                column=self.columns.get(fieldname, fieldname),
                value="" if value is None else str(value),
                message=message,
                valid=valid,
            )
        )


class Target:
    """What a kind of record needs from the framework. Subclass per kind."""

    kind = ""
    label = ""
    model: Any = None
    fields: dict[str, Field] = {}
    hidden: tuple[str, ...] = ()  # derived columns (search keys) never shown to people

    def field_label(self, name: str) -> str:
        """What people call a field: the model's translated verbose name for a plain column,
        the preset's own label for references and file-only fields (it says what to put in)."""
        field = self.fields.get(name)
        if self.model is not None:
            try:
                model_field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                model_field = None
            if model_field is not None and not model_field.is_relation:
                return str(model_field.verbose_name)
        return str(field.label) if field is not None and field.label else name.replace("_", " ")

    def key_lookup(self, key_field: str) -> tuple[str, Callable[[Any], Any]]:
        """(model field to look the key up in, normaliser applied to the parsed key)."""
        return key_field, lambda v: v

    def begin(self, ctx: ImportContext) -> None:
        """Called once before pass 2."""

    def resolve(self, rows: list[Row], ctx: ImportContext) -> None:
        """Turn references (owner, territory ...) in `row.values` into records or errors."""

    def existing(self, db_field: str, keys: list, fields: list[str], ctx: ImportContext) -> dict:
        """key -> [{"pk": .., field: stored value ..}] for the records already there."""
        found: dict = {}
        keys = keys_present(self.model, db_field, keys)
        if not keys:
            return found  # a fresh load: no ORM query (its per-key preparation is costly)
        cols = ["pk", *fields] if db_field in fields else ["pk", db_field, *fields]
        for rec in self.model.objects.filter(**{f"{db_field}__in": keys}).values(*cols):
            found.setdefault(rec[db_field], []).append(rec)
        return found

    def values_for_model(self, row: Row, ctx: ImportContext) -> dict:
        return dict(row.values)

    def create(self, rows: list[dict], ctx: ImportContext) -> None:
        """Insert new records given as {attname: value} dicts."""
        self.model.objects.bulk_create([self.model(**v) for v in rows], batch_size=BATCH_SIZE)

    def update(self, rows: list[dict], fields: list[str], ctx: ImportContext) -> None:
        """Write changed records given as {"pk": .., field: new value ..} dicts."""
        objs = [self.model(**r) for r in rows]
        self.model.objects.bulk_update(objs, fields, batch_size=BATCH_SIZE)

    def finish(self, ctx: ImportContext) -> None:
        """Called once after all batches were written (deferred links such as parents)."""

    def show(self, value) -> Any:
        if hasattr(value, "pk"):
            return str(value)
        return value if isinstance(value, int | str | None) else str(value)


@dataclass
class ImportResult:
    kind: str
    preset: str
    file: str
    sha256: str
    size: int
    encoding: str
    committed: bool = False
    dry_run: bool = True
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    changes: list[dict] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.rejected == 0 or self.committed

    def as_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "errors"}
        d["errors"] = [e.as_dict() for e in self.errors]
        return d


@dataclass
class ImportContext:
    file: str
    preset: Preset
    target: Target
    by: Any
    commit: bool
    file_keys: set | dict | None = None
    cache: dict = field(default_factory=dict)
    now: Any = None


class ErrorSink:
    """Keeps the first ERROR_KEEP errors and streams every error into an xlsx report."""

    def __init__(self, xlsx_path: Path | None):
        self.kept: list[RowError] = []
        self.count = 0
        self._path = xlsx_path
        self._wb = self._ws = None

    def add(self, errors: Iterable[RowError]) -> None:
        for e in errors:
            self.count += 1
            if len(self.kept) < ERROR_KEEP:
                self.kept.append(e)
            if self._path is not None:
                if self._ws is None:
                    self._open()
                self._ws.append([e.file, e.row, e.column, e.value, e.message, e.valid])

    def _open(self) -> None:
        import openpyxl
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        self._wb = openpyxl.Workbook(write_only=True)
        self._ws = self._wb.create_sheet(_("Errors"))
        # Set before the first row (write-only sheets): the header stays in view however long
        # the list, and the columns are wide enough to read without resizing.
        self._ws.freeze_panes = "A2"
        for letter, width in zip("ABCDEF", (24, 8, 22, 30, 50, 50), strict=True):
            self._ws.column_dimensions[letter].width = width
        header = []
        for title in (_("file"), _("row"), _("column"), _("value"), _("error"), _("valid values")):
            cell = WriteOnlyCell(self._ws, value=title)
            cell.font = Font(bold=True)
            header.append(cell)
        self._ws.append(header)

    def close(self) -> Path | None:
        if self._path is None:
            return None
        if self._ws is None:
            self._open()
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._wb.save(self._path)
        return self._path


def rows_insert(model, rows: list[dict], *, now=None) -> None:
    """INSERT many rows given as {attname: value} dicts with one executemany.

    bulk_create compiles every value through the ORM (about 20 us per cell); for a
    million-row import that is most of the time. This path fills model defaults and the
    auto_now timestamps itself and hands plain tuples to the driver. Only for plain column
    types (text, numbers, decimals, dates, booleans, foreign key ids)."""
    from django.db import connection, models

    if not rows:
        return
    now = now or timezone.now()
    cols, names, defaults = [], [], {}
    for f in model._meta.concrete_fields:
        if f.primary_key and isinstance(f, models.AutoField | models.BigAutoField):
            continue
        cols.append(connection.ops.quote_name(f.column))
        names.append(f.attname)
        if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
            defaults[f.attname] = connection.ops.adapt_datetimefield_value(now)
        else:
            defaults[f.attname] = f.get_default() if f.has_default() or f.null else ""
    auto = {
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)
    }
    table = connection.ops.quote_name(model._meta.db_table)
    column_of_name = dict(zip(names, cols, strict=True))
    with connection.cursor() as cur:
        # Consecutive rows with the same fields share one statement: their own values first
        # (one C-level itemgetter per row), then the defaults and timestamps, the same tuple
        # for every row. No per-row dict is built.
        for given, run in _runs_by_fields(rows, set(names) - auto):
            own = sorted(given, key=names.index)
            rest = [n for n in names if n not in given]
            tail = tuple(defaults[n] for n in rest)
            columns = [column_of_name[n] for n in (*own, *rest)]
            if len(own) == 1:
                params = [(r[own[0]], *tail) for r in run]
            elif own:
                pick = operator.itemgetter(*own)
                params = [pick(r) + tail for r in run]
            else:
                params = [tail] * len(run)
            if connection.vendor == "postgresql" and COPY_ON_POSTGRES:
                # COPY is PostgreSQL's bulk path: one statement streams every row, in the
                # same transaction as the rest of the import (a rollback undoes it too).
                with cur.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    write = copy.write_row
                    for t in params:
                        write(t)
                continue
            sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - quoted identifiers
                table, ", ".join(columns), ", ".join(["%s"] * len(columns))
            )
            for i in range(0, len(params), BATCH_SIZE):
                cur.executemany(sql, params[i : i + BATCH_SIZE])


def _runs_by_fields(rows: list[dict], known: set) -> Iterable[tuple[frozenset, list[dict]]]:
    """Consecutive runs of rows that give the same fields (of `known`), in file order."""
    run: list[dict] = []
    keys = given = None
    for r in rows:
        if keys is None or r.keys() != keys:
            if run:
                yield given, run
            keys = r.keys()
            given, run = frozenset(keys & known), []
        run.append(r)
    if run:
        yield given, run


def keys_present(model, db_field: str, keys: list) -> list:
    """`keys` when any of them is already stored in `db_field`, else []: one cheap raw query,
    so a fresh load skips the ORM lookup (its per-key preparation is costly)."""
    from django.db import connection

    keys = [k for k in keys if k is not None]
    if not keys:
        return []
    f = model._meta.get_field(db_field)
    prepared = [f.get_db_prep_value(k, connection) for k in keys]
    if _select_in(model, db_field, prepared, select="1", first=True):
        return keys  # some exist: the ORM query finds which, as before
    return []


def values_present(model, db_field: str, values: list) -> set:
    """Which of `values` are already stored in `db_field` (plain text or number columns)."""
    values = [v for v in values if v is not None]
    if not values:
        return set()
    return {v for (v,) in _select_in(model, db_field, values, select=None)}


def _select_in(model, db_field: str, values: list, *, select: str | None, first=False) -> list:
    """Rows of `SELECT select FROM table WHERE db_field IN values` (select None: the column).
    PostgreSQL gets the values as one array parameter (`= ANY(%s)`): one short statement per
    batch instead of thousands of placeholders; SQLite gets chunks below 999 parameters."""
    from django.db import connection

    col = connection.ops.quote_name(model._meta.get_field(db_field).column)
    table = connection.ops.quote_name(model._meta.db_table)
    what = select or col
    limit = " LIMIT 1" if first else ""
    out: list = []
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            sql = f"SELECT {what} FROM {table} WHERE {col} = ANY(%s){limit}"  # noqa: S608
            cur.execute(sql, [values])
            return cur.fetchall()
        for i in range(0, len(values), 900):  # below SQLite's 999 parameters of old builds
            chunk = values[i : i + 900]
            marks = ", ".join(["%s"] * len(chunk))
            sql = f"SELECT {what} FROM {table} WHERE {col} IN ({marks}){limit}"  # noqa: S608
            cur.execute(sql, chunk)
            out.extend(cur.fetchall())
            if first and out:
                break
    return out


def indexes_secondary(model) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the non-unique indexes of `model`'s table. Unique indexes,
    primary keys and indexes behind constraints are never listed."""
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL AND upper(sql) NOT LIKE 'CREATE UNIQUE%%'",
                [table],
            )
        elif connection.vendor == "postgresql":
            cur.execute(
                "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                [connection.ops.quote_name(table)],
            )
        else:
            return []
        return [(name, sql) for name, sql in cur.fetchall()]


def indexes_drop(model) -> list[tuple[str, str]]:
    """Drop the non-unique indexes of `model`'s table (call inside a transaction: both SQLite
    and PostgreSQL roll DDL back with it) and return what `indexes_create` needs."""
    from django.db import connection

    found = indexes_secondary(model)
    with connection.cursor() as cur:
        for name, _sql in found:
            cur.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return found


def indexes_create(found: list[tuple[str, str]]) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        if found and connection.vendor == "postgresql":
            # PostgreSQL will not build an index over rows with pending (deferred) foreign
            # key checks: run those checks now - the same ones COMMIT would run.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _name, sql in found:
            cur.execute(sql.replace("%", "%%"))
        if found and connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL DEFERRED")


def _bulk_mode(model, rows: int) -> bool:
    """Large loads into a smaller table rebuild the secondary indexes once at the end."""
    from django.db import connection

    if model is None or rows < BULK_INDEX_MIN_ROWS:
        return False
    if connection.vendor not in ("sqlite", "postgresql"):
        return False
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - quoted identifier
        return cur.fetchone()[0] < rows


def errors_xlsx_write(errors: Iterable[RowError], path: Path) -> Path:
    sink = ErrorSink(path)
    sink.add(errors)
    return sink.close()


def file_digest(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


class _Rollback(Exception):
    pass


class Registry:
    def __init__(self):
        self.targets: dict[str, Target] = {}
        self.presets: dict[tuple[str, str], Preset] = {}

    def register(self, target: Target, presets: Iterable[Preset]) -> None:
        self.targets[target.kind] = target
        for p in presets:
            self.presets[(target.kind, p.name)] = p

    def presets_for(self, kind: str) -> list[Preset]:
        return [p for (k, _n), p in self.presets.items() if k == kind]

    def target(self, kind: str) -> Target:
        self._load()
        if kind not in self.targets:
            raise FileError(
                _("Unknown import kind '%(kind)s'; choose one of: %(kinds)s")
                % {"kind": kind, "kinds": ", ".join(sorted(self.targets))},
                code="IMPORT_KIND_UNKNOWN",
            )
        return self.targets[kind]

    def preset(self, kind: str, name: str) -> Preset:
        self.target(kind)
        if (kind, name) not in self.presets:
            names = ", ".join(p.name for p in self.presets_for(kind))
            raise FileError(
                _("Unknown preset '%(preset)s' for %(kind)s; choose one of: %(names)s")
                % {"preset": name, "kind": kind, "names": names},
                code="IMPORT_PRESET_UNKNOWN",
            )
        return self.presets[(kind, name)]

    def detect(self, kind: str, header: list[str]) -> Preset | None:
        self.target(kind)
        scored = sorted(((p.score(header), p) for p in self.presets_for(kind)), key=lambda t: -t[0])
        return scored[0][1] if scored and scored[0][0] > 0 else None

    def _load(self) -> None:
        if not self.targets:
            from django.apps import apps

            for cfg in apps.get_app_configs():
                try:
                    __import__(f"{cfg.name}.importers")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{cfg.name}.importers":
                        raise


registry = Registry()


def mapping_resolve(
    header: list[str],
    preset: Preset,
    target: Target,
    *,
    file: str,
    mapping: dict[str, str] | None = None,
    allow_unknown: bool = False,
) -> dict[int, str]:
    """Column index -> field. Missing required and unknown columns are one FileError."""
    cols = preset.column_map()
    explicit = {header_norm(k): v for k, v in (mapping or {}).items()}
    ignore = {header_norm(h) for h in preset.ignore}
    pattern = re.compile(preset.ignore_pattern, re.I) if preset.ignore_pattern else None
    out: dict[int, str] = {}
    unknown: list[str] = []
    seen_fields: dict[str, str] = {}
    for i, h in enumerate(header):
        n = header_norm(h)
        if not n:
            continue
        if n in explicit:
            f = explicit[n]
            if not f:
                continue  # mapped to "ignore"
        elif n in cols:
            f = cols[n]
        elif n in ignore or (pattern and pattern.match(h)):
            continue
        else:
            unknown.append(h)
            continue
        if f not in target.fields:
            raise FileError(
                _("Column %(col)s is mapped to unknown field '%(field)s'.")
                % {"col": h, "field": f},
                code="IMPORT_MAPPING_INVALID",
            )
        if f in seen_fields:
            raise FileError(
                _("Columns '%(a)s' and '%(b)s' both map to %(field)s; keep one.")
                % {"a": seen_fields[f], "b": h, "field": f},
                code="IMPORT_MAPPING_INVALID",
            )
        seen_fields[f] = h
        out[i] = f
    needed = {preset.key, *preset.required}
    missing = sorted(needed - set(out.values()))
    expected = sorted({k for k, v in preset.columns.items() if v in needed})
    if missing or (unknown and not allow_unknown):
        parts = []
        detail: dict[str, Any] = {"file": file, "expected": sorted(preset.columns)}
        if missing:
            miss_cols = [k for k, v in preset.columns.items() if v in missing]
            parts.append(_("missing required columns: %(cols)s") % {"cols": ", ".join(miss_cols)})
            detail["missing"] = miss_cols
            detail["required"] = expected
        if unknown and not allow_unknown:
            parts.append(_("unknown columns: %(cols)s") % {"cols": ", ".join(unknown)})
            detail["unknown"] = unknown
        raise FileError(
            _(
                "%(file)s does not fit the %(preset)s preset: %(problems)s. "
                "Expected columns: %(cols)s"
            )
            % {
                "file": file,
                "preset": preset.label,
                "problems": "; ".join(parts),
                "cols": ", ".join(sorted(preset.columns)),
            },
            code="IMPORT_COLUMNS",
            detail=detail,
        )
    return out


def _field_parser(target: Target, preset: Preset, name: str) -> Parser:
    return preset.parsers.get(name) or target.fields[name].parser


_gc_lock = threading.Lock()
_gc_state: dict = {"depth": 0, "saved": None}


@contextmanager
def _gc_relaxed() -> Iterator[None]:
    """GC_GEN0_THRESHOLD while any import runs in this process (restored by the last one)."""
    with _gc_lock:
        if _gc_state["depth"] == 0:
            saved = _gc_state["saved"] = gc.get_threshold()
            gc.set_threshold(max(saved[0], GC_GEN0_THRESHOLD), *saved[1:])
        _gc_state["depth"] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_state["depth"] -= 1
            if _gc_state["depth"] == 0:
                gc.set_threshold(*_gc_state["saved"])


@_gc_relaxed()
def import_run(
    *,
    path: Path | str,
    kind: str,
    preset: str | None = None,
    file_name: str | None = None,
    commit: bool = False,
    skip_invalid: bool = False,
    encoding: str | None = None,
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
    allow_unknown: bool = False,
    by=None,
    progress: Callable[..., None] | None = None,
    errors_xlsx: Path | str | None = None,
    batch=None,
) -> ImportResult:
    """Preview (commit=False) or load (commit=True) one file. See the module docstring.

    Commit is all-or-nothing unless `skip_invalid`: any rejected row -> nothing written.
    Raises FileError for problems with the file as a whole (nothing is written then either).
    """
    import time

    from salesops.core.audit import audit_record
    from salesops.core.models import ImportBatch

    started = time.monotonic()
    path = Path(path)
    name = file_name or path.name
    target = registry.target(kind)
    src = Source(path=path, name=name, encoding=encoding or None, sheet=sheet or None)
    sha, size = file_digest(path)
    enc, header, _it = header_read(src)
    _close(_it)
    if preset:
        p = registry.preset(kind, preset)
    else:
        p = registry.detect(kind, header)
        if p is None:
            raise FileError(
                _(
                    "%(file)s: the columns do not match any %(kind)s preset; choose a preset. "
                    "Columns found: %(cols)s"
                )
                % {"file": name, "kind": kind, "cols": ", ".join(header)},
                code="IMPORT_PRESET_UNKNOWN",
                detail={"file": name, "columns": header},
            )
    colmap = mapping_resolve(
        header, p, target, file=name, mapping=mapping, allow_unknown=allow_unknown
    )
    by_field = {f: i for i, f in colmap.items()}
    result = ImportResult(
        kind=kind,
        preset=p.name,
        file=name,
        sha256=sha,
        size=size,
        encoding=enc,
        dry_run=not commit,
        mapping={header[i]: f for i, f in colmap.items()},
    )
    key_parser = _field_parser(target, p, p.key)
    key_db, key_norm = target.key_lookup(p.key)

    # Pass 1: keys -> first row, duplicates, row count. Key parse errors wait for pass 2.
    key_col = by_field[p.key]
    first_row: dict = {}
    dups: dict = {}
    total = 0
    _enc, it = rows_open(src)
    next(it, None)
    key_column = column_of(key_parser) if COLUMN_PARSE else None
    for chunk in _chunks(it, BATCH_SIZE):
        total += len(chunk)
        raws = [cells[key_col] if key_col < len(cells) else "" for _n, cells in chunk]
        keys = key_column(raws, _MISSING) if key_column is not None else None
        if keys is None:  # cell by cell (also what finds the cells the column path refused)
            keys = []
            for raw in raws:
                try:
                    keys.append(_MISSING if raw == "" or raw is None else key_parser(raw))
                except ParseError:
                    keys.append(_MISSING)
        for (row_no, _cells), raw, k in zip(chunk, raws, keys, strict=True):
            if k is _MISSING:
                if raw == "" or raw is None:
                    continue
                try:  # white space only: parsed as before (the column path calls it empty)
                    k = key_parser(raw)
                except ParseError:
                    continue
            k = key_norm(k)
            prev = first_row.setdefault(k, row_no)
            if prev != row_no:
                dups.setdefault(k, [prev]).append(row_no)
    if total == 0:
        raise FileError(
            _("%(file)s has a header row but no data rows.") % {"file": name},
            code="IMPORT_FILE_NO_ROWS",
        )
    result.rows = total

    xlsx_path = Path(errors_xlsx) if errors_xlsx else None
    sink = ErrorSink(xlsx_path)
    ctx = ImportContext(
        file=name,
        preset=p,
        target=target,
        by=by,
        commit=commit,
        file_keys=first_row,
        now=timezone.now(),
    )
    columns_of = {f: header[i] for i, f in colmap.items()}
    parsers = {f: _field_parser(target, p, f) for f in by_field}
    report = progress or (lambda *a, **k: None)
    report(0, _("checking rows"), force=True)

    row_parser = RowParser(
        specs=[
            FieldSpec(
                f,
                i,
                parsers[f],
                target.fields[f].required or f == p.key,
                "" if target.fields[f].text else None,
                target.field_label(f),
            )
            for f, i in by_field.items()
        ],
        by_field=by_field,
        columns_of=columns_of,
        file=name,
        key=p.key,
        key_norm=key_norm,
        skip=p.skip,
        dups=dups,
    )

    def process(batch_rows: list[tuple[int, list]], write: bool) -> None:
        rows, skipped = row_parser.parse(batch_rows)
        result.skipped += skipped
        target.resolve([r for r in rows if not r.errors], ctx)
        good = [(r, target.values_for_model(r, ctx)) for r in rows if not r.errors]
        fields: list[str] = []
        if good:
            seen: set = set()
            for _r, v in good:
                if v.keys() - seen:
                    seen.update(v.keys())
            fields = sorted(seen)
        found = target.existing(key_db, [r.key for r, _v in good], fields, ctx) if good else {}
        creates, updates, upd_fields = [], [], set()
        for r, values in good:
            matches = found.get(r.key)
            if matches and len(matches) > 1:
                r.error(
                    p.key,
                    _("%(n)s existing records have this key; it must identify one")
                    % {"n": len(matches)},
                    _("a key that identifies one record"),
                    file=name,
                )
                continue
            if matches:
                old = matches[0]
                changed = {f: (old[f], v) for f, v in values.items() if old.get(f) != v}
                if changed:
                    result.updated += 1
                    upd_fields.update(changed)
                    updates.append({**old, **values})
                    _sample(result, r, "update", changed, target)
                else:
                    result.unchanged += 1
            else:
                result.created += 1
                creates.append(values)
                if len(result.changes) < SAMPLE_CHANGES:
                    _sample(result, r, "create", {f: (None, v) for f, v in values.items()}, target)
        bad = [r for r in rows if r.errors]
        result.rejected += len(bad)
        for r in bad:
            sink.add(r.errors)
        if write:
            if creates:
                target.create(creates, ctx)
            if updates:
                target.update(updates, sorted(upd_fields), ctx)

    def run_pass2() -> None:
        _enc2, it2 = rows_open(src)
        next(it2, None)
        done = 0
        buf: list = []
        for item in it2:
            buf.append(item)
            if len(buf) >= BATCH_SIZE:
                process(buf, write=commit and (skip_invalid or result.rejected == 0))
                done += len(buf)
                buf = []
                report(done, _("%(done)s of %(total)s rows") % {"done": done, "total": total})
        if buf:
            process(buf, write=commit and (skip_invalid or result.rejected == 0))
            done += len(buf)
        report(done, _("%(done)s of %(total)s rows") % {"done": done, "total": total}, force=True)

    target.begin(ctx)
    _sqlite_cache(64 * 1024 if commit else None)
    try:
        if commit:
            with transaction.atomic():
                dropped = indexes_drop(target.model) if _bulk_mode(target.model, total) else []
                run_pass2()
                if result.rejected and not skip_invalid:
                    raise _Rollback
                report(total, _("linking records"), force=True)
                target.finish(ctx)
                if dropped:
                    report(total, _("rebuilding indexes"), force=True)
                    indexes_create(dropped)
                if batch is not None:
                    _batch_counts(batch, result, ImportBatch.Status.COMMITTED)
                audit_record(
                    actor=by,
                    action="import.commit",
                    obj=batch,
                    object_type=None if batch is not None else "core.importbatch",
                    object_id=None if batch is not None else sha[:16],
                    after={
                        "kind": kind,
                        "preset": p.name,
                        "file": name,
                        "sha256": sha,
                        "rows": total,
                        "created": result.created,
                        "updated": result.updated,
                        "unchanged": result.unchanged,
                        "rejected": result.rejected,
                        "skipped": result.skipped,
                    },
                    reason=_("import of %(file)s") % {"file": name},
                )
                result.committed = True
        else:
            run_pass2()
    except _Rollback:
        result.committed = False
    finally:
        _sqlite_cache(None)
        result.errors = sink.kept
        result.error_count = sink.count
        sink.close()
    result.seconds = round(time.monotonic() - started, 3)
    if commit and not result.committed:
        result.message = _(
            "Nothing was imported: %(n)s rows were rejected. Fix them, or import with "
            "'skip invalid rows' to load the valid rows only."
        ) % {"n": result.rejected}
    elif commit:
        result.message = _(
            "Imported: %(c)s created, %(u)s updated, %(s)s unchanged, %(r)s rejected."
        ) % {"c": result.created, "u": result.updated, "s": result.unchanged, "r": result.rejected}
    else:
        result.message = _(
            "Preview: %(c)s to create, %(u)s to update, %(s)s unchanged, %(r)s rejected."
        ) % {"c": result.created, "u": result.updated, "s": result.unchanged, "r": result.rejected}
    return result


class _Missing:
    """Marks an empty cell of a required field (and an unparsed key) in a column of values."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()


def _chunks(it: Iterable, size: int) -> Iterable[list]:
    buf: list = []
    for item in it:
        buf.append(item)
        if len(buf) >= size:
            yield buf
            buf = []
    if buf:
        yield buf


@dataclass(frozen=True)
class FieldSpec:
    field: str
    index: int  # the cell's position in a row
    parse: Parser
    required: bool
    empty: Any  # the value of an empty cell ("" for text, else None)
    label: str  # what a required value is called in its error


@dataclass
class RowParser:
    """Cells of a batch -> `Row`s with parsed values and errors (no database involved).

    Column by column: a field's column of the batch goes through its parser's column path
    (parsers.column_of) when it has one, else through the parser in one list comprehension;
    only a column with a problem in it is parsed again cell by cell, which records the errors
    exactly as before. `parse_cells` is that cell-by-cell path for a whole batch, kept as
    the reference the column path is tested against."""

    specs: list[FieldSpec]
    by_field: dict[str, int]
    columns_of: dict[str, str]
    file: str
    key: str
    key_norm: Callable[[Any], Any]
    skip: Callable[[dict], bool] | None
    dups: dict

    def __post_init__(self):
        self.width = max((s.index for s in self.specs), default=-1) + 1
        self.names = [s.field for s in self.specs]
        self.key_header = self.columns_of[self.key]

    def parse(self, batch_rows: list[tuple[int, list]]) -> tuple[list[Row], int]:
        if not COLUMN_PARSE:
            return self.parse_cells(batch_rows)
        cellrows = [cells for _n, cells in batch_rows]
        width = self.width
        if cellrows and min(map(len, cellrows)) < width:
            cellrows = [c if len(c) >= width else [*c, *[""] * (width - len(c))] for c in cellrows]
        errors: dict[int, list] = {}
        columns = []
        for spec in self.specs:
            cells = list(map(operator.itemgetter(spec.index), cellrows))
            columns.append(self._column(spec, cells, errors))
        rows, skipped = [], 0
        names, by_field, columns_of, file = self.names, self.by_field, self.columns_of, self.file
        tuples = zip(*columns, strict=True)
        for k, ((row_no, cells), vals) in enumerate(zip(batch_rows, tuples, strict=True)):
            values = dict(zip(names, vals, strict=True))
            row = Row(row_no, values, cells, by_field, columns_of)
            errs = errors.get(k)
            if errs:
                for f, message, valid in errs:
                    row.error(f, message, valid, file=file)
            if self._finish(row):
                rows.append(row)
            else:
                skipped += 1
        return rows, skipped

    def _column(self, spec: FieldSpec, cells: list, errors: dict) -> list:
        empty = _MISSING if spec.required else spec.empty
        column = column_of(spec.parse)
        if column is not None:
            vals = column(cells, empty)
        else:
            parse = spec.parse
            try:
                vals = [
                    empty if c.__class__ is str and (not c or c.isspace()) else parse(c)
                    for c in cells
                ]
            except ParseError:
                vals = None
        if vals is not None and not (spec.required and _MISSING in vals):
            return vals
        vals = []  # cell by cell: exactly what the row-by-row path does, errors included
        for k, cell in enumerate(cells):
            value, err = self._cell(spec, cell)
            vals.append(value)
            if err is not None:
                errors.setdefault(k, []).append(err)
        return vals

    @staticmethod
    def _cell(spec: FieldSpec, cell) -> tuple[Any, tuple | None]:
        if cell.__class__ is str and (not cell or cell.isspace()):
            if spec.required:
                return spec.empty, (spec.field, _("a value is required"), spec.label)
            return spec.empty, None
        try:
            return spec.parse(cell), None
        except ParseError as exc:
            return None, (spec.field, exc.message, exc.valid)

    def parse_cells(self, batch_rows: list[tuple[int, list]]) -> tuple[list[Row], int]:
        """The row-by-row, cell-by-cell path (the reference for the column path)."""
        rows, skipped = [], 0
        for row_no, cells in batch_rows:
            n = len(cells)
            values: dict = {}
            row = Row(row_no, values, cells, self.by_field, self.columns_of)
            for spec in self.specs:
                value, err = self._cell(spec, cells[spec.index] if spec.index < n else "")
                values[spec.field] = value
                if err is not None:
                    row.error(*err, file=self.file)
            if self._finish(row):
                rows.append(row)
            else:
                skipped += 1
        return rows, skipped

    def _finish(self, row: Row) -> bool:
        """Skip rule, key and duplicate check of a parsed row; False when it is skipped."""
        values = row.values
        if self.skip is not None and not row.errors and self.skip(values):
            return False
        key = values.get(self.key)
        if key is not None and not (
            row.errors and any(e.column == self.key_header for e in row.errors)
        ):
            row.key = self.key_norm(key)
            if row.key in self.dups:
                others = [str(x) for x in self.dups[row.key] if x != row.number]
                row.error(
                    self.key,
                    _("duplicate key: the same %(col)s is also in row %(rows)s")
                    % {"col": self.key_header, "rows": ", ".join(others)},
                    _("each record once per file"),
                    file=self.file,
                )
        return True


def _sqlite_cache(kib: int | None) -> None:
    """A bigger SQLite page cache while a big import writes its indexes (back to the
    default 2 MiB afterwards), so index pages are not re-read for every batch."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA cache_size=-{kib or 2000}")


def _close(it) -> None:
    close = getattr(it, "close", None)
    if close:
        close()


def _sample(result: ImportResult, row: Row, action: str, changed: dict, target: Target) -> None:
    if len(result.changes) >= SAMPLE_CHANGES:
        return
    result.changes.append(
        {
            "row": row.number,
            "key": str(row.key),
            "action": action,
            "changes": {
                f: [target.show(a), target.show(b)]
                for f, (a, b) in changed.items()
                if (b not in (None, "") or a not in (None, "")) and f not in target.hidden
            },
        }
    )


def _batch_counts(batch, result: ImportResult, status: str) -> None:
    batch.rows, batch.created, batch.updated = result.rows, result.created, result.updated
    batch.unchanged, batch.rejected, batch.skipped = (
        result.unchanged,
        result.rejected,
        result.skipped,
    )
    batch.status = status
    batch.save(
        update_fields=["rows", "created", "updated", "unchanged", "rejected", "skipped", "status"]
    )
