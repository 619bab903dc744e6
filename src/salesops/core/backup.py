"""Backup and restore of the whole database: `salesops backup FILE` / `salesops restore FILE`.

SQLite: the sqlite3 online backup API, so a backup taken while the server and the worker run
is consistent (a snapshot of one moment). The backup is itself a SQLite file with a marker
table `salesops_backup` saying what it is; restore refuses anything else.

PostgreSQL: `pg_dump -Fc` and `pg_restore --clean --if-exists --single-transaction`, which
must be installed (PostgreSQL client tools of at least the server's major version).

Before a restore replaces the current database, a copy of it is kept in the data dir
(`pre-restore-<time>.sqlite3` / `.dump`), so a restore of the wrong file can be undone.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import DomainError

MARKER_TABLE = "salesops_backup"
FORMAT = 1
# A database is a SalesOps database when it has these tables.
REQUIRED_TABLES = ("django_migrations", "core_user")
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(DomainError):
    code = "BACKUP_FAILED"


class NotABackup(BackupError):
    code = "NOT_A_BACKUP"


class ToolMissing(BackupError):
    code = "BACKUP_TOOL_MISSING"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    vendor: str
    size: int
    safety_copy: Path | None = None


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _vendor(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"Backups of {engine} databases are not supported.")


# -- SQLite ------------------------------------------------------------------------------------
def _sqlite_connect(name) -> sqlite3.Connection:
    name = str(name)
    if name.startswith("file:"):  # the in-memory test database of Django's test runner
        return sqlite3.connect(name, uri=True)
    return sqlite3.connect(name)


def _sqlite_tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _sqlite_backup(settings_dict: dict, target: Path) -> None:
    tmp = target.with_name(target.name + ".partial")
    tmp.unlink(missing_ok=True)
    src = _sqlite_connect(settings_dict["NAME"])
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst)  # online: a consistent snapshot even while others write
        if not set(REQUIRED_TABLES) <= _sqlite_tables(dst):
            raise BackupError("The database has no SalesOps tables: run `salesops migrate`.")
        meta = {"format": FORMAT, "vendor": "sqlite", "created_at": datetime.now(UTC).isoformat()}
        with dst:
            dst.execute("DROP TABLE IF EXISTS salesops_backup")
            dst.execute("CREATE TABLE salesops_backup (meta TEXT NOT NULL)")
            dst.execute("INSERT INTO salesops_backup (meta) VALUES (?)", [json.dumps(meta)])
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    except BaseException:
        dst.close()
        tmp.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    dst.close()
    os.replace(tmp, target)


def _sqlite_check(path: Path) -> None:
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise NotABackup(
                f"{path} is not a SalesOps backup (not a SQLite file).",
                detail={"file": str(path)},
            )
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = _sqlite_tables(conn)
        ok = MARKER_TABLE in tables and set(REQUIRED_TABLES) <= tables
        if ok:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError as exc:
        raise NotABackup(f"{path} is not a readable SQLite file: {exc}") from None
    finally:
        conn.close()
    if not ok:
        raise NotABackup(
            f"{path} is not a SalesOps backup (made by `salesops backup`).",
            detail={"file": str(path)},
        )


def _sqlite_restore(settings_dict: dict, path: Path, keep_dir: Path) -> Path:
    _sqlite_check(path)
    keep_dir.mkdir(parents=True, exist_ok=True)
    safety = keep_dir / f"pre-restore-{_stamp()}.sqlite3"
    live = _sqlite_connect(settings_dict["NAME"])
    try:
        keep = sqlite3.connect(safety)
        live.backup(keep)
        keep.close()
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            src.backup(live)  # replaces every page of the live database in one step
        finally:
            src.close()
        with live:
            live.execute("DROP TABLE IF EXISTS salesops_backup")
    finally:
        live.close()
    return safety


# -- PostgreSQL --------------------------------------------------------------------------------
def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise ToolMissing(
            f"{name} is not installed on this machine. Install the PostgreSQL client tools "
            f"(Debian/Ubuntu: apt-get install postgresql-client) of at least the server's "
            f"major version, then run the command again.",
            detail={"tool": name},
        )
    return found


def _pg_args(settings_dict: dict) -> tuple[list[str], dict]:
    args = []
    if settings_dict.get("HOST"):
        args += ["-h", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", str(settings_dict["USER"])]
    env = os.environ.copy()
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _run(cmd: list[str], env: dict, what: str) -> None:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BackupError(f"{what} failed: {proc.stderr.strip()[-2000:]}")


def _pg_backup(settings_dict: dict, target: Path) -> None:
    args, env = _pg_args(settings_dict)
    tmp = target.with_name(target.name + ".partial")
    cmd = [_pg_tool("pg_dump"), "-Fc", "--no-owner", *args, "-f", str(tmp)]
    try:
        _run([*cmd, settings_dict["NAME"]], env, "pg_dump")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, target)


def _pg_check(path: Path) -> None:
    with path.open("rb") as fh:
        if fh.read(len(PGDUMP_MAGIC)) != PGDUMP_MAGIC:
            raise NotABackup(
                f"{path} is not a SalesOps backup (not a pg_dump custom-format file).",
                detail={"file": str(path)},
            )
    proc = subprocess.run(
        [_pg_tool("pg_restore"), "-l", str(path)], capture_output=True, text=True, check=False
    )
    listed = proc.stdout if proc.returncode == 0 else ""
    if not all(f" TABLE public {t} " in listed for t in REQUIRED_TABLES):
        raise NotABackup(
            f"{path} is not a SalesOps backup (it holds no SalesOps tables).",
            detail={"file": str(path)},
        )


def _pg_restore(settings_dict: dict, path: Path, keep_dir: Path) -> Path:
    _pg_check(path)
    keep_dir.mkdir(parents=True, exist_ok=True)
    safety = keep_dir / f"pre-restore-{_stamp()}.dump"
    _pg_backup(settings_dict, safety)
    args, env = _pg_args(settings_dict)
    cmd = [
        _pg_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        *args,
        "-d",
        settings_dict["NAME"],
        str(path),
    ]
    _run(cmd, env, "pg_restore")
    return safety


# -- the two doors -----------------------------------------------------------------------------
def backup_database(*, settings_dict: dict, target: str | Path) -> BackupResult:
    """Write a consistent backup of the database described by `settings_dict` to `target`."""
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    vendor = _vendor(settings_dict)
    (_sqlite_backup if vendor == "sqlite" else _pg_backup)(settings_dict, target)
    return BackupResult(path=target, vendor=vendor, size=target.stat().st_size)


def restore_database(*, settings_dict: dict, source: str | Path, keep_dir: Path) -> BackupResult:
    """Replace the database with the backup in `source`, keeping a copy of it in `keep_dir`.

    Stop the server and workers first: pages served during the restore may see either data.
    """
    source = Path(source).resolve()
    if not source.is_file():
        raise NotABackup(f"{source} does not exist.", detail={"file": str(source)})
    vendor = _vendor(settings_dict)
    restore = _sqlite_restore if vendor == "sqlite" else _pg_restore
    safety = restore(settings_dict, source, keep_dir)
    return BackupResult(path=source, vendor=vendor, size=source.stat().st_size, safety_copy=safety)
