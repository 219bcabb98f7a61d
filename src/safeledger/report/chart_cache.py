"""A cache of drawn charts that is read without matplotlib.

Drawing a chart costs about a second (text layout, the legend's "best" place), and
importing matplotlib to find out whether a chart is already drawn costs another half
second, while a chart's bytes depend only on its data and the drawing *set-up*: the
font and its file, every rcParams value in effect, the matplotlib and safeledger
versions (:func:`safeledger.report.charts.setup_key` hashes them; that takes
matplotlib).  An entry's key is the hash of the set-up's and of the chart's data.

So that a report whose charts are all drawn never imports matplotlib, the set-up key
last used is remembered (``setup.json``) together with a *fingerprint* of what could
change it, taken without matplotlib: the matplotlib installation, the environment
variables and ``matplotlibrc`` files it reads, its font list cache, and the folders
fonts are installed in (a font added or removed changes its folder's time).  While the
fingerprint is the same, the remembered set-up key stands; otherwise the charts are
looked up the slow way (:func:`safeledger.report.charts.render_svg_cached`), which
remembers the new one.  Any doubt (a missing, damaged or foreign file) is a miss.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from safeledger import __version__
from safeledger.fileio import write_atomic

__all__ = [
    "CHART_CACHE_FORMAT",
    "cached_svgs",
    "chart_key",
    "fingerprint",
    "read_entry",
    "remember_setup",
    "store",
    "write_entry",
]

# Bumped whenever charts are drawn differently (3: the legend outside the plot, at most
# five numbers on a horizontal value axis), so that no chart drawn before is reused.
CHART_CACHE_FORMAT = 3
CHART_CACHE_KEEP = 64  # entries kept (newest by modification time)
SETUP_FILE = "setup.json"
# Font folders: the system's, the user's (fontconfig, macOS, Windows).  Only folders
# are looked at, not the font files in them.
_FONT_ROOTS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "/usr/X11R6/lib/X11/fonts",
    "/usr/X11/lib/X11/fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "~/.fonts",
    "~/.local/share/fonts",
    "~/Library/Fonts",
)
_MAX_FONT_FOLDERS = 5_000  # more: no fingerprint (every report imports matplotlib)
_MPL_ENV = ("MPLCONFIGDIR", "MATPLOTLIBRC", "MPLBACKEND", "XDG_CONFIG_HOME",
            "XDG_CACHE_HOME", "XDG_DATA_HOME", "HOME", "WINDIR", "LOCALAPPDATA")  # fmt: skip


def chart_key(chart: dict[str, Any], setup: str) -> str:
    """The cache key of ``chart`` drawn in the set-up whose key is ``setup`` (hex)."""
    doc = [CHART_CACHE_FORMAT, setup, chart]
    text = json.dumps(doc, ensure_ascii=False, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_entry(path: Path, key: str) -> str | None:
    """The SVG of an entry, or None when missing or not intact (any doubt is a miss)."""
    try:
        data = path.read_bytes()
        head, digest, body = data.split(b"\n", 2)
    except (OSError, ValueError):
        return None
    if head.decode("ascii", "replace") != key:
        return None
    if hashlib.sha256(body).hexdigest().encode("ascii") != digest:
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def write_entry(directory: Path, path: Path, key: str, svg: str) -> None:
    body = svg.encode("utf-8")
    data = b"\n".join([key.encode("ascii"), hashlib.sha256(body).hexdigest().encode(), body])
    try:
        directory.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
        entries = sorted(directory.glob("*.svg"), key=lambda p: p.stat().st_mtime_ns)
        for old in entries[:-CHART_CACHE_KEEP]:
            old.unlink(missing_ok=True)
    except OSError:  # a cache that cannot be written is no cache
        pass


def cached_svgs(charts: Sequence[dict[str, Any]], directory: Path | None) -> list[str] | None:
    """Every chart's SVG from the cache in ``directory``, without matplotlib; None when
    one of them is not there, or the set-up may have changed since (see above)."""
    if directory is None:
        return None
    setup = _remembered_setup(directory)
    if setup is None:
        return None
    svgs = []
    for chart in charts:
        key = chart_key(chart, setup)
        svg = read_entry(directory / f"{key}.svg", key)
        if svg is None:
            return None
        svgs.append(svg)
    return svgs


def store(
    directory: Path, charts: Sequence[dict[str, Any]], svgs: Sequence[str], setup: str
) -> None:
    """Keep each chart's SVG drawn in the set-up ``setup`` (those not kept already), and
    remember the set-up for the next report."""
    for chart, svg in zip(charts, svgs, strict=True):
        key = chart_key(chart, setup)
        path = directory / f"{key}.svg"
        if read_entry(path, key) != svg:
            write_entry(directory, path, key, svg)
    remember_setup(directory, setup)


def remember_setup(directory: Path, setup: str) -> None:
    """Remember ``setup`` as the set-up key for the present fingerprint."""
    mark = fingerprint()
    if mark is None:
        return
    text = json.dumps({"fingerprint": mark, "setup": setup}, sort_keys=True)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if _read_json(directory / SETUP_FILE) != json.loads(text):
            write_atomic(directory / SETUP_FILE, text.encode("ascii"))
    except OSError:
        pass


def _remembered_setup(directory: Path) -> str | None:
    doc = _read_json(directory / SETUP_FILE)
    if not isinstance(doc, dict):
        return None
    setup = doc.get("setup")
    if not isinstance(setup, str) or doc.get("fingerprint") != fingerprint():
        return None
    return setup


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def fingerprint() -> str | None:
    """A hash of what could change the drawing set-up, taken without importing
    matplotlib; None when it cannot be taken (no matplotlib, too many font folders, no
    current folder or home folder to look in)."""
    try:
        return _fingerprint()
    except (ImportError, OSError, RuntimeError, ValueError):
        return None


def _fingerprint() -> str | None:
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or spec.origin is None:
        return None
    env = {name: os.environ.get(name) for name in _MPL_ENV}
    folders = list(_font_folders())
    if len(folders) > _MAX_FONT_FOLDERS:
        return None
    doc = [
        CHART_CACHE_FORMAT,
        __version__,
        _stat(Path(spec.origin)),
        env,
        os.getcwd(),  # matplotlib reads ./matplotlibrc
        [_stat(p) for p in _rc_files(env)],
        [_stat(p) for p in _font_lists(env)],
        folders,
    ]
    text = json.dumps(doc, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _stat(path: Path) -> list[object]:
    try:
        st = path.stat()
    except OSError:
        return [str(path), None]
    return [str(path), st.st_size, st.st_mtime_ns]


def _config_home(env: dict[str, str | None], xdg: str, default: str) -> Path:
    if env["MPLCONFIGDIR"]:
        return Path(env["MPLCONFIGDIR"])
    return Path(env[xdg] or Path(default).expanduser()) / "matplotlib"


def _rc_files(env: dict[str, str | None]) -> list[Path]:
    """Where matplotlib looks for ``matplotlibrc`` (matplotlib.matplotlib_fname)."""
    files = [Path("matplotlibrc")]
    if env["MATPLOTLIBRC"]:
        files += [Path(env["MATPLOTLIBRC"]), Path(env["MATPLOTLIBRC"]) / "matplotlibrc"]
    files.append(_config_home(env, "XDG_CONFIG_HOME", "~/.config") / "matplotlibrc")
    files.append(Path("~/.matplotlib/matplotlibrc").expanduser())
    return files


def _font_lists(env: dict[str, str | None]) -> list[Path]:
    """matplotlib's cached list of fonts (``fontlist-v*.json``)."""
    folder = _config_home(env, "XDG_CACHE_HOME", "~/.cache")
    try:
        return sorted(p for p in folder.iterdir() if p.name.startswith("fontlist"))
    except OSError:
        return [folder]


def _font_folders() -> Iterator[tuple[str, int]]:
    roots = [Path(r).expanduser() for r in _FONT_ROOTS]
    data_home = os.environ.get("XDG_DATA_HOME")
    if data_home:
        roots.append(Path(data_home) / "fonts")
    for base in ("WINDIR", "LOCALAPPDATA"):
        if os.environ.get(base):
            sub = "Fonts" if base == "WINDIR" else "Microsoft/Windows/Fonts"
            roots.append(Path(os.environ[base]) / sub)
    count = 0
    for root in roots:
        for folder, subfolders, _ in os.walk(root):
            subfolders.sort()
            count += 1
            if count > _MAX_FONT_FOLDERS:
                yield (folder, -1)
                return
            try:
                yield (folder, os.stat(folder).st_mtime_ns)
            except OSError:
                continue
