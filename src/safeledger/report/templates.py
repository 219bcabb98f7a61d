"""Report templates: Jinja2 in a sandbox.

Built-in templates live in the top-level ``templates/`` folder of the source tree, which
the wheel ships as ``safeledger/templates``; a ledger's own ``templates/`` folder
overrides them by name.  Templates are *data* (a ledger may come from anyone), so they
run in Jinja2's :class:`~jinja2.sandbox.SandboxedEnvironment`: attribute access to
internals (``''.__class__.__mro__``) raises :class:`~jinja2.exceptions.SecurityError`,
which becomes a clear error naming the template.  Undefined variables are errors
(:class:`~jinja2.StrictUndefined`), HTML templates autoescape.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
    meta,
)
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from safeledger.errors import SafeledgerError, UsageError
from safeledger.report.context import fmt_rate, to_wan

__all__ = [
    "TemplateFailure",
    "builtin_template_dir",
    "make_environment",
    "render_template",
    "template_name",
    "template_variables",
]

TEXT_FORMATS = ("md", "html")


class TemplateFailure(SafeledgerError):
    """A template could not be loaded or rendered (exit 2, message names the template)."""


def builtin_template_dir() -> Path:
    """``safeledger/templates`` inside an installed wheel, else the source tree's
    top-level ``templates/``."""
    package = Path(__file__).resolve().parents[1] / "templates"
    if package.is_dir():
        return package
    source = Path(__file__).resolve().parents[3] / "templates"
    return source


# --- filters: formatting only, no logic ---------------------------------------------


def _dash(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list | tuple):
        return "、".join(_dash(v) for v in value) if value else "—"
    return str(value)


def _pct(value: Decimal | None) -> str:
    return fmt_rate(value)


def _wan(value: Decimal | None) -> str:
    return "—" if value is None else str(to_wan(value))


def _cell(value: Any) -> str:
    """A Markdown table cell: pipes escaped, line breaks as spaces, empty as —."""
    text = _dash(value)
    return " ".join(text.replace("|", "\\|").split())


FILTERS: dict[str, Callable[..., Any]] = {
    "dash": _dash,
    "pct": _pct,
    "wan": _wan,
    "cell": _cell,
}


def html_rows(rows: Any, keys: Any, numeric: Any, dates: Any, keep: Any) -> Markup | None:
    """The ``<tr>`` lines of the HTML ``table`` macro (``_macros.html.j2``), built in
    Python: the same text as the macro's loop (each cell ``{{ r[k] | dash }}``,
    autoescaped), which the sandbox renders cell by cell several times slower (100,000
    hazards: ~400,000 cells).  None when a row is not a dict holding every key: the
    macro then runs its loop, which reports the problem as it always did."""
    keys = list(keys)
    opens = [
        '<td class="num">'
        if k in numeric
        else '<td class="date">'
        if k in dates
        else '<td class="keep">'
        if k in keep
        else "<td>"
        for k in keys
    ]
    # One %-template per row; a text or a date met again (names, communities, levels,
    # days) is escaped once.  Other values take the filter's own path.
    row = "<tr>" + "".join(f"{td}%s</td>" for td in opens) + "</tr>"
    get = itemgetter(*keys) if len(keys) > 1 else lambda r: (r[keys[0]],)
    texts: dict[str, str] = {"": "—"}
    days: dict[dt.date, str] = {}
    lines: list[str] = []
    for r in rows:
        if type(r) is not dict:
            return None
        try:
            values = get(r)
        except (KeyError, TypeError):
            return None
        cells = []
        for value in values:
            kind = type(value)
            if kind is str:
                text = texts.get(value)
                if text is None:
                    text = texts[value] = _escape_text(value)
            elif kind is dt.date:
                text = days.get(value)
                if text is None:
                    text = days[value] = value.isoformat()
            else:
                shown = _dash(value)
                text = _escape_text(shown) if type(shown) is str else escape(shown)
            cells.append(text)
        lines.append(row % tuple(cells))  # the escaped cells are not escaped again
    return Markup("\n".join(lines))


def breakdown_rows(figures: Any, cells: Any) -> Markup | None:
    """The ``<tr>`` lines of the HTML ``breakdown`` macro, built in Python: a row per
    group of ``figures`` (label → its figures, as in ``breakdowns``), the label in a
    "name" cell, then a number cell per entry of ``cells``: a figure's path
    (``found.total``), with ``|pct`` for a rate.  The same text as the macro's loop
    (which the sandbox renders attribute by attribute: ~10,000 enterprises × 11 cells);
    None when a group is not laid out as expected, or there is none: the macro then
    runs its loop."""
    if type(figures) is not dict or not figures:
        return None
    paths = []
    for cell in cells:
        where, _, fmt = str(cell).partition("|")
        if fmt not in ("", "pct"):
            return None
        paths.append((where.split("."), fmt == "pct"))
    texts: dict[str, str] = {}
    lines: list[str] = []
    for group in figures.values():
        if type(group) is not dict or "label" not in group:
            return None
        row = ['<tr><td class="name">', _escaped(group["label"], texts), "</td>"]
        for path, pct in paths:
            value: Any = group
            for step in path:
                if type(value) is not dict or step not in value:
                    return None
                value = value[step]
            if pct:
                value = fmt_rate(value)
            row += ('<td class="num">', _escaped(value, texts), "</td>")
        row.append("</tr>")
        lines.append("".join(row))
    return Markup("\n".join(lines))


def _escaped(value: Any, texts: dict[str, str]) -> str:
    """``{{ value }}`` autoescaped, as the sandbox writes it (a text met again: once)."""
    kind = type(value)
    if kind is int:
        return int.__repr__(value)
    if kind is str:
        text = texts.get(value)
        if text is None:
            text = texts[value] = _escape_text(value)
        return text
    return str(escape(value))


def _escape_text(text: str) -> str:
    """``markupsafe.escape`` of a plain str, as its own Python fallback writes it, without
    making a ``Markup`` per cell (a third of the table's time at 100,000 hazards)."""
    return (
        text.replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


def _autoescape(name: str | None) -> bool:
    return name is not None and (".html" in name or ".htm" in name)


class ContainedLoader(FileSystemLoader):
    """A FileSystemLoader that refuses a template whose real path leaves its folder: a
    ledger's ``templates/x.md.j2`` (or ``templates/sub``) may be a symbolic link to
    ``/etc/passwd`` or ``~/.ssh``, and a report must not copy such a file into its output.
    (``..`` and absolute names are already refused by Jinja2's own path splitting.)"""

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        real = os.path.realpath(filename)
        if not any(real.startswith(os.path.realpath(f) + os.sep) for f in self.searchpath):
            raise TemplateNotFound(
                f"{template} (a symbolic link to a file outside the templates folder)"
            )
        return source, filename, uptodate


def make_environment(ledger_templates: Path | None) -> SandboxedEnvironment:
    """The sandboxed environment: the ledger's ``templates/`` first, then the built-ins."""
    loaders: list[FileSystemLoader] = []
    if ledger_templates is not None and ledger_templates.is_dir():
        loaders.append(ContainedLoader(str(ledger_templates), encoding="utf-8"))
    loaders.append(FileSystemLoader(str(builtin_template_dir()), encoding="utf-8"))
    env = SandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=_autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.globals["html_rows"] = html_rows
    env.globals["breakdown_rows"] = breakdown_rows
    return env


def template_name(kind: str, fmt: str, name: str | None) -> list[str]:
    """Candidate template names, in order: ``--template NAME`` may be a full file name
    (``mine.md.j2``) or a stem (``mine`` → ``mine.md.j2``); default ``<kind>.<fmt>.j2``."""
    if name is None:
        return [f"{kind}.{fmt}.j2"]
    if name.endswith(".j2"):
        return [name]
    return [f"{name}.{fmt}.j2", f"{name}.j2", name]


def template_variables(
    env: SandboxedEnvironment, kind: str, fmt: str, name: str | None
) -> frozenset[str] | None:
    """The context variables the template for (kind, format) or ``name`` can read,
    together with every template it extends, includes or imports; None when that cannot
    be known beforehand (a template name computed while rendering, or a template that
    cannot be loaded or parsed: rendering it reports the problem)."""
    loader = env.loader
    if loader is None:
        return None
    found: set[str] = set()
    todo: list[str] = []
    for candidate in template_name(kind, fmt, name):  # as select_template picks
        try:
            loader.get_source(env, candidate)
        except TemplateNotFound:
            continue
        todo = [candidate]
        break
    else:
        return None
    seen: set[str] = set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            source = loader.get_source(env, current)[0]
            ast = env.parse(source, current)
        except TemplateError:
            return None
        found |= meta.find_undeclared_variables(ast)
        for ref in meta.find_referenced_templates(ast):
            if ref is None:
                return None
            todo.append(ref)
    return frozenset(found)


def _available(env: SandboxedEnvironment, fmt: str) -> list[str]:
    try:
        names = env.list_templates()
    except TypeError:  # a loader that cannot list
        return []
    return sorted({n for n in names if n.endswith(f".{fmt}.j2") and not n.startswith("_")})


def _template_line(exc: BaseException) -> str:
    """'name.j2:LINE' of the innermost template frame of a rendering error, if any."""
    where = ""
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where = f"{Path(filename).name}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


def render_template(
    env: SandboxedEnvironment, kind: str, fmt: str, name: str | None, context: dict[str, Any]
) -> str:
    """Render the template for (kind, format) or the one named ``name``.  Every failure
    is a :class:`TemplateFailure` naming the template (and the line where known)."""
    if fmt not in TEXT_FORMATS:
        raise UsageError(f"templates lay out Markdown and HTML only, not {fmt}")
    candidates = template_name(kind, fmt, name)
    try:
        template = env.select_template(candidates)
    except TemplateSyntaxError as exc:
        raise TemplateFailure(
            f"template {exc.name or candidates[0]} line {exc.lineno}: syntax error: {exc.message}"
        ) from None
    except TemplateNotFound:
        known = ", ".join(_available(env, fmt)) or "(none)"
        raise UsageError(
            f"no template named {' or '.join(candidates)}; {fmt} templates available: {known}",
            hint="a ledger's templates/ folder may add or override templates by file name",
        ) from None
    label = template.name or candidates[0]
    try:
        return template.render(context)
    except SecurityError as exc:
        where = _template_line(exc) or label
        raise TemplateFailure(
            f"template {where} was stopped by the sandbox: {exc}",
            hint="templates may only read the report context; they cannot reach Python internals",
        ) from None
    except UndefinedError as exc:
        where = _template_line(exc) or label
        raise TemplateFailure(
            f"template {where}: {exc.message}",
            hint="see docs/templates.md for the variables a template can use",
        ) from None
    except TemplateNotFound as exc:  # {% include %} / {% import %} of an unknown name
        where = _template_line(exc) or label
        raise TemplateFailure(
            f"template {where}: cannot include or import '{exc.name}': templates can only "
            "use other templates of the ledger's templates/ folder or the built-in ones",
            hint="files outside the templates folders (and links to them) cannot be read",
        ) from None
    except TemplateError as exc:
        where = _template_line(exc) or label
        raise TemplateFailure(f"template {where}: {exc}") from None
    except Exception as exc:  # a filter or method failing on the template's arguments
        where = _template_line(exc) or label
        raise TemplateFailure(f"template {where}: {type(exc).__name__}: {exc}") from None
