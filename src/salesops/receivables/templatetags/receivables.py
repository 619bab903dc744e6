"""Template filters of the receivables desk: money in the currency's minor unit."""

from django import template

from salesops.core.formatting import money_text

register = template.Library()


@register.filter
def money(value, currency: str = "") -> str:
    """`{{ invoice.amount|money:invoice.currency }}` -> "11,300.00 CNY"."""
    return money_text(value, currency)


@register.filter
def money_input(value) -> str:
    """An amount for an <input>: plain digits and a dot, no grouping."""
    return "" if value in (None, "") else str(value)
