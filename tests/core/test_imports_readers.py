"""The streaming readers: encodings, CSV quoting, Excel row numbers, broken files."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from salesops.core.imports.readers import FileError, Source, encoding_detect, header_read

TEXT = "name,city\r\n上海东方贸易有限公司,上海\r\nMüller GmbH,München\r\n"


def _rows(path, **kw):
    enc, header, it = header_read(Source(path=path, name=path.name, **kw))
    return enc, header, list(it)


@pytest.mark.parametrize(
    ("encoding", "text", "expected"),
    [
        ("utf-8", TEXT, "utf-8"),
        ("utf-8-sig", TEXT, "utf-8-sig"),
        ("gb18030", "name,city\r\n" + "上海东方贸易有限公司,上海市浦东新区\r\n" * 20, "gb18030"),
        ("latin-1", "name,city\r\nMüller GmbH,München\r\nCafé Société,Liège\r\n", None),
    ],
)
def test_csv_encoding_is_detected_from_the_content(tmp_path, encoding, text, expected):
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode(encoding))
    enc, header, rows = _rows(path)
    assert header == ["name", "city"]
    if expected:
        assert enc == expected
    # whatever the label, the text reads back exactly as written
    assert [c for _n, c in rows] == [line.split(",") for line in text.strip().split("\r\n")[1:]]


def test_encoding_can_be_forced(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes("name\r\nÅngström\r\n".encode("cp1252"))
    enc, _h, rows = _rows(path, encoding="cp1252")
    assert (enc, rows[0][1]) == ("cp1252", ["Ångström"])


def test_bom_is_not_part_of_the_first_header():
    assert encoding_detect(b"\xef\xbb\xbfId,Name\r\n") == "utf-8-sig"


def test_row_numbers_count_records_not_lines(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text('name,note\n"A, Ltd","two\nlines"\n"B ""Best"" Co",x\n', encoding="utf-8")
    _enc, _h, rows = _rows(path)
    assert rows == [(2, ["A, Ltd", "two\nlines"]), (3, ['B "Best" Co', "x"])]


def test_semicolon_separated_file_is_read(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("KUNNR;NAME1\n0000012345;Alpha GmbH\n", encoding="utf-8")
    assert _rows(path)[2] == [(2, ["0000012345", "Alpha GmbH"])]


def test_empty_file_is_a_clear_error(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(FileError) as exc:
        _rows(path)
    assert exc.value.code == "IMPORT_FILE_EMPTY" and "empty.csv" in exc.value.message


def test_xlsx_first_sheet_rows_and_types(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Name", "Revenue", "Since"])
    ws.append(["Alpha", 1200.5, dt.datetime(2024, 3, 1)])
    ws.append([None, None, None])
    ws.append(["Beta", 7, None])
    path = tmp_path / "a.xlsx"
    wb.save(path)
    enc, header, rows = _rows(path)
    assert enc == "xlsx" and header == ["Name", "Revenue", "Since"]
    assert rows == [(2, ["Alpha", "1200.5", dt.date(2024, 3, 1)]), (4, ["Beta", "7", ""])]


def test_truncated_xlsx_is_a_clear_error(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["Name"])
    full = tmp_path / "full.xlsx"
    wb.save(full)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    with pytest.raises(FileError) as exc:
        _rows(cut)
    assert exc.value.code == "IMPORT_XLSX_INVALID" and "cut.xlsx" in exc.value.message
