"""Cell parsers: text in, a typed value out, or ParseError saying what would be valid.

A parser never sees an empty cell (the framework turns those into None / "" itself), so each
one only decides whether a non-empty value is acceptable.

Column paths. The stock parsers also carry a `column(cells, empty)` function: a whole column
of a batch in, the parsed list out (empty and white-space cells become `empty`), computed
with C-level loops (str.strip, regex match, dict look-ups) instead of one Python call per
cell. It returns None as soon as any cell is not plainly valid, and the framework then parses
that column cell by cell, which is what names the errors. So the column path never decides
what is valid: for every cell it accepts it returns exactly what the parser returns (a
property test in tests/core/test_imports_columns.py holds them to that).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import repeat

from django.utils.translation import gettext as _

from salesops.core.money import UnknownCurrency, currency_check, decimal_parse


class ParseError(ValueError):
    def __init__(self, message: str, valid: str = ""):
        super().__init__(message)
        self.message, self.valid = message, valid


Parser = Callable[[object], object]
ColumnParser = Callable[[list, object], "list | None"]

_MISS = object()


def column_of(parse: Parser) -> ColumnParser | None:
    """The column path of a parser, if it has one."""
    return getattr(parse, "column", None)


def memo_column(parse: Parser, limit: int = 4096) -> ColumnParser:
    """A column path for a parser of few distinct values (choices, countries, currencies,
    yes/no): each distinct cell is parsed once and remembered (at most `limit` of them)."""
    memo: dict = {}

    def column(cells: list, empty):
        try:
            out = list(map(memo.get, cells, repeat(_MISS)))
        except TypeError:  # an unhashable cell
            return None
        if _MISS in out:
            for i, v in enumerate(out):
                if v is not _MISS:
                    continue
                c = cells[i]
                if c.__class__ is str and (not c or c.isspace()):
                    out[i] = empty
                    continue
                try:
                    v = parse(c)
                except ParseError:
                    return None
                if len(memo) < limit:
                    memo[c] = v
                out[i] = v
        return out

    return column


def text(max_length: int = 255) -> Parser:
    def parse(value):
        s = value.strip() if value.__class__ is str else str(value).strip()
        if len(s) > max_length:
            raise ParseError(
                _("too long (%(n)s characters)") % {"n": len(s)},
                _("at most %(max)s characters") % {"max": max_length},
            )
        return s

    def column(cells: list, empty):
        try:
            out = list(map(str.strip, cells))
        except TypeError:  # a date or number from a workbook: cell by cell
            return None
        if out and max(map(len, out)) > max_length:
            return None
        if empty != "" and "" in out:
            out = [v if v else empty for v in out]
        return out

    parse.column = column
    return parse


_INT = re.compile(r"^[+-]?\d{1,3}([,\s']\d{3})+$|^[+-]?\d+$")
_PLAIN_INT = re.compile(r"(?:[0-9]{1,18})?\Z")


def integer(min_value: int | None = 0, max_value: int | None = 2_147_483_647) -> Parser:
    def parse(value):
        s = str(value).strip()
        if s.endswith(".0"):
            s = s[:-2]
        if not _INT.match(s):
            raise ParseError(_("not a whole number"), _("a whole number such as 1200"))
        n = int(re.sub(r"[,\s']", "", s))
        if (min_value is not None and n < min_value) or (max_value is not None and n > max_value):
            raise ParseError(
                _("out of range"),
                _("a whole number from %(lo)s to %(hi)s") % {"lo": min_value, "hi": max_value},
            )
        return n

    def column(cells: list, empty):
        # plain digits only ("1200"); signs, separators, "12.0" go cell by cell
        try:
            if not all(map(_PLAIN_INT.match, cells)):
                return None
        except TypeError:
            return None
        out = [int(c) if c else empty for c in cells]
        nums = [c for c in out if c.__class__ is int]
        if nums and (
            (min_value is not None and min(nums) < min_value)
            or (max_value is not None and max(nums) > max_value)
        ):
            return None
        return out

    parse.column = column
    return parse


_DEC = re.compile(r"^\(?[+-]?[\d.,\s'\u00a0]*\d[\d.,\s'\u00a0]*\)?$|^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")


_PLAIN_DEC = re.compile(r"-?\d{1,30}(\.\d{1,30})?\Z")


def decimal(max_digits: int = 20, decimal_places: int = 4) -> Parser:
    """Strict amounts: '1,234.50', '1 234,50', '(12.00)'; no letters, no currency signs."""
    quantum = Decimal(1).scaleb(-decimal_places)

    def parse(value):
        if isinstance(value, Decimal):
            d = value
        elif value.__class__ is str and _PLAIN_DEC.match(value):
            d = Decimal(value)  # the common case, '1234.50': no separators to interpret
        else:
            s = str(value).strip()
            if not _DEC.match(s):
                raise ParseError(_("not a number"), _("a number such as 1234.50"))
            try:
                d = decimal_parse(s) if "e" not in s.lower() else Decimal(s)
            except (ValueError, InvalidOperation):
                raise ParseError(_("not a number"), _("a number such as 1234.50")) from None
        if not d.is_finite():
            raise ParseError(_("not a number"), _("a number such as 1234.50"))
        t = d.as_tuple()
        if t.exponent < -decimal_places:
            d = d.quantize(quantum)
            t = d.as_tuple()
        digits = len(t.digits) - max(0, -t.exponent)
        if digits > max_digits - decimal_places:
            raise ParseError(
                _("too large"),
                _("at most %(n)s digits before the decimal point")
                % {"n": max_digits - decimal_places},
            )
        return d

    int_digits = max_digits - decimal_places
    if int_digits >= 1:
        # plain amounts within the limits ("1234.50"): Decimal(cell) is exactly what parse
        # returns (no rounding, no separators); anything else goes cell by cell
        plain = re.compile(
            rf"(?:-?[0-9]{{1,{int_digits}}}(?:\.[0-9]{{1,{decimal_places}}})?)?\Z"
            if decimal_places
            else rf"(?:-?[0-9]{{1,{int_digits}}})?\Z"
        )

        def column(cells: list, empty):
            try:
                if not all(map(plain.match, cells)):
                    return None
            except TypeError:
                return None
            return [Decimal(c) if c else empty for c in cells]

        parse.column = column
    return parse


def date(formats: Iterable[str] = ("%Y-%m-%d",)) -> Parser:
    formats = tuple(formats)
    shown = ", ".join(
        f.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD") for f in formats
    )

    def parse(value):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        s = str(value).strip()
        for fmt in formats:
            try:
                return dt.datetime.strptime(s, fmt).date()
            except ValueError:
                continue
        try:  # ISO timestamps as Salesforce writes them: 2020-12-22T21:16:01.000Z
            return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).date()
        except ValueError:
            pass
        raise ParseError(_("not a date"), _("a date as %(formats)s") % {"formats": shown})

    return parse


_BOOL = {
    "true": True,
    "1": True,
    "yes": True,
    "y": True,
    "x": True,
    "是": True,
    "false": False,
    "0": False,
    "no": False,
    "n": False,
    "否": False,
}


def boolean() -> Parser:
    def parse(value):
        b = _BOOL.get(str(value).strip().casefold())
        if b is None:
            raise ParseError(_("not yes/no"), "true, false, 1, 0, yes, no")
        return b

    parse.column = memo_column(parse)
    return parse


COUNTRY_ALIASES = {
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "usa": "US",
    "u.s.a.": "US",
    "u.s.": "US",
    "united states of america": "US",
    "america": "US",
    "russia": "RU",
    "south korea": "KR",
    "korea": "KR",
    "taiwan": "TW",
    "hong kong": "HK",
    "macau": "MO",
    "vietnam": "VN",
    "中国": "CN",
    "中国大陆": "CN",
    "中华人民共和国": "CN",
    "香港": "HK",
    "台湾": "TW",
    "澳门": "MO",
    "美国": "US",
    "日本": "JP",
    "德国": "DE",
    "英国": "GB",
    "法国": "FR",
    "新加坡": "SG",
    "韩国": "KR",
}


@lru_cache(maxsize=4096)
def country_code(value: str) -> str | None:
    import pycountry

    s = value.strip()
    if not s:
        return None
    alias = COUNTRY_ALIASES.get(s.casefold())
    if alias:
        return alias
    try:
        return pycountry.countries.lookup(s).alpha_2
    except LookupError:
        return None


def country() -> Parser:
    def parse(value):
        code = country_code(str(value))
        if code is None:
            raise ParseError(
                _("unknown country"),
                _("an ISO 3166 code (CN, US, DE) or English country name"),
            )
        return code

    parse.column = memo_column(parse)
    return parse


@lru_cache(maxsize=1024)
def _currency_code(value: str) -> str | None:
    try:
        return currency_check(value)
    except UnknownCurrency:
        return None


def currency() -> Parser:
    def parse(value):
        code = _currency_code(str(value))
        if code is None:
            raise ParseError(_("unknown currency"), _("an ISO 4217 code such as CNY, USD, EUR"))
        return code

    parse.column = memo_column(parse)
    return parse


def choice(options: dict[str, object], *, shown: Iterable[str] | None = None) -> Parser:
    """`options` maps accepted spellings (any case) to the stored value."""
    table = {k.strip().casefold(): v for k, v in options.items()}
    valid = ", ".join(shown if shown is not None else options.keys())

    def parse(value):
        key = str(value).strip().casefold()
        if key not in table:
            raise ParseError(_("not one of the allowed values"), valid)
        return table[key]

    parse.column = memo_column(parse)
    return parse


_SF_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_SF_UPPER = str.maketrans(
    {c: "1" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    | {c: "0" for c in "abcdefghijklmnopqrstuvwxyz0123456789"}
)
# 5 characters as upper (1) / not (0), first character first -> the check character: bit i
# of the character's index in _SF_ALPHABET is set when character i of the chunk is upper case
_SF_CHECK = {
    bits: _SF_ALPHABET[int(bits[::-1], 2)] for bits in (format(n, "05b") for n in range(32))
}
_SF_ID = re.compile(r"[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?\Z")
_SF_ID_CELL = re.compile(r"(?:[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?)?\Z")


def _sf_suffix(base: str) -> str:
    """The 3 check characters of a 15-character Id: 3 look-ups of 5 upper/lower bits."""
    b = base.translate(_SF_UPPER)
    return _SF_CHECK[b[:5]] + _SF_CHECK[b[5:10]] + _SF_CHECK[b[10:15]]


def salesforce_id18(value: str) -> str:
    """Normalise a 15-char case-sensitive Salesforce Id to the 18-char case-safe form.

    The suffix encodes, for each 5-character chunk, which characters are upper case.
    An 18-char Id keeps its first 15 characters and gets its suffix recomputed, so a
    15-char and an 18-char Id of the same record always give the same key.
    """
    s = value.strip()
    if not _SF_ID.match(s):
        raise ParseError(
            _("not a Salesforce Id"), _("15 or 18 letters and digits, e.g. 001D000000IqhSL")
        )
    base = s[:15]
    suffix = _sf_suffix(base)
    if len(s) == 18 and s[15:].upper() != suffix:
        raise ParseError(
            _("Salesforce Id checksum does not match"),
            _("the Id as exported (its last 3 characters are a checksum of the first 15)"),
        )
    return base + suffix


def _sf_column(cells: list, empty):
    try:
        if not all(map(_SF_ID_CELL.match, cells)):
            return None
    except TypeError:
        return None
    out = []
    append = out.append
    check, upper = _SF_CHECK, _SF_UPPER
    for c in cells:
        if not c:
            append(empty)
            continue
        b = c.translate(upper)
        suffix = check[b[:5]] + check[b[5:10]] + check[b[10:15]]
        if len(c) == 18 and c[15:].upper() != suffix:
            return None  # a wrong checksum: cell by cell, which names it
        append(c[:15] + suffix)
    return out


def salesforce_id() -> Parser:
    def parse(value):
        return salesforce_id18(value if value.__class__ is str else str(value))

    parse.column = _sf_column
    return parse


def sap_number() -> Parser:
    """SAP customer numbers (KUNNR) are zero-padded to 10; the key is kept without padding."""

    def parse(value):
        s = str(value).strip()
        if not re.match(r"^[A-Za-z0-9]{1,10}$", s):
            raise ParseError(_("not an SAP customer number"), _("1 to 10 letters and digits"))
        return (s.lstrip("0") or "0").upper()

    return parse
