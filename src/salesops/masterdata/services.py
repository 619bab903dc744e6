"""Every write to master data: keyword-only, permission-checked, atomic, audited.

Who may write (checked here, so the UI, the API and the CLI agree):

| write                                            | roles                                  |
| accounts: create, update, activate, close        | coordinator, admin                     |
| accounts: hold, release (credit hold)            | coordinator, admin, finance            |
| contacts of an account: create, update           | coordinator, admin; the rep who owns   |
|                                                  | the account (reps keep their own       |
|                                                  | customers' contacts current)           |
| portal logins for partner contacts               | coordinator, admin                     |
| products, price books, list prices               | coordinator, admin                     |
| standard costs, FX rates                         | coordinator, admin, finance            |

Managers, finance (outside the rows above) and partners read only. `by=None` is the system
itself (the `salesops` command line run by the operator on the server, imports) and passes.

Account lifecycle: requested -> active -> on_hold -> active ... -> closed. A requested
account may be activated or closed (rejected); active and on-hold accounts may be closed;
closing always needs a reason. A closed account stays closed: open a new account instead.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pycountry
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from salesops.core.audit import audit_record, audit_snapshot
from salesops.core.errors import PermissionDenied
from salesops.core.models import OrgUnit, Person, Role, User
from salesops.core.money import UnknownCurrency, currency_check, decimal_parse
from salesops.core.scoping import role_required, scope_for
from salesops.core.services import number_series_reserve

from . import errors
from .models import (
    Account,
    Contact,
    FxRate,
    PaymentTerm,
    PriceBook,
    PriceBookEntry,
    Product,
    ProductFamily,
    StandardCost,
)
from .selectors import account_scope_q

MASTER_DATA_WRITERS = (Role.COORDINATOR, Role.ADMIN)
CREDIT_HOLDERS = (Role.COORDINATOR, Role.ADMIN, Role.FINANCE)
COST_WRITERS = (Role.COORDINATOR, Role.ADMIN, Role.FINANCE)

ACCOUNT_SERIES = {"name": "account", "prefix": "A", "width": 7}

# Fields a service may set on an account (status moves only through the lifecycle).
ACCOUNT_FIELDS = (
    "name",
    "type",
    "parent",
    "territory",
    "owner",
    "salesforce_id",
    "sap_number",
    "hubspot_id",
    "payment_term",
    "credit_limit",
    "currency",
    "tax_id",
    "phone",
    "email",
    "website",
    "industry",
    "billing_street",
    "billing_city",
    "billing_postcode",
    "billing_region",
    "billing_country",
    "shipping_street",
    "shipping_city",
    "shipping_postcode",
    "shipping_region",
    "shipping_country",
)
CONTACT_FIELDS = ("first_name", "last_name", "title", "email", "phone", "salesforce_id")

# status -> {action: new status}
TRANSITIONS = {
    Account.Status.REQUESTED: {"activate": Account.Status.ACTIVE, "close": Account.Status.CLOSED},
    Account.Status.ACTIVE: {"hold": Account.Status.ON_HOLD, "close": Account.Status.CLOSED},
    Account.Status.ON_HOLD: {"release": Account.Status.ACTIVE, "close": Account.Status.CLOSED},
    Account.Status.CLOSED: {},
}


def _snap(obj) -> dict:
    """A record's audited values: everything but bookkeeping timestamps and search keys."""
    skip = {"created_at", "updated_at", "name_search"}
    return {k: v for k, v in audit_snapshot(obj).items() if k not in skip}


def _update_audited(obj, values: dict, *, action: str, by: User | None, reason: str = ""):
    """Lock the row, apply already-validated values, save and record before -> after: the one
    way an existing master-data record is changed."""
    with transaction.atomic():
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        before = _snap(obj)
        for field, value in values.items():
            setattr(obj, field, value)
        obj.save()
        audit_record(
            actor=by, action=action, obj=obj, before=before, after=_snap(obj), reason=reason
        )
    return obj


def _may(by, roles) -> None:
    if by is None:  # the system: the operator's command line, imports
        return
    role_required(by, *roles)


def _invalid(exc_class, field: str, value, valid: str):
    return exc_class(
        _("%(field)s: '%(value)s' is not valid (%(valid)s).")
        % {"field": field, "value": value, "valid": valid},
        detail={"field": field, "value": None if value is None else str(value), "valid": valid},
    )


