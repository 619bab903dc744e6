"""The job worker: a real Huey consumer takes tasks from the configured queue (the embedded
SQLite queue by default, Redis when REDIS_URL is set), and job progress is shared through
the queue's own store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from huey.contrib.djhuey import HUEY

from salesops.core import jobs
from salesops.core.models import Job
from salesops.core.tasks import job_selfcheck, worker_ping

REDIS = bool(os.environ.get("REDIS_URL"))
needs_redis = pytest.mark.skipif(not REDIS, reason="REDIS_URL is not set (see .ci/run)")
sqlite_queue_only = pytest.mark.skipif(REDIS, reason="REDIS_URL is set: the queue is Redis")


@pytest.fixture
def consumer():
    """Huey's own consumer (scheduler + worker thread) on the configured queue."""
    handlers = {
        sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    }
    HUEY.flush()
    c = HUEY.create_consumer(
        workers=1, worker_type="thread", periodic=False, check_worker_health=False
    )
    c.start()
    try:
        yield c
    finally:
        c.stop(graceful=True)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        HUEY.flush()


@pytest.fixture
def run_huey():
    """`salesops run_huey` as a separate process, as `salesops run` starts it."""
    HUEY.flush()
    proc = subprocess.Popen(
        [sys.executable, "-m", "salesops", "run_huey", "--quiet", "--no-periodic"],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(30)
        HUEY.flush()


def _selfcheck_through_worker():
    job = Job.objects.create(kind="selfcheck")
    result = job_selfcheck(job.pk)
    answer = result.get(blocking=True, timeout=60)
    job.refresh_from_db()
    return job, answer


@sqlite_queue_only
def test_the_default_queue_is_the_embedded_sqlite_file_in_the_data_dir():
    assert type(HUEY).__name__ == "SqliteHuey"
    assert Path(HUEY.storage.filename).parent == settings.DATA_DIR


@sqlite_queue_only
def test_run_huey_process_consumes_the_embedded_sqlite_queue(run_huey):
    answer = worker_ping().get(blocking=True, timeout=60)
    assert answer["pid"] == run_huey.pid


@sqlite_queue_only
@pytest.mark.django_db(transaction=True)
def test_a_job_run_by_the_worker_on_the_sqlite_queue_is_marked_succeeded(consumer):
    job, answer = _selfcheck_through_worker()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result == answer


@sqlite_queue_only
def test_live_job_progress_is_shared_through_the_sqlite_queue_store():
    jobs.progress_write(987654, done=40, total=100, message="reading rows")
    assert jobs.progress_read(987654)["done"] == 40
    jobs.progress_clear(987654)
    assert jobs.progress_read(987654) is None


@pytest.mark.redis
@needs_redis
def test_the_queue_is_redis_when_redis_url_is_set():
    assert type(HUEY).__name__ == "PriorityRedisHuey"
    assert HUEY.storage.conn.ping()


@pytest.mark.redis
@needs_redis
def test_run_huey_process_consumes_the_redis_queue(run_huey):
    answer = worker_ping().get(blocking=True, timeout=60)
    assert answer["pid"] == run_huey.pid


@pytest.mark.redis
@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_job_run_by_the_worker_on_the_redis_queue_is_marked_succeeded(consumer):
    job, answer = _selfcheck_through_worker()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result == answer


@pytest.mark.redis
@needs_redis
def test_live_job_progress_is_shared_through_redis():
    jobs.progress_write(987655, done=7, total=9, message="matching")
    seen = jobs.progress_read(987655)
    assert (seen["done"], seen["total"], seen["message"]) == (7, 9, "matching")
    jobs.progress_clear(987655)
    assert jobs.progress_read(987655) is None
