"""Reads in core, each taking the user first."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

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


def subtree_units(org_path: str) -> QuerySet[OrgUnit]:
    """The org units under (and including) the unit with this materialised path."""
    return OrgUnit.objects.filter(path__startswith=org_path)


def subtree_people(org_path: str) -> QuerySet[Person]:
    """The people placed in the subtree under `org_path`: a manager's team."""
    return Person.objects.filter(org_unit__path__startswith=org_path)


def org_tree(*, user) -> list[OrgUnit]:
    """Org units the user may see, in tree order, with head counts."""
    scope = scope_for(user)
    if scope.kind == "all":
        units = OrgUnit.objects.all()
    elif scope.kind == "subtree":
        units = subtree_units(scope.org_path)
    elif scope.kind == "own":
        own_unit = Person.objects.filter(pk=scope.person_id).values("org_unit_id")
        units = OrgUnit.objects.filter(pk__in=own_unit)
    else:
        return []
    return list(units.annotate(headcount=Count("people", distinct=True)).order_by("path"))


def people_list(*, user) -> QuerySet[Person]:
    """People the user may see: all for staff roles, the subtree for a manager, oneself for a
    rep, nobody for a partner."""
    scope = scope_for(user)
    if scope.kind == "all":
        people = Person.objects.all()
    elif scope.kind == "subtree":
        people = subtree_people(scope.org_path)
    elif scope.kind == "own":
        people = Person.objects.filter(pk=scope.person_id)
    else:
        people = Person.objects.none()
    return people.select_related("org_unit").order_by("name", "id")


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