# ---------------------------------------------------------------- accounts


def _account_number_next() -> str:
    """The next free account number from the 'account' series.

    Accounts loaded without the series (fixtures, old systems) may already hold numbers
    ahead of the counter; those are skipped a block at a time, so the counter catches up
    in a few queries and never hands out a taken number.
    """
    while True:
        block = number_series_reserve(count=1, **ACCOUNT_SERIES)
        if not Account.objects.filter(number=block[0]).exists():
            return block[0]
        block = number_series_reserve(count=500, **ACCOUNT_SERIES)
        taken = set(Account.objects.filter(number__in=block).values_list("number", flat=True))
        free = [n for n in block if n not in taken]
        if free:
            return free[0]


def _clean_account_values(values: dict, *, account: Account | None) -> dict:
    """Validate and normalise account field values; foreign keys may be objects or ids."""
    unknown = sorted(set(values) - set(ACCOUNT_FIELDS))
    if unknown:
        raise errors.AccountInvalid(
            _("These fields cannot be set: %(fields)s.") % {"fields": ", ".join(unknown)},
            detail={"fields": unknown, "valid": list(ACCOUNT_FIELDS)},
        )
    out = {}
    for field, value in values.items():
        if isinstance(value, str):
            value = value.strip()
        if field == "name":
            if not value:
                raise _invalid(errors.AccountInvalid, "name", value, "a name is required")
            value = value[:255]
        elif field == "type":
            if value not in Account.Type.values:
                raise _invalid(errors.AccountInvalid, "type", value, ", ".join(Account.Type.values))
        elif field == "currency":
            try:
                value = currency_check(value)
            except UnknownCurrency:
                raise _invalid(
                    errors.AccountInvalid, "currency", value, "an ISO 4217 code like CNY"
                ) from None
        elif field in ("billing_country", "shipping_country"):
            if value:
                value = value.upper()
                if len(value) != 2 or pycountry.countries.get(alpha_2=value) is None:
                    raise _invalid(errors.AccountInvalid, field, value, "an ISO 3166 code like CN")
            else:
                value = ""
        elif field == "credit_limit":
            if value is not None and value != "":
                if isinstance(value, float):
                    raise _invalid(
                        errors.AccountInvalid, field, value, "a decimal string, not a float"
                    )
                try:
                    value = decimal_parse(value)
                except (ValueError, TypeError):
                    raise _invalid(
                        errors.AccountInvalid, field, value, "a non-negative amount"
                    ) from None
                if value < 0 or value >= Decimal("1e16"):
                    raise _invalid(errors.AccountInvalid, field, value, "a non-negative amount")
            else:
                value = None
        elif field == "email":
            if value:
                try:
                    validate_email(value)
                except DjangoValidationError:
                    raise _invalid(
                        errors.AccountInvalid, field, value, "an e-mail address"
                    ) from None
        elif field in ("salesforce_id", "sap_number", "hubspot_id"):
            value = value or None
            if value is not None:
                clash = Account.objects.filter(**{field: value})
                if account is not None:
                    clash = clash.exclude(pk=account.pk)
                if clash.exists():
                    raise errors.ExternalIdTaken(
                        _("%(field)s '%(value)s' belongs to another account.")
                        % {"field": field, "value": value},
                        detail={"field": field, "value": value},
                    )
        elif field in ("parent", "territory", "owner", "payment_term"):
            model = {
                "parent": Account,
                "territory": OrgUnit,
                "owner": Person,
                "payment_term": PaymentTerm,
            }[field]
            if value is not None and not isinstance(value, model):
                obj = model.objects.filter(pk=value).first() if isinstance(value, int) else None
                if obj is None:
                    raise _invalid(
                        errors.AccountInvalid, field, value, f"the id of an existing {field}"
                    )
                value = obj
            if field == "parent" and value is not None and account is not None:
                node_id, seen = value.pk, 0  # walk the stored chain, not stale objects
                while node_id is not None and seen < 100:
                    if node_id == account.pk:
                        raise _invalid(
                            errors.AccountInvalid, "parent", value.pk, "not itself or a child"
                        )
                    node_id = (
                        Account.objects.filter(pk=node_id)
                        .values_list("parent_id", flat=True)
                        .first()
                    )
                    seen += 1
        elif isinstance(value, str):
            max_length = Account._meta.get_field(field).max_length
            if max_length and len(value) > max_length:
                raise _invalid(
                    errors.AccountInvalid, field, value[:40], f"at most {max_length} characters"
                )
        out[field] = value
    return out


