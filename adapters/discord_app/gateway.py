"""Gateway mode with discord.py: the same /caremark, autocomplete and buttons over a websocket.

The buttons are dynamic items matched by their custom id, so they keep working after a restart.
No privileged intent is needed: slash commands arrive as interactions. SIGTERM closes cleanly.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord import app_commands

from adapters.bursts import BurstLimit
from adapters.conversations import Conversations
from adapters.discord_app import feedback, render
from adapters.discord_app.admin import (
    DiscordAdmin,
    fields_of,
    is_admin_command,
    is_admin_interaction,
)
from adapters.discord_app.check import message_text
from adapters.discord_app.commands import check_command
from adapters.discord_app.commands import command as command_spec
from adapters.discord_app.messages import DiscordMessages
from adapters.limits import asks_per_minute, cooled_down, too_many
from adapters.plan_routes import PlanRoutes
from adapters.settings import ConfigError
from adapters.shared import SharedState
from bot.answer.language import of_locale
from bot.core import Engine
from bot.i18n import DEFAULT, words
from bot.kb.knowledge import Knowledge
from bot.reply import Platform, Query, Reply, View

if TYPE_CHECKING:
    from adapters.insights import Insights

_STYLES = {
    render.PRIMARY: discord.ButtonStyle.primary,
    render.SECONDARY: discord.ButtonStyle.secondary,
}


class CaremarkButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=render.CUSTOM_ID_PATTERN,
):
    """A topic, share or 'More details' button whose state lives in its custom id."""

    def __init__(
        self,
        kind: str,
        value: str,
        label: str = "",
        style: int = render.SECONDARY,
        row: int | None = None,
        language: str | None = None,
    ) -> None:
        button: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            custom_id=render.custom_id(kind, value, language),
            label=label or value,
            style=_STYLES.get(style, discord.ButtonStyle.secondary),
            row=row,
        )
        super().__init__(button)
        self.kind, self.value, self.language = kind, value, language

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: Any,
    ) -> CaremarkButton:
        label = getattr(item, "label", None) or ""
        return cls(match["kind"], match["value"], label, language=match["language"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        engine: Engine = interaction.client.engine
        if self.kind in ("yes", "no"):
            message = interaction.message
            answer = f"discord:{interaction.channel_id or ''}:{message.id if message else ''}"
            response = await feedback.voted(
                getattr(interaction.client, "insights", None),
                self.kind,
                self.value,
                self.language,
                str(interaction.user.id),
                answer,
            )
            await respond_raw(interaction, response)
            return
        view = View.FULL if self.kind == "more" else View.BRIEF
        locale = locale_here(interaction)
        query = Query(
            self.value,
            Platform.DISCORD,
            locale=locale,
            view=view,
            language=self.language,
            plan=plan_here(interaction),
        )
        reply = await engine.handle(query)
        if self.kind == "share":
            shared = getattr(interaction.client, "shared", None)
            channel = f"discord:{interaction.channel_id or ''}"
            if isinstance(shared, SharedState) and not await cooled_down(
                shared, channel, reply.topic_id
            ):
                note = words(reply.language)("conversation.just_shared")
                await interaction.response.send_message(note, ephemeral=True)
                return
            await interaction.response.send_message(**kwargs(render.message(reply, shared=True)))
            return
        message = interaction.message
        if message is not None and message.flags.ephemeral:
            await interaction.response.edit_message(**kwargs(render.message(reply), edit=True))
        else:
            await interaction.response.send_message(**kwargs(render.message(reply)))


def plan_here(interaction: discord.Interaction[Any]) -> str | None:
    """The plan mapped to the interaction's guild and channel (None: the default)."""
    routes = getattr(interaction.client, "routes", None)
    if not isinstance(routes, PlanRoutes):
        return None
    guild, channel = str(interaction.guild_id or ""), str(interaction.channel_id or "")
    return routes.plan_for("discord", guild, channel)


async def too_fast(interaction: discord.Interaction[Any]) -> bool:
    """Count one question from this person, across instances; True past their limit."""
    shared = getattr(interaction.client, "shared", None)
    limit = getattr(interaction.client, "asks_per_minute", 0)
    if not isinstance(shared, SharedState) or not isinstance(limit, int):
        return False
    return await too_many(shared, f"discord:{interaction.user.id}", limit)


def locale_here(interaction: discord.Interaction[Any]) -> str:
    """The person's Discord language, unless their guild has a language set."""
    routes, locale = getattr(interaction.client, "routes", None), str(interaction.locale)
    if not isinstance(routes, PlanRoutes):
        return locale
    return routes.locale_for("discord", str(interaction.guild_id or ""), locale) or locale


