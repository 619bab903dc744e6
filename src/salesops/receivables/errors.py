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
