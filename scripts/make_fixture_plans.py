"""Write the fixture plans for fictional places from their sources in ``tests/data/plans/src/``.

    .venv/bin/python scripts/make_fixture_plans.py [--check]

* ``yunling-2023.json`` → ``tests/data/plans/yunling-2023.docx``: 云岭州 (a fictional prefecture), measures
  with their units in a bracket at the end, labelled (layout 2) and some unlabelled (layout 3);
  also ``tests/data/plans/variants/yunling-2023-hant.docx``, the same plan in traditional characters.
* ``qingchuan-2024.json`` → ``tests/data/plans/qingchuan-2024.xlsx``: 青川市 (a fictional city), a task table
  (任务分工表) with a merged title row, merged chapter rows, a header repeated mid-table, an Excel date, a
  note under the table.

The output is byte-for-byte deterministic (fixed document dates, fixed zip entry times), so ``--check``
verifies the committed files match their sources. Tests import this module for the same text (the
measure paragraphs, an HTML rendering that a test prints to PDF).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import io
import json
import re
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "tests" / "data" / "plans"
SRC = PLANS / "src"
FIXED = dt.datetime(2024, 1, 1, 0, 0, 0)
ZIP_TIME = (2024, 1, 1, 0, 0, 0)


def load_source(name: str) -> dict[str, Any]:
    return json.loads((SRC / f"{name}.json").read_text(encoding="utf-8"))


def measure_paragraph(m: dict[str, Any]) -> str:
    """One measure as the plan prints it: number, text, and its unit bracket."""
    prefix = m.get("print", f"{m['n']}．")
    lead, resp = "、".join(m["lead"]), "、".join(m["resp"])
    c = m.get("colon", "：")
    if m["form"] == "L":
        when = m["deadline"] + ("完成" if m["ym"] else "")
        tail = f"（牵头单位{c}{lead}" + (f"；责任单位{c}{resp}" if resp else "") + f"，{when}）"
    elif m["form"] == "LF":
        tail = f"（牵头单位{c}{lead}；责任单位{c}{resp}；完成时限{c}{m['deadline']}）"
    else:
        tail = f"（{lead}牵头，{resp}按职责分工负责）" if resp else f"（{lead}牵头）"
    return prefix + m["text"] + tail


def inline_paragraphs(src: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(kind, text) of every paragraph of an inline-layout plan: title / text / heading / measure."""
    for line in src["preamble"]:
        yield ("title" if line == src["title"] else "text", line)
    for chapter in src["chapters"]:
        yield "heading", chapter["heading"]
        for p in chapter.get("paragraphs", []):
            yield "text", p
        for section in chapter.get("sections", []):
            yield "heading", section["heading"]
            for m in section["measures"]:
                yield "measure", measure_paragraph(m)


