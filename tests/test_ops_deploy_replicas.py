"""deploy/ for several processes: the compose profile `replicas` (PostgreSQL, two bot
processes, Caddy in front of the Telegram webhook) and the systemd template unit
videobot@.service, read and held to the settings the bot really takes. Where Docker
Compose, Caddy or systemd-analyze are installed their own validators run too; they skip,
saying so, where not (no Docker engine is needed for any of them)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.cli import build_parser
from adapters.discord import DiscordSettings
from adapters.telegram import TelegramSettings
from bot.config import Settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
REPLICAS = ("bot-1", "bot-2")


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text("utf-8"))
    return loaded


def services() -> dict[str, Any]:
    found: dict[str, Any] = compose()["services"]
    return found


def env(service: str) -> dict[str, str]:
    return {k: str(v) for k, v in services()[service]["environment"].items()}


def caddyfile() -> str:
    return (DEPLOY / "Caddyfile").read_text(encoding="utf-8")


# docker-compose.yml, profile `replicas`


def test_the_profile_holds_postgres_two_bots_and_the_proxy() -> None:
    found = services()
    profiled = {name for name, s in found.items() if "replicas" in s.get("profiles", [])}
    assert profiled == {"postgres", *REPLICAS, "proxy"}
    assert "profiles" not in found["videobot"]  # the one-process bot is the default
    for name in REPLICAS:
        build = found[name]["build"]
        assert (build["context"], build["dockerfile"]) == ("..", "deploy/Dockerfile")
        assert found[name]["env_file"] == "../.env"
        assert found[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    # One after the other: the first has migrated the schema when the second starts.
    assert found["bot-2"]["depends_on"]["bot-1"]["condition"] == "service_healthy"
    assert "ports" not in found["postgres"]  # the database stays on the compose network


def test_each_replica_is_a_valid_process_of_one_postgres_database() -> None:
    pg = services()["postgres"]["environment"]
    urls, ids, shards, host_ports = set(), set(), [], set()
    for name in REPLICAS:
        values = env(name)
        url = values["DATABASE_URL"].replace("${POSTGRES_PASSWORD:-change-me}", "pw")
        assert url == f"postgresql://{pg['POSTGRES_USER']}:pw@postgres:5432/{pg['POSTGRES_DB']}"
        urls.add(url)
        settings = Settings(_env_file=None, **{k.lower(): v for k, v in values.items()})
        assert not settings.uses_sqlite and settings.metrics_port == 9090
        ids.add(settings.videobot_process_id)
        discord = DiscordSettings(_env_file=None, shard_count=values["DISCORD_SHARD_COUNT"],
                                  shard_ids=values["DISCORD_SHARD_IDS"])  # fmt: skip
        assert discord.shards is not None
        shards += discord.shards
        assert TelegramSettings(_env_file=None, webhook_listen=values["TELEGRAM_WEBHOOK_LISTEN"])
        (port,) = services()[name]["ports"]
        host_ports.add(port.split(":")[1])
        assert port.startswith("127.0.0.1:") and port.endswith(":9090")
    assert len(urls) == 1 and ids == set(REPLICAS) and len(host_ports) == len(REPLICAS)
    assert sorted(shards) == list(range(len(REPLICAS)))  # every shard run exactly once


def test_the_proxy_spreads_the_webhook_over_every_replica() -> None:
    proxy = services()["proxy"]
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert set(proxy["depends_on"]) == set(REPLICAS)
    text = caddyfile()
    (upstreams,) = re.findall(r"reverse_proxy ([^{]+)\{", text)
    listen = {TelegramSettings(_env_file=None, webhook_listen=env(n)["TELEGRAM_WEBHOOK_LISTEN"])
              .listen[1] for n in REPLICAS}  # fmt: skip
    assert upstreams.split() == [f"{name}:{port}" for name in REPLICAS for port in listen]
    # Health checked on the bots' /readyz, on their metrics port.
    assert "health_uri /readyz" in text and f"health_port {env('bot-1')['METRICS_PORT']}" in text
    assert re.search(r"method POST\s+path /telegram", text)  # only the webhook goes through
    assert "TELEGRAM_WEBHOOK_URL=https://<VIDEOBOT_DOMAIN>/telegram" in (
        DEPLOY / "docker-compose.yml"
    ).read_text("utf-8")


def test_docker_compose_accepts_the_file(tmp_path: Path) -> None:
    command = compose_command()
    if command is None:
        pytest.skip("no Docker Compose here (docker compose or docker-compose)")
    repo = tmp_path / "repo"
    shutil.copytree(DEPLOY, repo / "deploy")
    (repo / ".env").write_text("TELEGRAM_BOT_TOKEN=\n", encoding="utf-8")
    for profile in ([], ["--profile", "replicas"]):
        result = subprocess.run(
            [*command, "-f", "deploy/docker-compose.yml", *profile, "config", "-q"],
            cwd=repo, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr


def compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_caddy_accepts_the_caddyfile() -> None:
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("no caddy here to validate deploy/Caddyfile")
    result = subprocess.run(
        [caddy, "validate", "--adapter", "caddyfile", "--config", str(DEPLOY / "Caddyfile")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


# videobot@.service


def template() -> dict[str, list[str]]:
    """[Service] key -> every value, in order (systemd allows keys more than once)."""
    values: dict[str, list[str]] = {}
    section = ""
    for line in (DEPLOY / "videobot@.service").read_text("utf-8").splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "Service" and "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values.setdefault(key, []).append(value)
    return values


def instance(n: str) -> dict[str, str]:
    """The unit's Environment= for instance `n`, specifiers expanded."""
    pairs = (
        v.replace("%i", n).replace("%H", "host").partition("=") for v in template()["Environment"]
    )
    return {key: value for key, _, value in pairs}


