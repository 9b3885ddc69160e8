"""/settings through the Discord adapter against the fake Discord: an admin's slash command
narrows DISCORD_ALLOWED_GUILDS, and the next command in that server is refused; the reset
opens it again; both are in the audit log with Discord as their source."""

from __future__ import annotations

import time
from pathlib import Path

from tests.discord_emulator import ADMIN_ID, GUILD_ID
from tests.emulators.runway import RunwayEmulator
from tests.test_discord_places import answer, harness, synced


async def test_an_admin_changes_the_allowed_servers(tmp_path: Path, emu: RunwayEmulator) -> None:
    async with harness(tmp_path, emu) as h:
        assert "settings" in synced(h)
        other = str(GUILD_ID + 1)
        payload = h.interact(
            h.fake.slash("settings", key="discord_allowed_guilds", value=other, user_id=ADMIN_ID)
        )
        assert f"DISCORD_ALLOWED_GUILDS: (none) → {other}" in (await answer(h, payload))["content"]
        payload = h.interact(h.fake.slash("quota"))
        assert (await answer(h, payload))["content"] == "This bot isn't enabled in this chat."

        # The admin's own command in this server is refused too: reset from elsewhere.
        live = h.core.service.live
        await live.change("DISCORD_ALLOWED_GUILDS", None, "cli:ops", "cli", time.time())
        payload = h.interact(h.fake.slash("settings", key="audit", user_id=ADMIN_ID))
        shown = (await answer(h, payload))["content"]
        assert f"discord:{ADMIN_ID} setting DISCORD_ALLOWED_GUILDS: - → {other}" in shown
        assert f"cli:ops setting_reset DISCORD_ALLOWED_GUILDS: {other} → -" in shown
        payload = h.interact(h.fake.slash("quota"))
        assert (await answer(h, payload))["content"].startswith("💳")
