"""Order board, open items and the customer ledger.

Posted records (invoices, payments, allocations, credit notes, refunds, write-offs) are never
edited or deleted: they are reversed. Each posting appends a LedgerEntry, so an account's
balance is the sum of its ledger entries, and the services keep the open amounts that make
aging fast (`Invoice.open_amount`, `Payment.unallocated_amount`, `CreditNote.open_amount`)
equal to what the ledger says. tests/receivables/test_invariants.py proves both agree after
any sequence of operations.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesops.masterdata.models import Account, Product

MONEY = {"max_digits": 20, "decimal_places": 4}
RATE = {"max_digits": 24, "decimal_places": 10}
QTY = {"max_digits": 14, "decimal_places": 4}
USER = settings.AUTH_USER_MODEL


def _by(related_name: str, verbose: str):
    return models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related_name,
        verbose_name=verbose,
    )


class SalesOrder(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PARTIAL = "partial", _("Partly shipped")
        SHIPPED = "shipped", _("Shipped")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("order number"), max_length=30, unique=True)
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="sales_orders", verbose_name=_("account")
    )
    currency = models.CharField(_("currency"), max_length=3)
    order_date = models.DateField(_("order date"))
    customer_reference = models.CharField(
        _("customer reference"), max_length=60, blank=True, default=""
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = _by("+", _("created by"))

    class Meta:
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        ordering = ["-order_date", "-id"]
        indexes = [
            models.Index(fields=["account", "status", "order_date"], name="order_account_status"),
            models.Index(fields=["status", "order_date"], name="order_status_date"),
        ]

    def __str__(self) -> str:
        return self.number


class SalesOrderLine(models.Model):
    order = models.ForeignKey(
        SalesOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    line_no = models.PositiveIntegerField(_("line"))
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("product")
    )
    description = models.CharField(_("description"), max_length=255, blank=True, default="")
    quantity = models.DecimalField(_("quantity"), **QTY)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    shipped_quantity = models.DecimalField(_("shipped quantity"), default=Decimal(0), **QTY)
    requested_date = models.DateField(_("requested date"))
    promised_date = models.DateField(_("promised date"), null=True, blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="order_line_once"),
            models.CheckConstraint(
                condition=Q(shipped_quantity__gte=0)
                & Q(shipped_quantity__lte=models.F("quantity")),
                name="order_line_shipped_within_quantity",
            ),
        ]

    @property
    def backlog_quantity(self) -> Decimal:
        return Decimal(0) if self.cancelled else self.quantity - self.shipped_quantity

    @property
    def backlog_value(self) -> Decimal:
        return self.backlog_quantity * self.unit_price

    @property
    def value(self) -> Decimal:
        return self.quantity * self.unit_price


class Invoice(models.Model):
    """An open item: what the customer owes until payments, credits or write-offs clear it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Cleared")
        REVERSED = "reversed", _("Reversed")

    number = models.CharField(_("invoice number"), max_length=30, unique=True)
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("account")
    )
    order = models.ForeignKey(
        SalesOrder,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("order"),
    )
    currency = models.CharField(_("currency"), max_length=3)
    issue_date = models.DateField(_("invoice date"))
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    open_amount = models.DecimalField(_("open amount"), **MONEY)
    fx_rate = models.DecimalField(
        _("rate to reporting currency"),
        default=Decimal(1),
        help_text=_("On the invoice date."),
        **RATE,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = _by("+", _("created by"))

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issue_date", "-id"]
        indexes = [
            models.Index(fields=["account", "status", "due_date"], name="invoice_account_open"),
            models.Index(fields=["status", "due_date"], name="invoice_status_due"),
            models.Index(fields=["account", "issue_date"], name="invoice_account_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_positive"),
            models.CheckConstraint(
                condition=Q(open_amount__gte=0) & Q(open_amount__lte=models.F("amount")),
                name="invoice_open_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Payment(models.Model):
    """Money received. It is booked (to an account, on the ledger) within 24 hours of receipt."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, not booked")
        BOOKED = "booked", _("Booked")
        REVERSED = "reversed", _("Reversed")

    class Method(models.TextChoices):
        TRANSFER = "transfer", _("Bank transfer")
        CHEQUE = "cheque", _("Cheque")
        CARD = "card", _("Card")
        CASH = "cash", _("Cash")
        OTHER = "other", _("Other")

    number = models.CharField(_("receipt number"), max_length=30, unique=True)
    account = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("account"),
    )
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(_("amount"), **MONEY)
    unallocated_amount = models.DecimalField(_("unallocated"), **MONEY)
    received_at = models.DateTimeField(_("received at"))
    value_date = models.DateField(_("value date"))
    booked_at = models.DateTimeField(_("booked at"), null=True, blank=True)
    booked_by = _by("+", _("booked by"))
    booking_warned_at = models.DateTimeField(
        _("booking warning sent at"),
        null=True,
        blank=True,
        help_text=_("Set when the before-the-deadline warning went out, so it goes out once."),
    )
    method = models.CharField(
        _("method"), max_length=20, choices=Method.choices, default=Method.TRANSFER
    )
    reference = models.CharField(_("reference"), max_length=140, blank=True, default="")
    payer_name = models.CharField(_("payer"), max_length=140, blank=True, default="")
    external_ref = models.CharField(
        _("external reference"),
        max_length=100,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Bank transaction id: receiving the same one twice changes nothing."),
    )
    fx_rate = models.DecimalField(
        _("rate to reporting currency"),
        default=Decimal(1),
        help_text=_("On the value date."),
        **RATE,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = _by("+", _("created by"))

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "received_at"], name="payment_status_received"),
            models.Index(fields=["account", "value_date"], name="payment_account_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(unallocated_amount__gte=0)
                & Q(unallocated_amount__lte=models.F("amount")),
                name="payment_unallocated_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Allocation(models.Model):
    """Part of a payment applied to an invoice. A reversal is a second row with the negative
    amount that points at the first; each allocation can be reversed once."""

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("payment")
    )
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("invoice")
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    fx_difference = models.DecimalField(
        _("realised FX difference"),
        default=Decimal(0),
        help_text=_("In the reporting currency; positive is a gain."),
        **MONEY,
    )
    applied_on = models.DateField(_("applied on"))
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = _by("+", _("created by"))

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["id"]


class CreditNote(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class Reason(models.TextChoices):
        PRICE = "price", _("Price difference")
        RETURN = "return", _("Goods returned")
        DAMAGE = "damage", _("Damaged or short delivery")
        REBATE = "rebate", _("Rebate or promotion")
        BILLING = "billing", _("Billing error")
        GOODWILL = "goodwill", _("Goodwill")
        OTHER = "other", _("Other")

    number = models.CharField(_("credit note number"), max_length=30, unique=True)
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="credit_notes", verbose_name=_("account")
    )
    invoice = models.ForeignKey(
        Invoice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        verbose_name=_("invoice"),
        help_text=_("Empty for a credit on account."),
    )
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(_("amount"), **MONEY)
    open_amount = models.DecimalField(_("unapplied"), **MONEY)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    memo = models.CharField(_("memo"), max_length=500, blank=True, default="")
    issue_date = models.DateField(_("date"))
    fx_rate = models.DecimalField(_("rate to reporting currency"), default=Decimal(1), **RATE)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    requested_by = _by("+", _("requested by"))
    decided_by = _by("+", _("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        ordering = ["-issue_date", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="credit_note_status"),
            models.Index(fields=["account", "issue_date"], name="credit_note_account_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_note_amount_positive"),
            models.CheckConstraint(
                condition=Q(open_amount__gte=0) & Q(open_amount__lte=models.F("amount")),
                name="credit_note_open_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CreditApplication(models.Model):
    """Part of an approved credit note applied to an invoice; reversed like an allocation."""

    credit_note = models.ForeignKey(
        CreditNote,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("credit note"),
    )
    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        related_name="credit_applications",
        verbose_name=_("invoice"),
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    applied_on = models.DateField(_("applied on"))
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = _by("+", _("created by"))

    class Meta:
        verbose_name = _("credit application")
        verbose_name_plural = _("credit applications")
        ordering = ["id"]


class Refund(models.Model):
    """Money paid back out of an unallocated payment or an unapplied credit note."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved and paid")
        REJECTED = "rejected", _("Rejected")

    number = models.CharField(_("refund number"), max_length=30, unique=True)
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("account")
    )
    payment = models.ForeignKey(
        Payment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds",
        verbose_name=_("from payment"),
    )
    credit_note = models.ForeignKey(
        CreditNote,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds",
        verbose_name=_("from credit note"),
    )
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    requested_by = _by("+", _("requested by"))
    decided_by = _by("+", _("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True, default="")
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(payment__isnull=False) ^ Q(credit_note__isnull=False),
                name="refund_has_one_source",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class WriteOff(models.Model):
    """A small remaining difference on an invoice cleared within tolerance, with approval."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    number = models.CharField(_("write-off number"), max_length=30, unique=True)
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="write_offs", verbose_name=_("invoice")
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    requested_by = _by("+", _("requested by"))
    decided_by = _by("+", _("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("write-off")
        verbose_name_plural = _("write-offs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="write_off_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.number


class LedgerEntry(models.Model):
    """One posting on a customer's account, in the document's currency. Positive: the customer
    owes more (invoice, refund); negative: less (payment, credit note, write-off). Entries
    are only ever appended; a reversal is a new entry with the opposite sign."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        INVOICE_REVERSAL = "invoice_reversal", _("Invoice reversed")
        PAYMENT = "payment", _("Payment")
        PAYMENT_REVERSAL = "payment_reversal", _("Payment reversed")
        CREDIT_NOTE = "credit_note", _("Credit note")
        REFUND = "refund", _("Refund")
        WRITE_OFF = "write_off", _("Write-off")

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="ledger", verbose_name=_("account")
    )
    currency = models.CharField(_("currency"), max_length=3)
    posted_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    document_number = models.CharField(_("document"), max_length=30)
    amount = models.DecimalField(_("amount"), **MONEY)
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    credit_note = models.ForeignKey(
        CreditNote, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refund = models.ForeignKey(
        Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    write_off = models.ForeignKey(
        WriteOff, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["posted_on", "id"]
        indexes = [
            models.Index(fields=["account", "currency", "posted_on"], name="ledger_account_date"),
        ]


class Query(models.Model):
    """A question from a partner or a rep about credit notes, statements or payments. The
    coordinator owns the answer; the SLA clock runs from `created_at` to `due_at`."""

    class Category(models.TextChoices):
        CREDIT_NOTE = "credit_note", _("Credit note")
        STATEMENT = "statement", _("Statement")
        PAYMENT = "payment", _("Payment")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WAITING = "waiting", _("Waiting for the requester")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    number = models.CharField(_("query number"), max_length=30, unique=True)
    account = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="queries",
        verbose_name=_("account"),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    subject = models.CharField(_("subject"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    raised_by = _by("queries_raised", _("raised by"))
    requester_email = models.CharField(
        _("requester e-mail"), max_length=254, blank=True, default=""
    )
    owner = _by("queries_owned", _("owner"))
    invoice = models.ForeignKey(
        Invoice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="queries",
        verbose_name=_("invoice"),
    )
    payment = models.ForeignKey(
        Payment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="queries",
        verbose_name=_("payment"),
    )
    credit_note = models.ForeignKey(
        CreditNote,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="queries",
        verbose_name=_("credit note"),
    )
    due_at = models.DateTimeField(_("answer due by"))
    first_answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("query")
        verbose_name_plural = _("queries")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="query_status_due"),
            models.Index(fields=["account", "created_at"], name="query_account_created"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"


class QueryMessage(models.Model):
    """One message on a query: the question, a reply (e-mailed to the requester) or an
    internal note (never sent, never shown to a partner)."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        REPLY = "reply", _("Reply")
        NOTE = "note", _("Internal note")

    query = models.ForeignKey(
        Query, on_delete=models.CASCADE, related_name="messages", verbose_name=_("query")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    author = _by("+", _("author"))
    body = models.TextField(_("message"))
    emailed_to = models.CharField(_("e-mailed to"), max_length=500, blank=True, default="")
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    email_error = models.CharField(_("e-mail error"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("query message")
        verbose_name_plural = _("query messages")
        ordering = ["created_at", "id"]


class PartnerLedgerMapping(models.Model):
    """How one partner's own ledger export reads: which column is what, saved for next time."""

    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, related_name="ledger_mapping", verbose_name=_("account")
    )
    columns = models.JSONField(_("column mapping"), default=dict)
    options = models.JSONField(
        _("options"), default=dict, help_text=_("Date format, sign convention, decimal mark.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = _by("+", _("updated by"))

    class Meta:
        verbose_name = _("partner ledger mapping")
        verbose_name_plural = _("partner ledger mappings")


class Reconciliation(models.Model):
    """Our ledger against the partner's, as of a date: what matched and what did not."""

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="reconciliations", verbose_name=_("account")
    )
    as_of = models.DateField(_("as of"))
    currency = models.CharField(_("currency"), max_length=3)
    file_name = models.CharField(_("file"), max_length=255)
    our_balance = models.DecimalField(_("our balance"), **MONEY)
    their_balance = models.DecimalField(_("their balance"), **MONEY)
    summary = models.JSONField(_("summary"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = _by("+", _("created by"))

    class Meta:
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")
        ordering = ["-created_at", "-id"]


class ReconciliationLine(models.Model):
    class Result(models.TextChoices):
        MATCHED = "matched", _("Matched")
        AMOUNT_DIFFERS = "amount_differs", _("Amount differs")
        ONLY_THEIRS = "only_theirs", _("Only in their ledger")
        ONLY_OURS = "only_ours", _("Only in our ledger")

    reconciliation = models.ForeignKey(
        Reconciliation,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("reconciliation"),
    )
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    document_number = models.CharField(_("document"), max_length=60, blank=True, default="")
    their_reference = models.CharField(_("their reference"), max_length=120, blank=True, default="")
    posted_on = models.DateField(_("date"), null=True, blank=True)
    our_amount = models.DecimalField(_("our amount"), null=True, blank=True, **MONEY)
    their_amount = models.DecimalField(_("their amount"), null=True, blank=True, **MONEY)
    difference = models.DecimalField(_("difference"), default=Decimal(0), **MONEY)
    their_row = models.PositiveIntegerField(_("row in their file"), null=True, blank=True)

    class Meta:
        verbose_name = _("reconciliation line")
        verbose_name_plural = _("reconciliation lines")
        ordering = ["reconciliation", "result", "posted_on", "id"]