def test_the_instance_names_the_process_and_its_shard() -> None:
    one, two = instance("0"), instance("1")
    assert (one["VIDEOBOT_PROCESS_ID"], two["VIDEOBOT_PROCESS_ID"]) == ("host-0", "host-1")
    assert DiscordSettings(
        _env_file=None, shard_count=2, shard_ids=one["DISCORD_SHARD_IDS"]
    ).syncs_commands
    assert not DiscordSettings(
        _env_file=None, shard_count=2, shard_ids=two["DISCORD_SHARD_IDS"]
    ).syncs_commands
    for values in (one, two):
        Settings(_env_file=None, metrics_port=values["METRICS_PORT"])
        TelegramSettings(_env_file=None, webhook_listen=values["TELEGRAM_WEBHOOK_LISTEN"])
    assert one["METRICS_PORT"] != two["METRICS_PORT"]
    assert one["TELEGRAM_WEBHOOK_LISTEN"] != two["TELEGRAM_WEBHOOK_LISTEN"]


def test_the_template_runs_the_bot_with_shared_then_own_settings() -> None:
    service = template()
    assert service["User"] == ["videobot"] and service["Restart"] == ["on-failure"]
    # The shared file first, then the instance's own (optional, so `-`): the later wins.
    assert service["EnvironmentFile"] == ["/etc/videobot/.env", "-/etc/videobot/%i.env"]
    (start,) = service["ExecStart"]
    argv = shlex.split(start)
    assert Path(argv[0]).name == "videobot" and build_parser().parse_args(argv[1:]).command == "run"


def test_systemd_accepts_the_template(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("no systemd-analyze here to verify deploy/videobot@.service")
    text = (DEPLOY / "videobot@.service").read_text("utf-8")
    # The bot is not installed at /opt here: verify checks that ExecStart is executable.
    unit = tmp_path / "videobot@.service"
    unit.write_text(text.replace("/opt/videobot/bin/videobot", "/bin/true"), encoding="utf-8")
    result = subprocess.run(
        [analyze, "verify", str(tmp_path / "videobot@1.service")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0 and "videobot@" not in result.stderr, result.stderr
