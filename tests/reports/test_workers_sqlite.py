"""Three worker processes run the same due slot at the same moment on the embedded SQLite
database (a real file in WAL mode, as in production): every recipient gets exactly one
e-mail. Real processes (`salesops shell`), started together behind a file barrier after
Django has loaded, and a real SMTP server on loopback."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SALESOPS = [sys.executable, "-m", "salesops.cli"]
CONTACTS = 12

SETUP = f"""
import datetime as dt
from salesops.masterdata.models import Account, Contact
from salesops.reports.services import schedule_create
a = Account.objects.create(number="P0001", name="Huadong Distribution", type="partner")
for i in range({CONTACTS}):
    Contact.objects.create(account=a, first_name=f"C{{i}}", email=f"c{{i}}@huadong.example")
Account.objects.create(number="P0002", name="Jiangnan Channel", type="partner")
schedule_create(by=None, name="weekly", kind="order_board", audience="partners", fmt="xlsx",
    cron="0 8 * * MON", timezone="Asia/Shanghai",
    now=dt.datetime(2026, 1, 4, 12, tzinfo=dt.UTC))
"""

WORKER = """
import datetime as dt, os, time
from pathlib import Path
go = Path(os.environ["GO_FILE"])
while not go.exists():
    time.sleep(0.01)
from salesops.reports.services import schedules_run_due
r = schedules_run_due(now=dt.datetime(2026, 1, 5, 0, 0, 20, tzinfo=dt.UTC))
print("SENT", r.sent)
"""


def _env(data: Path, smtp) -> dict:
    drop = ("DATABASE_URL", "REDIS_URL", "SALESOPS_TEST_DATA_DIR", "PYTEST_XDIST_WORKER")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["DJANGO_SETTINGS_MODULE"] = "salesops.config.settings"
    env["SALESOPS_DATA_DIR"] = str(data)
    env["EMAIL_HOST"], env["EMAIL_PORT"] = smtp.host, str(smtp.port)
    env.pop("EMAIL_URL", None)
    return env


def _run(env, *args):
    out = subprocess.run([*SALESOPS, *args], env=env, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_three_worker_processes_on_one_slot_send_each_email_exactly_once(tmp_path, smtp_server):
    data = tmp_path / "data"
    data.mkdir()
    env = _env(data, smtp_server)
    _run(env, "migrate", "--no-input", "-v", "0")
    _run(env, "shell", "-c", SETUP)
    go = tmp_path / "go"
    env["GO_FILE"] = str(go)
    procs = [
        subprocess.Popen(
            [*SALESOPS, "shell", "-c", WORKER],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    time.sleep(3)  # let all three load Django and wait at the barrier
    go.touch()
    outs = [p.communicate(timeout=180) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err[-3000:]
    sent = [int(line.split()[1]) for out, _ in outs for line in out.splitlines() if "SENT" in line]
    assert len(sent) == 3
    assert sum(sent) == CONTACTS

    to = sorted(str(m["To"]) for m in smtp_server.messages)
    assert to == sorted(f"c{i}@huadong.example" for i in range(CONTACTS))
    con = sqlite3.connect(data / "salesops.sqlite3", timeout=30)
    try:
        rows = con.execute("SELECT status, attempts, COUNT(*) FROM reports_delivery GROUP BY 1, 2")
        assert rows.fetchall() == [("sent", 1, CONTACTS)]
    finally:
        con.close()

    # and the CLI run-due afterwards finds nothing more to do
    out = _run(env, "schedules", "run-due", "--at", "2026-01-05T00:05:00+00:00")
    assert "sent=0" in out
    assert len(smtp_server.messages) == CONTACTS
