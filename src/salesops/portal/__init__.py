"""The channel partner portal: a partner's own order board, open items, payments, statements
and queries. Every read goes through the receivables selectors with the partner's user, so the
portal shows only the partner's own account; other ids are "not found"."""
