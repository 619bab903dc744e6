"""Import services: keep an uploaded file, preview it, commit it (directly or as a job)."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.core.errors import DomainError
from salesops.core.models import ImportBatch, Job

from .framework import ImportResult, file_digest, import_run
from .readers import FileError


def upload_store(*, fileobj, file_name: str) -> Path:
    """Copy an uploaded file under settings.UPLOAD_DIR with a unique name; return its path."""
    folder = Path(settings.UPLOAD_DIR) / "imports" / timezone.now().strftime("%Y%m%d")
    folder.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(file_name).name)[-100:]
    dest = folder / f"{uuid.uuid4().hex}-{safe}"
    with open(dest, "wb") as out:
        if hasattr(fileobj, "chunks"):
            for chunk in fileobj.chunks():
                out.write(chunk)
        else:
            shutil.copyfileobj(fileobj, out)
    return dest


def import_batch_create(
    *, path: Path | str, file_name: str, kind: str, preset: str, by, options: dict | None = None
) -> ImportBatch:
    sha, size = file_digest(Path(path))
    return ImportBatch.objects.create(
        kind=kind,
        preset=preset or "",
        file_name=file_name,
        stored_path=str(path),
        sha256=sha,
        size=size,
        options=options or {},
        created_by=by if getattr(by, "pk", None) else None,
    )


def errors_path_for(batch: ImportBatch) -> Path:
    return Path(settings.UPLOAD_DIR) / "imports" / "errors" / f"batch-{batch.pk}-errors.xlsx"


def import_batch_run(
    *, batch: ImportBatch, commit: bool, by, progress=None, errors_xlsx: Path | None = None
) -> ImportResult:
    """Preview or commit a stored batch; the batch row records the outcome either way.

    The batch row's own bookkeeping happens outside the import's transaction, so a rejected
    or failed import still leaves a record of the attempt (and nothing else)."""
    opts = batch.options or {}
    errors_xlsx = errors_xlsx or errors_path_for(batch)
    batch.dry_run = not commit
    batch.status = ImportBatch.Status.RUNNING if commit else batch.status
    batch.save(update_fields=["dry_run", "status"])
    try:
        result = import_run(
            path=batch.stored_path,
            kind=batch.kind,
            preset=batch.preset or None,
            file_name=batch.file_name,
            commit=commit,
            skip_invalid=bool(opts.get("skip_invalid")),
            encoding=opts.get("encoding") or None,
            sheet=opts.get("sheet") or None,
            mapping=opts.get("mapping") or None,
            allow_unknown=bool(opts.get("allow_unknown")),
            by=by,
            progress=progress,
            errors_xlsx=errors_xlsx,
            batch=batch,
        )
    except DomainError as exc:
        batch.status = (
            ImportBatch.Status.FAILED
            if not isinstance(exc, FileError)
            else (ImportBatch.Status.REJECTED)
        )
        batch.message = exc.message
        batch.result = {"code": exc.code, "message": exc.message, "detail": exc.detail}
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "message", "result", "finished_at"])
        raise
    batch.preset = result.preset
    batch.rows, batch.created, batch.updated = result.rows, result.created, result.updated
    batch.unchanged, batch.rejected, batch.skipped = (
        result.unchanged,
        result.rejected,
        result.skipped,
    )
    if commit:
        batch.status = (
            ImportBatch.Status.COMMITTED if result.committed else ImportBatch.Status.REJECTED
        )
    else:
        batch.status = ImportBatch.Status.PREVIEWED
    batch.message = result.message
    batch.result = result.as_dict()
    batch.errors_path = str(errors_xlsx) if result.error_count else ""
    batch.finished_at = timezone.now()
    batch.save()
    return result


def import_batch_enqueue(*, batch: ImportBatch, by, rerun: bool = False) -> Job:
    """Commit a batch in the worker; the returned Job shows progress.

    `rerun` starts a batch again whose worker died mid-way (it still says queued/running):
    the dead run's transaction never committed, and imports are idempotent, so this is safe.
    """
    from salesops.core.services import job_create

    from .tasks import import_commit_task

    stuck = (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING)
    if batch.status == ImportBatch.Status.COMMITTED or (batch.status in stuck and not rerun):
        raise DomainError(_("This import was already started."), code="IMPORT_ALREADY_STARTED")
    job = job_create(kind="import", params={"batch": batch.pk}, by=by, total=batch.rows or None)
    batch.job = job
    batch.status = ImportBatch.Status.QUEUED
    batch.save(update_fields=["job", "status"])
    import_commit_task(job.pk)
    return job
