"""Rendering: golden Markdown, reproducible bytes for every format, templates (override,
sandbox, undefined variables), English locale, and the properties of each format."""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest

from safeledger.errors import SafeledgerError, UsageError
from safeledger.evaluate.periods import quarter, year
from safeledger.report import FORMATS, Source, render_report
from safeledger.report.templates import builtin_template_dir
from tests.report.helpers import make_ledger

Q2 = quarter(2025, 2)
GOLDEN = Path(__file__).parent / "golden"
SOURCE = Source(commit="0123456789abcdef0123456789abcdef01234567", dirty=False)
UPDATE = os.environ.get("SAFELEDGER_UPDATE_GOLDEN") == "1"


def _golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(data)
    assert path.exists(), f"no golden file {name} (SAFELEDGER_UPDATE_GOLDEN=1 writes it)"
    assert data == path.read_bytes(), f"{name} differs (SAFELEDGER_UPDATE_GOLDEN=1 to accept)"


@pytest.mark.parametrize("kind", ["quarterly", "tracking", "ledger"])
def test_markdown_golden(tmp_path: Path, kind: str) -> None:
    data = render_report(make_ledger(tmp_path), Q2, kind=kind, fmt="md", source=SOURCE)
    _golden(f"{kind}-2025Q2.md", data)
    text = data.decode("utf-8")
    assert "\n\n\n" not in text and text.endswith("\n") and not text.endswith("\n\n")
    assert "<" not in text  # no HTML in Markdown


def test_markdown_golden_annual(tmp_path: Path) -> None:
    _golden(
        "annual-2025.md", render_report(make_ledger(tmp_path), year(2025), fmt="md", source=SOURCE)
    )


def test_markdown_english(tmp_path: Path) -> None:
    ledger = make_ledger(tmp_path, config={"locale": "en"})
    text = render_report(ledger, Q2, fmt="md", source=SOURCE).decode()
    _golden("quarterly-2025Q2.en.md", text.encode())
    assert "Quarterly work report" in text and "Rectification rate" in text
    assert "Principal (signature)" in text
    assert "整改率" not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_bytes_twice(tmp_path: Path, fmt: str) -> None:
    ledger = make_ledger(tmp_path)
    first = render_report(ledger, Q2, fmt=fmt, source=SOURCE)
    second = render_report(make_ledger(tmp_path), Q2, fmt=fmt, source=SOURCE)
    assert first == second


def test_html_is_self_contained(tmp_path: Path) -> None:
    html = render_report(make_ledger(tmp_path), Q2, fmt="html", source=SOURCE).decode()
    assert "@page { size: A4" in html
    assert html.count("<svg") == 3
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "<script" not in html and "<link" not in html
    assert "Noto Sans CJK SC" in html
    assert "和平社区" in html  # chart labels stay text
    assert "<dc:date>" not in html


def test_html_escapes_ledger_text(tmp_path: Path) -> None:
    from tests.report.helpers import HAZARDS

    hazards = [dict(HAZARDS[3], description="<script>alert(1)</script>")]
    html = render_report(make_ledger(tmp_path, hazards=hazards), Q2, fmt="html").decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def _zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def test_docx_structure(tmp_path: Path) -> None:
    import docx

    data = render_report(make_ledger(tmp_path), Q2, fmt="docx", source=SOURCE)
    z = _zip(data)
    assert {i.date_time for i in z.infolist()} == {(2025, 6, 30, 0, 0, 0)}
    core = z.read("docProps/core.xml").decode()
    assert "2025-06-30T00:00:00Z" in core
    body = z.read("word/document.xml").decode()
    assert 'w:eastAsia="' in body
    footers = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/footer"))
    assert " PAGE " in footers
    doc = docx.Document(io.BytesIO(data))
    assert len(doc.tables) >= 10
    assert all(t.style.name == "Table Grid" for t in doc.tables)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "主要负责人（签字）" in text and "单位（盖章）" in text


def test_xlsx_structure(tmp_path: Path) -> None:
    import datetime as dt

    import openpyxl

    data = render_report(make_ledger(tmp_path), Q2, kind="ledger", fmt="xlsx", source=SOURCE)
    assert {i.date_time for i in _zip(data).infolist()} == {(2025, 6, 30, 0, 0, 0)}
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames[:2] == ["说明", "台账"]
    ws = wb["台账"]
    assert ws.freeze_panes == "A2"
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["序号", "隐患编号", "发现日期"]
    assert isinstance(ws["C2"].value, dt.datetime) and ws["C2"].number_format == "yyyy-mm-dd"
    name_col = headers.index("责任单位") + 1
    width = ws.column_dimensions[openpyxl.utils.get_column_letter(name_col)].width
    assert width >= 2 * len("责任单位")  # CJK characters count double
    wb2 = openpyxl.load_workbook(io.BytesIO(render_report(make_ledger(tmp_path), Q2, fmt="xlsx")))
    assert "主要指标" in wb2.sheetnames and "按社区" in wb2.sheetnames
    figures = {r[0].value: r[1] for r in wb2["主要指标"].iter_rows(min_row=2)}
    assert (
        figures["整改率"].value == pytest.approx(0.5) and figures["整改率"].number_format == "0.0%"
    )


def test_json_is_the_context(tmp_path: Path) -> None:
    data = json.loads(render_report(make_ledger(tmp_path), Q2, fmt="json", source=SOURCE))
    assert data["source"]["commit"] == SOURCE.commit
    assert data["figures"]["found"]["total"] == 4


# --- templates ----------------------------------------------------------------------


def test_builtin_templates_found() -> None:
    assert (builtin_template_dir() / "quarterly.md.j2").is_file()


def test_ledger_template_overrides_builtin(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "quarterly.md.j2").write_text(
        "{{ organisation }} {{ figures.found.total }} {{ figures.rectification_rate | pct }}\n",
        encoding="utf-8",
    )
    (tmp_path / "templates" / "brief.md.j2").write_text(
        "brief {{ period.label }}\n", encoding="utf-8"
    )
    ledger = make_ledger(tmp_path)
    assert render_report(ledger, Q2, fmt="md") == "同心街道办事处 4 50.0%\n".encode()
    assert render_report(ledger, Q2, fmt="md", template="brief") == b"brief 2025Q2\n"
    assert render_report(ledger, Q2, fmt="md", template="brief.md.j2") == b"brief 2025Q2\n"


def test_unknown_template_lists_available(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"quarterly\.md\.j2"):
        render_report(make_ledger(tmp_path), Q2, fmt="md", template="nope")


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ figures.__class__.__init__.__globals__ }}",
    ],
)
def test_hostile_template_is_refused(tmp_path: Path, source: str) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "evil.md.j2").write_text(f"x\n{source}\n", encoding="utf-8")
    with pytest.raises(SafeledgerError) as err:
        render_report(make_ledger(tmp_path), Q2, fmt="md", template="evil")
    message = str(err.value)
    assert "evil.md.j2" in message


def test_undefined_variable_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "typo.md.j2").write_text("{{ figures.fund }}\n", encoding="utf-8")
    with pytest.raises(SafeledgerError, match=r"typo\.md\.j2.*fund"):
        render_report(make_ledger(tmp_path), Q2, fmt="md", template="typo")


def test_syntax_error_names_template_and_line(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "bad.md.j2").write_text("ok\n{% for %}\n", encoding="utf-8")
    with pytest.raises(SafeledgerError, match=r"bad\.md\.j2 line 2"):
        render_report(make_ledger(tmp_path), Q2, fmt="md", template="bad")


def test_template_only_for_text_formats(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        render_report(make_ledger(tmp_path), Q2, fmt="docx", template="x")