def account_create(
    *, by: User | None, name: str, status: str = Account.Status.REQUESTED, **values
) -> Account:
    """A new account, numbered from the 'account' series. New accounts start as requested
    unless the caller (a coordinator) opens them active directly."""
    _may(by, MASTER_DATA_WRITERS)
    if status not in (Account.Status.REQUESTED, Account.Status.ACTIVE):
        raise _invalid(errors.AccountInvalid, "status", status, "requested or active")
    clean = _clean_account_values({"name": name, **values}, account=None)
    with transaction.atomic():
        account = Account(number=_account_number_next(), status=status, **clean)
        account.save()
        audit_record(actor=by, action="account.create", obj=account, after=_snap(account))
    return account


def account_update(*, account: Account, by: User | None, reason: str = "", **values) -> Account:
    """Change account fields; the audit event keeps only the fields that changed."""
    _may(by, MASTER_DATA_WRITERS)
    clean = _clean_account_values(values, account=account)
    return _update_audited(account, clean, action="account.update", by=by, reason=reason)


def _account_transition(
    *, account: Account, by: User | None, action: str, roles, reason: str = ""
) -> Account:
    _may(by, roles)
    reason = (reason or "").strip()
    if action == "close" and not reason:
        raise errors.ReasonRequired(_("Say why the account is closed."), detail={"field": "reason"})
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)
        current = account.status
        if current == Account.Status.CLOSED:
            raise errors.AccountClosedCannotReopen(
                _("A closed account cannot be reopened or changed; open a new account instead."),
                detail={"status": current, "action": action},
            )
        target = TRANSITIONS[current].get(action)
        if target is None:
            raise errors.AccountTransitionNotAllowed(
                _("An account that is %(status)s cannot take the step '%(action)s'.")
                % {"status": current, "action": action},
                detail={
                    "status": current,
                    "action": action,
                    "allowed": sorted(TRANSITIONS[current]),
                },
            )
        account.status = target
        account.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=by,
            action=f"account.{action}",
            obj=account,
            before={"status": current},
            after={"status": target},
            reason=reason,
        )
    return account


def account_activate(*, account: Account, by: User | None, reason: str = "") -> Account:
    return _account_transition(
        account=account, by=by, action="activate", roles=MASTER_DATA_WRITERS, reason=reason
    )


def account_hold(*, account: Account, by: User | None, reason: str = "") -> Account:
    return _account_transition(
        account=account, by=by, action="hold", roles=CREDIT_HOLDERS, reason=reason
    )


def account_release(*, account: Account, by: User | None, reason: str = "") -> Account:
    return _account_transition(
        account=account, by=by, action="release", roles=CREDIT_HOLDERS, reason=reason
    )


def account_close(*, account: Account, by: User | None, reason: str) -> Account:
    return _account_transition(
        account=account, by=by, action="close", roles=MASTER_DATA_WRITERS, reason=reason
    )


# ---------------------------------------------------------------- contacts


def _may_write_contacts(by, account: Account) -> None:
    if by is None or by.is_superuser or by.role in MASTER_DATA_WRITERS:
        return
    if by.is_authenticated and by.role == Role.REP:
        scope = scope_for(by)
        if Account.objects.filter(account_scope_q(scope), pk=account.pk).exists():
            return
    raise PermissionDenied(
        _("Your role may not change this account's contacts."),
        detail={"needs": [*MASTER_DATA_WRITERS, "the rep who owns the account"]},
    )


