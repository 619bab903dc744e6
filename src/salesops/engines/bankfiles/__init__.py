"""Reading bank files: MT940/MT942, camt.052/053/054, BAI2 and bank CSV exports.

    statements_read(data_or_path, filename="") -> list[BankStatement]

The format is told by the content, never by the file name:
  * XML whose root namespace is urn:iso:std:iso:20022:tech:xsd:camt.05[234].001.NN -> camt;
  * a first record "01," (after blank lines)                                       -> BAI2;
  * SWIFT tags at the start of a line (":20:", ":25:", ":60F:", ":61:" ...) or a
    "{1:" envelope                                                                 -> MT940;
  * anything else is read as CSV through the mapping presets (csvfiles.PRESETS).

Pure: no Django, no other salesops package (import-linter enforces it). Every problem with a
file is one `BankFileError` naming the file, the line or element, and the value. Balances are
checked, not enforced: `BankStatement.balance_difference` says by how much a statement's lines
miss its closing balance, and the caller decides (the app holds such a statement back).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .model import BankFileError, BankStatement, BankTransaction, TransactionIds

__all__ = [
    "BankFileError",
    "BankStatement",
    "BankTransaction",
    "TransactionIds",
    "detect_format",
    "statements_read",
]

_MT940_RE = re.compile(
    rb"^\s*(\{1:|:\n?(13D?|20|21|25P?|28C?|34F|60[FM]|61|62[FM]|64|65|86|90[CD]|940|NS):)",
    re.MULTILINE,
)
_BAI2_LIKE_RE = re.compile(rb"^\d\d,[^\n]*,[^\n]*/[ \t]*\r?(\n|$)")
_CAMT_NS_RE = re.compile(rb"urn:iso:std:iso:20022:tech:xsd:camt\.05[234]\.001\.\d\d")


def detect_format(data: bytes) -> str:
    """ "camt", "bai2", "mt940" or "csv", from the first bytes of the content."""
    head = data[:8192]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    stripped = head.lstrip()
    if stripped.startswith(b"<"):
        return "camt" if _CAMT_NS_RE.search(head) or b"camt" in head else "xml"
    if stripped[:3] == b"01," or _BAI2_LIKE_RE.match(stripped):
        return "bai2"
    if _MT940_RE.search(head):
        return "mt940"
    return "csv"


def _text(data: bytes, filename: str, fallback: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise BankFileError(filename, "", "broken UTF-16 text") from None
    if b"\x00" in data:
        raise BankFileError(filename, "", "binary data, not a text file (wrong encoding?)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(fallback)


def statements_read(data: bytes | str | os.PathLike, *, filename: str = "") -> list[BankStatement]:
    """Read every statement in a bank file (bytes, or a path to one)."""
    if isinstance(data, (str, os.PathLike)):
        path = Path(data)
        filename = filename or path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise BankFileError(filename, "", "cannot be opened", exc.strerror) from None
    if not data or not data.strip():
        raise BankFileError(filename, "", "the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = _text(data, filename, "utf-8").encode("utf-8")
    kind = detect_format(data)
    if kind == "camt":
        from .camt import read_camt

        return read_camt(data, filename)
    if kind == "xml":
        raise BankFileError(
            filename, "root element", "XML, but not an ISO 20022 camt.052/053/054 document"
        )
    if kind == "bai2":
        from .bai2 import read_bai2

        return read_bai2(_text(data, filename, "cp1252"), filename)
    if kind == "mt940":
        from .swift import read_mt940

        # SWIFT's character set is ASCII; national exports use UTF-8 or, in Central Europe,
        # code page 852 (the mt-940 library's own fallback).
        return read_mt940(_text(data, filename, "cp852"), filename)
    from .csvfiles import read_csv

    return read_csv(data, filename)
