"""Reading import files: encodings detected or chosen, delimiters, XLSX, limits."""
from __future__ import annotations

import codecs
import datetime as dt
import io

import pytest

from addons.contacts.services.imports.reading import ImportFileError, read_table

LIMITS = dict(max_rows=1000, max_bytes=1 << 20)
CHINESE = "名称,手机,城市\n华为技术有限公司,138 0013 8000,深圳\n张三,13900139000,北京\n"


def read(data: bytes, filename="contacts.csv", **kwargs):
    return read_table(filename, data, **{**LIMITS, **kwargs})


@pytest.mark.parametrize("data, codec", [
    (CHINESE.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + CHINESE.encode("utf-8"), "utf-8-sig"),
    (CHINESE.encode("gbk"), "gb18030"),
    (CHINESE.encode("gb18030"), "gb18030"),
])
def test_encodings_are_detected_and_chinese_comes_back_intact(data, codec):
    table = read(data)
    assert table.encoding == codec
    assert table.headers == ["名称", "手机", "城市"]  # no BOM left on the first header
    assert table.rows == [(2, ["华为技术有限公司", "138 0013 8000", "深圳"]),
                          (3, ["张三", "13900139000", "北京"])]


def test_gb18030_only_characters_are_read():
    text = "名称\n𠀀记商行\n"  # a CJK Extension B character: in GB18030, not in GBK
    table = read(text.encode("gb18030"))
    assert table.rows == [(2, ["𠀀记商行"])]


def test_a_chosen_encoding_wins_over_detection():
    data = "名称\n张三\n".encode("gbk")
    assert read(data, encoding="GBK").rows == [(2, ["张三"])]


def test_a_wrong_chosen_encoding_is_refused_naming_offset_and_line():
    data = "name,city\nZhang,北京\n".encode("gbk")
    with pytest.raises(ImportFileError) as exc:
        read(data, encoding="utf-8")
    message = str(exc.value)
    assert "not valid utf-8" in message
    assert "offset 16" in message and "line 2" in message


def test_an_unknown_encoding_choice_is_refused():
    with pytest.raises(ImportFileError, match="unknown encoding 'latin-9'"):
        read(b"name\nx\n", encoding="latin-9")


def test_bytes_no_encoding_decodes_are_refused():
    data = b"name\nabc\n" + b"\xff\xff\xff\n"  # invalid in UTF-8 and in GB18030
    with pytest.raises(ImportFileError) as exc:
        read(data)
    assert "byte 0xff at offset 9 (line 3)" in str(exc.value)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_sniffed_from_the_header(delimiter):
    text = delimiter.join(["name", "city", "notes"]) + "\n" + delimiter.join(
        ["Acme", "Paris", '"a, b; c"']) + "\n"
    table = read(text.encode())
    assert table.delimiter == delimiter
    assert table.rows == [(2, ["Acme", "Paris", "a, b; c"])]


def test_row_numbers_are_excels_and_blank_rows_are_skipped():
    # issue 20 (4): a cell with a line break is one Excel row, not two lines
    text = 'name,notes\nA,x\n\n,\nB,"two\nlines"\nC,y\n'
    table = read(text.encode())
    assert table.rows == [(2, ["A", "x"]), (5, ["B", "two\nlines"]), (6, ["C", "y"])]


def test_an_empty_file_or_header_only_is_refused_clearly():
    with pytest.raises(ImportFileError, match="empty"):
        read(b"   \n")


