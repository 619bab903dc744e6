"""Receivables error codes. The API returns them as {"code", "message", "detail"}."""

from salesops.core.errors import Conflict, DomainError, NotFound


class InvoiceNotFound(NotFound):
    code = "INVOICE_NOT_FOUND"


class PaymentNotFound(NotFound):
    code = "PAYMENT_NOT_FOUND"


class OrderNotFound(NotFound):
    code = "ORDER_NOT_FOUND"


class CreditNoteNotFound(NotFound):
    code = "CREDIT_NOTE_NOT_FOUND"


class AmountInvalid(DomainError):
    """Not a positive amount in the currency's smallest unit."""

    code = "AMOUNT_INVALID"


class CurrencyMismatch(DomainError):
    code = "CURRENCY_MISMATCH"


class AccountMismatch(DomainError):
    """A payment or credit note may only clear invoices of its own account."""

    code = "ACCOUNT_MISMATCH"


class AllocationExceedsOpenAmount(Conflict):
    code = "ALLOCATION_EXCEEDS_OPEN_AMOUNT"


class AllocationExceedsPayment(Conflict):
    code = "ALLOCATION_EXCEEDS_PAYMENT"


class CreditExceedsOpenAmount(Conflict):
    code = "CREDIT_EXCEEDS_OPEN_AMOUNT"


class RefundExceedsAvailable(Conflict):
    code = "REFUND_EXCEEDS_AVAILABLE"


class WriteOffAboveTolerance(DomainError):
    code = "WRITE_OFF_ABOVE_TOLERANCE"


class PaymentNotBooked(Conflict):
    code = "PAYMENT_NOT_BOOKED"


class PaymentAlreadyBooked(Conflict):
    code = "PAYMENT_ALREADY_BOOKED"


class AlreadyReversed(Conflict):
    code = "ALREADY_REVERSED"


class InvoiceHasSettlements(Conflict):
    """An invoice with payments, credits or write-offs applied must have those reversed first."""

    code = "INVOICE_HAS_SETTLEMENTS"


class NotPending(Conflict):
    """Approve or reject only what is awaiting a decision."""

    code = "NOT_PENDING"


class SelfApproval(Conflict):
    """Four eyes: whoever asked for it may not approve it."""

    code = "SELF_APPROVAL"


class FxRateMissing(DomainError):
    code = "FX_RATE_MISSING"


class ShipmentExceedsOrder(Conflict):
    code = "SHIPMENT_EXCEEDS_ORDER"


class ReasonRequired(DomainError):
    code = "REASON_REQUIRED"


# ---------------------------------------------------------------- query inbox


class QueryNotFound(NotFound):
    code = "QUERY_NOT_FOUND"


class QueryClosed(Conflict):
    """A closed query takes no more messages; reopen it (staff) or raise a new one."""

    code = "QUERY_CLOSED"


class QueryInvalid(DomainError):
    """A query or message is missing something it needs (subject, message, category)."""

    code = "QUERY_INVALID"


class QueryOwnerInvalid(DomainError):
    """Queries are owned by an active coordinator, finance or admin user."""

    code = "QUERY_OWNER_INVALID"


class RefundNotFound(NotFound):
    code = "REFUND_NOT_FOUND"


class WriteOffNotFound(NotFound):
    code = "WRITE_OFF_NOT_FOUND"


class AllocationNotFound(NotFound):
    code = "ALLOCATION_NOT_FOUND"


class DateInvalid(DomainError):
    """A date or time outside the range the desk accepts (years 2000-2099)."""

    code = "DATE_INVALID"


class ReconciliationNotFound(NotFound):
    code = "RECONCILIATION_NOT_FOUND"


class ReconciliationFileInvalid(DomainError):
    """The partner's file cannot be read with this mapping: names file, row, column, value."""

    code = "RECONCILIATION_FILE_INVALID"


class ReconciliationMappingInvalid(DomainError):
    """The column mapping or its options do not fit the file (or none is saved yet)."""

    code = "RECONCILIATION_MAPPING_INVALID"


class DocumentInvalid(DomainError):
    """An unknown document kind, format or language, or a period that ends before it starts."""

    code = "DOCUMENT_INVALID"
