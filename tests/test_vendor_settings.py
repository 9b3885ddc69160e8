"""Each vendor's settings come from its client class: the variables that hold its key and
API root, and its documented API root when none is set."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.vendors import VENDORS
from bot.vendors.runway import RunwayClient

# The names operators deploy with (.env.example); they must never change.
VARIABLES = {
    "runway": ("RUNWAY_API_KEY", "RUNWAY_BASE_URL"),
    "gptge": ("GPTGE_API_KEY", "GPTGE_BASE_URL"),
    "openai-hk": ("OPENAI_HK_API_KEY", "OPENAI_HK_BASE_URL"),
    "apiframe": ("APIFRAME_API_KEY", "APIFRAME_BASE_URL"),
    "aimlapi": ("AIMLAPI_API_KEY", "AIMLAPI_BASE_URL"),
    "useapi": ("USEAPI_API_KEY", "USEAPI_BASE_URL"),
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for names in VARIABLES.values():
        for name in names:
            monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("vendor_id", sorted(VARIABLES))
def test_each_vendor_reads_its_documented_variables(
    vendor_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cls = VENDORS[vendor_id]
    key_env, base_env = VARIABLES[vendor_id]
    assert (cls.key_env, cls.base_url_env) == (key_env, base_env)
    default = Settings(_env_file=None).vendor(vendor_id)  # type: ignore[call-arg]
    assert default.api_key is None and default.base_url == cls.default_base_url
    assert (default.key_env, default.base_url_env) == (key_env, base_env)
    monkeypatch.setenv(key_env, "secret-key")
    monkeypatch.setenv(base_env, "http://127.0.0.1:9/")
    conf = Settings(_env_file=None).vendor(vendor_id)  # type: ignore[call-arg]
    assert conf.api_key == "secret-key" and conf.base_url == "http://127.0.0.1:9"


def test_the_offline_vendor_needs_no_variables() -> None:
    conf = Settings(_env_file=None).vendor("local")  # type: ignore[call-arg]
    assert conf.api_key is None and conf.key_env == "" and conf.base_url_env == ""


class MirrorClient(RunwayClient):
    """A Runway mirror declared by its class alone, reading Runway's key."""

    id = "mirror"
    default_base_url = "https://mirror.example"


def test_a_client_class_alone_declares_a_vendor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(VENDORS, MirrorClient.id, MirrorClient)
    settings = Settings(_env_file=None, video_vendors="mirror", runway_api_key="k")  # type: ignore[call-arg]
    conf = settings.vendor("mirror")
    assert (conf.api_key, conf.base_url) == ("k", "https://mirror.example")
    with pytest.raises(ValueError, match="unknown vendor nosuch"):
        Settings(_env_file=None, video_vendors="nosuch")  # type: ignore[call-arg]


def test_every_named_variable_is_a_setting() -> None:
    """A client naming a variable the settings do not declare would never get its key."""
    for cls in VENDORS.values():
        named = [env for env in (cls.key_env, cls.base_url_env) if env]
        assert all(env.lower() in Settings.model_fields for env in named), cls.id
        assert bool(cls.key_env) == cls.needs_key, cls.id
