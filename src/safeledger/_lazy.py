"""Package exports imported on first use (PEP 562), so that a light submodule (the
model's dates and enums, the reader's discovery) can be imported without its package's
heavy ones: a ``check`` answered from the cache then never imports pydantic or the YAML
parsers (docs/performance.md, "Start-up").

A package lists ``{submodule: names}``; ``from package import name`` then imports the
submodule the first time and keeps the value in the package.  Type checkers see the
same names through the package's ``if TYPE_CHECKING:`` imports (a test keeps the two
lists equal)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


def lazy_exports(
    package: str, where: Mapping[str, tuple[str, ...]]
) -> tuple[list[str], Callable[[str], object]]:
    """``(__all__, __getattr__)`` for ``package``, whose names are found in the
    submodules ``where`` names."""
    home = {name: f"{package}.{module}" for module, names in where.items() for name in names}

    def __getattr__(name: str) -> object:
        module = home.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # next time: a plain attribute
        return value

    return sorted(home), __getattr__
