"""Reports: the quarterly work report, the annual report, the tracking table and the
hazard ledger, in Markdown, HTML, Word, Excel and JSON.

    >>> from safeledger.report import render_report
    >>> data = render_report(ledger, quarter(2025, 2), fmt="html", source=Source("abc", False))

The context (every figure and table) is built in Python (:mod:`.context`); Markdown
and HTML are laid out by sandboxed Jinja2 templates (:mod:`.templates`), Word and Excel
by python-docx and openpyxl.  Same ledger and period, same bytes.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safeledger.errors import UsageError
from safeledger.evaluate.periods import Span
from safeledger.report.context import (
    KINDS,
    Source,
    build_context,
    default_kind,
    json_chunks,
    json_text,
    to_json,
)
from safeledger.report.drawing import ChartDrawer, Drawing, drawn
from safeledger.report.reproducible import write_atomically
from safeledger.validate.ledger import Ledger

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

__all__ = [
    "BINARY_FORMATS",
    "EXTENSIONS",
    "FORMATS",
    "KINDS",
    "ChartDrawer",
    "Source",
    "build_context",
    "chart_drawer",
    "format_for_path",
    "render_context",
    "render_report",
    "report_chunks",
    "write_atomically",
]

FORMATS = ("md", "html", "docx", "xlsx", "json")
EXTENSIONS = {
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".json": "json",
}
BINARY_FORMATS = ("docx", "xlsx")


def format_for_path(path: Path) -> str:
    """The format a file name asks for (``report.docx`` → docx)."""
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(EXTENSIONS))
        raise UsageError(
            f"cannot tell the format of '{path.name}' from its extension; use one of {known} "
            "or give --format"
        )
    return fmt


def json_context(context: dict[str, Any]) -> dict[str, Any]:
    """The JSON document (spec section 8): the context without its label tables."""
    return to_json({k: v for k, v in context.items() if k != "labels"})


def render_context(
    context: dict[str, Any],
    fmt: str,
    *,
    template: str | None = None,
    ledger_templates: Path | None = None,
    chart_cache: Path | None = None,
) -> bytes:
    """Lay out a built context in ``fmt``.  ``chart_cache``: a folder where HTML charts
    are kept once drawn (see :func:`.charts.render_svg_cached`); None: always draw."""
    _check_format(fmt, template)
    if fmt == "json":
        doc = {k: v for k, v in context.items() if k != "labels"}
        return (json_text(doc) + "\n").encode("utf-8")
    if fmt == "docx":
        from safeledger.report.docx_writer import render_docx

        return render_docx(context)
    if fmt == "xlsx":
        from safeledger.report.xlsx_writer import render_xlsx

        return render_xlsx(context)
    env, names = _text_template(context["kind"], fmt, template, ledger_templates)
    return _render_text(context, fmt, template, env, names, chart_cache, None)


def _check_format(fmt: str, template: str | None) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
    if template is not None and fmt not in ("md", "html"):
        raise UsageError(f"--template applies to md and html reports, not {fmt}")


def _text_template(
    kind: str, fmt: str, template: str | None, ledger_templates: Path | None
) -> tuple[SandboxedEnvironment, frozenset[str] | None]:
    """The template environment and the variables the chosen template reads (None:
    not known, give it everything)."""
    from safeledger.report.templates import make_environment, template_variables

    env = make_environment(ledger_templates)
    return env, template_variables(env, kind, fmt, template)


def _render_text(
    context: dict[str, Any],
    fmt: str,
    template: str | None,
    env: SandboxedEnvironment,
    names: frozenset[str] | None,
    chart_cache: Path | None,
    drawer: ChartDrawer | None,
) -> bytes:
    from safeledger.report.templates import render_template

    variables = dict(context)
    variables["charts"] = []
    if fmt == "html" and (names is None or "charts" in names):
        from safeledger.report.chart_cache import cached_svgs
        from safeledger.report.chartdata import chart_specs

        specs = chart_specs(context)
        svgs = cached_svgs(specs, chart_cache)  # without matplotlib (≈ 0.5 s to import)
        if svgs is None:
            text = _laid_out_while_drawing(context, fmt, template, env, variables, specs,
                                           chart_cache, drawer)  # fmt: skip
            return text.encode("utf-8")
        variables["charts"] = _chart_entries(specs, svgs)
    return render_template(env, context["kind"], fmt, template, variables).encode("utf-8")


def _chart_entries(specs: list[dict[str, Any]], svgs: list[str]) -> list[dict[str, Any]]:
    from markupsafe import Markup

    return [
        {"id": spec["id"], "title": spec["title"], "svg": Markup(svg)}
        for spec, svg in zip(specs, svgs, strict=True)
    ]


def _laid_out_while_drawing(
    context: dict[str, Any],
    fmt: str,
    template: str | None,
    env: SandboxedEnvironment,
    variables: dict[str, Any],
    specs: list[dict[str, Any]],
    chart_cache: Path | None,
    drawer: ChartDrawer | None,
) -> str:
    """The template laid out while a forked child draws the charts (importing
    matplotlib and drawing three charts: 1.5–2 s at 100,000 hazards, as long as the
    template's 0.4 s and more; ``drawer``: a child that got matplotlib ready while the
    ledger was loaded), with a placeholder for each chart, then each placeholder
    replaced by its chart: the same text as laid out with the charts, when every
    placeholder comes out exactly once.  A template that does something else with a
    chart's text (shows it twice, cuts it, changes its case) is laid out again with
    the charts."""
    from safeledger._forked import Forked
    from safeledger.report.templates import render_template

    token = secrets.token_hex(8)
    marks = [f"<!--safeledger-chart-{token}-{n}-->" for n in range(len(specs))]
    child: AbstractContextManager[Drawing]
    if drawer is not None:
        child = drawer.drawing(specs, chart_cache)
    else:
        child = Forked(partial(drawn, specs, chart_cache))
    with child as drawing:
        variables["charts"] = _chart_entries(specs, marks)
        text = render_template(env, context["kind"], fmt, template, variables)
        svgs, setup = drawing.answer()
    if chart_cache is not None:  # kept here: a child may be stopped while it writes
        from safeledger.report.chart_cache import store

        store(chart_cache, specs, svgs, setup)
    if all(text.count(mark) == 1 for mark in marks):
        for mark, svg in zip(marks, svgs, strict=True):
            text = text.replace(mark, svg)
        return text
    variables["charts"] = _chart_entries(specs, svgs)
    return render_template(env, context["kind"], fmt, template, variables)


# What the charts of an HTML report read from the context.
_CHART_SECTIONS = frozenset({"breakdowns", "monthly", "status_split", "labels"})


def chart_drawer(fmt: str) -> AbstractContextManager[ChartDrawer | None]:
    """For a report in ``fmt`` about to be loaded and made: a :class:`ChartDrawer` when
    it is HTML (which has charts), else nothing.  Give it to :func:`report_chunks`."""
    return ChartDrawer() if fmt == "html" else nullcontext()


def _report_kind(kind: str | None, span: Span) -> str:
    """``kind``, or the one the period calls for; an unknown kind is a usage error."""
    kind = kind or default_kind(span)
    if kind not in KINDS:
        raise UsageError(f"unknown report kind '{kind}'; use one of {', '.join(KINDS)}")
    return kind


def render_report(
    ledger: Ledger,
    span: Span,
    *,
    kind: str | None = None,
    fmt: str = "md",
    template: str | None = None,
    source: Source | None = None,
    chart_cache: Path | None = None,
    drawer: ChartDrawer | None = None,
) -> bytes:
    """The report of ``kind`` (default from the period) for ``span`` as bytes in ``fmt``.
    A ledger's own ``templates/`` folder overrides the built-in templates by name.
    Markdown and HTML build only the parts of the context their template reads;
    ``chart_cache`` as for :func:`render_context`; ``drawer``: a :class:`ChartDrawer`
    started before the ledger was loaded, to draw the charts of an HTML report."""
    kind = _report_kind(kind, span)
    ledger_templates = ledger.root / "templates"
    if fmt not in ("md", "html"):
        context = build_context(ledger, span, kind=kind, source=source)
        return render_context(context, fmt, template=template, ledger_templates=ledger_templates)
    _check_format(fmt, template)
    env, names = _text_template(kind, fmt, template, ledger_templates)
    sections = None
    if names is not None:
        sections = names | _CHART_SECTIONS if fmt == "html" and "charts" in names else names
    context = build_context(ledger, span, kind=kind, source=source, sections=sections)
    return _render_text(context, fmt, template, env, names, chart_cache, drawer)


def report_chunks(
    ledger: Ledger,
    span: Span,
    *,
    kind: str | None = None,
    fmt: str = "md",
    template: str | None = None,
    source: Source | None = None,
    chart_cache: Path | None = None,
    drawer: ChartDrawer | None = None,
) -> Iterator[bytes]:
    """The bytes of :func:`render_report` in pieces, to be written as they come: a JSON
    report is encoded a few hundred rows at a time (at 100,000 hazards its whole text and
    bytes would be ~400 MB more at the peak); the other formats come in one piece."""
    if fmt != "json":
        yield render_report(
            ledger,
            span,
            kind=kind,
            fmt=fmt,
            template=template,
            source=source,
            chart_cache=chart_cache,
            drawer=drawer,
        )
        return
    kind = _report_kind(kind, span)
    _check_format(fmt, template)
    context = build_context(ledger, span, kind=kind, source=source)
    doc = {k: v for k, v in context.items() if k != "labels"}
    del context
    for text in json_chunks(doc):
        yield text.encode("utf-8")
    yield b"\n"
