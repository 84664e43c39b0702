"""The layer rules bite: the import contracts and the private-name check fail on a violation.

The contracts are pyproject's own [tool.importlinter], run by `lint-imports` on a skeleton of
the target layout (docs/architecture.md) that keeps them all, then on the same skeleton with
deliberate violations added, each in a module of its own and reported by its own contract.
The private-name checker runs on a tiny package of its own, and on the real tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = REPO / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PRIVATE_CHECK = REPO / "scripts" / "check_private_imports.py"

# One module per layer, each importing only downward (the shape the contracts describe).
SKELETON = {
    "__init__.py": "",
    "__main__.py": "import qa_service.cli\n",
    "errors.py": "",
    "config.py": "import qa_service.errors\n",
    "safe_yaml.py": "",
    "datafiles.py": "import qa_service.config\n",
    "domain/__init__.py": "",
    "domain/rules.py": "import qa_service.errors\n",
    "modelhub/__init__.py": "import qa_service.config\n",
    "engines/__init__.py": "import qa_service.domain.rules\nimport qa_service.modelhub\n",
    "store/__init__.py": "import qa_service.datafiles\nimport qa_service.domain\n",
    "analysis/__init__.py": "import qa_service.engines\n",
    "training/__init__.py": "import qa_service.engines\n",
    "features/__init__.py": "",
    "features/calls/__init__.py": "",
    "features/calls/service.py": (
        "import qa_service.analysis\nimport qa_service.store\nimport qa_service.jobs.queue\n"
    ),
    "jobs/__init__.py": "",
    "jobs/queue.py": "import qa_service.store\n",
    "jobs/tasks.py": "import qa_service.features.calls.service\n",
    "http/__init__.py": "import fastapi\nimport qa_service.features.calls.service\n",
    "api/__init__.py": "",
    "api/app.py": "import fastapi\nimport qa_service.http\nimport qa_service.jobs.tasks\n",
    "web/__init__.py": "import qa_service.http\nimport qa_service.features.calls.service\n",
    "cli/__init__.py": "import qa_service.jobs.tasks\n",
    "cli/serve.py": "import qa_service.api.app\nimport qa_service.web\n",
}


def contract_names() -> dict[str, str]:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    return {contract["id"]: contract["name"] for contract in config["contracts"]}


def write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def lint_imports(tmp_path: Path, extra: dict[str, str] | None = None) -> tuple[int, str]:
    write_tree(tmp_path / "qa_service", SKELETON | (extra or {}))
    # The skeleton, not the installed package, must be the qa_service that grimp finds.
    env = os.environ | {"PYTHONPATH": str(tmp_path)}
    done = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(PYPROJECT)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout + done.stderr


def test_the_target_layout_keeps_every_contract(tmp_path: Path) -> None:
    code, output = lint_imports(tmp_path)
    assert code == 0, output
    for name in contract_names().values():
        assert f"{name} KEPT" in output, output


# Each deliberate violation (in a module of its own), the contract it breaks, and what the
# report of that contract names. All go into one skeleton, checked by one run: every
# violation must show up in the report of its own contract.
VIOLATIONS = [
    ("domain/leak_pure.py", "import qa_service.store\n", "domain-pure", "domain.leak_pure"),
    ("domain/leak_sql.py", "import sqlalchemy\n", "domain-no-frameworks", "domain.leak_sql"),
    ("web/leak.py", "import qa_service.api\n", "adapters", "web.leak -> qa_service.api"),
    ("cli/leak.py", "import qa_service.web\n", "adapters", "cli.leak -> qa_service.web"),
    ("analysis/leak.py", "import qa_service.store\n", "layers", "analysis.leak"),
    ("engines/leak.py", "import qa_service.features\n", "layers", "engines.leak"),
    ("features/calls/leak_jobs.py", "import qa_service.jobs.tasks\n", "layers", "calls.leak_jobs"),
    ("features/calls/leak_api.py", "import qa_service.api.app\n", "layers", "calls.leak_api"),
    (
        "store/leak_settings.py",
        "import qa_service.config\n",
        "store-no-settings",
        "store.leak_settings",
    ),
    ("store/leak_models.py", "import qa_service.engines\n", "store-no-models", "store.leak_models"),
    ("features/calls/leak_http.py", "import fastapi\n", "http-only-in-adapters", "calls.leak_http"),
    ("stray.py", "", "layers", "qa_service.stray"),
]


def broken_reports(output: str) -> dict[str, str]:
    """The report of each broken contract, by contract name (lint-imports prints each under
    its name, underlined, after "Broken contracts")."""
    lines = output.split("Broken contracts", 1)[-1].splitlines()
    reports: dict[str, list[str]] = {}
    current: list[str] = []
    for line, below in zip(lines, [*lines[1:], ""], strict=True):
        if line.strip() and below.strip() and set(below.strip()) == {"-"}:
            current = reports.setdefault(line.strip(), [])
        current.append(line)
    return {name: "\n".join(text) for name, text in reports.items()}


@pytest.fixture(scope="module")
def violated(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str]:
    extra = {module: text for module, text, _, _ in VIOLATIONS}
    return lint_imports(tmp_path_factory.mktemp("violated"), extra)


@pytest.mark.parametrize(("module", "text", "broken", "shown"), VIOLATIONS)
def test_a_deliberate_violation_breaks_its_contract(
    violated: tuple[int, str], module: str, text: str, broken: str, shown: str
) -> None:
    code, output = violated
    assert code == 1, output
    name = contract_names()[broken]
    assert f"{name} BROKEN" in output, output
    assert shown in broken_reports(output).get(name, ""), output


def test_every_contract_can_break(violated: tuple[int, str]) -> None:
    """No contract is left without a deliberate violation of its own."""
    assert {broken for _, _, broken, _ in VIOLATIONS} == set(contract_names())
    assert set(broken_reports(violated[1])) == set(contract_names().values())


def run_private_check(root: Path, *packages: str) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, str(PRIVATE_CHECK), "--root", str(root), *packages],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout


PRIVATE_PACKAGE = {
    "pkg/__init__.py": "",
    "pkg/owner.py": "__version__ = '1'\n_secret = 1\npublic = 2\n",
    "pkg/sub/__init__.py": "",
    "pkg/sub/_helpers.py": "value = 1\n",
    # Allowed: public names, dunders, a private submodule used inside its own package,
    # and a module's own private names.
    "pkg/sub/user.py": "from pkg.sub import _helpers\nfrom . import _helpers as again\n",
    "pkg/clean.py": (
        "from pkg.owner import __version__, public\nimport pkg.owner as owner\n"
        "_mine = owner.public\n_mine = _mine + 1\n"
    ),
}


def test_the_private_check_passes_public_imports(tmp_path: Path) -> None:
    write_tree(tmp_path, PRIVATE_PACKAGE)
    code, output = run_private_check(tmp_path, "pkg")
    assert code == 0, output


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("from pkg.owner import _secret\n", "imports private name _secret from pkg.owner"),
        ("from .owner import public, _secret\n", "imports private name _secret from pkg.owner"),
        ("from pkg import owner\nx = owner._secret\n", "uses private name _secret of pkg.owner"),
        ("import pkg.owner\nx = pkg.owner._secret\n", "uses private name _secret of pkg.owner"),
        (
            "from pkg.sub import _helpers\n",
            "imports private module pkg.sub._helpers from outside pkg.sub",
        ),
        (
            "import pkg.sub._helpers as h\n",
            "imports private module pkg.sub._helpers from outside pkg.sub",
        ),
    ],
)
def test_the_private_check_names_the_violation(tmp_path: Path, text: str, shown: str) -> None:
    write_tree(tmp_path, PRIVATE_PACKAGE | {"pkg/leak.py": text})
    code, output = run_private_check(tmp_path, "pkg")
    assert code == 1, output
    assert output.splitlines() == [f"pkg/leak.py:{text.count(chr(10))}: {shown}"]


def test_no_module_of_qa_service_imports_a_private_name_of_another() -> None:
    code, output = run_private_check(REPO, "qa_service")
    assert code == 0, f"private names imported across modules:\n{output}"
