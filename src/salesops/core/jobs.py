"""Live progress of running jobs.

A long import holds one database transaction open until it commits (that is what makes it
atomic), and on SQLite nobody else may write meanwhile. So live progress is kept beside the
database, in the job queue's own store (SQLite file or Redis), which every web process and
worker shares. The Job row gets the final figures when the job ends.
"""

from __future__ import annotations

import json
import time

from huey.constants import EmptyData
from huey.contrib.djhuey import HUEY

_PREFIX = "salesops:job-progress:"


def progress_write(job_id: int, *, done: int, total: int | None = None, message: str = "") -> None:
    payload = {"done": done, "total": total, "message": message, "at": time.time()}
    HUEY.storage.put_data(f"{_PREFIX}{job_id}", json.dumps(payload).encode())


def progress_read(job_id: int) -> dict | None:
    raw = HUEY.storage.peek_data(f"{_PREFIX}{job_id}")
    if raw is EmptyData or raw is None:
        return None
    return json.loads(raw)


def progress_clear(job_id: int) -> None:
    HUEY.storage.delete_data(f"{_PREFIX}{job_id}")


class ProgressReporter:
    """Calls progress_write at most every `every` seconds, so reporting costs nothing."""

    def __init__(
        self, job_id: int | None, *, total: int | None = None, every: float = 0.5, echo=None
    ):
        self.job_id, self.total, self.every, self.echo = job_id, total, every, echo
        self._last = 0.0

    def __call__(self, done: int, message: str = "", *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.every:
            return
        self._last = now
        if self.job_id is not None:
            progress_write(self.job_id, done=done, total=self.total, message=message)
        if self.echo is not None:
            self.echo(done, self.total, message)
