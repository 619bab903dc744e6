"""Users and roles, the org tree and its people, the audit log, API tokens and jobs."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    COORDINATOR = "coordinator", _("Sales operations coordinator")
    FINANCE = "finance", _("Finance")
    MANAGER = "manager", _("Sales manager")
    REP = "rep", _("Sales representative")
    PARTNER = "partner", _("Channel partner")


class User(AbstractUser):
    """A login. Its role decides what it may do; its scope comes from the person or account
    it is linked to (see core.scoping)."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.REP)
    language = models.CharField(_("language"), max_length=10, blank=True, default="")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        db_table = "core_user"


class OrgUnit(models.Model):
    """A node of the sales organisation. `path` is a materialised path ("0001.0004.") so a
    subtree is one indexed prefix query, at any depth."""

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=50, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    level = models.PositiveSmallIntegerField(_("level"), default=0, editable=False)
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False, default="")

    class Meta:
        verbose_name_plural = _("org units")
        ordering = ["path"]
        verbose_name = _("org unit")

    def __str__(self) -> str:
        return self.name

    @property
    def level_name(self) -> str:
        names = settings.ORG_LEVEL_NAMES
        return names[min(self.level, len(names) - 1)]

    def save(self, *args, **kwargs):
        creating = self.pk is None
        super().save(*args, **kwargs)
        old_path = self.path
        new_path = (self.parent.path if self.parent_id else "") + f"{self.pk:06d}."
        new_level = self.parent.level + 1 if self.parent_id else 0
        if creating or new_path != old_path or new_level != self.level:
            OrgUnit.objects.filter(pk=self.pk).update(path=new_path, level=new_level)
            if not creating and old_path:
                for child in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    child.path = new_path + child.path[len(old_path) :]
                    child.level = child.path.count(".") - 1
                    OrgUnit.objects.filter(pk=child.pk).update(path=child.path, level=child.level)
            self.path, self.level = new_path, new_level


class Person(models.Model):
    """Someone in the sales organisation (rep, manager, coordinator), placed in an org unit,
    optionally linked to a login."""

    class Kind(models.TextChoices):
        REP = "rep", _("Sales representative")
        MANAGER = "manager", _("Sales manager")
        COORDINATOR = "coordinator", _("Coordinator")
        FINANCE = "finance", _("Finance")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.REP)
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="people", verbose_name=_("org unit")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        verbose_name=_("login"),
    )
    external_id = models.CharField(
        _("external id"), max_length=64, blank=True, default="", db_index=True
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name


class AuditEvent(models.Model):
    """Append-only: who did what to which record, before and after, and why."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True, default="")

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("audit events are append-only")
        super().save(*args, **kwargs)


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("login"),
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class LoginFailure(models.Model):
    """A failed login, kept for throttling (core.services.login_attempt_check)."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    username = models.CharField(_("username"), max_length=150, db_index=True)
    address = models.CharField(_("address"), max_length=64, db_index=True)

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")


class Job(models.Model):
    """A long-running piece of work (an import, a report) run by the worker, with progress
    the UI and the CLI can poll."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=50)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    done = models.BigIntegerField(_("done"), default=0)
    total = models.BigIntegerField(_("total"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True, default="")
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at"]

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, int(100 * self.done / self.total))

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class NumberSeries(models.Model):
    """A document-number counter (accounts, invoices ...), taken with select_for_update."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    prefix = models.CharField(_("prefix"), max_length=20, blank=True, default="")
    width = models.PositiveSmallIntegerField(_("width"), default=7)
    next_value = models.BigIntegerField(_("next value"), default=1)

    class Meta:
        verbose_name = _("number series")
        verbose_name_plural = _("number series")

    def __str__(self) -> str:
        return self.name


class ImportBatch(models.Model):
    """One run of a file through the import framework (preview or commit): what file, which
    preset, who, when, what it did. The audit log gets one event per committed batch."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        PREVIEWED = "previewed", _("Previewed")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        COMMITTED = "committed", _("Committed")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=30)
    preset = models.CharField(_("preset"), max_length=30)
    file_name = models.CharField(_("file name"), max_length=255)
    stored_path = models.CharField(_("stored file path"), max_length=500, blank=True, default="")
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.BigIntegerField(_("size"), default=0)
    options = models.JSONField(_("options"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.UPLOADED
    )
    dry_run = models.BooleanField(_("dry run"), default=True)
    rows = models.BigIntegerField(_("rows"), default=0)
    created = models.BigIntegerField(_("created"), default=0)
    updated = models.BigIntegerField(_("updated"), default=0)
    unchanged = models.BigIntegerField(_("unchanged"), default=0)
    rejected = models.BigIntegerField(_("rejected"), default=0)
    skipped = models.BigIntegerField(_("skipped"), default=0)
    message = models.TextField(_("message"), blank=True, default="")
    result = models.JSONField(_("result"), default=dict, blank=True)
    errors_path = models.CharField(_("error report path"), max_length=500, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("job")
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind}/{self.preset} {self.file_name}"
