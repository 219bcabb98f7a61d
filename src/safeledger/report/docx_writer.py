"""The Word (.docx) report, written with python-docx from the report context.

A4 pages (landscape sections for wide tables), headings, bordered tables ("Table Grid")
with a repeated header row, page numbers (a PAGE field in the footer), the signature
block, and the charts as PNG images when a CJK font is available.  Every run carries an
East Asian font (``w:eastAsia``) so Word and LibreOffice render the Chinese text."""

from __future__ import annotations

import copy
import datetime as dt
import io
import unicodedata
from decimal import Decimal
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt
from lxml import etree

from safeledger.report import charts
from safeledger.report.context import fmt_rate, to_wan
from safeledger.report.reproducible import normalise_package
from safeledger.report.tables import Table, figure_type, report_tables

__all__ = ["render_docx"]

LATIN_FONT = "Times New Roman"
CJK_FONT = "SimSun"  # Word's name; LibreOffice substitutes an installed CJK font
HEADING_CJK_FONT = "SimHei"
_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
_CELL_RUNS = "w:tc/w:p/w:r"  # a table row's runs, one per cell
_T = qn("w:t")
CENTERED_KINDS = frozenset({"int", "rate", "wan", "yuan", "figure", "date"})  # numbers, dates


def cell_text(value: Any, kind: str, key: str = "") -> str:
    if kind == "figure":
        kind = figure_type(key)
    if value is None or value == "":
        return "—"
    if kind == "rate":
        return fmt_rate(value)
    if kind == "wan":
        return str(to_wan(value))
    if kind == "bool":
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:,.2f}" if kind == "yuan" else str(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def _set_run_fonts(rpr_parent: Any, latin: str, east_asian: str) -> None:
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def _styles(doc: Any) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(11)
    _set_run_fonts(normal.element, LATIN_FONT, CJK_FONT)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        style = doc.styles[name]
        _set_run_fonts(style.element, LATIN_FONT, HEADING_CJK_FONT)
        style.font.name = LATIN_FONT
    doc.styles["Title"].font.size = Pt(20)
    doc.styles["Heading 1"].font.size = Pt(14)
    doc.styles["Heading 2"].font.size = Pt(12)


def _run(paragraph: Any, text: str, *, bold: bool = False, size: float | None = None) -> Any:
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    _set_run_fonts(run._r, LATIN_FONT, CJK_FONT)
    return run


def _page_field(paragraph: Any, template: str) -> None:
    """'第 {page} 页' with a PAGE field in place of {page}."""
    before, _, after = template.partition("{page}")
    if before:
        _run(paragraph, before)
    run = _run(paragraph, "")
    for tag, attrs, text in (
        ("w:fldChar", {"w:fldCharType": "begin"}, None),
        ("w:instrText", {"xml:space": "preserve"}, " PAGE "),
        ("w:fldChar", {"w:fldCharType": "separate"}, None),
        ("w:t", {}, "1"),
        ("w:fldChar", {"w:fldCharType": "end"}, None),
    ):
        el = OxmlElement(tag)
        for k, v in attrs.items():
            el.set(qn(k), v)
        if text is not None:
            el.text = text
        run._r.append(el)
    if after:
        _run(paragraph, after)


def _setup_section(section: Any, landscape: bool, page_label: str) -> None:
    a4_w, a4_h = Cm(21.0), Cm(29.7)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (a4_h, a4_w) if landscape else (a4_w, a4_h)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin = section.bottom_margin = Cm(2.2)
    footer = section.footer
    footer.is_linked_to_previous = False
    para = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    for child in list(para._p):
        if child.tag != qn("w:pPr"):
            para._p.remove(child)
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(para, page_label)