def kwargs(data: dict[str, Any], *, edit: bool = False) -> dict[str, Any]:
    """The renderer's payload as discord.py arguments: embeds, a persistent view, no mentions."""
    view = discord.ui.View(timeout=None)
    for row, components in enumerate(data["components"]):
        for button in components["components"]:
            if button["style"] == render.LINK:
                view.add_item(
                    discord.ui.Button(
                        style=discord.ButtonStyle.link,
                        label=button["label"],
                        url=button["url"],
                        row=row,
                    )
                )
            elif match := render.CUSTOM_ID.match(button["custom_id"]):
                view.add_item(
                    CaremarkButton(
                        match["kind"],
                        match["value"],
                        button["label"],
                        button["style"],
                        row=row,
                        language=match["language"],
                    )
                )
    result: dict[str, Any] = {
        "embeds": [discord.Embed.from_dict(e) for e in data["embeds"]],
        "view": view,
        "allowed_mentions": discord.AllowedMentions.none(),
    }
    if not edit:
        result["ephemeral"] = bool(data.get("flags", 0) & render.EPHEMERAL)
    return result


def _sent(data: dict[str, Any]) -> dict[str, Any]:
    """A message posted in a channel or DM: `send` takes no `ephemeral`."""
    return kwargs(data, edit=True)


def check_menu(engine: Engine) -> app_commands.ContextMenu:
    """*Check contacts* on a message, as `caremark-bot discord commands` prints it."""
    spec = check_command()

    async def check(interaction: discord.Interaction[Any], message: discord.Message) -> None:
        said = {
            "content": message.content,
            "embeds": [embed.to_dict() for embed in message.embeds],
            "attachments": [{"filename": a.filename} for a in message.attachments],
            "components": [row.to_dict() for row in message.components],
        }
        query = Query(
            message_text(said),
            Platform.DISCORD,
            locale=locale_here(interaction),
            plan=plan_here(interaction),
        )
        reply = engine.check_message(query)
        await interaction.response.send_message(**kwargs(render.message(reply)))

    return app_commands.ContextMenu(
        name=spec["name"],
        callback=check,
        allowed_contexts=app_commands.AppCommandContext(
            guild=True, dm_channel=True, private_channel=True
        ),
        allowed_installs=app_commands.AppInstallationType(guild=True, user=True),
    )


