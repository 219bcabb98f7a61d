"""Checked as a person would: the HTML rendered by headless Chromium, the Word file
converted by LibreOffice, both turned into PNG images that must not be blank.

Skipped (with the reason) where the tools are not installed; CI installs Debian's
``chromium``, ``libreoffice-writer``, ``poppler-utils`` and ``fonts-noto-cjk``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from safeledger.evaluate.periods import quarter
from safeledger.report import render_report
from tests.report.helpers import make_ledger

Q2 = quarter(2025, 2)


def _browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        if path := shutil.which(name):
            return path
    return None


def _not_blank(png: Path) -> float:
    """The share of pixels that are not near-white."""
    from PIL import Image

    with Image.open(png) as im:
        gray = im.convert("L")
        hist = gray.histogram()
    total = sum(hist)
    return sum(hist[:230]) / total


@pytest.mark.browser
@pytest.mark.slow
def test_html_renders_in_chromium(tmp_path: Path) -> None:
    browser = _browser()
    if browser is None:
        pytest.skip("headless Chromium is not installed (apt-get install chromium)")
    html = tmp_path / "report.html"
    html.write_bytes(render_report(make_ledger(tmp_path), Q2, fmt="html"))
    png = tmp_path / "report.png"
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={png}",
            "--window-size=1240,1754",
            html.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert png.is_file(), "Chromium wrote no screenshot"
    assert _not_blank(png) > 0.01


@pytest.mark.office
@pytest.mark.slow
def test_docx_converts_with_libreoffice(tmp_path: Path) -> None:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer)")
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed (apt-get install poppler-utils)")
    docx = tmp_path / "report.docx"
    docx.write_bytes(render_report(make_ledger(tmp_path), Q2, fmt="docx"))
    subprocess.run(
        [
            office,
            "--headless",
            f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(docx),
        ],
        capture_output=True,
        timeout=180,
        check=False,
    )
    pdf = tmp_path / "report.pdf"
    assert pdf.is_file(), "LibreOffice wrote no PDF"
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2
    assert _not_blank(pages[0]) > 0.01


@pytest.mark.office
@pytest.mark.slow
def test_xlsx_opens_in_libreoffice(tmp_path: Path) -> None:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc)")
    xlsx = tmp_path / "ledger.xlsx"
    xlsx.write_bytes(render_report(make_ledger(tmp_path), Q2, kind="ledger", fmt="xlsx"))
    subprocess.run(
        [
            office,
            "--headless",
            f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path),
            str(xlsx),
        ],
        capture_output=True,
        timeout=180,
        check=False,
    )
    csv = tmp_path / "ledger.csv"
    assert csv.is_file()
    text = csv.read_bytes().decode("utf-8", errors="replace")
    assert "项目" in text or "同心街道办事处" in text