def measures(src: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(section name, measure) in document order, for either source."""
    out: list[tuple[str, dict[str, Any]]] = []
    for chapter in src["chapters"]:
        for section in chapter.get("sections", []):
            name = re.sub(r"^[（(][一二三四五六七八九十]+[）)]", "", section["heading"])
            out += [(name, m) for m in section["measures"]]
        if "rows" in chapter:
            name = re.sub(r"^[一二三四五六七八九十]+、", "", chapter["heading"])
            out += [(name, r) for r in chapter["rows"]]
    return out


def to_traditional(src: dict[str, Any]) -> dict[str, Any]:
    """The source with every string in traditional characters (zhconv zh-hant)."""
    from corpus.textnorm import zh_convert

    def conv(x: Any) -> Any:
        if isinstance(x, str):
            return zh_convert(x, "zh-hant")
        if isinstance(x, list):
            return [conv(v) for v in x]
        if isinstance(x, dict):
            return {k: conv(v) for k, v in x.items()}
        return x

    return conv(copy.deepcopy(src))


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip (docx / xlsx) with fixed entry times and fixed document dates."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = body.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    r"\g<1>2024-01-01T00:00:00Z\3",
                    text,
                )
                body = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, body)
    return out.getvalue()


def make_docx(src: dict[str, Any]) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "仿宋"
    style.font.size = Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    for kind, text in inline_paragraphs(src):
        p = document.add_paragraph(text)
        if kind == "title":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if kind in ("title", "heading"):
            for run in p.runs:
                run.bold = True
    props = document.core_properties
    props.author = "fixture"
    props.created = props.modified = FIXED
    props.revision = 1
    buf = io.BytesIO()
    document.save(buf)
    return _fixed_zip(buf.getvalue())


def make_xlsx(src: dict[str, Any]) -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "任务分工表"
    width = len(src["header"])
    r = 0

    def merged_row(text: str, *, bold: bool = False) -> None:
        nonlocal r
        r += 1
        sheet.cell(row=r, column=1, value=text).font = Font(bold=bold)
        sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)

    def header() -> None:
        nonlocal r
        r += 1
        for c, h in enumerate(src["header"], start=1):
            sheet.cell(row=r, column=c, value=h).font = Font(bold=True)

    r += 1
    sheet.cell(row=r, column=1, value=src["top_rows"][0])
    merged_row(src["top_rows"][1], bold=True)
    header()
    for chapter in src["chapters"]:
        merged_row(chapter["heading"], bold=True)
        for row in chapter["rows"]:
            if row["n"] == src.get("repeat_header_before"):
                header()  # the header printed again where a page would break
            r += 1
            number = row.get("print", row["n"])
            deadline: Any = row.get("deadline_cell", row["deadline"])
            if "excel_date" in row:
                deadline = dt.datetime(*row["excel_date"])
            values = [number, row["text"], "、".join(row["lead"]), "、".join(row["resp"]), deadline]
            for c, v in enumerate(values, start=1):
                cell = sheet.cell(row=r, column=c, value=v if v != "" else None)
                cell.alignment = Alignment(wrap_text=True, vertical="center")
                if isinstance(v, dt.datetime):
                    cell.number_format = "yyyy-mm-dd"
    for note in src["notes"]:
        merged_row(note)
    for col, w in zip("ABCDE", (6, 60, 24, 36, 14), strict=True):
        sheet.column_dimensions[col].width = w
    book.properties.creator = "fixture"
    book.properties.created = book.properties.modified = FIXED
    buf = io.BytesIO()
    book.save(buf)
    return _fixed_zip(buf.getvalue())


def plan_html(src: dict[str, Any]) -> str:
    """An HTML rendering of an inline-layout plan (what a test prints to PDF with Chromium)."""
    import html

    parts = []
    for kind, text in inline_paragraphs(src):
        style = ' style="text-align:center;font-weight:bold"' if kind == "title" else ""
        style = ' style="font-weight:bold"' if kind == "heading" else style
        parts.append(f"<p{style}>{html.escape(text)}</p>")
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>'
        "body{font-family:'Noto Serif CJK SC','Noto Sans CJK SC',serif;font-size:15px;line-height:1.6;"
        "margin:0}p{margin:0 0 8px 0;text-indent:2em}</style></head><body>"
        + "".join(parts)
        + "</body></html>"
    )


def outputs() -> dict[Path, bytes]:
    yunling = load_source("yunling-2023")
    qingchuan = load_source("qingchuan-2024")
    return {
        PLANS / "yunling-2023.docx": make_docx(yunling),
        PLANS / "variants" / "yunling-2023-hant.docx": make_docx(to_traditional(yunling)),
        PLANS / "qingchuan-2024.xlsx": make_xlsx(qingchuan),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="verify the committed files, write nothing")
    args = ap.parse_args(argv)
    stale = []
    for path, data in outputs().items():
        if args.check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"wrote {path.relative_to(ROOT)} ({len(data):,} bytes)")
    if stale:
        print("stale: " + ", ".join(str(p.relative_to(ROOT)) for p in stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
