"""Simplified Chinese number formats for SalesOps: amounts grouped by thousands with a comma
(10,000,000.00), as on Chinese invoices and bank statements; Django's default for zh_Hans
prints no separator at all. Dates keep Django's zh_Hans formats."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
