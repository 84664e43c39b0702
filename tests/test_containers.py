"""The container files, checked without a container engine.

Dockerfile, Dockerfile.cuda, .dockerignore and docker-compose*.yml are read as text and
held against the repository and the code: every COPY source exists and survives
.dockerignore, every qa-service command line parses with the real CLI, every QA_ variable
is a real Settings field, and the ports and model paths agree between the files. Each check
is a function returning its problems, and each is also run on a broken copy to show that it
can fail.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import sys
from pathlib import Path

import pytest
import typer.main
import yaml

from qa_service.config import Settings
from qa_service.modelhub.catalog import CATALOG

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILES = ("Dockerfile", "Dockerfile.cuda", "docker/debian-services/Dockerfile")
COMPOSE_FILES = ("docker-compose.yml", "docker-compose.gpu.yml")


# --- reading the files ---------------------------------------------------------------------


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per Dockerfile instruction, continuation lines joined."""
    joined = re.sub(
        r"\\\n", " ", "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
    )
    out = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def ignore_patterns(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def included(rel: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents decides."""
    parts = rel.strip("/").split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    keep = True
    for pattern in patterns:
        negate = pattern.startswith("!")
        glob = pattern.lstrip("!").strip("/")
        if any(fnmatch.fnmatchcase(c, glob) for c in candidates):
            keep = negate
    return keep


def interpolate(value: str) -> str:
    """Compose's variable syntax with every variable unset: defaults, "x" for required."""
    value = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)
    value = re.sub(r"\$\{[A-Z_]+:\?[^}]*\}", "x", value)
    return value.replace("$$", "$")


def load_compose(name: str) -> dict:
    return yaml.safe_load(interpolate((ROOT / name).read_text()))


# --- the checks ------------------------------------------------------------------------------


def copy_problems(dockerfile: Path, root: Path) -> list[str]:
    """COPY sources (not from another stage) that are missing or excluded by .dockerignore."""
    # The root's Dockerfiles build the repository; the others their own folder.
    context = root if dockerfile.parent == root else dockerfile.parent
    ignore = context / ".dockerignore"
    patterns = ignore_patterns(ignore.read_text()) if ignore.is_file() else []
    problems = []
    for word, args in instructions(dockerfile.read_text()):
        if word not in ("COPY", "ADD") or "--from=" in args:
            continue
        *sources, _dest = shlex.split(args)
        for src in sources:
            if not (context / src).exists():
                problems.append(f"{dockerfile.name}: COPY {src}: no such path")
            elif not included(src, patterns):
                problems.append(f"{dockerfile.name}: COPY {src}: excluded by .dockerignore")
    return problems


def cli_problems(argv: list[str]) -> list[str]:
    """Parse a ``qa-service ...`` command line with the real CLI (nothing is run)."""
    from qa_service.cli import _register, app

    _register()
    command = typer.main.get_command(app)
    name, args = "qa-service", list(argv[1:])
    try:
        # Groups here take no options of their own: each leading word names a sub-command.
        while hasattr(command, "get_command"):
            ctx = command.make_context(name, list(args), resilient_parsing=True)
            sub = command.get_command(ctx, args[0]) if args else None
            if sub is None:
                return [f"{' '.join(argv)}: {name} has no command {args[:1]}"]
            name, command, args = args[0], sub, args[1:]
        command.make_context(name, list(args))
    except Exception as exc:  # typer's own copy of click's UsageError and its kin
        if not hasattr(exc, "format_message"):
            raise
        return [f"{' '.join(argv)}: {exc.format_message()}"]
    return []


def qa_command_lines(compose: dict, dockerfile_text: str) -> list[list[str]]:
    """Every qa-service invocation in the compose services and the Dockerfile's CMD/RUN."""
    lines = []
    for service in compose["services"].values():
        cmd = service.get("command")
        if isinstance(cmd, list) and cmd[:2] == ["sh", "-c"]:
            cmd = shlex.split(cmd[2])
            cmd = cmd[cmd.index("exec") + 1 :] if "exec" in cmd else cmd
        if cmd and cmd[0] == "qa-service":
            lines.append(cmd)
    for word, args in instructions(dockerfile_text):
        if word == "CMD":
            lines.append(json.loads(args))
        elif word == "RUN":
            # Each shell command of the RUN whose program (after VAR=value) is qa-service.
            for part in args.replace("${ASR_MODELS}", "base").split("&&"):
                if "qa-service" not in part:
                    continue
                words = shlex.split(part)
                while words and re.match(r"^\w+=", words[0]):
                    words.pop(0)
                if words[:1] == ["qa-service"]:
                    lines.append(words)
    return lines


def settings_env_problems(env_names: list[str]) -> list[str]:
    fields = set(Settings.model_fields)
    return [
        f"{name}: not a Settings field"
        for name in env_names
        if name.startswith("QA_") and name[3:].lower() not in fields
    ]


def dockerfile_env(text: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for word, args in instructions(text):
        if word == "ENV":
            env.update(dict(re.findall(r"(\w+)=(\S+)", args)))
    return env


def option(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


def port_problems(compose: dict) -> list[str]:
    """The ports the service, PostgreSQL and Redis listen on match the URLs that reach them."""
    services = compose["services"]
    env = services["qa"]["environment"]
    problems = []
    serve_port = option(services["qa"]["command"], "--port")
    if f":{serve_port}/api/health" not in " ".join(services["qa"]["healthcheck"]["test"]):
        problems.append(f"qa healthcheck does not ask port {serve_port}")
    pg_port = re.search(r"port=(\d+)", " ".join(services["postgres"]["command"])).group(1)
    if not re.search(rf"@127\.0\.0\.1:{pg_port}/", env["QA_DATABASE_URL"]):
        problems.append(f"QA_DATABASE_URL does not reach PostgreSQL's port {pg_port}")
    if option(services["postgres"]["healthcheck"]["test"], "-p") != pg_port:
        problems.append("pg_isready asks another port")
    redis_port = option(services["redis"]["command"], "--port")
    if not env["QA_REDIS_URL"].startswith(f"redis://127.0.0.1:{redis_port}/"):
        problems.append(f"QA_REDIS_URL does not reach Redis's port {redis_port}")
    if option(services["redis"]["healthcheck"]["test"], "-p") != redis_port:
        problems.append("redis-cli ping asks another port")
    return problems


# --- the tests on the real files -------------------------------------------------------------


@pytest.mark.parametrize("name", DOCKERFILES)
def test_copy_sources_exist_and_reach_the_build(name):
    assert copy_problems(ROOT / name, ROOT) == []


def test_every_qa_service_command_parses():
    lines = qa_command_lines(load_compose("docker-compose.yml"), (ROOT / "Dockerfile").read_text())
    # serve (CMD and compose), celery-worker (compose), models fetch (build): all found.
    assert {line[1] for line in lines} >= {"serve", "celery-worker", "models"}
    assert [p for line in lines for p in cli_problems(line)] == []


def test_build_fetches_known_models_into_the_runtime_models_dir():
    text = (ROOT / "Dockerfile").read_text()
    default = re.search(r"ARG ASR_MODELS=(\S+)", text).group(1)
    assert set(default.split()) <= set(CATALOG)
    env = dockerfile_env(text)
    fetch = next(a for w, a in instructions(text) if w == "RUN" and "models fetch" in a)
    assert f"QA_MODELS_DIR={env['QA_MODELS_DIR']} " in fetch
    copied = [shlex.split(a)[-1] for w, a in instructions(text) if w == "COPY" and "--from" in a]
    assert env["QA_MODELS_DIR"] in copied


def test_environment_names_are_settings_fields():
    names = list(dockerfile_env((ROOT / "Dockerfile").read_text()))
    names += list(dockerfile_env((ROOT / "Dockerfile.cuda").read_text()))
    for compose_file in COMPOSE_FILES:
        for service in load_compose(compose_file)["services"].values():
            names += list(service.get("environment") or {})
    assert any(n.startswith("QA_") for n in names)
    assert settings_env_problems(names) == []


def test_ports_agree():
    assert port_problems(load_compose("docker-compose.yml")) == []


def test_compose_runs_the_service_image_with_celery():
    services = load_compose("docker-compose.yml")["services"]
    assert set(services) == {"postgres", "redis", "qa", "worker"}
    for name in ("qa", "worker"):
        env = services[name]["environment"]
        assert env["QA_JOB_BACKEND"] == "celery"
        assert env["QA_DATABASE_URL"].startswith("postgresql+psycopg://")
        # The worker reads the recordings the service wrote: the same data volume.
        assert any(v.endswith(":/var/lib/qa-service") for v in services[name]["volumes"])
    assert services["worker"]["depends_on"]["qa"]["condition"] == "service_healthy"


def test_cuda_check_finds_the_cuda_libraries_ctranslate2_loads():
    ctranslate2 = pytest.importorskip("ctranslate2")
    sys.path.insert(0, str(ROOT / "docker"))
    try:
        from check_cuda_libs import needed_cuda_libs
    finally:
        sys.path.remove(str(ROOT / "docker"))
    needed = needed_cuda_libs(Path(ctranslate2.__file__).parent)
    assert any(name.startswith("libcublas.so.") for name in needed)


# --- the same checks fail on broken copies ---------------------------------------------------


def test_checks_catch_broken_files(tmp_path):
    (tmp_path / ".dockerignore").write_text("*\n!present/\n")
    (tmp_path / "present").mkdir()
    (tmp_path / "hidden").mkdir()
    (tmp_path / "Dockerfile").write_text(
        "FROM x AS b\nCOPY present /a\nCOPY missing \\\n  /b\nCOPY hidden /c\nCOPY --from=b /d /d\n"
    )
    assert copy_problems(tmp_path / "Dockerfile", tmp_path) == [
        "Dockerfile: COPY missing: no such path",
        "Dockerfile: COPY hidden: excluded by .dockerignore",
    ]
    assert cli_problems(["qa-service", "serve", "--bogus", "1"])
    assert cli_problems(["qa-service", "no-such-command"])
    assert cli_problems(["qa-service", "celery-worker", "--concurrency", "many"])
    assert cli_problems(["qa-service", "serve", "--port", "8000"]) == []
    assert settings_env_problems(["QA_REDIS_URL", "QA_NO_SUCH_SETTING", "HF_HUB_OFFLINE"]) == [
        "QA_NO_SUCH_SETTING: not a Settings field"
    ]
    compose = load_compose("docker-compose.yml")
    compose["services"]["redis"]["command"][-3] = "6380"  # the value after --port
    compose["services"]["qa"]["command"][-1] = "9000"
    assert len(port_problems(compose)) == 3
