"""deploy/: the Dockerfile, the compose file and the systemd unit, checked against the project.

No Docker engine runs here, so these tests read the files' instructions and hold them to what
the project really has: the files the image copies exist and are not ignored, it installs with
the README's pins, its entry point is the console script, its paths are on the volume, no
secret is baked in, and its HEALTHCHECK command passes against a live health endpoint.
"""

from __future__ import annotations

import argparse
import asyncio
import configparser
import fnmatch
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.cli import build_parser
from adapters.ops.metrics import OpsServer
from bot.config import Settings
from tests.helpers import make_core

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SYSTEM_ENV = {"PATH", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "TMPDIR"}


@dataclass
class Instruction:
    op: str
    args: str
    stage: int

    def exec_form(self) -> list[str]:
        value = json.loads(self.args)
        assert isinstance(value, list) and all(isinstance(v, str) for v in value)
        return value


def dockerfile() -> list[Instruction]:
    """The instructions, continuation lines joined, comments dropped, stages numbered."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    result: list[Instruction] = []
    stage = -1
    for line in joined.splitlines():
        if not line.strip():
            continue
        op, _, args = line.strip().partition(" ")
        if op.upper() == "FROM":
            stage += 1
        result.append(Instruction(op.upper(), " ".join(args.split()), stage))
    return result


def final_stage() -> list[Instruction]:
    instructions = dockerfile()
    last = max(i.stage for i in instructions)
    return [i for i in instructions if i.stage == last]


def env_of(instructions: list[Instruction]) -> dict[str, str]:
    env: dict[str, str] = {}
    for i in instructions:
        if i.op == "ENV":
            for token in shlex.split(i.args):
                key, _, value = token.partition("=")
                env[key] = value
    return env


def dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(path: str) -> bool:
    verdict = False
    for pattern in dockerignore():
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").removeprefix("**/")
        if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path.split("/")[0], pattern):
            verdict = not negate
    return verdict


# Dockerfile


def test_slim_python_base_that_satisfies_requires_python() -> None:
    bases = [i.args.split()[0] for i in dockerfile() if i.op == "FROM"]
    assert bases and len(set(bases)) == 1, bases
    image, _, tag = bases[0].partition(":")
    assert image == "python" and "-slim" in tag
    version = tuple(int(p) for p in tag.split("-")[0].split("."))
    minimum = tuple(int(p) for p in PYPROJECT["project"]["requires-python"].lstrip(">=").split("."))
    assert version >= minimum


def test_copies_exist_are_not_ignored_and_cover_the_package() -> None:
    sources: list[str] = []
    for i in dockerfile():
        if i.op == "COPY" and not i.args.startswith("--from"):
            *srcs, _dest = i.args.split()
            sources += srcs
    for src in sources:
        assert (ROOT / src).exists(), f"COPY {src}: not in the repository"
        assert not ignored(src), f"COPY {src}: excluded by .dockerignore"
    # What `pip install .` needs: the build metadata, the readme and every package.
    assert {"pyproject.toml", "constraints.txt", PYPROJECT["project"]["readme"]} <= set(sources)
    for pattern in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]:
        package = pattern.rstrip("*")
        assert package in sources, f"package {package} is not copied"


def test_installs_with_the_readme_pins() -> None:
    runs = " ".join(i.args for i in dockerfile() if i.op == "RUN")
    assert re.search(r"pip install -c constraints\.txt \.(\s|$)", runs)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-c constraints.txt" in makefile  # the same pins `make run` installs with


def test_runs_the_console_script_as_a_non_root_user() -> None:
    final = final_stage()
    users = [i.args for i in final if i.op == "USER"]
    assert users and users[-1] not in ("root", "0")
    runs = " ".join(i.args for i in final if i.op == "RUN")
    assert re.search(rf"useradd .*\b{re.escape(users[-1])}\b", runs)
    (entry,) = [i.exec_form() for i in final if i.op == "ENTRYPOINT"]
    (cmd,) = [i.exec_form() for i in final if i.op == "CMD"]
    assert entry == ["videobot"]
    assert PYPROJECT["project"]["scripts"]["videobot"] == "adapters.cli:main"
    assert build_parser().parse_args(cmd).command == "run"
    env = env_of(final)
    assert env["PATH"].startswith("/opt/videobot/bin:")  # where the venv with the script lives
    assert any("/opt/videobot" in i.args for i in final if i.op == "COPY")


def test_state_lives_on_the_data_volume() -> None:
    final = final_stage()
    (volume,) = [i.exec_form() for i in final if i.op == "VOLUME"]
    assert volume == ["/data"]
    env = env_of(final)
    settings = Settings(_env_file=None, database_url=env["DATABASE_URL"], data_dir=env["DATA_DIR"])
    assert settings.sqlite_path == Path("/data/videobot.db")
    assert settings.work_dir == Path("/data")
    assert env["TMPDIR"].startswith("/data/")
    runs = " ".join(i.args for i in final if i.op == "RUN")
    assert f"mkdir -p {env['TMPDIR']}" in runs and "chown -R videobot:videobot /data" in runs


def test_no_secrets_are_baked_in() -> None:
    instructions = dockerfile()
    fields = set(Settings.model_fields)
    for i in instructions:
        if i.op in ("ENV", "ARG"):
            for token in shlex.split(i.args):
                name = token.partition("=")[0]
                assert not re.search(r"KEY|TOKEN|SECRET|PASSWORD|HASH", name), name
                assert name in SYSTEM_ENV or name.lower() in fields or name.startswith("PIP_")
        if i.op in ("COPY", "ADD"):
            assert ".env" not in i.args.split()
    patterns = dockerignore()
    assert ".env" in patterns and ".venv" in patterns and ".git" in patterns
    assert ignored(".env") and ignored(".env.production") and ignored("data")


def test_metrics_port_is_exposed_and_health_checked() -> None:
    final = final_stage()
    env = env_of(final)
    assert [i.args for i in final if i.op == "EXPOSE"] == [env["METRICS_PORT"]]
    (check,) = [i for i in final if i.op == "HEALTHCHECK"]
    assert check.args.startswith("--interval=")
    assert "/readyz" in check.args


async def test_healthcheck_command_passes_only_when_ready(tmp_path: Path) -> None:
    """Run the HEALTHCHECK's own command against a live ops server."""
    (check,) = [i for i in final_stage() if i.op == "HEALTHCHECK"]
    command = json.loads(check.args.partition(" CMD ")[2])
    assert command[0] == "python"
    core = await make_core(tmp_path)
    ops = OpsServer("127.0.0.1", 0)
    await ops.start(core)
    env = {**os.environ, "METRICS_PORT": str(ops.port)}

    def probe() -> int:
        run = subprocess.run([sys.executable, *command[1:]], env=env, capture_output=True)
        return run.returncode

    try:
        assert await asyncio.to_thread(probe) != 0  # starting: 503
        ops.ready = True
        assert await asyncio.to_thread(probe) == 0
    finally:
        await ops.stop()
        await core.aclose()
    assert await asyncio.to_thread(probe) != 0  # nothing listening