def _clean_contact_values(values: dict, *, contact: Contact | None) -> dict:
    unknown = sorted(set(values) - set(CONTACT_FIELDS))
    if unknown:
        raise errors.ContactInvalid(
            _("These fields cannot be set: %(fields)s.") % {"fields": ", ".join(unknown)},
            detail={"fields": unknown, "valid": list(CONTACT_FIELDS)},
        )
    out = {}
    for field, value in values.items():
        value = (value or "").strip() if isinstance(value, str) or value is None else value
        if field == "email" and value:
            try:
                validate_email(value)
            except DjangoValidationError:
                raise _invalid(errors.ContactInvalid, field, value, "an e-mail address") from None
        if field == "salesforce_id":
            value = value or None
            if value is not None:
                clash = Contact.objects.filter(salesforce_id=value)
                if contact is not None:
                    clash = clash.exclude(pk=contact.pk)
                if clash.exists():
                    raise errors.ExternalIdTaken(
                        _("salesforce_id '%(value)s' belongs to another contact.")
                        % {"value": value},
                        detail={"field": field, "value": value},
                    )
        elif isinstance(value, str):
            max_length = Contact._meta.get_field(field).max_length
            if len(value) > max_length:
                raise _invalid(
                    errors.ContactInvalid, field, value[:40], f"at most {max_length} characters"
                )
        out[field] = value
    return out


def contact_create(*, account: Account, by: User | None, **values) -> Contact:
    _may_write_contacts(by, account)
    clean = _clean_contact_values(values, contact=None)
    if not (clean.get("first_name") or clean.get("last_name") or clean.get("email")):
        raise errors.ContactInvalid(
            _("A contact needs a name or an e-mail address."),
            detail={"field": "last_name", "valid": "a name or an e-mail address"},
        )
    with transaction.atomic():
        contact = Contact.objects.create(account=account, **clean)
        audit_record(actor=by, action="contact.create", obj=contact, after=_snap(contact))
    return contact


def contact_update(*, contact: Contact, by: User | None, **values) -> Contact:
    _may_write_contacts(by, contact.account)
    clean = _clean_contact_values(values, contact=contact)
    return _update_audited(contact, clean, action="contact.update", by=by)


def portal_login_grant(*, contact: Contact, user: User, by: User | None) -> Contact:
    """Link a partner login to a contact of a channel-partner account: the login then sees
    that account (and nothing else) in the portal."""
    _may(by, MASTER_DATA_WRITERS)
    if user.role != Role.PARTNER:
        raise errors.PortalLoginNotAllowed(
            _("'%(user)s' has role %(role)s; portal logins need role partner.")
            % {"user": user.username, "role": user.role},
            detail={"field": "user", "value": user.username, "valid": "a partner login"},
        )
    with transaction.atomic():
        contact = Contact.objects.select_for_update().select_related("account").get(pk=contact.pk)
        if contact.account.type != Account.Type.PARTNER:
            raise errors.PortalLoginNotAllowed(
                _("Account %(number)s is not a channel partner.")
                % {"number": contact.account.number},
                detail={"field": "account", "value": contact.account.number},
            )
        if contact.user_id is not None and contact.user_id != user.pk:
            raise errors.PortalLoginNotAllowed(
                _("This contact already has another portal login."),
                detail={"field": "contact", "value": contact.pk},
            )
        other = Contact.objects.filter(user=user).exclude(pk=contact.pk).first()
        if other is not None:
            raise errors.PortalLoginNotAllowed(
                _("'%(user)s' is already the portal login of another contact.")
                % {"user": user.username},
                detail={"field": "user", "value": user.username, "contact": other.pk},
            )
        before = {"user_id": contact.user_id}
        contact.user = user
        contact.save(update_fields=["user", "updated_at"])
        audit_record(
            actor=by,
            action="contact.portal_login_grant",
            obj=contact,
            before=before,
            after={"user_id": user.pk},
        )
    return contact


# ---------------------------------------------------------------- products and prices


def product_create(
    *,
    by: User | None,
    sku: str,
    name: str,
    family: ProductFamily | None = None,
    unit: str = "EA",
    description: str = "",
) -> Product:
    _may(by, MASTER_DATA_WRITERS)
    sku, name = (sku or "").strip(), (name or "").strip()
    if not sku or len(sku) > 50:
        raise _invalid(errors.PriceInvalid, "sku", sku, "1 to 50 characters")
    if not name:
        raise _invalid(errors.PriceInvalid, "name", name, "a name is required")
    if Product.objects.filter(sku=sku).exists():
        raise errors.ExternalIdTaken(
            _("SKU '%(sku)s' exists.") % {"sku": sku}, detail={"field": "sku", "value": sku}
        )
    with transaction.atomic():
        product = Product.objects.create(
            sku=sku, name=name[:255], family=family, unit=unit, description=description
        )
        audit_record(actor=by, action="product.create", obj=product, after=audit_snapshot(product))
    return product


