"""Database aggregates that keep money exact on every backend."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum


class MoneySum(Sum):
    """SUM over a DECIMAL money column, exact on SQLite too.

    SQLite adds DECIMAL columns as floats and Django quantizes only plain columns, not
    aggregates (2.02 - 2.02 - 0.01 came back as -0.00999999999999979). Every term has at most
    the column's decimal places, so rounding the sum to them restores the exact value while the
    float error stays far below half a unit (sums of up to ~10^9 terms of DECIMAL(20, 4)).
    On PostgreSQL (NUMERIC) the value is already exact and this changes nothing.
    Company-wide totals over millions of rows belong in integer minor units (engines/aging)."""

    def get_db_converters(self, connection):
        return [*super().get_db_converters(connection), self._quantize]

    def _quantize(self, value, expression, connection):
        places = getattr(self.output_field, "decimal_places", None)
        if value is None or places is None:
            return value
        return Decimal(value).quantize(Decimal(1).scaleb(-places))
