"""Template helpers of the portal and the query inbox."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import formats

from salesops.core.money import Money, UnknownCurrency

register = template.Library()


@register.filter
def money(amount, currency: str = ""):
    """`{{ amount|money:currency }}`: rounded to the currency's minor unit, grouped by the
    language's number format, with the currency code ("11,300.00 CNY")."""
    if amount is None or amount == "":
        return "—"
    value = Decimal(str(amount))
    try:
        rounded = Money(value, currency).rounded()
        value, places = rounded.amount, rounded.exponent
    except (UnknownCurrency, ValueError):
        places = 2
    text = formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
    return f"{text} {currency}".strip()


@register.filter
def qty(value):
    """A quantity without trailing zeros: 12.0000 -> 12, 2.5000 -> 2.5."""
    if value is None:
        return ""
    value = Decimal(str(value)).normalize()
    places = max(0, -value.as_tuple().exponent)
    return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
