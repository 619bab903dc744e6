"""The import wizard: upload -> mapping -> preview -> commit (a job) -> report.

Coordinators and administrators only. Uploaded files are kept under settings.UPLOAD_DIR.
"""

from __future__ import annotations

from functools import wraps
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from salesops.core.errors import DomainError
from salesops.core.models import ImportBatch, Role

from . import services
from .framework import header_norm, registry
from .readers import Source, header_read

ROLES = (Role.ADMIN, Role.COORDINATOR)


def importer_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_superuser or request.user.role in ROLES):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _batch(request, batch_id: int) -> ImportBatch:
    batch = get_object_or_404(ImportBatch, pk=batch_id)
    is_admin = request.user.is_superuser or request.user.role == Role.ADMIN
    if not is_admin and batch.created_by_id != request.user.pk:
        raise Http404
    return batch


def _kinds():
    registry._load()
    return [(k, t.label) for k, t in registry.targets.items() if not k.startswith("test_")]


@importer_required
@require_http_methods(["GET", "POST"])
def wizard(request):
    kinds = _kinds()
    presets = {k: registry.presets_for(k) for k, _l in kinds}
    ctx = {"kinds": kinds, "presets": presets, "recent": ImportBatch.objects.all()[:10]}
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        preset = request.POST.get("preset", "")
        upload = request.FILES.get("file")
        if kind not in dict(kinds):
            ctx["error"] = _("Choose what to import.")
        elif upload is None:
            ctx["error"] = _("Choose a file to upload.")
        elif preset and (kind, preset) not in registry.presets:
            ctx["error"] = _("Unknown preset.")
        else:
            path = services.upload_store(fileobj=upload, file_name=upload.name)
            opts = {
                "skip_invalid": request.POST.get("skip_invalid") == "on",
                "encoding": request.POST.get("encoding", "").strip(),
            }
            try:
                _enc, header, it = header_read(
                    Source(path=path, name=upload.name, encoding=opts["encoding"] or None)
                )
                it.close()
                if not preset:
                    found = registry.detect(kind, header)
                    if found is None:
                        raise DomainError(
                            _(
                                "The columns of %(file)s match no preset; choose one. "
                                "Columns found: %(cols)s"
                            )
                            % {"file": upload.name, "cols": ", ".join(header)},
                            code="IMPORT_PRESET_UNKNOWN",
                        )
                    preset = found.name
            except DomainError as exc:
                ctx["error"] = exc.message
            else:
                opts["header"] = header
                batch = services.import_batch_create(
                    path=path,
                    file_name=upload.name,
                    kind=kind,
                    preset=preset,
                    by=request.user,
                    options=opts,
                )
                return redirect("imports:mapping", batch_id=batch.pk)
        return render(request, "imports/upload.html", ctx, status=400)
    return render(request, "imports/upload.html", ctx)


@importer_required
@require_http_methods(["GET", "POST"])
def mapping(request, batch_id: int):
    batch = _batch(request, batch_id)
    target = registry.target(batch.kind)
    preset = registry.preset(batch.kind, batch.preset)
    header = batch.options.get("header") or []
    current = batch.options.get("mapping") or {}
    cols = preset.column_map()
    rows = []
    for h in header:
        n = header_norm(h)
        chosen = current.get(h, cols.get(n, ""))
        rows.append({"header": h, "field": chosen})
    fields = sorted(
        ((name, target.field_label(name)) for name in target.fields), key=lambda f: f[1].casefold()
    )
    if request.method == "POST":
        new_map = {}
        for i, h in enumerate(header):
            f = request.POST.get(f"col_{i}", "")
            if f and f not in target.fields:
                f = ""
            new_map[h] = f
        opts = dict(batch.options)
        opts["mapping"] = new_map
        opts["allow_unknown"] = True  # every column was shown; unmapped ones are ignored
        opts["skip_invalid"] = request.POST.get("skip_invalid") == "on"
        batch.options = opts
        batch.save(update_fields=["options"])
        try:
            services.import_batch_run(batch=batch, commit=False, by=request.user)
        except DomainError as exc:
            return render(
                request,
                "imports/mapping.html",
                {
                    "batch": batch,
                    "rows": rows,
                    "fields": fields,
                    "preset": preset,
                    "error": exc.message,
                },
                status=400,
            )
        return redirect("imports:preview", batch_id=batch.pk)
    return render(
        request,
        "imports/mapping.html",
        {"batch": batch, "rows": rows, "fields": fields, "preset": preset},
    )


@importer_required
def preview(request, batch_id: int):
    batch = _batch(request, batch_id)
    if batch.status not in (ImportBatch.Status.PREVIEWED,):
        return redirect("imports:report", batch_id=batch.pk)
    target = registry.target(batch.kind)
    result = dict(batch.result or {})
    result["changes"] = [
        {**c, "changes": {target.field_label(f): ab for f, ab in c.get("changes", {}).items()}}
        for c in result.get("changes", [])
    ]
    return render(request, "imports/preview.html", {"batch": batch, "r": result})


@importer_required
@require_POST
def commit(request, batch_id: int):
    batch = _batch(request, batch_id)
    try:
        services.import_batch_enqueue(batch=batch, by=request.user)
    except DomainError as exc:
        return HttpResponse(exc.message, status=409)
    return redirect("imports:report", batch_id=batch.pk)


@importer_required
def report(request, batch_id: int):
    batch = _batch(request, batch_id)
    from salesops.core.selectors import job_progress_read

    progress = job_progress_read(job=batch.job) if batch.job else None
    running = batch.status in (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING)
    return render(
        request,
        "imports/report.html",
        {
            "batch": batch,
            "r": batch.result,
            "job": batch.job,
            "progress": progress,
            "running": running,
        },
    )


@importer_required
def errors_download(request, batch_id: int):
    batch = _batch(request, batch_id)
    if not batch.errors_path or not Path(batch.errors_path).exists():
        raise Http404
    return FileResponse(
        open(batch.errors_path, "rb"),
        as_attachment=True,
        filename=f"import-{batch.pk}-errors.xlsx",
    )


@importer_required
def template_download(request, kind: str, fmt: str):
    from salesops.masterdata import importers

    if kind not in importers.TEMPLATE_EXAMPLES or fmt not in ("csv", "xlsx"):
        raise Http404
    if fmt == "csv":
        body, ctype = importers.template_csv(kind), "text/csv; charset=utf-8"
    else:
        body = importers.template_xlsx(kind)
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    resp = HttpResponse(body, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="salesops-{kind}-template.{fmt}"'
    return resp
