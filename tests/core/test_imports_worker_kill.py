"""A worker killed in the middle of a big import leaves nothing half-written, and the import
can be run again. Real processes: `salesops run_huey` against the embedded SQLite queue and
database in a data dir of its own, killed with SIGKILL while it is writing."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROWS = 150_000
SALESOPS = [sys.executable, "-m", "salesops.cli"]


def _env(data: Path) -> dict:
    drop = ("DATABASE_URL", "REDIS_URL", "SALESOPS_TEST_DATA_DIR", "PYTEST_XDIST_WORKER")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    # the normal settings (the test settings would pick the test session's data dir)
    env["DJANGO_SETTINGS_MODULE"] = "salesops.config.settings"
    env["SALESOPS_DATA_DIR"] = str(data)
    return env


def _salesops(env, *args, check=True) -> str:
    out = subprocess.run([*SALESOPS, *args], env=env, capture_output=True, text=True, check=False)
    if check and out.returncode:
        raise AssertionError(out.stderr[-2000:])
    return out.stdout


def _shell(env, code: str) -> str:
    return _salesops(env, "shell", "-c", code).strip()


def _db(data: Path, sql: str):
    con = sqlite3.connect(data / "salesops.sqlite3", timeout=30)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _progress(data: Path, job_id: int) -> int:
    con = sqlite3.connect(data / "jobs.sqlite3", timeout=30)
    try:
        row = con.execute(
            "SELECT value FROM kv WHERE key = ?", (f"salesops:job-progress:{job_id}",)
        ).fetchone()
    except sqlite3.OperationalError:
        return -1
    finally:
        con.close()
    return json.loads(row[0])["done"] if row else -1


def _wait(predicate, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _consumer(env) -> subprocess.Popen:
    return subprocess.Popen(
        [*SALESOPS, "run_huey", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


@pytest.fixture
def workdir():
    """A directory of our own (pytest's tmp_path may be rotated away by a parallel session)."""
    d = Path(tempfile.mkdtemp(prefix="salesops-kill-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_killed_import_job_leaves_no_half_import_and_can_be_rerun(workdir):
    tmp_path = workdir
    data = tmp_path / "data"
    env = _env(data)
    _salesops(env, "migrate", "-v0")
    indexes = "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'masterdata_account' ORDER BY 1"
    indexes_before = _db(data, indexes)
    path = tmp_path / "Account.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["account_number", "name", "billing_city"])
        for i in range(ROWS):
            w.writerow([f"K{i:07d}", f"Killed Import {i}", "Shanghai"])
    job_id = int(
        _shell(
            env,
            "from salesops.core.imports.services import import_batch_create, import_batch_enqueue;"
            f"b = import_batch_create(path={str(path)!r}, file_name='Account.csv', "
            "kind='accounts', preset='generic', by=None);"
            "print(import_batch_enqueue(batch=b, by=None).pk)",
        ).splitlines()[-1]
    )
    worker = _consumer(env)
    try:
        # kill it once it has written at least one batch inside the import's transaction
        assert _wait(lambda: _progress(data, job_id) >= 4000, timeout=120), "import never ran"
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    assert _db(data, "SELECT count(*) FROM masterdata_account") == [(0,)]
    assert _db(data, "SELECT count(*) FROM core_auditevent WHERE action='import.commit'") == [(0,)]
    assert _db(data, "SELECT status FROM core_importbatch") == [("running",)]
    # a load this size runs in bulk mode (indexes dropped inside the transaction): all back
    assert _db(data, indexes) == indexes_before

    _shell(
        env,
        "from salesops.core.models import ImportBatch;"
        "from salesops.core.imports.services import import_batch_enqueue;"
        "import_batch_enqueue(batch=ImportBatch.objects.get(), by=None, rerun=True)",
    )
    worker = _consumer(env)
    try:
        assert _wait(
            lambda: _db(data, "SELECT status FROM core_importbatch") == [("committed",)],
            timeout=300,
        )
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    assert _db(data, "SELECT count(*), count(DISTINCT number) FROM masterdata_account") == [
        (ROWS, ROWS)
    ]