def xlsx(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_xlsx_cells_become_the_text_a_user_typed():
    data = xlsx([["名称", "手机", "签约日期", "金额", "VIP"],
                 ["华为", 13800138000, dt.datetime(2026, 3, 1), 12.5, True],
                 [None, None, None, None, None],
                 ["张三", "+86 139 0013 9000", dt.date(2025, 1, 2), 3, False]])
    table = read(data, filename="客户.xlsx")
    assert table.file_type == "xlsx"
    assert table.headers == ["名称", "手机", "签约日期", "金额", "VIP"]
    assert table.rows == [(2, ["华为", "13800138000", "2026-03-01", "12.5", "true"]),
                          (4, ["张三", "+86 139 0013 9000", "2025-01-02", "3", "false"])]


def test_a_broken_xlsx_and_an_old_xls_are_refused():
    with pytest.raises(ImportFileError, match="not a readable XLSX"):
        read(b"PK\x03\x04 not really a zip", filename="x.xlsx")
    with pytest.raises(ImportFileError, match=r"save the sheet as \.xlsx"):
        read(b"\xd0\xcf\x11\xe0", filename="old.xls")


def test_a_file_above_the_size_limit_is_refused_before_reading():
    with pytest.raises(ImportFileError, match="the most one import accepts is 1 MB"):
        read(b"name\n" + b"x" * (2 << 20))


def test_too_many_rows_are_refused_in_csv_and_xlsx():
    csv_data = ("name\n" + "".join(f"c{i}\n" for i in range(11))).encode()
    with pytest.raises(ImportFileError, match="more than 10 rows"):
        read(csv_data, max_rows=10)
    assert len(read(csv_data, max_rows=11).rows) == 11
    with pytest.raises(ImportFileError, match="more than 10 rows"):
        read(xlsx([["name"], *[[f"c{i}"] for i in range(11)]]), filename="a.xlsx", max_rows=10)


def test_a_million_rows_are_refused_with_the_limit_named():
    data = b"name,phone\n" + b"".join(b"Contact %d,13800138000\n" % i for i in range(1_000_000))
    with pytest.raises(ImportFileError, match="more than 200,000 rows"):
        read_table("big.csv", data, max_rows=200_000, max_bytes=64 << 20)


# --- issue 20: faithful reading ----------------------------------------------

def test_cells_of_other_peoples_files_are_read_exactly_as_written():
    text = "名称,备注\n甲公司,'-' 表示未知\n乙公司,'=1+1\n丙公司,''=x\n"
    assert read(text.encode("utf-8")).rows == [
        (2, ["甲公司", "'-' 表示未知"]), (3, ["乙公司", "'=1+1"]), (4, ["丙公司", "''=x"])]
    book = xlsx([["名称", "备注"], ["甲公司", "'-' 表示未知"]])
    assert read(book, filename="a.xlsx").rows == [(2, ["甲公司", "'-' 表示未知"])]


def test_our_own_csv_export_has_its_formula_apostrophes_taken_off():
    from addons.contacts.rules.formula_cells import safe_cell

    stored = ["=HYPERLINK(1)", "'-' 表示未知", "+86 138", "plain", "''"]
    line = ",".join(f'"{safe_cell(v)}"' for v in stored)
    table = read(f"Crossdock ID,{','.join('abcde')}\nx:company_1,{line}\n".encode())
    assert table.own_export and table.rows == [(2, ["x:company_1", *stored])]


def test_a_windows_gbk_file_with_the_euro_byte_is_read():
    data = "名称,备注\n欧元公司,".encode("gbk") + b"\x80" + "100 报价\n".encode("gbk")
    table = read(data)
    assert table.encoding == "gb18030" and table.rows == [(2, ["欧元公司", "€100 报价"])]
    assert read(data, encoding="cp936").rows == table.rows


def test_the_refusal_names_the_byte_that_really_cannot_be_decoded():
    lines = ["名称,城市"] + [f"公司{i},北京" for i in range(5)]
    data = "\n".join(lines).encode("gbk") + b"\n\xff\xfe,x\n"
    with pytest.raises(ImportFileError) as exc:
        read(data)
    offset = data.index(b"\xff")
    # not the first Chinese byte UTF-8 trips on (line 1), but the 0xff on line 7
    assert f"byte 0xff at offset {offset} (line 7)" in str(exc.value)


def test_xlsx_zero_padded_number_formats_keep_their_leading_zeros():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["名称", "邮编", "编号"])
    sheet.append(["甲", 10080, 7])
    sheet["B2"].number_format = "000000"
    sheet["C2"].number_format = "0000"
    out = io.BytesIO()
    book.save(out)
    assert read(out.getvalue(), filename="a.xlsx").rows == [(2, ["甲", "010080", "0007"])]


def test_a_header_merged_over_columns_names_each_of_them():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["名称", "电话", None, "城市"])
    sheet.merge_cells("B1:C1")
    sheet.append(["甲", "13800138000", "010 6552 9988", "北京"])
    out = io.BytesIO()
    book.save(out)
    table = read(out.getvalue(), filename="a.xlsx")
    assert table.headers == ["名称", "电话", "电话", "城市"]
    assert table.rows == [(2, ["甲", "13800138000", "010 6552 9988", "北京"])]


def test_files_of_the_earlier_export_still_have_their_apostrophes_taken_off():
    header = ["Name", "Tax ID", "Phones", "E-mails", "Street", "Notes"]
    row = ["'=HYPERLINK(1)", "", "'+86 138 0013 8000", "", "'-2", "'@张三 备注"]
    plain = ["=HYPERLINK(1)", "", "+86 138 0013 8000", "", "-2", "@张三 备注"]
    text = ",".join(header) + "\n" + ",".join(row) + "\n"
    assert read(text.encode()).rows == [(2, plain)]
    assert read(xlsx([header, row]), filename="old.xlsx").rows == [(2, plain)]
    # the same cells in a file that is not our export stay as written
    assert read(xlsx([["名称"] + header[1:], row]), filename="x.xlsx").rows == [(2, row)]
