"""Huey tasks of core. Huey's Django integration imports `<app>.tasks` for every installed
app, so each task module of a core sub-package is imported here to be registered."""

from .imports.tasks import import_commit_task  # noqa: F401
