"""Readers: a plan file's bytes → text lines and table rows, one reader per format.

* ``.txt`` — UTF-8 (with or without BOM), else GB18030 (what Chinese Windows tools save).
* ``.docx`` — python-docx: body paragraphs and tables in document order; a paragraph's line breaks split it;
  a table row gives its cells, with merged cells' text repeated in every grid column they cover (python-docx
  does this for both horizontal and vertical merges), and ``merged`` when one cell spans the whole row (a
  chapter name). Automatic Word numbering is not part of the text: such measures come out unnumbered and
  the layout parsers number them from their place (reported).
* ``.xlsx`` — openpyxl (values, not formulas): every sheet's non-empty rows; a merged range's value is
  copied into every cell it covers, and a row covered by one merged cell is ``merged``. Dates become
  ``2023年6月30日``; whole numbers lose their ``.0``.
* ``.pdf`` — pypdf's text layer, page by page. An encrypted PDF is opened only when the empty user
  password opens it (permissions-only protection, common in government PDFs); a PDF whose pages carry
  almost no text is a scan and is refused (no OCR here).

Every reader's text then goes through ``corpus.textnorm``: Kangxi radicals folded, traditional characters
converted when the plan is traditional. Each step that changed something is a note, reported by the loader.
Readers refuse bad files with :class:`corpus.checks.PlanFileError`; the libraries are imported when a file of
their format is read, not at import.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from corpus.checks import check_size, check_suffix, check_text_layer, refuse
from corpus.textnorm import fold_radicals, is_traditional, to_simplified

if TYPE_CHECKING:
    from docx.table import Table


@dataclass(frozen=True, slots=True)
class Line:
    """A line of text; ``loc`` is its 1-based line (txt, pdf) or paragraph (docx) number."""

    text: str
    loc: int


@dataclass(frozen=True, slots=True)
class Row:
    """A table row's cells; ``loc`` is its row number (xlsx: the sheet's, docx: the paragraph count)."""

    cells: tuple[str, ...]
    loc: int
    merged: bool = False

    @property
    def text(self) -> str:
        return "\t".join(self.cells)


Block = Line | Row


@dataclass(frozen=True, slots=True)
class Source:
    """What a reader got out of a file."""

    fmt: str
    blocks: tuple[Block, ...]
    notes: tuple[str, ...] = ()
    raw_text: str | None = None  # .txt only: the decoded text, parsed as is to keep its line numbers

    @property
    def text(self) -> str:
        """All blocks as text, one per line (rows' cells joined by tabs)."""
        if self.raw_text is not None:
            return self.raw_text
        return "\n".join(b.text for b in self.blocks)

    @property
    def lines(self) -> tuple[Line, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Line))

    @property
    def rows(self) -> tuple[Row, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Row))


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise refuse(
        "unreadable",
        "无法识别文本文件的编码（应为 UTF-8 或 GB18030）。",
        "The text file's encoding is not UTF-8 or GB18030.",
    )


def read_txt(data: bytes) -> Source:
    text = _decode(data)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks = tuple(Line(s, i + 1) for i, s in enumerate(lines))
    return Source("txt", blocks, raw_text=text)


def _unreadable(fmt: str, exc: Exception) -> Exception:
    return refuse(
        "unreadable",
        f"无法读取这个 {fmt} 文件（文件已损坏或不是 {fmt} 格式）：{exc}",
        f"Cannot read this {fmt} file (damaged, or not really {fmt}): {exc}",
    )


def _docx_rows(table: Table, start: int) -> Iterator[Row]:
    for k, row in enumerate(table.rows):
        cells = row.cells
        texts = tuple(re.sub(r"\s*\n\s*", "", c.text).strip() for c in cells)
        merged = len(cells) > 1 and len({id(c._tc) for c in cells}) == 1
        yield Row(texts, start + k, merged)


def read_docx(data: bytes) -> Source:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises zipfile, KeyError, lxml errors alike
        raise _unreadable("docx", exc) from exc
    blocks: list[Block] = []
    loc = 0
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            for part in item.text.split("\n"):
                loc += 1
                blocks.append(Line(part, loc))
        elif isinstance(item, Table):
            rows = list(_docx_rows(item, loc + 1))
            loc += len(rows)
            blocks.extend(rows)
    return Source("docx", tuple(blocks))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return re.sub(r"\s*\n\s*", "", str(value)).strip()