def caremark_command(
    engine: Engine, kb: Knowledge, admin: DiscordAdmin | None = None
) -> app_commands.Command[Any, Any, Any]:
    """/caremark [topic], described exactly as `caremark-bot discord commands` prints it;
    `/caremark admin` goes to `admin` when the deployment has a store."""
    spec = command_spec(kb)
    option = spec["options"][0]

    @app_commands.command(name=spec["name"], description=spec["description"])
    @app_commands.describe(topic=option["description"])
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    async def caremark(
        interaction: discord.Interaction[Any],
        topic: app_commands.Range[str, None, 200] | None = None,
    ) -> None:
        if admin is not None and is_admin_command(raw(interaction)):
            await respond_raw(interaction, await admin.answer(raw(interaction)))
            return
        locale, plan = locale_here(interaction), plan_here(interaction)
        if await too_fast(interaction):
            note = words(of_locale(locale) or DEFAULT)("conversation.slow_down")
            await interaction.response.send_message(note, ephemeral=True)
            return
        reply = await engine.handle(Query(topic or "", Platform.DISCORD, locale=locale, plan=plan))
        insights = getattr(interaction.client, "insights", None)
        if insights is not None and topic:
            insights.if_unanswered(reply, topic, "discord", str(interaction.user.id))
        await interaction.response.send_message(**kwargs(render.message(reply)))

    @caremark.autocomplete("topic")
    async def complete(
        interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        query = Query(current, Platform.DISCORD, locale=locale_here(interaction))
        result = render.choices(engine.suggest(query, 25))
        return [
            app_commands.Choice(name=c["name"], value=c["value"]) for c in result["data"]["choices"]
        ]

    return caremark


class SpecTranslator(app_commands.Translator):
    """The commands' names and descriptions in each locale the printed commands localize
    them to."""

    def __init__(self, *specs: dict[str, Any]) -> None:
        self._words: dict[tuple[str, str], str] = {}
        for part in (p for spec in specs for p in (spec, *spec.get("options", []))):
            for locale, text in part.get("description_localizations", {}).items():
                self._words[(part["description"], locale)] = text
            for locale, text in part.get("name_localizations", {}).items():
                self._words[(part["name"], locale)] = text

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        return self._words.get((string.message, locale.value))


def shards(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`DISCORD_SHARD_COUNT` and `DISCORD_SHARD_IDS` (e.g. `0,1`: the shards this process
    runs) as AutoShardedClient's arguments; with neither, Discord's recommended count, all
    in this process."""
    env = os.environ if env is None else env
    count = env.get("DISCORD_SHARD_COUNT", "").strip()
    ids = [i for i in re.split(r"[,\s]+", env.get("DISCORD_SHARD_IDS", "").strip()) if i]
    if not count and not ids:
        return {}
    if not count.isdigit() or not all(i.isdigit() and int(i) < int(count) for i in ids):
        raise ConfigError("DISCORD_SHARD_COUNT must be a number and DISCORD_SHARD_IDS below it")
    found: dict[str, Any] = {"shard_count": int(count)}
    if ids:
        found["shard_ids"] = [int(i) for i in ids]
    return found


class GatewayBot(discord.AutoShardedClient):
    """A sharded client with no privileged intents, the /caremark tree and persistent
    buttons. Each process runs the shards the environment gives it (`shards`)."""

    def __init__(
        self,
        engine: Engine,
        admin: DiscordAdmin | None = None,
        sharding: dict[str, Any] | None = None,
    ) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_messages = True  # mentions: their text comes without message_content
        intents.dm_messages = True
        super().__init__(
            intents=intents, allowed_mentions=discord.AllowedMentions.none(), **(sharding or {})
        )
        self.engine = engine
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(caremark_command(engine, engine.knowledge, admin))
        self.tree.add_command(check_menu(engine))
        self.admin = admin
        self.routes = PlanRoutes()
        """Which plan answers in which guild and channel (filled by the store's watch)."""
        self.shared = SharedState()
        """Rate limits and Share cooldowns: in Redis when `run` is given REDIS_URL."""
        self.asks_per_minute = asks_per_minute()
        self.insights: Insights | None = None
        """Votes and unanswered questions, when `run` is given a store."""
        self.messages = DiscordMessages(
            engine,
            Conversations(time.time),
            BurstLimit(time.time),
            _sent,
            lambda guild, channel: self.routes.plan_for("discord", guild, channel),
            lambda guild, locale: self.routes.locale_for("discord", guild, locale),
            self._missed,
        )

    def _missed(self, reply: Reply, text: str, user: str) -> None:
        """Keep a question nothing answered, redacted, when insights are collected."""
        if self.insights is not None:
            self.insights.if_unanswered(reply, text, "discord", user)

    async def on_message(self, message: discord.Message) -> None:
        await self.messages.on_message(self.user, message)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """The admin modal's submission and its preview's buttons (no view is registered for
        them: any instance, before or after a restart, answers them from the database)."""
        payload = raw(interaction)
        custom_id = str(payload["data"].get("custom_id") or "")
        modal = interaction.type is discord.InteractionType.modal_submit
        if modal and custom_id.startswith(render.MISSING_ID):
            typed = fields_of(payload).get("missing", "")
            reply = feedback.missing(self.insights, custom_id, typed, str(interaction.user.id))
            await respond_raw(interaction, reply)
            return
        if self.admin is None or interaction.type not in _ADMIN_KINDS:
            return
        if is_admin_interaction(payload):
            await respond_raw(interaction, await self.admin.answer(payload))

    async def setup_hook(self) -> None:
        self.add_dynamic_items(CaremarkButton)
        await self.tree.set_translator(
            SpecTranslator(command_spec(self.engine.knowledge), check_command())
        )


_ADMIN_KINDS = (discord.InteractionType.component, discord.InteractionType.modal_submit)


def raw(interaction: discord.Interaction[Any]) -> dict[str, Any]:
    """The parts of an interaction the admin desk reads, as Discord's HTTP payload has them."""
    user = interaction.user
    person = {"id": str(user.id), "username": user.name, "global_name": user.global_name}
    payload: dict[str, Any] = {
        "type": interaction.type.value,
        "data": interaction.data or {},
        "locale": str(interaction.locale),
    }
    if interaction.guild_id is not None:
        payload["member"] = {"user": person, "permissions": str(interaction.permissions.value)}
    else:
        payload["user"] = person
    return payload


async def respond_raw(interaction: discord.Interaction[Any], response: dict[str, Any]) -> None:
    """Send an interaction response exactly as the HTTP endpoint would return it (a modal,
    a message, an update). The callback URL is authorised by the interaction's own token."""
    base = discord.http.Route.BASE
    url = f"{base}/interactions/{interaction.id}/{interaction.token}/callback"
    async with aiohttp.ClientSession() as session, session.post(url, json=response) as answer:
        answer.raise_for_status()


async def run(
    engine: Engine,
    token: str,
    admin: DiscordAdmin | None = None,
    alongside: tuple[Callable[[], Coroutine[Any, Any, None]], ...] = (),
    routes: PlanRoutes | None = None,
    insights: Insights | None = None,
) -> None:
    """Connect and serve until SIGTERM or SIGINT, then close the client cleanly; the work
    `alongside` (following the plan store, say) runs for as long as the bot does; `routes`
    is the table of which plan answers where that work keeps current."""
    bot = GatewayBot(engine, admin, shards())
    bot.shared = SharedState.from_env()
    bot.insights = insights
    if routes is not None:
        bot.routes = routes
    helpers = [asyncio.create_task(work()) for work in alongside]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with bot:
        runner = asyncio.create_task(bot.start(token))
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        await bot.close()
        stopper.cancel()
        for helper in helpers:
            helper.cancel()
        await bot.shared.close()
        if runner in done:
            runner.result()  # a login failure surfaces as an error, not a silent exit