def _repeat_header(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _column_widths(table: Table, texts: list[list[str]], available: int) -> list[int]:
    """Widths (EMU) proportional to each column's content, headers wrapping at 4 chars,
    long texts capped so one column never takes the page."""
    weights = []
    for c, (_, title, _) in enumerate(table.columns):
        content = max((display_width(row[c]) for row in texts), default=1)
        # short values (ids, dates, rates, money) keep their width; long texts share the rest
        weights.append(max(min(display_width(title), 8), min(content, 28), 4) + 2)
    total = sum(weights)
    return [int(available * w / total) for w in weights]


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(doc: Any, table: Table, none_text: str) -> None:
    if not table.rows:
        _run(doc.add_paragraph(), none_text)
        return
    t, size = _headed_table(doc, table)
    texts = _cell_texts(table)
    widths = _column_widths(table, texts, _text_width(doc))
    for cell, w in zip(t.rows[0].cells, widths, strict=True):
        cell.width = Emu(w)
    # Every row is a copy of one made through python-docx, its texts filled in: the same
    # XML as making each row that way, 5-10 times sooner (a district's overdue table has
    # 20,000 rows; python-docx spent ~0.3 ms per cell finding where each element goes).
    blank = _blank_row(t, table, widths, size)
    tbl = t._tbl
    for row_texts in texts:
        tr = copy.deepcopy(blank)
        tbl.append(tr)
        for run, text in zip(tr.iterfind(_CELL_RUNS, _NS), row_texts, strict=True):
            if _plain(text):  # most cells: one w:t, as python-docx makes it
                etree.SubElement(run, _T).text = text
            elif text:
                run.text = text  # CT_R.text: tabs, line breaks, spaces kept
    _set_grid(t, widths)


def _headed_table(doc: Any, table: Table) -> tuple[Any, float]:
    """A new table of ``table``'s columns with its header row (repeated on each page,
    shaded), and the font size of its cells."""
    t = doc.add_table(rows=1, cols=len(table.columns))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    tblpr = t._tbl.tblPr
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), "5000")
    width.set(qn("w:type"), "pct")
    for old_w in tblpr.findall(qn("w:tblW")):
        tblpr.remove(old_w)
    tblpr.append(width)
    size = 8 if len(table.columns) > 8 else 9.5
    header = t.rows[0]
    _repeat_header(header)
    for cell, (_, title, _) in zip(header.cells, table.columns, strict=True):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(cell.paragraphs[0], title, bold=True, size=size)
        shade = OxmlElement("w:shd")
        shade.set(qn("w:val"), "clear")
        shade.set(qn("w:fill"), "E7EEF7")
        cell._tc.get_or_add_tcPr().append(shade)
    return t, size


def _cell_texts(table: Table) -> list[list[str]]:
    return [
        [cell_text(row.get(key), kind, str(row.get("key", ""))) for key, _, kind in table.columns]
        for row in table.rows
    ]


def _text_width(doc: Any) -> int:
    """The width between the margins of the document's last section (EMU)."""
    section = doc.sections[-1]
    return int(section.page_width - section.left_margin - section.right_margin)


def _set_grid(t: Any, widths: list[int]) -> None:
    for col, w in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=False):
        col.set(qn("w:w"), str(int(w / 635)))  # EMU -> twentieths of a point


def _plain(text: str) -> bool:
    """Whether python-docx puts ``text`` in one ``w:t`` without ``xml:space``: no tab,
    line break or carriage return (``_RunContentAppender``), no white space at either
    end (``CT_R.add_t``)."""
    return (
        text != ""
        and text == text.strip()
        and "\t" not in text
        and "\n" not in text
        and "\r" not in text
    )


def _blank_row(t: Any, table: Table, widths: list[int], size: float) -> Any:
    """A data row of ``t`` as python-docx makes it, each cell's run without text, taken
    out of the table (``w:tr``)."""
    row = t.add_row()
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    for cell, (_, _, kind), w in zip(row.cells, table.columns, widths, strict=True):
        para = cell.paragraphs[0]
        if kind in CENTERED_KINDS:
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(para, "", size=size)
        cell.width = Emu(w)
    tr = row._tr
    tr.getparent().remove(tr)
    return tr


