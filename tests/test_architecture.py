"""The core never imports a chat platform or an adapter."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import bot


def test_core_imports_no_platform() -> None:
    modules = [m.name for m in pkgutil.walk_packages(bot.__path__, "bot.")]
    assert "bot.engine" in modules and "bot.vendors.local" in modules
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "roots = ('telegram', 'discord', 'adapters')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in roots)\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"bot/ imported {result.stdout.strip()}"
