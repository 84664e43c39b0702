"""No module imports a private name of another module of its package (run by `make lint`).

A leading underscore marks a name as the module's own: importing it elsewhere couples two
modules through something the owner may change at will (as pages once imported `_one` from
the packs router). Flagged, for the packages named on the command line:

- ``from pkg.mod import _name`` (absolute or relative), unless ``_name`` is a private
  submodule and the importer lives in the same package;
- ``import pkg._mod`` / ``from pkg._mod import x`` from outside ``pkg``;
- ``mod._name`` where ``mod`` was bound by an import of one of the package's modules.

Dunder names (``__version__``) are public. Exit status 1 and one line per violation
(``path:line: ...``) when any is found, 0 otherwise.

    python scripts/check_private_imports.py [--root DIR] [PACKAGE ...]   (default: qa_service)
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Violation:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


class Package:
    """The modules of the checked packages under one root folder."""

    def __init__(self, root: Path, names: list[str]) -> None:
        self.root = root
        self.names = names

    def owns(self, dotted: str) -> bool:
        return dotted.split(".")[0] in self.names

    def is_module(self, dotted: str) -> bool:
        base = self.root.joinpath(*dotted.split("."))
        return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()

    def module_name(self, path: Path) -> str:
        parts = list(path.relative_to(self.root).with_suffix("").parts)
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    def files(self) -> Iterator[Path]:
        for name in self.names:
            yield from sorted((self.root / name).rglob("*.py"))


def private_module_error(importer: str, dotted: str) -> str | None:
    """A private submodule (``pkg._mod``) is shared only inside ``pkg``."""
    parts = dotted.split(".")
    for i, part in enumerate(parts[1:], start=1):
        owner = ".".join(parts[:i])
        if is_private(part) and not (importer == owner or importer.startswith(owner + ".")):
            return f"imports private module {'.'.join(parts[: i + 1])} from outside {owner}"
    return None


class Checker(ast.NodeVisitor):
    def __init__(self, package: Package, path: Path) -> None:
        self.package = package
        self.path = path.relative_to(package.root)
        self.module = package.module_name(path)
        self.is_package = path.name == "__init__.py"
        # Local names bound to modules of the package: `import a.b as m`, `from a import b`.
        self.aliases: dict[str, str] = {}
        self.violations: list[Violation] = []

    def report(self, node: ast.AST, message: str) -> None:
        self.violations.append(Violation(self.path, getattr(node, "lineno", 0), message))

    def absolute(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        parts = self.module.split(".")
        base = parts if self.is_package else parts[:-1]
        base = base[: len(base) - (node.level - 1)]
        return ".".join([*base, node.module] if node.module else base)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if not self.package.owns(alias.name):
                continue
            if error := private_module_error(self.module, alias.name):
                self.report(node, error)
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                root = alias.name.split(".")[0]
                self.aliases[root] = root

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        source = self.absolute(node)
        if not self.package.owns(source):
            return
        if error := private_module_error(self.module, source):
            self.report(node, error)
        for alias in node.names:
            dotted = f"{source}.{alias.name}"
            if self.package.is_module(dotted):
                if error := private_module_error(self.module, dotted):
                    self.report(node, error)
                self.aliases[alias.asname or alias.name] = dotted
            elif is_private(alias.name):
                self.report(node, f"imports private name {alias.name} from {source}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        chain: list[str] = []
        current: ast.expr = node
        while isinstance(current, ast.Attribute):
            chain.append(current.attr)
            current = current.value
        if not isinstance(current, ast.Name) or current.id not in self.aliases:
            self.generic_visit(node)
            return
        dotted = self.aliases[current.id]
        for attr in reversed(chain):
            if self.package.is_module(f"{dotted}.{attr}"):
                dotted = f"{dotted}.{attr}"
                if error := private_module_error(self.module, dotted):
                    self.report(node, error)
                continue
            if is_private(attr):
                self.report(node, f"uses private name {attr} of {dotted}")
            break
        # The whole chain is handled here; its inner Attribute nodes need no second visit.


def check(root: Path, names: list[str]) -> list[Violation]:
    package = Package(root, names)
    violations: list[Violation] = []
    for path in package.files():
        checker = Checker(package, path)
        checker.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        violations.extend(checker.violations)
    return violations


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("packages", nargs="*", default=["qa_service"])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args(argv)
    violations = check(args.root.resolve(), args.packages)
    for violation in violations:
        print(violation)
    print(f"private-name imports: {len(violations)} found", file=sys.stderr)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
