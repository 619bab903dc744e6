"""Text keys for matching: document numbers in remittance text, payer names, bank accounts.

Document numbers are compared as (letter prefix, integer value): 'INV-0010234', 'inv 10234' and
'ＩＮＶ００１０２３４' are all ('INV', 10234). In remittance text the digit part is read
typo-tolerantly (O -> 0, I/L -> 1), adjacent pieces split by a space or dash are joined
('INV 001 0234'), and a number without its prefix is looked up by value alone.

Payer names are folded to one key: NFKC (full width), case, punctuation, company suffixes
(Ltd, Limited, Co., Company, Inc, 有限公司, 股份有限公司, ... and their pinyin 'youxian gongsi'),
common abbreviations expanded ('TRDG' -> trading), and Chinese characters spelled in pinyin, so
'ACME TRADING LTD' and 'Acme Trading Co., Ltd.' share the key 'acmetrading', and
'SHENZHEN HUAXIN KEJI YOUXIAN GONGSI' and '深圳华信科技有限公司' share 'shenzhenhuaxinkeji'.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_TOKEN = re.compile(r"[A-Z0-9]+")
_JOINABLE_SEP = re.compile(r"^[ \-_]{1,2}$")
_DOC = re.compile(r"^([A-Z]*?)([0-9OIL]+)$")  # shortest prefix: 'INVO010234' -> INV 0010234
_DOC_GREEDY = re.compile(r"^([A-Z]*)([0-9][0-9OIL]*)$")  # longest: 'SO-0000999' -> SO 0000999
_TYPO = str.maketrans({"O": "0", "I": "1", "L": "1"})
_AMOUNT_AFTER = re.compile(r"^[.,]\d")
_AMOUNT_BEFORE = re.compile(r"\d[.,]$")


def doc_number_key(value: str) -> tuple[str, int] | None:
    """('INV', 10234) for 'INV-0010234'; None when the number has no digits."""
    s = unicodedata.normalize("NFKC", value or "").upper()
    prefix = "".join(ch for ch in s if "A" <= ch <= "Z")
    digits = "".join(ch for ch in s if ch.isdigit() and ch.isascii())
    if not digits:
        return None
    # letters after the first digit are not part of the prefix ('INV-2024-0012A' keeps 'INV')
    first_digit = next(i for i, ch in enumerate(s) if ch.isdigit())
    prefix = "".join(ch for ch in s[:first_digit] if "A" <= ch <= "Z")
    return prefix, int(digits)


@dataclass(frozen=True, slots=True)
class NumberHit:
    raw: str  # the text as written
    prefix: str  # the letters written before the digits ('' when none)
    value: int
    significant_digits: int
    clean: bool  # written exactly: no typo fixed, not joined from pieces


def number_candidates(text: str, max_join: int = 3) -> list[NumberHit]:
    """Everything in `text` that could be a document number, typo-tolerant.

    'PAYMENT INV 1O234 10235 LESS CHGS' -> INV/10234 (typo fixed), 10235, ... Each hit is only a
    candidate: the index decides what exists."""
    if not text:
        return []
    s = unicodedata.normalize("NFKC", text).upper()
    toks = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(s)]
    out: list[NumberHit] = []
    seen: set[tuple[str, int]] = set()
    n = len(toks)
    for i in range(n):
        _tok, start, end = toks[i]
        # an amount ('12,345.00') is not a document number
        if _AMOUNT_AFTER.match(s[end : end + 2]) or _AMOUNT_BEFORE.search(
            s[max(0, start - 2) : start]
        ):
            continue
        joined = ""
        for j in range(i, min(i + max_join, n)):
            piece, p_start, p_end = toks[j]
            if j > i:
                sep = s[toks[j - 1][2] : p_start]
                if not _JOINABLE_SEP.match(sep) or not any(ch.isdigit() for ch in piece):
                    break
                if _AMOUNT_AFTER.match(s[p_end : p_end + 2]):
                    break
            joined += piece
            for pattern in (_DOC_GREEDY, _DOC):
                m = pattern.match(joined)
                if not m:
                    continue
                prefix, body = m.groups()
                if not any(ch.isdigit() for ch in body):
                    continue
                digits = body.translate(_TYPO)
                value = int(digits)
                if value == 0 or (prefix, value) in seen:
                    continue
                seen.add((prefix, value))
                out.append(
                    NumberHit(
                        raw=s[start:p_end],
                        prefix=prefix,
                        value=value,
                        significant_digits=len(str(value)),
                        clean=digits == body and (j == i or (j == i + 1 and toks[i][0].isalpha())),
                    )
                )
    return out


# --- payer names ------------------------------------------------------------------------------

_SUFFIXES_CJK = ("股份有限公司", "有限责任公司", "有限公司", "公司")
_SUFFIX_WORDS = frozenset(
    [
        "ltd",
        "limited",
        "co",
        "company",
        "corp",
        "corporation",
        "inc",
        "incorporated",
        "llc",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "pte",
        "pty",
        "bhd",
        "the",
        "youxian",
        "gongsi",
        "gufen",
        "zeren",
        "kabushiki",
        "kaisha",
        "kk",
    ]
)
_ABBREVIATIONS = {
    "trdg": "trading",
    "trd": "trading",
    "intl": "international",
    "int'l": "international",
    "tech": "technology",
    "techn": "technology",
    "technologies": "technology",
    "mfg": "manufacturing",
    "ind": "industrial",
    "indus": "industrial",
    "elec": "electronics",
    "electr": "electronics",
    "eng": "engineering",
    "engg": "engineering",
    "svcs": "services",
    "svc": "services",
    "grp": "group",
    "hldgs": "holdings",
    "hldg": "holdings",
    "mgmt": "management",
    "dist": "distribution",
    "logist": "logistics",
    "&": "and",
}
_NAME_PUNCT = re.compile(r"[^\w&]+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff]+")


@lru_cache(maxsize=1)
def _pinyin():
    from pypinyin import lazy_pinyin  # imported lazily: loading its dictionary takes a moment

    return lazy_pinyin


def _cjk_to_pinyin(text: str) -> str:
    def repl(m: re.Match) -> str:
        run = m.group().replace("集团", " group ")
        for suffix in _SUFFIXES_CJK:
            if run.endswith(suffix):
                run = run[: -len(suffix)]
                break
        return " " + " ".join("".join(_pinyin()(part)) for part in run.split(" ")) + " "

    return _CJK.sub(repl, text)


def name_words(name: str) -> list[str]:
    """Folded words of a payer or account name, suffixes dropped, abbreviations expanded."""
    s = unicodedata.normalize("NFKC", name or "").casefold().replace("&", " & ")
    s = _cjk_to_pinyin(s)
    words = []
    for w in _NAME_PUNCT.sub(" ", s).split():
        w = _ABBREVIATIONS.get(w, w)
        if w in _SUFFIX_WORDS or w == "_":
            continue
        words.append(w)
    # a trailing bare 'co' or 'company' after expansion is a suffix too; keep at least one word
    return words


def name_key(name: str) -> str:
    """One comparable key for a name: 'ACME TRADING LTD' and 'Acme Trading Co., Ltd.' ->
    'acmetrading'."""
    return "".join(name_words(name))


def bank_account_key(value: str) -> str:
    """IBAN / account number without spaces, dashes and case ('cn12 3456-78' -> 'CN12345678')."""
    s = unicodedata.normalize("NFKC", value or "").upper()
    return "".join(ch for ch in s if ch.isalnum())
