"""Hostile ledger text in reports and exports: escaped in HTML (also in the SVG charts),
inert in CSV and XLSX (export, the xlsx report, ``status --format csv``), harmless in Word."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from safeledger.cli.app import app
from tests.security.hostile import COMMUNITY, IMG, SCRIPT, TRIGGERS, write_hostile_ledger

runner = CliRunner()


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_hostile_ledger(tmp_path_factory.mktemp("hostile") / "ledger")


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_ledger_loads_without_errors(ledger: Path) -> None:
    result = runner.invoke(app, ["check", str(ledger), "--as-of", "2025-06-30"])
    assert result.exit_code == 0, result.output  # hostile but valid: warnings only


def test_html_report_escapes_everything(ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    _run("report", str(ledger), "--quarter", "2025Q2", "--kind", "ledger", "-o", str(out))
    html = out.read_text(encoding="utf-8")
    for raw in (SCRIPT, IMG, COMMUNITY, "<img", "<b onmouseover"):
        assert raw not in html
    assert "&lt;script&gt;" in html
    assert "{{ ''.__class__.__mro__ }}".replace("'", "&#39;") in html  # shown, not run
    assert "<script" not in html.lower()


def test_html_quarterly_with_charts(ledger: Path, tmp_path: Path) -> None:
    """The community chart's labels come from the ledger; ``$\\frac…$`` is not mathtext
    (a bad one used to raise ValueError in matplotlib) and markup stays text."""
    out = tmp_path / "q.html"
    _run("report", str(ledger), "--quarter", "2025Q2", "-o", str(out))
    html = out.read_text(encoding="utf-8")
    assert "<svg" in html and "<b onmouseover" not in html and "<script" not in html.lower()


def test_chart_labels_are_not_mathtext_and_titles_escaped() -> None:
    from safeledger.report.charts import render_svg

    for label in ("$\\foo{$x", "$x^{$", "<script>x</script>&\"'"):
        svg = render_svg(
            {
                "id": "c",
                "title": 'a"><script>',
                "kind": "bar",
                "categories": [label],
                "series": [("s", [1], "#000")],
            },
            None,
        )
        assert "<script>" not in svg and 'aria-label="a&quot;&gt;&lt;script&gt;"' in svg


def _formula_cells(data: bytes) -> list[str]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    bad = []
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    bad.append(f"{ws.title}!{cell.coordinate} formula {cell.value!r}")
                elif (
                    isinstance(cell.value, str)
                    and cell.value.startswith(TRIGGERS)
                    and not cell.quotePrefix
                ):
                    bad.append(f"{ws.title}!{cell.coordinate} no quote prefix {cell.value!r}")
    return bad


def _no_formula_xml(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name


def test_xlsx_report_has_no_formula(ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    for kind in ("quarterly", "ledger", "tracking"):
        _run("report", str(ledger), "--quarter", "2025Q2", "--kind", kind, "-o", str(out))
        data = out.read_bytes()
        assert _formula_cells(data) == []
        _no_formula_xml(data)


def test_xlsx_export_has_no_formula(ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "e.xlsx"
    _run("export", str(ledger), "--format", "xlsx", "-o", str(out))
    data = out.read_bytes()
    assert _formula_cells(data) == []
    _no_formula_xml(data)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    texts = {c.value for ws in wb for row in ws.iter_rows() for c in row}
    assert "=1+1" in texts  # the value is kept as text, not dropped


def _csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--format", "csv", "--kind", "hazards"],
        ["export", "--format", "csv", "--kind", "enterprises"],
        ["status", "--as-of", "2025-06-30", "--format", "csv"],
        ["status", "--as-of", "2025-06-30", "--format", "csv", "--duties"],
    ],
)
def test_csv_cells_are_inert(ledger: Path, args: list[str]) -> None:
    text = _run(args[0], str(ledger), *args[1:])
    cells = _csv_cells(text)
    assert cells
    live = [c for c in cells if c.startswith(TRIGGERS)]
    assert live == [], live


def test_status_csv_keeps_values_readable(ledger: Path) -> None:
    text = _run("status", str(ledger), "--as-of", "2025-06-30", "--format", "csv")
    assert "'=1+1" in _csv_cells(text)


def test_docx_report_has_no_fields_or_macros(ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.docx"
    _run("report", str(ledger), "--quarter", "2025Q2", "--kind", "ledger", "-o", str(out))
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        body = z.read("word/document.xml").decode("utf-8")
    assert not any(n.endswith((".bin", "vbaProject.bin")) for n in names)
    assert "<w:fldSimple" not in body and "<w:instrText" not in body
    assert "&lt;script&gt;" in body  # the text is there, as text