def _heading(doc: Any, text: str, level: int) -> None:
    h = doc.add_heading(level=level)
    _run(h, text)


def render_docx(ctx: dict[str, Any]) -> bytes:
    """The report as .docx bytes; the same context gives the same bytes."""
    lab = ctx["labels"]
    doc = Document()
    _styles(doc)
    _setup_section(doc.sections[0], False, lab["page"])

    title = doc.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, ctx["document_title"])
    info = doc.add_paragraph()
    info.alignment = WD_ALIGN_PARAGRAPH.CENTER
    src = ctx["source"]
    source_text = (
        f"{lab['commit']} {src['commit'][:12]}{' ' + lab['dirty'] if src['dirty'] else ''}"
        if src["commit"]
        else lab["not_in_git"]
    )
    sep = "：" if ctx["locale"] != "en" else ": "
    _run(
        info,
        f"{lab['organisation']}{sep}{ctx['organisation']}    "
        f"{lab['period']}{sep}{ctx['period']['start'].isoformat()} — "
        f"{ctx['period']['end'].isoformat()}    "
        f"{lab['due_date']}{sep}{ctx['period']['due_date'].isoformat()}",
        size=9.5,
    )
    _run(doc.add_paragraph(), f"{lab['source']}{sep}{source_text}", size=8)

    tables = report_tables(ctx)
    kind = ctx["kind"]
    landscape = False
    if kind in ("quarterly", "annual"):
        _heading(doc, lab["summary"], 1)
        _run(doc.add_paragraph(), ctx["summary"])
        _run(
            doc.add_paragraph(),
            lab["dynamic_zero_yes"] if ctx["dynamic_zero"] else lab["dynamic_zero_no"],
            bold=True,
        )
        font = charts.cjk_font()
        if font is None:
            _run(doc.add_paragraph(), lab["no_cjk_font"])
        else:
            for spec in charts.chart_specs(ctx):
                png = charts.render_png(spec, font)
                doc.add_picture(io.BytesIO(png), width=Cm(16.0 if spec.get("full") else 11.0))
                doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for table in tables:
        if table.wide and not landscape:  # from the first wide table on: landscape pages
            landscape = True
            if kind in ("tracking", "ledger"):
                _setup_section(doc.sections[0], True, lab["page"])
            else:
                _setup_section(doc.add_section(), True, lab["page"])
        _heading(doc, table.title, 1 if not table.id.startswith("breakdown_") else 2)
        if table.note:
            _run(doc.add_paragraph(), table.note, size=9)
        _table(doc, table, lab["none"])
    _signatures(doc, ctx)

    props = doc.core_properties
    when = dt.datetime.combine(ctx["period"]["end"], dt.time())
    props.title = f"{ctx['organisation']} {ctx['period']['label']} {ctx['kind_title']}"
    props.author = ctx["organisation"]
    props.last_modified_by = ctx["organisation"]
    props.created = when
    props.modified = when
    props.revision = 1
    props.comments = ""
    buf = io.BytesIO()
    doc.save(buf)
    return normalise_package(buf.getvalue(), ctx["period"]["end"])


def _signatures(doc: Any, ctx: dict[str, Any]) -> None:
    lab = ctx["labels"]
    doc.add_paragraph()
    _heading(doc, lab["signatures"], 2)
    for line in ctx["signatures"]:
        para = doc.add_paragraph()
        para.paragraph_format.space_before = Pt(18)
        _run(
            para,
            f"{line}：________________________"
            if ctx["locale"] != "en"
            else f"{line}: ________________________",
        )
    date_para = doc.add_paragraph()
    date_para.paragraph_format.space_before = Pt(18)
    _run(
        date_para, "日期：　　　　年　　月　　日" if ctx["locale"] != "en" else "Date: ____________"
    )
