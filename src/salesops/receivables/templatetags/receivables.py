"""Template filters of the receivables desk: money in the currency's minor unit."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from salesops.core.money import Money, UnknownCurrency

register = template.Library()


@register.filter
def money(value, currency: str = "") -> str:
    """`{{ invoice.amount|money:invoice.currency }}` -> "11,300.00 CNY" (grouped per
    language, rounded half-up to the currency's minor unit, never through float)."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value)
    exponent = 2
    if currency:
        try:
            m = Money(amount, currency).rounded()
            amount, exponent = m.amount, m.exponent
        except UnknownCurrency:
            pass
    text = number_format(amount, decimal_pos=exponent, use_l10n=True, force_grouping=True)
    return f"{text} {currency}".strip()


@register.filter
def money_input(value) -> str:
    """An amount for an <input>: plain digits and a dot, no grouping."""
    return "" if value in (None, "") else str(value)
