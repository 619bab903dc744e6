"""Home-page work queues of core (imports), registered in CoreConfig.ready()."""

from __future__ import annotations

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from .models import Job, Role
from .selectors import WorkQueue

ITEMS = 5


def _imports_url() -> str:
    try:
        return reverse("imports:wizard")
    except NoReverseMatch:
        return ""


def imports_needing_attention(user) -> WorkQueue | None:
    """Imports that failed, or are queued or running, in the last runs (coordinator, admin)."""
    if not (user.is_superuser or user.role in (Role.ADMIN, Role.COORDINATOR)):
        return None
    qs = Job.objects.filter(kind="import").filter(
        Q(status__in=[Job.Status.FAILED, Job.Status.RUNNING, Job.Status.QUEUED])
    )
    if not (user.is_superuser or user.role == Role.ADMIN):
        qs = qs.filter(created_by=user)
    qs = qs.order_by("-created_at", "-id")
    items = []
    for job in qs[:ITEMS]:
        name = (job.params or {}).get("file_name") or (job.params or {}).get("file") or ""
        label = f"{job.get_status_display()}: {name}" if name else job.get_status_display()
        note = job.message[:120] if job.message else f"{job.created_at:%Y-%m-%d %H:%M}"
        items.append(
            {"url": reverse("core:job_status", args=[job.pk]), "label": label, "note": note}
        )
    return WorkQueue(
        key="imports",
        title=_("Imports that failed or are running"),
        count=qs.values("pk")[:1001].count(),
        url=_imports_url(),
        empty_text=_(
            "Imports that fail or are still running appear here, so nothing half-done goes "
            "unnoticed. All recent imports finished."
        ),
        items=items,
    )


PROVIDERS = [imports_needing_attention]
