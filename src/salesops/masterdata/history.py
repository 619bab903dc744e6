"""The audit history of an account as people read it: who, when, what, and per field the
value before -> after, with field names, choices and linked records shown by name."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from salesops.core.audit import audit_history
from salesops.core.models import OrgUnit, Person

from .models import Account, PaymentTerm

ACTION_LABELS = {
    "account.create": _("Created"),
    "account.update": _("Changed"),
    "account.activate": _("Activated"),
    "account.hold": _("Put on hold"),
    "account.release": _("Released from hold"),
    "account.close": _("Closed"),
    "account.merge": _("Merged"),
    "import.commit": _("Imported"),
    "account.admin_add": _("Added in the admin"),
    "account.admin_change": _("Changed in the admin"),
}

# Fields without a translated verbose_name on the model.
FIELD_LABELS = {
    "salesforce_id": _("Salesforce Id"),
    "hubspot_id": _("HubSpot Id"),
    "parent_id": _("Parent account"),
    "territory_id": _("Territory"),
    "owner_id": _("Owner"),
    "payment_term_id": _("Payment terms"),
    "annual_revenue": _("Annual revenue"),
    "employees": _("Employees"),
    "billing_street": _("Billing street"),
    "billing_city": _("Billing city"),
    "billing_postcode": _("Billing postcode"),
    "billing_region": _("Billing region"),
    "billing_country": _("Billing country"),
    "shipping_street": _("Shipping street"),
    "shipping_city": _("Shipping city"),
    "shipping_postcode": _("Shipping postcode"),
    "shipping_region": _("Shipping region"),
    "shipping_country": _("Shipping country"),
    "source": _("Source"),
    "name_search": None,  # derived, never shown
    "created_at": None,
    "updated_at": None,
    "id": None,
}

LINKED = {
    "parent_id": Account,
    "territory_id": OrgUnit,
    "owner_id": Person,
    "payment_term_id": PaymentTerm,
}
CHOICES = {"status": Account.Status, "type": Account.Type}


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class HistoryRow:
    at: object
    actor: str
    action: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def _label(attname: str):
    if attname in FIELD_LABELS:
        return FIELD_LABELS[attname]
    try:
        return Account._meta.get_field(attname).verbose_name
    except Exception:
        return attname


def _show(attname: str, value, names: dict) -> str:
    if value is None or value == "":
        return "—"
    if attname in CHOICES:
        try:
            return str(CHOICES[attname](value).label)
        except ValueError:
            return str(value)
    if attname in LINKED:
        return names.get((attname, str(value)), f"#{value}")
    return str(value)


def account_history_rows(*, account: Account, limit: int = 50) -> list[HistoryRow]:
    events = list(audit_history(obj=account, limit=limit))
    # Resolve linked ids to names with one query per kind of link, not one per value.
    wanted: dict[str, set] = {}
    for e in events:
        for side in (e.before or {}, e.after or {}):
            for k, v in side.items():
                if k in LINKED and v not in (None, ""):
                    wanted.setdefault(k, set()).add(v)
    names = {}
    for k, ids in wanted.items():
        for obj in LINKED[k].objects.filter(pk__in=ids):
            names[(k, str(obj.pk))] = str(obj)
    rows = []
    for e in events:
        before, after = e.before or {}, e.after or {}
        row = HistoryRow(
            at=e.at,
            actor=(e.actor.get_full_name() or e.actor.username) if e.actor else _("system"),
            action=str(ACTION_LABELS.get(e.action, e.action)),
            reason=e.reason,
        )
        is_create = not before
        for k in after:
            label = _label(k)
            if label is None:
                continue
            if is_create and after[k] in (None, ""):
                continue
            row.changes.append(
                Change(
                    str(label),
                    "" if is_create else _show(k, before.get(k), names),
                    _show(k, after[k], names),
                )
            )
        rows.append(row)
    return rows