def read_xlsx(data: bytes) -> Source:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException …
        raise _unreadable("xlsx", exc) from exc
    blocks: list[Block] = []
    offset = 0
    for sheet in book.worksheets:
        width = sheet.max_column
        grid = {
            (c.row, c.column): _cell_text(c.value)
            for row in sheet.iter_rows()
            for c in row
            if c.value is not None and c.row is not None and c.column is not None
        }
        merged_rows: set[int] = set()
        for rng in sheet.merged_cells.ranges:
            value = grid.get((rng.min_row, rng.min_col), "")
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    grid[(r, c)] = value
            if rng.min_row == rng.max_row and rng.min_col == 1 and rng.max_col >= width > 1:
                merged_rows.add(rng.min_row)
        for r in range(1, sheet.max_row + 1):
            cells = tuple(grid.get((r, c), "") for c in range(1, width + 1))
            if any(cells):
                blocks.append(Row(cells, offset + r, r in merged_rows))
        offset += sheet.max_row
    return Source("xlsx", tuple(blocks))


def _han_count(text: str) -> int:
    return sum("\u4e00" <= c <= "\u9fff" for c in text)


def read_pdf(data: bytes) -> Source:
    import pypdf
    from pypdf.errors import PdfReadError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        notes: list[str] = []
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:  # pypdf needs `cryptography` for AES: an AES-protected file stays closed
                opened = pypdf.PasswordType.NOT_DECRYPTED
            if opened == pypdf.PasswordType.NOT_DECRYPTED:
                raise refuse(
                    "encrypted",
                    "PDF 已加密，需要密码才能打开：请提供未加密的文件。",
                    "The PDF is encrypted and needs a password: provide an unencrypted file.",
                )
            notes.append("PDF protected by permissions only (opened with the empty password)")
        pages = [page.extract_text() or "" for page in reader.pages]
    except PdfReadError as exc:
        raise _unreadable("pdf", exc) from exc
    check_text_layer([_han_count(p) for p in pages])
    blocks: list[Block] = []
    for page in pages:
        for part in page.split("\n"):
            blocks.append(Line(part.rstrip(), len(blocks) + 1))
    return Source("pdf", tuple(blocks), tuple(notes))


_READERS = {"txt": read_txt, "docx": read_docx, "xlsx": read_xlsx, "pdf": read_pdf}


def _map_text(blocks: Iterable[Block], f: Callable[[str], str]) -> tuple[Block, ...]:
    out: list[Block] = []
    for b in blocks:
        if isinstance(b, Line):
            out.append(replace(b, text=f(b.text)))
        else:
            out.append(replace(b, cells=tuple(f(c) for c in b.cells)))
    return tuple(out)


def normalize(source: Source) -> Source:
    """Fold Kangxi radicals and convert a traditional-character plan to simplified (pure)."""
    notes = list(source.notes)
    text = source.text
    folded, n = fold_radicals(text)
    blocks, raw = source.blocks, source.raw_text
    if n:
        notes.append(f"{n} radical code point(s) folded to ideographs (PDF text layer)")
        blocks = _map_text(blocks, lambda s: fold_radicals(s)[0])
        raw = folded if raw is not None else None
    traditional = is_traditional(folded)
    if traditional or source.fmt == "pdf":
        # A PDF's glyph map may also name a shared glyph by its variant code point (戶 for 户): the same
        # conversion puts those back, and leaves simplified text alone.
        before = "".join(b.text for b in blocks)
        blocks = _map_text(blocks, to_simplified)
        raw = to_simplified(raw) if raw is not None else None
        changed = sum(a != b for a, b in zip(before, "".join(b.text for b in blocks), strict=False))
        if traditional:
            notes.append("traditional characters converted to simplified (zhconv zh-hans)")
        elif changed:
            notes.append(f"{changed} variant character(s) of the PDF's glyph map put back (zhconv zh-hans)")
    return Source(source.fmt, blocks, tuple(notes), raw)


def read_plan(name: str, data: bytes, *, max_bytes: int | None = None) -> Source:
    """Read a plan file of any supported format (by its name's suffix) into lines and rows.

    Raises:
        PlanFileError: unsupported suffix, empty or too large, unreadable, encrypted, scanned.
    """
    fmt = check_suffix(name)
    if max_bytes is None:
        check_size(len(data))
    else:
        check_size(len(data), max_bytes=max_bytes)
    return normalize(_READERS[fmt](data))
