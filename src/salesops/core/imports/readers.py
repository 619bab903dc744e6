"""Streaming readers: a file in, (row number, list of cell values) out, never the whole file.

Row numbers are what a person sees in Excel: the header is row 1, the first record row 2.
A CSV record with a quoted newline is still one row (physical line numbers would drift).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from salesops.core.errors import DomainError

SAMPLE_BYTES = 256 * 1024
XLSX_MAGIC = b"PK\x03\x04"


class FileError(DomainError):
    """The file as a whole cannot be imported (unreadable, empty, wrong columns)."""

    code = "IMPORT_FILE_INVALID"


@dataclass
class Source:
    path: Path
    name: str  # the file name the user knows
    encoding: str | None = None  # forced encoding for CSV
    sheet: str | None = None  # named sheet for XLSX

    @property
    def is_xlsx(self) -> bool:
        if self.path.suffix.lower() in (".xlsx", ".xlsm"):
            return True
        with open(self.path, "rb") as fh:
            return fh.read(4) == XLSX_MAGIC


def encoding_detect(sample: bytes) -> str:
    """The text encoding of a CSV from a sample of its bytes.

    A BOM decides; then strict UTF-8 (a multi-byte character cut at the sample's end is
    allowed); then charset-normalizer, which tells GB18030 from Latin-1 and friends.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        return "latin-1"
    enc = best.encoding.lower().replace("_", "-")
    if enc in ("gb2312", "gbk", "hz", "gb18030"):
        return "gb18030"  # the superset: never fails where the subsets succeed
    western = ("ascii", "cp1250", "cp1252", "windows-1252", "windows-1250", "mac-roman")
    if enc in western or enc.startswith(("iso8859", "iso-8859", "latin")):
        # single-byte Latin scripts are ambiguous; business files are mostly Windows-1252
        try:
            sample.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            return "latin-1"
    return enc


class _Dialect(csv.excel):
    delimiter = ","


def _csv_dialect(text_sample: str):
    """Excel's CSV rules, with the delimiter that occurs most in the header line."""
    first = text_sample.split("\n", 1)[0]
    counts = {d: first.count(d) for d in ",;\t|"}
    best = max(counts, key=lambda d: counts[d])
    return type("Dialect", (_Dialect,), {"delimiter": best if counts[best] else ","})


def _check_not_empty(path: Path, name: str) -> None:
    if path.stat().st_size == 0:
        raise FileError(_("%(file)s is empty.") % {"file": name}, code="IMPORT_FILE_EMPTY")


def csv_rows(src: Source) -> tuple[str, Iterator[tuple[int, list]]]:
    """The encoding used and an iterator of (row number, cells) including the header (row 1)."""
    _check_not_empty(src.path, src.name)
    with open(src.path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    if not sample.strip():
        raise FileError(_("%(file)s is empty.") % {"file": src.name}, code="IMPORT_FILE_EMPTY")
    encoding = src.encoding or encoding_detect(sample)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise FileError(
            _("Unknown encoding '%(enc)s'.") % {"enc": encoding}, code="IMPORT_ENCODING"
        ) from None
    if encoding.replace("_", "-").lower() in ("utf-8", "utf8") and sample.startswith(
        codecs.BOM_UTF8
    ):
        encoding = "utf-8-sig"
    head = sample.decode(encoding, errors="replace")
    dialect = _csv_dialect(head)

    def gen():
        row_no = 0
        with open(src.path, encoding=encoding, newline="", errors="strict") as text:
            reader = csv.reader(text, dialect)
            try:
                for row_no, cells in enumerate(reader, start=1):
                    first = cells[0] if cells else ""
                    if (not first or first.isspace()) and not "".join(cells).strip():
                        continue  # blank line: Excel shows it, but it is no record
                    yield row_no, cells
            except UnicodeDecodeError:
                raise FileError(
                    _(
                        "%(file)s cannot be read as %(enc)s after row %(row)s. Choose the "
                        "file's encoding (UTF-8, GB18030, Latin-1 ...)."
                    )
                    % {"file": src.name, "enc": encoding, "row": row_no},
                    code="IMPORT_ENCODING",
                    detail={"file": src.name, "row": row_no, "encoding": encoding},
                ) from None
            except csv.Error as exc:
                raise FileError(
                    _("%(file)s row %(row)s is not valid CSV: %(err)s")
                    % {"file": src.name, "row": row_no + 1, "err": exc},
                    code="IMPORT_CSV_INVALID",
                ) from None

    return encoding, gen()


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def xlsx_rows(src: Source) -> Iterator[tuple[int, list]]:
    _check_not_empty(src.path, src.name)
    import openpyxl

    try:
        wb = openpyxl.load_workbook(src.path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
        raise FileError(
            _("%(file)s is not a readable Excel workbook (truncated or corrupt): %(err)s")
            % {"file": src.name, "err": exc},
            code="IMPORT_XLSX_INVALID",
        ) from None
    except Exception as exc:  # openpyxl raises its own InvalidFileException and others
        raise FileError(
            _("%(file)s is not a readable Excel workbook: %(err)s")
            % {"file": src.name, "err": exc},
            code="IMPORT_XLSX_INVALID",
        ) from None
    if src.sheet:
        if src.sheet not in wb.sheetnames:
            raise FileError(
                _("%(file)s has no sheet '%(sheet)s'; it has: %(sheets)s")
                % {"file": src.name, "sheet": src.sheet, "sheets": ", ".join(wb.sheetnames)},
                code="IMPORT_XLSX_SHEET",
            )
        ws = wb[src.sheet]
    else:
        ws = wb.worksheets[0]

    def gen():
        try:
            for row_no, values in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = [_cell(v) for v in values]
                if not any(c if not isinstance(c, str) else c.strip() for c in cells):
                    continue
                yield row_no, cells
        except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError) as exc:
            raise FileError(
                _("%(file)s is truncated or corrupt: %(err)s") % {"file": src.name, "err": exc},
                code="IMPORT_XLSX_INVALID",
            ) from None
        except Exception as exc:  # zlib.error, lxml errors on a cut-off sheet
            raise FileError(
                _("%(file)s is truncated or corrupt: %(err)s") % {"file": src.name, "err": exc},
                code="IMPORT_XLSX_INVALID",
            ) from None
        finally:
            wb.close()

    return gen()


def rows_open(src: Source) -> tuple[str, Iterator[tuple[int, list]]]:
    """('xlsx' or the CSV encoding, iterator of (row number, cells)) for any supported file."""
    if src.path.stat().st_size and src.is_xlsx:
        return "xlsx", xlsx_rows(src)
    return csv_rows(src)


def header_read(src: Source) -> tuple[str, list[str], Iterator[tuple[int, list]]]:
    """(encoding, header, data rows iterator); an empty file is a FileError."""
    encoding, it = rows_open(src)
    first = next(it, None)
    if first is None:
        raise FileError(_("%(file)s is empty.") % {"file": src.name}, code="IMPORT_FILE_EMPTY")
    _row, header = first
    header = [str(h).lstrip("\ufeff").strip() for h in header]
    while header and not header[-1]:
        header.pop()
    return encoding, header, it