def product_update(*, product: Product, by: User | None, **values) -> Product:
    _may(by, MASTER_DATA_WRITERS)
    allowed = {"name", "family", "unit", "active", "description"}
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise errors.PriceInvalid(
            _("These fields cannot be set: %(fields)s.") % {"fields": ", ".join(unknown)},
            detail={"fields": unknown},
        )
    return _update_audited(product, values, action="product.update", by=by)


def price_book_create(
    *, by: User | None, name: str, currency: str, is_standard: bool = False
) -> PriceBook:
    _may(by, MASTER_DATA_WRITERS)
    try:
        currency = currency_check(currency)
    except UnknownCurrency:
        raise _invalid(errors.PriceInvalid, "currency", currency, "an ISO 4217 code") from None
    with transaction.atomic():
        book = PriceBook.objects.create(name=name, currency=currency, is_standard=is_standard)
        audit_record(actor=by, action="price_book.create", obj=book, after=audit_snapshot(book))
    return book


def _amount(field: str, value) -> Decimal:
    if isinstance(value, float):
        raise _invalid(errors.PriceInvalid, field, value, "a decimal string, not a float")
    try:
        amount = decimal_parse(value)
    except (ValueError, TypeError):
        raise _invalid(errors.PriceInvalid, field, value, "a non-negative amount") from None
    if amount < 0:
        raise _invalid(errors.PriceInvalid, field, value, "a non-negative amount")
    return amount


def price_set(
    *,
    price_book: PriceBook,
    product: Product,
    unit_price,
    valid_from: dt.date,
    by: User | None,
) -> PriceBookEntry:
    """The list price from `valid_from` on (replaces a price set for that same day)."""
    _may(by, MASTER_DATA_WRITERS)
    amount = _amount("unit_price", unit_price)
    with transaction.atomic():
        entry = (
            PriceBookEntry.objects.select_for_update()
            .filter(price_book=price_book, product=product, valid_from=valid_from)
            .first()
        )
        before = audit_snapshot(entry) if entry else None
        if entry is None:
            entry = PriceBookEntry(price_book=price_book, product=product, valid_from=valid_from)
        entry.unit_price = amount
        entry.save()
        audit_record(
            actor=by, action="price.set", obj=entry, before=before, after=audit_snapshot(entry)
        )
    return entry


def cost_set(
    *, product: Product, cost, currency: str, valid_from: dt.date, by: User | None
) -> StandardCost:
    _may(by, COST_WRITERS)
    amount = _amount("cost", cost)
    try:
        currency = currency_check(currency)
    except UnknownCurrency:
        raise _invalid(errors.PriceInvalid, "currency", currency, "an ISO 4217 code") from None
    with transaction.atomic():
        row = (
            StandardCost.objects.select_for_update()
            .filter(product=product, valid_from=valid_from)
            .first()
        )
        before = audit_snapshot(row) if row else None
        if row is None:
            row = StandardCost(product=product, valid_from=valid_from)
        row.cost, row.currency = amount, currency
        row.save()
        audit_record(actor=by, action="cost.set", obj=row, before=before, after=audit_snapshot(row))
    return row


def fx_rate_set(*, base: str, quote: str, rate, valid_from: dt.date, by: User | None) -> FxRate:
    """1 base = rate quote from valid_from on."""
    _may(by, COST_WRITERS)
    try:
        base, quote = currency_check(base), currency_check(quote)
    except UnknownCurrency as exc:
        raise errors.PriceInvalid(str(exc), detail={"field": "currency"}) from None
    amount = _amount("rate", rate)
    if amount == 0 or base == quote:
        raise _invalid(errors.PriceInvalid, "rate", rate, "a positive rate between two currencies")
    with transaction.atomic():
        row = (
            FxRate.objects.select_for_update()
            .filter(base=base, quote=quote, valid_from=valid_from)
            .first()
        )
        before = audit_snapshot(row) if row else None
        if row is None:
            row = FxRate(base=base, quote=quote, valid_from=valid_from)
        row.rate = amount
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            raise errors.PriceInvalid(
                _("That rate exists."), detail={"field": "valid_from"}
            ) from None
        audit_record(
            actor=by, action="fx_rate.set", obj=row, before=before, after=audit_snapshot(row)
        )
    return row
