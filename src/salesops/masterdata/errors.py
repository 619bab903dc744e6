"""Master-data error codes. The API returns them as {"code", "message", "detail"}."""

from salesops.core.errors import Conflict, DomainError, NotFound


class AccountNotFound(NotFound):
    code = "ACCOUNT_NOT_FOUND"


class ContactNotFound(NotFound):
    code = "CONTACT_NOT_FOUND"


class ProductNotFound(NotFound):
    code = "PRODUCT_NOT_FOUND"


class PriceBookNotFound(NotFound):
    code = "PRICE_BOOK_NOT_FOUND"


class AccountTransitionNotAllowed(Conflict):
    """The lifecycle does not allow this step from the account's current status."""

    code = "ACCOUNT_TRANSITION_NOT_ALLOWED"


class AccountClosedCannotReopen(Conflict):
    code = "ACCOUNT_CLOSED_CANNOT_REOPEN"


class ReasonRequired(DomainError):
    code = "REASON_REQUIRED"


class AccountInvalid(DomainError):
    """A field value is not valid; `detail` names the field, the value and what is valid."""

    code = "ACCOUNT_INVALID"


class ExternalIdTaken(Conflict):
    code = "EXTERNAL_ID_TAKEN"


class ContactInvalid(DomainError):
    code = "CONTACT_INVALID"


class PortalLoginNotAllowed(DomainError):
    code = "PORTAL_LOGIN_NOT_ALLOWED"


class PriceInvalid(DomainError):
    code = "PRICE_INVALID"
