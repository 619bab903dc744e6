"""Huey tasks of core. Huey's Django integration imports `<app>.tasks` for every installed
app, so each task module of a core sub-package is imported here to be registered."""

from huey.contrib.djhuey import db_task, task

from .imports.tasks import import_commit_task  # noqa: F401

# -- worker self-check: proves a worker is consuming the queue (ops, tests) -----------------


@task()
def worker_ping() -> dict:
    """Answers from whichever process consumes the queue (no database needed)."""
    import os

    return {"pid": os.getpid()}


@db_task()
def job_selfcheck(job_id: int) -> dict:
    """Run a trivial job end to end: start it, report live progress, mark it succeeded."""
    import os

    from .jobs import progress_write
    from .models import Job
    from .services import job_finish, job_start

    job = Job.objects.get(pk=job_id)
    job_start(job=job)
    progress_write(job.pk, done=1, total=1, message="self-check")
    result = {"worker_pid": os.getpid()}
    job_finish(job=job, ok=True, result=result, message="self-check passed")
    return result
