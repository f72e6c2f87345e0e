"""Reading a CSV or XLSX upload as rows of text cells (CU7), with precise errors.

CSV: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252 (what Excel in Spanish saves);
the separator is sniffed among comma, semicolon, tab and pipe. XLSX: the first sheet, values
not formulas. Anything else raises ``MalformedFile`` saying where and why, in Spanish.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _


class MalformedFile(Exception):
    """The stored file cannot be read as a table; the message says where and why (Spanish)."""


def _cell(value: Any) -> str:
    """A spreadsheet cell as text; whole numbers (phones typed as numbers) lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _decode(raw: bytes) -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    if raw.startswith(b"PK\x03\x04"):
        raise MalformedFile(_("El archivo parece un Excel (.xlsx) guardado con extensión .csv."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")  # what Excel in Spanish saves as "CSV"
        except UnicodeDecodeError as exc:
            raise MalformedFile(
                _(
                    "No se reconoce la codificación del archivo (byte %(b)s en la posición "
                    "%(p)s); guárdelo como CSV UTF-8."
                )
                % {"b": hex(raw[exc.start]), "p": exc.start}
            ) from exc
    if "\x00" in text:
        raise MalformedFile(_("El archivo contiene bytes nulos: no es un CSV de texto."))
    return text


def _csv_rows(raw: bytes) -> Iterator[list[str]]:
    text = _decode(raw)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=dialect.delimiter,
        quotechar='"',
        doublequote=True,
        strict=True,
    )
    number = 0
    try:
        for number, row in enumerate(reader, start=1):  # noqa: B007 (used in the except)
            yield [cell.strip() for cell in row]
    except csv.Error as exc:
        raise MalformedFile(
            _(
                "El CSV está mal formado en la fila %(n)s (comillas sin cerrar o separadores "
                "incorrectos)."
            )
            % {"n": number + 1}
        ) from exc


def _xlsx_rows(raw: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken or foreign file
        raise MalformedFile(
            _("No se pudo abrir el Excel: el archivo está dañado o no es un .xlsx (%(e)s).")
            % {"e": type(exc).__name__}
        ) from exc
    try:
        if not workbook.worksheets:
            raise MalformedFile(_("El Excel no tiene hojas."))
        number = 0
        try:
            for number, row in enumerate(  # noqa: B007 (used in the except)
                workbook.worksheets[0].iter_rows(values_only=True), start=1
            ):
                yield [_cell(value) for value in row]
        except Exception as exc:  # a damaged sheet fails while it is read, not when opened
            raise MalformedFile(
                _("El Excel está dañado: no se pudo leer la fila %(n)s de la primera hoja (%(e)s).")
                % {"n": number + 1, "e": type(exc).__name__}
            ) from exc
    finally:
        workbook.close()


def read_table(raw: bytes, file_format: str) -> Iterator[list[str]]:
    """The rows of RAW ("csv" or "xlsx") as lists of stripped text cells, blank rows included."""
    return _csv_rows(raw) if file_format == "csv" else _xlsx_rows(raw)
