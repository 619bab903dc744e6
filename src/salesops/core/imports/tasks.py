"""The worker side of imports: commit a stored ImportBatch for a Job.

The whole import is one database transaction, so a worker killed mid-way (SIGKILL, power
loss) leaves nothing behind: the transaction never commits. The batch and job rows say
"running" until someone re-runs it; re-running is safe because imports are idempotent.
"""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from salesops.core.errors import DomainError
from salesops.core.jobs import ProgressReporter, progress_clear
from salesops.core.models import ImportBatch, Job


def import_commit_run(job_id: int) -> dict:
    from salesops.core.services import job_finish, job_start

    from .services import import_batch_run

    job = Job.objects.get(pk=job_id)
    batch = ImportBatch.objects.get(pk=job.params["batch"])
    job_start(job=job)
    reporter = ProgressReporter(job.pk, total=batch.rows or None)
    try:
        result = import_batch_run(batch=batch, commit=True, by=job.created_by, progress=reporter)
    except DomainError as exc:
        job_finish(job=job, ok=False, result=exc.as_dict(), message=exc.message)
        progress_clear(job.pk)
        return exc.as_dict()
    except Exception as exc:
        job_finish(job=job, ok=False, message=str(exc)[:500])
        progress_clear(job.pk)
        raise
    Job.objects.filter(pk=job.pk).update(done=result.rows, total=result.rows)
    job_finish(
        job=job,
        ok=result.committed,
        result={"batch": batch.pk, "message": result.message},
        message=result.message,
    )
    progress_clear(job.pk)
    return {"batch": batch.pk, "committed": result.committed}


@db_task()
def import_commit_task(job_id: int) -> dict:
    return import_commit_run(job_id)
