"""Reads in core, each taking the user first."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from .errors import NotFound
from .models import Job, OrgUnit, Person
from .scoping import scope_for


@dataclass
class WorkQueue:
    """A list of things waiting for this user. `empty_text` says what will appear and why."""

    key: str
    title: str
    count: int
    url: str
    empty_text: str
    items: list = field(default_factory=list)


# Each app registers a callable(user) -> WorkQueue | None; the home page shows them in order.
WORK_QUEUE_PROVIDERS: list = []


def work_queues(*, user) -> list[WorkQueue]:
    out = []
    for provider in WORK_QUEUE_PROVIDERS:
        queue = provider(user)
        if queue is not None:
            out.append(queue)
    return out


def org_tree(*, user) -> list[OrgUnit]:
    """Org units the user may see, in tree order, with head counts."""
    scope = scope_for(user)
    units = OrgUnit.objects.annotate(headcount=Count("people", distinct=True)).order_by("path")
    if scope.kind == "subtree":
        units = units.filter(path__startswith=scope.org_path)
    elif scope.kind == "own":
        person = Person.objects.select_related("org_unit").get(pk=scope.person_id)
        units = units.filter(pk=person.org_unit_id)
    elif scope.kind != "all":
        return []
    return list(units)


def people_list(*, user):
    """People the user may see: all for staff roles, the subtree for a manager, oneself for a
    rep, nobody for a partner."""
    scope = scope_for(user)
    people = Person.objects.select_related("org_unit").order_by("name", "id")
    if scope.kind == "all":
        return people
    if scope.kind == "subtree":
        return people.filter(org_unit__path__startswith=scope.org_path)
    if scope.kind == "own":
        return people.filter(pk=scope.person_id)
    return people.none()


def job_get(*, user, job_id: int) -> Job:
    job = Job.objects.filter(pk=job_id).first()
    if job is None or not (user.is_superuser or job.created_by_id == user.pk):
        raise NotFound("No such job.")
    return job


def job_progress_read(*, job: Job) -> dict:
    from .jobs import progress_read

    live = progress_read(job.pk) or {}
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "done": live.get("done", job.done),
        "total": live.get("total", job.total),
        "message": live.get("message", job.message),
        "result": job.result,
    }
