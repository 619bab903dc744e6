"""Scheduled distribution: schedules of documents and the log of every e-mail they send.

A `Delivery` is one e-mail: one document run (slot) of one schedule, for one account, to one
address. Its slot key (schedule, slot_key, account, recipient) is unique in the database, so
two workers that compute the same due slot can both try to create it and exactly one row
exists; sending is claimed with a conditional UPDATE, so exactly one worker sends it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salesops.core.models import OrgUnit
from salesops.masterdata.models import Account


class DocumentKind(models.TextChoices):
    STATEMENT = "statement", _("Account statement")
    PAYMENT_SHEET = "payment_sheet", _("Payment sheet")
    ORDER_BOARD = "order_board", _("Order board")


class PeriodRule(models.TextChoices):
    PREVIOUS_MONTH = "previous_month", _("Previous month")
    MONTH_TO_DATE = "month_to_date", _("Month to date")
    PREVIOUS_WEEK = "previous_week", _("Previous week")
    LAST_7_DAYS = "last_7_days", _("Last 7 days")
    AS_OF_TODAY = "as_of_today", _("As of the send day")


class Schedule(models.Model):
    class Audience(models.TextChoices):
        ACCOUNT = "account", _("One account")
        PARTNERS = "partners", _("All channel partners")
        TERRITORY = "territory", _("Accounts of a territory and below")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "XLSX"
        BOTH = "both", _("PDF and XLSX")

    class Language(models.TextChoices):
        EN = "en", "English"
        ZH_HANS = "zh-hans", "简体中文"
        RECIPIENT = "recipient", _("The recipient's language")

    class CatchUp(models.TextChoices):
        SEND_MISSED_ONCE = "send_missed_once", _("Send missed slots once (the latest)")
        SKIP_MISSED = "skip_missed", _("Skip missed slots")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.PARTNERS
    )
    account = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("account"),
    )
    territory = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("territory"),
    )
    to_contacts = models.BooleanField(
        _("send to the account's contacts"),
        default=True,
        help_text=_(
            "Every contact of each account with an e-mail address receives that account's document."
        ),
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("internal users"),
        help_text=_("Internal users receive a copy of every account's document."),
    )
    extra_addresses = models.TextField(
        _("other addresses"),
        blank=True,
        default="",
        help_text=_("One per line. Only for a schedule of one account."),
    )
    fmt = models.CharField(_("format"), max_length=10, choices=Format.choices, default=Format.PDF)
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.EN
    )
    cron = models.CharField(_("cron expression"), max_length=100)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    catch_up = models.CharField(
        _("after downtime"),
        max_length=20,
        choices=CatchUp.choices,
        default=CatchUp.SEND_MISSED_ONCE,
    )
    active = models.BooleanField(_("active"), default=True)
    last_slot_at = models.DateTimeField(_("last slot"), null=True, blank=True)
    next_slot_at = models.DateTimeField(_("next slot"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def period(self) -> str:
        return (self.params or {}).get("period", "")


class Delivery(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        RETRYING = "retrying", _("Retrying")

    schedule = models.ForeignKey(
        Schedule, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("schedule")
    )
    slot_key = models.CharField(
        _("slot"),
        max_length=64,
        help_text=_('"cron:<instant>" for a scheduled slot, "manual:<instant>" for send now.'),
    )
    slot_at = models.DateTimeField(_("slot time"))
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("account")
    )
    recipient = models.CharField(_("recipient"), max_length=254)
    language = models.CharField(_("language"), max_length=10, default="en")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), db_index=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    claim = models.CharField(_("claim"), max_length=32, blank=True, default="")
    last_error = models.TextField(_("last error"), blank=True, default="")
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-slot_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "slot_key", "account", "recipient"],
                name="reports_delivery_one_per_slot",
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["schedule", "-slot_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.slot_key} {self.account_id} {self.recipient}"
