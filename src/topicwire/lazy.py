"""Packages whose names load on first use (PEP 562), so that a command imports only what it
runs: ``topicwire --help`` should not wait for trafilatura, aiohttp and the word lists."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence


def lazy_names(package: str, modules: Mapping[str, Sequence[str]]) -> Callable[[str], object]:
    """A module ``__getattr__`` for ``package`` that imports each name from its submodule
    (``modules``: submodule -> names) the first time it is asked for, then keeps it in the
    package like an ordinary import."""
    where = {name: module for module, names in modules.items() for name in names}

    def __getattr__(name: str) -> object:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
