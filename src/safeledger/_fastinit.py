"""A faster ``__init__`` for the frozen classes made by the hundred thousand (a
diagnostic per finding, a state per hazard and date, a row per duty and period).  It
lives in the lowest layer so that :mod:`safeledger.diagnostics` can use it too.

A frozen dataclass's generated ``__init__`` sets each field with ``object.__setattr__``
(its own ``__setattr__`` refuses), which costs about twice as much as calling the slot's
own setter.  :func:`fast_init` gives the class an ``__init__`` that does the latter: same
signature, same defaults, same object; the instance stays frozen afterwards."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

__all__ = ["fast_init"]

T = TypeVar("T")


def fast_init(cls: type[T]) -> type[T]:
    """Class decorator (under ``@dataclass(frozen=True, slots=True)``), for classes whose
    fields are plain: no ``default_factory``, ``InitVar``, ``init=False``, ``kw_only`` or
    ``__post_init__``."""
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    if not params.frozen or "__slots__" not in vars(cls):
        raise TypeError(f"{cls.__name__} is not a frozen dataclass with slots")
    if hasattr(cls, "__post_init__") or any(
        not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING for f in fields
    ):
        raise TypeError(f"{cls.__name__} has fields fast_init does not handle")
    names: dict[str, Any] = {}
    args: list[str] = []
    body: list[str] = []
    for f in fields:
        names[f"_set_{f.name}"] = getattr(cls, f.name).__set__  # the slot's own setter
        if f.default is dataclasses.MISSING:
            args.append(f.name)
        else:
            names[f"_default_{f.name}"] = f.default
            args.append(f"{f.name}=_default_{f.name}")
        body.append(f"    _set_{f.name}(self, {f.name})\n")
    source = f"def __init__(self, {', '.join(args)}):\n{''.join(body)}"
    namespace: dict[str, Any] = {}
    exec(source, names, namespace)  # how dataclasses makes __init__ too
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[method-assign]
    return cls
