"""Discord credit packs: consumable SKUs of the application (DISCORD_CREDIT_SKUS), sold by
premium buttons under /buy, arriving as entitlements.

An entitlement is credited (once per its id: the core's payment key) and then consumed, so
a stop between the two leaves it unconsumed, to be found again. Entitlements that arrived
while the bot was down are listed at start and taken the same way; a live purchase comes as
`on_entitlement_create`.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord.bridge import CoreBridge
from adapters.discord.translate import loc
from bot.models import UserRef
from bot.storage.payment_types import Purchase

log = logging.getLogger("videobot.discord")

Interaction = discord.Interaction[Any]


def purchase_of(entitlement: discord.Entitlement, credits: int) -> Purchase:
    return Purchase(
        id=f"discord:{entitlement.id}",
        user=UserRef("discord", str(entitlement.user_id)),
        product=f"sku:{entitlement.sku_id}",
        credits=credits,
        price=0,  # Discord keeps the price; the SKU names it
        currency="SKU",
    )


class PaymentsCog(commands.Cog):
    """/buy with the SKUs' premium buttons, and the entitlements they bring."""

    def __init__(self, bot: commands.Bot, bridge: CoreBridge) -> None:
        self.bot = bot
        self.bridge = bridge
        self.skus: dict[int, int] = bridge.core.settings.discord_credit_skus

    @app_commands.command(name="buy", description=loc("cmd_buy"))
    async def buy(self, interaction: Interaction) -> None:
        locale = self.bridge.locale(interaction)
        words = self.bridge.core.service.buy_text("discord", locale)
        view = discord.ui.View(timeout=None)
        for sku in self.skus:
            view.add_item(discord.ui.Button(sku_id=sku))
        if self.skus:
            await interaction.response.send_message(words, view=view, ephemeral=True)
        else:
            await interaction.response.send_message(words, ephemeral=True)

    @commands.Cog.listener()
    async def on_entitlement_create(self, entitlement: discord.Entitlement) -> None:
        await self.take(entitlement)

    async def catch_up(self) -> int:
        """Take every unconsumed entitlement of a credit SKU (bought while the bot was
        down, or credited but not consumed before a stop); returns how many."""
        if not self.skus:
            return 0
        taken = 0
        try:
            async for entitlement in self.bot.entitlements(
                limit=None, skus=[discord.Object(id=s) for s in self.skus], exclude_ended=True
            ):
                taken += await self.take(entitlement)
        except discord.HTTPException as exc:
            log.warning("discord: listing entitlements failed: %s", exc)
        if taken:
            log.info("discord: took %d entitlement(s) found at start", taken)
        return taken

    async def take(self, entitlement: discord.Entitlement) -> bool:
        """Credit an entitlement of a credit SKU, then consume it; False if not one."""
        credits = self.skus.get(entitlement.sku_id)
        if credits is None or entitlement.user_id is None or entitlement.consumed:
            return False
        if entitlement.deleted:
            return False
        await self.bridge.core.service.credit_purchase(purchase_of(entitlement, credits), None)
        try:
            await entitlement.consume()
        except discord.HTTPException as exc:  # credited: the next start consumes it
            log.warning("discord: consuming entitlement %s failed: %s", entitlement.id, exc)
        return True
