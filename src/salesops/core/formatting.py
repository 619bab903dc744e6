"""How money and quantities read on a page or in an e-mail, in the active language."""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats

from .money import Money, UnknownCurrency


def money_text(amount, currency: str = "") -> str:
    """ "11,300.00 CNY": rounded half-up to the currency's minor unit (the display step of the
    rounding policy), grouped by the language's number format, never through float."""
    if amount is None or amount == "":
        return "—"
    value = Decimal(str(amount))
    places = 2
    if currency:
        try:
            rounded = Money(value, currency).rounded()
            value, places = rounded.amount, rounded.exponent
        except (UnknownCurrency, ValueError):
            pass
    text = formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
    return f"{text} {currency}".strip()


def quantity_text(value) -> str:
    """A quantity without trailing zeros: 12.0000 -> 12, 2.5000 -> 2.5."""
    if value is None:
        return ""
    value = Decimal(str(value)).normalize()
    places = max(0, -value.as_tuple().exponent)
    return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