# docker-compose.yml (no YAML parser in the project: the structure is checked line by line)


def compose_lines() -> list[str]:
    return (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8").splitlines()


def test_compose_builds_this_repo_with_env_file_and_volume() -> None:
    active = [line for line in compose_lines() if not line.lstrip().startswith("#")]
    text = "\n".join(active)
    assert re.search(r"^services:\n  videobot:\n", text, re.M)
    assert "      context: ..\n      dockerfile: deploy/Dockerfile" in text
    assert (DEPLOY / ".." / "deploy" / "Dockerfile").exists()
    assert "    env_file: ../.env" in text
    assert "      - videobot-data:/data" in text
    assert re.search(r"^volumes:\n  videobot-data:", text, re.M)
    # The environment block overrides a copied .env's relative DATABASE_URL.
    assert "      DATABASE_URL: sqlite:////data/videobot.db" in text
    port = env_of(final_stage())["METRICS_PORT"]
    assert f'      METRICS_PORT: "{port}"' in text
    assert f'"127.0.0.1:{port}:{port}"' in text
    assert "restart: unless-stopped" in text


def test_compose_has_an_optional_commented_bot_api_server_wired_by_url() -> None:
    lines = compose_lines()
    service = [line for line in lines if "telegram-bot-api:" in line]
    assert service and all(line.lstrip().startswith("#") for line in service)
    text = "\n".join(lines)
    assert "#   image: aiogram/telegram-bot-api" in text
    assert "# TELEGRAM_API_URL: http://telegram-bot-api:8081" in text
    assert "TELEGRAM_API_ID" in text and "TELEGRAM_API_HASH" in text
    assert "telegram_api_url" in Settings.model_fields


# videobot.service


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "videobot.service", encoding="utf-8")
    return parser


def test_systemd_unit_restarts_as_its_own_user_with_an_environment_file() -> None:
    service = unit()["Service"]
    assert service["User"] == "videobot" and service["Group"] == "videobot"
    assert service["Restart"] == "on-failure"
    assert service["EnvironmentFile"].startswith("/etc/videobot/")
    argv = shlex.split(service["ExecStart"])
    assert Path(argv[0]).name == "videobot" and build_parser().parse_args(argv[1:]).command == "run"
    assert service["StateDirectory"].split()[0] == "videobot"
    assert service["WorkingDirectory"] == "/var/lib/videobot"
    assert unit()["Install"]["WantedBy"] == "multi-user.target"
    assert "network-online.target" in unit()["Unit"]["After"]


@pytest.mark.parametrize("command", ["doctor", "users", "grant", "jobs", "refund", "export-ledger"])
def test_operator_commands_named_in_readme_exist(command: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"videobot {command}" in readme
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert command in sub.choices
