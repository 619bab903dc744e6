"""Template helpers of the portal and the query inbox."""

from __future__ import annotations

from django import template

from salesops.core.formatting import money_text, quantity_text

register = template.Library()


@register.filter
def money(amount, currency: str = ""):
    """`{{ amount|money:currency }}` -> "11,300.00 CNY"."""
    return money_text(amount, currency)


@register.filter
def qty(value):
    """A quantity without trailing zeros: 12.0000 -> 12, 2.5000 -> 2.5."""
    return quantity_text(value)
