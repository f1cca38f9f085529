"""Reading an uploaded contacts file (CSV or XLSX) into a header and rows of text.

CSV encodings, in this order unless the user chose one: a UTF-8 byte-order
mark means UTF-8; bytes that are valid UTF-8 are UTF-8; otherwise GB18030
(the superset of GBK and GB2312 that Chinese Excel writes), read as Windows
code page 936 does: the single byte 0x80 is the euro sign. A file that none
of them decodes is refused naming the byte, offset and line where the
encoding that read furthest stopped. The delimiter (comma, semicolon or tab)
is the one the header line uses most. XLSX is read with openpyxl in
read-only mode (first sheet), dates and numbers turned into the text Excel
shows (a `000000` number format keeps its leading zeros), and a header cell
merged over several columns names each of them.

Cells are text exactly as written; only a CSV file our own export wrote (its
"Crossdock ID" column), or a CSV or XLSX of the earlier export (its exact
first headers), has the export's formula apostrophes taken off again
(rules/formula_cells.py). Row numbers are the ones Excel shows: the header
is row 1 and every record one row, even when a quoted cell holds line breaks.

Limits: `max_bytes` is checked before anything is decoded, and rows are read
lazily and counted, so a file with more than `max_rows` rows is refused as
soon as row `max_rows + 1` is met, without holding the whole file as rows.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field

from flask_babel import gettext

from ...rules.formula_cells import unneutralised
from ...settings import configured

ENCODINGS = {  # what the user may choose -> Python codec
    "utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gbk", "gb18030": "gb18030",
    "cp936": "gbk",
}
GB_CODECS = {"gbk", "gb18030"}
CP936 = "crossdock-cp936"  # decoding error handler: 0x80 is the euro sign, as in Windows
OWN_EXPORT_HEADER = "Crossdock ID"  # the first column of our exports, in every language
# the first columns of our exports before they had OWN_EXPORT_HEADER (English, Chinese):
# their CSV and XLSX cells carry the formula apostrophe too
OLD_EXPORT_STARTS = (("Name", "Tax ID", "Phones", "E-mails", "Street"),
                     ("Name", "Company", "Job title", "Phones", "E-mails", "Street"),
                     ("名称", "税号", "电话", "电子邮箱", "街道地址"),
                     ("名称", "公司", "职务", "电话", "电子邮箱", "街道地址"))


def written_by_our_export(headers: list[str], file_type: str) -> bool:
    """Whether our export wrote the file, so its cells carry the formula apostrophe:
    a CSV with the "Crossdock ID" column, or a CSV or XLSX of the earlier export."""
    cells = tuple(h.strip() for h in headers)
    if file_type == CSV and OWN_EXPORT_HEADER in cells:
        return True
    return OWN_EXPORT_HEADER not in cells and any(cells[:len(s)] == s for s in OLD_EXPORT_STARTS)


def _cp936_errors(exc: UnicodeDecodeError):
    if isinstance(exc, UnicodeDecodeError) and exc.object[exc.start:exc.start + 1] == b"\x80":
        return "\u20ac", exc.start + 1
    raise exc


codecs.register_error(CP936, _cp936_errors)


def errors_for(codec: str) -> str:
    """The decoding error handler for `codec` (Windows' euro byte for the GB codecs)."""
    return CP936 if codec in GB_CODECS else "strict"
DELIMITERS = (",", ";", "\t")
CSV, XLSX = "csv", "xlsx"
_CHUNK = 1 << 20


class ImportFileError(ValueError):
    """The file cannot be read as a contacts table; the message says why, for the user."""


@dataclass
class ImportTable:
    headers: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (row number in the file, cells)
    file_type: str = CSV
    encoding: str | None = None
    delimiter: str | None = None
    own_export: bool = False  # written by our export (its "Crossdock ID" column)


def file_type_of(filename: str, data: bytes) -> str:
    name = (filename or "").lower()
    if name.endswith(".xls"):
        raise ImportFileError(gettext("old Excel .xls files cannot be read: save the sheet as "
                                      ".xlsx or .csv"))
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return XLSX
    return CSV


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _check_decodes(data: bytes, codec: str) -> UnicodeDecodeError | None:
    """The first decoding error of `data` in `codec` (offset made absolute), or None.
    Decoded in chunks and thrown away: a large file is not copied as text here."""
    decoder = codecs.getincrementaldecoder(codec)(errors=errors_for(codec))
    for start in range(0, len(data) or 1, _CHUNK):
        chunk = data[start:start + _CHUNK]
        final = start + _CHUNK >= len(data)
        try:
            decoder.decode(chunk, final=final)
        except UnicodeDecodeError:
            # the incremental decoder's offset is relative to its buffer: decode
            # once in full (only on this error path) for the exact offset
            try:
                data.decode(codec, errors_for(codec))
            except UnicodeDecodeError as exc:
                return exc
    return None


def _refusal(data: bytes, encoding: str, exc: UnicodeDecodeError) -> ImportFileError:
    bad = data[exc.start:exc.start + 1].hex()
    return ImportFileError(gettext(
        "the file is not valid %(encoding)s: byte 0x%(byte)s at offset %(offset)s "
        "(line %(line)s); choose the file's encoding (UTF-8, GBK/GB18030) or save it again "
        "as UTF-8", encoding=encoding, byte=bad, offset=exc.start,
        line=_line_of(data, exc.start)))


def detect_encoding(data: bytes, chosen: str | None = None) -> str:
    """The codec to read `data` with: the user's choice if it decodes, else detected."""
    if chosen:
        key = chosen.strip().lower().replace("_", "-")
        if key not in ENCODINGS:
            raise ImportFileError(gettext("unknown encoding '%(encoding)s': choose one of "
                                          "%(known)s", encoding=chosen,
                                          known=", ".join(ENCODINGS)))
        error = _check_decodes(data, ENCODINGS[key])
        if error is not None:
            raise _refusal(data, key, error)
        return ENCODINGS[key]
    if data.startswith(codecs.BOM_UTF8):
        error = _check_decodes(data, "utf-8-sig")
        if error is not None:
            raise _refusal(data, "UTF-8", error)
        return "utf-8-sig"
    utf8_error = _check_decodes(data, "utf-8")
    if utf8_error is None:
        return "utf-8"
    gb_error = _check_decodes(data, "gb18030")
    if gb_error is None:
        return "gb18030"
    # the encoding that read furthest is the file's: its error is the real bad byte
    if gb_error.start >= utf8_error.start:
        raise _refusal(data, "GB18030 (nor UTF-8)", gb_error)
    raise _refusal(data, "UTF-8 (nor GB18030)", utf8_error)


def sniff_delimiter(header_line: str) -> str:
    """The delimiter the header line uses most (comma when it has none)."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _too_many(max_rows: int) -> ImportFileError:
    return ImportFileError(gettext("the file has more than %(max)s rows, the most one import "
                                   "accepts: split it into smaller files", max=f"{max_rows:,}"))


def _blank(cells) -> bool:
    return all(not c.strip() for c in cells)


def read_csv(data: bytes, *, encoding: str | None = None, max_rows: int) -> ImportTable:
    codec = detect_encoding(data, encoding)
    text = io.TextIOWrapper(io.BytesIO(data), encoding=codec, errors=errors_for(codec),
                            newline="")
    first = text.readline()
    delimiter = sniff_delimiter(first)
    text.seek(0)
    reader = csv.reader(text, delimiter=delimiter)
    try:
        headers = next(reader, None)
        if headers is None or _blank(headers):
            raise ImportFileError(gettext("the file is empty: the first line must name the "
                                          "columns"))
        own = written_by_our_export(headers, CSV)
        table = ImportTable([h.strip() for h in headers], file_type=CSV, encoding=codec,
                            delimiter=delimiter, own_export=own)
        # Excel's row number: one per record, whatever line breaks its quoted cells hold
        for number, cells in enumerate(reader, start=2):
            if _blank(cells):
                continue
            if len(table.rows) >= max_rows:
                raise _too_many(max_rows)
            table.rows.append((number, [unneutralised(c) for c in cells] if own else cells))
    except csv.Error as exc:
        raise ImportFileError(gettext("line %(line)s: the CSV cannot be read (%(why)s)",
                                      line=reader.line_num, why=exc)) from None
    return table


def cell_text(value) -> str:
    """An XLSX cell as the text a user would have typed (13800138000.0 -> 13800138000)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


ZERO_PADDED = re.compile(r"0+")


def shown_text(value, number_format: str | None) -> str:
    """cell_text, keeping the leading zeros a `000000` number format shows (postal codes)."""
    if (isinstance(value, int) or (isinstance(value, float) and value.is_integer())) \
            and not isinstance(value, bool) and number_format \
            and ZERO_PADDED.fullmatch(number_format.strip('"')):
        return str(int(value)).zfill(len(number_format.strip('"')))
    return cell_text(value)


def _merged_ranges(data: bytes, sheet_title: str, workbook) -> list[tuple[int, int, int, int]]:
    """(min col, min row, max col, max row) of the merged cells of the first sheet.
    Read-only worksheets do not load them: read from the sheet's XML."""
    from openpyxl.utils.cell import range_boundaries

    try:
        path = workbook.active._worksheet_path
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read(path).decode("utf-8", "replace")
    except (AttributeError, KeyError, zipfile.BadZipFile):
        return []
    return [range_boundaries(ref) for ref in re.findall(r'<mergeCell\s+ref="([A-Z0-9:]+)"', xml)]


def _resolve_merged_header(headers: list[str], row: int, merged) -> list[str]:
    """A header cell merged over several columns names each of them."""
    headers = list(headers)
    for min_col, min_row, max_col, max_row in merged:
        if min_row <= row <= max_row and min_col - 1 < len(headers):
            for col in range(min_col, max_col + 1):
                if col - 1 < len(headers) and not headers[col - 1]:
                    headers[col - 1] = headers[min_col - 1]
    return headers


def read_xlsx(data: bytes, *, max_rows: int) -> ImportTable:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(gettext("the file is not a readable XLSX workbook (%(why)s)",
                                      why=exc)) from None
    try:
        sheet = workbook.active
        rows = sheet.iter_rows()
        table = None
        for number, row_cells in enumerate(rows, start=1):
            cells = [shown_text(getattr(c, "value", None), getattr(c, "number_format", None))
                     for c in row_cells]
            if table is None:
                if _blank(cells):
                    continue  # leading empty rows before the header
                merged = _merged_ranges(data, sheet.title, workbook)
                table = ImportTable(_resolve_merged_header([c.strip() for c in cells], number,
                                                           merged), file_type=XLSX)
                table.own_export = OWN_EXPORT_HEADER in table.headers
                neutralised = written_by_our_export(table.headers, XLSX)
                continue
            if _blank(cells):
                continue
            if len(table.rows) >= max_rows:
                raise _too_many(max_rows)
            table.rows.append((number, [unneutralised(c) for c in cells] if neutralised else cells))
        if table is None:
            raise ImportFileError(gettext("the sheet is empty: the first row must name the "
                                          "columns"))
        return table
    finally:
        workbook.close()


def read_table(filename: str, data: bytes, *, encoding: str | None = None,
               max_rows: int, max_bytes: int) -> ImportTable:
    """The header and rows of an uploaded file, or ImportFileError saying why not."""
    if len(data) > max_bytes:
        raise ImportFileError(gettext("the file is %(size)s MB; the most one import accepts "
                                      "is %(max)s MB", size=f"{len(data) / 1048576:.1f}",
                                      max=f"{max_bytes / 1048576:.0f}"))
    if not data.strip():
        raise ImportFileError(gettext("the file is empty"))
    if file_type_of(filename, data) == XLSX:
        return read_xlsx(data, max_rows=max_rows)
    return read_csv(data, encoding=encoding, max_rows=max_rows)


def configured_limits() -> tuple[int, int]:
    """(max rows, max bytes) from the settings CROSSDOCK_IMPORT_MAX_ROWS/_MAX_BYTES."""
    settings = configured()
    return settings.import_max_rows, settings.import_max_bytes
