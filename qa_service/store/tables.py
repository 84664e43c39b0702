"""Every module of ``qa_service.store``, imported so ``Base.metadata`` knows the whole schema
(migrations and their tests compare against it); a new table module needs no entry here."""

from __future__ import annotations

import importlib
import pkgutil

import qa_service.store as _store
from qa_service.store.base import Base

for _module in pkgutil.iter_modules(_store.__path__):
    if _module.name not in ("migrations", "tables"):
        importlib.import_module(f"{_store.__name__}.{_module.name}")

metadata = Base.metadata
