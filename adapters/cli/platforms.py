"""`caremark-bot serve | slack … | discord …`: run the bot for chat platforms and set them up."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapters import heap, logs
from adapters.cli import options
from adapters.cli.chat import engine
from adapters.plan_routes import PlanRoutes
from adapters.settings import (
    ConfigError,
    DiscordSettings,
    SlackSettings,
    discord_settings,
    port,
    slack_settings,
)
from adapters.store.snapshot import prepare_store, stored_plan
from bot.gate import load
from bot.kb.knowledge import default_plan

if TYPE_CHECKING:
    from adapters.insights import Insights
    from adapters.slack.oauth import Installs

EXIT_CONFIG = 3


def register(commands: Any) -> None:
    serve_parser = commands.add_parser(
        "serve", help="run the web app: Slack and Discord endpoints, /healthz, /readyz"
    )
    options.add(serve_parser, "serve", options.KNOWLEDGE)
    serve_parser.add_argument(
        "--host",
        default="0.0.0.0",  # noqa: S104
        help="address to listen on (default 0.0.0.0)",
    )
    serve_parser.add_argument("--port", type=int, default=None, help="port (default $PORT or 3000)")
    serve_parser.set_defaults(run=serve)

    slack = commands.add_parser("slack", help="Slack set-up helpers")
    slack_commands = slack.add_subparsers(
        title="slack commands", metavar="SLACK_COMMAND", required=True
    )
    manifest = slack_commands.add_parser("manifest", help="print a Slack app manifest (YAML)")
    options.add(manifest, "slack manifest", options.KNOWLEDGE)
    manifest.add_argument(
        "--url",
        default=None,
        help="public base URL for HTTP mode, e.g. https://bot.example.com; "
        "without it the manifest uses Socket Mode",
    )
    manifest.add_argument(
        "--installs",
        action="store_true",
        help="for installs in many workspaces (OAuth redirect, org-wide, token rotation); "
        "needs --url",
    )
    manifest.set_defaults(run=_slack_manifest)
    key = slack_commands.add_parser(
        "token-key", help="print a new key for CAREMARK_TOKEN_KEY (seals stored tokens)"
    )
    key.set_defaults(run=_token_key)

    discord = commands.add_parser("discord", help="Discord set-up helpers")
    discord_commands = discord.add_subparsers(
        title="discord commands", metavar="DISCORD_COMMAND", required=True
    )
    listing = discord_commands.add_parser(
        "commands", help="print the command JSON that sync registers"
    )
    options.add(listing, "discord commands", options.KNOWLEDGE)
    listing.set_defaults(run=_discord_commands)
    sync = discord_commands.add_parser("sync", help="register the commands (a test guild first)")
    options.add(sync, "discord sync", options.KNOWLEDGE)
    sync.add_argument("--guild", default=None, help="guild id; without it, global commands")
    sync.set_defaults(run=_discord_sync)
    gateway = discord_commands.add_parser(
        "gateway", help="run the bot over Discord's gateway (a worker)"
    )
    options.add(gateway, "discord gateway", options.KNOWLEDGE)
    gateway.set_defaults(run=discord_gateway)


def serve(args: argparse.Namespace) -> int:
    from adapters import serving
    from adapters.discord_app.admin import DiscordAdmin
    from adapters.shared import SharedState
    from adapters.web import DRAIN, Slack, create_app

    logs.configure(json_lines=True)
    slack = slack_settings()
    discord = discord_settings()
    listen = args.port or port()
    prepare_store()
    stored = None if args.plan else stored_plan()
    loaded = engine(args, stored)
    discord_key = discord.public_key if discord else None
    admin = os.environ.get("CAREMARK_ADMIN_TOKEN", "").strip() or None
    metrics = os.environ.get("CAREMARK_METRICS_TOKEN", "").strip() or None
    shared = SharedState.from_env()  # Redis when REDIS_URL is set, else in-process
    routes = PlanRoutes()  # which plan answers where; filled from the store
    installs = _installs(slack)  # the app installed in many workspaces (OAuth)
    chat = Slack.start(loaded, slack, shared=shared, installs=installs) if slack else None
    if chat is not None:
        chat.answers.routes = routes
    from adapters.desk import Admins, desk_for

    plan_admin, desk = None, desk_for(loaded, args.kb)  # /caremark admin
    discord_admin = DiscordAdmin(desk, Admins.from_env(), routes) if discord_key else None
    if chat is not None and chat.answers.clients is not None:
        from adapters.slack.admin import SlackAdmin

        answers, client = chat.answers, chat.answers.clients
        plan_admin = SlackAdmin(
            desk,
            Admins.from_env(),
            client,
            answers.background,
            answers.locale_of,
            routes=routes,
        )
        plan_admin.register(chat.app)
        answers.admin = plan_admin
    insights = _insights(loaded, chat) if _collecting() else None
    app = create_app(
        loaded, chat, discord_key, admin, metrics, discord_admin, shared, routes, insights
    )
    if installs is not None:
        app.on_cleanup.append(lambda _: installs.db.dispose())
    if insights is not None:
        _serve_insights(app, insights, admin, args.kb)
    if stored is not None:  # the store's plan: follow it, and remind its owners
        _plan_upkeep(app, stored, chat, plan_admin, discord, routes)
    served = [f"Slack in {slack.mode} mode"] if slack else []
    served += ["Slack installs at /slack/install"] if installs else []
    served += ["Discord interactions"] if discord_key else []
    mode = ", ".join(served) or "no chat platform configured"
    print(f"caremark-bot: serving on http://{args.host}:{listen} ({mode})", file=sys.stderr)
    heap.freeze()
    asyncio.run(serving.serve(app, app[DRAIN], args.host, listen, serving.max_connections()))
    return 0


def _collecting() -> bool:
    """`CAREMARK_INSIGHTS=off` stops counting, votes and unanswered questions altogether."""
    return os.environ.get("CAREMARK_INSIGHTS", "").strip().lower() not in ("off", "0", "no")


def _insights(engine: Any, chat: Any) -> Insights:
    """Every answer counted, and unanswered questions kept redacted, in the store."""
    from adapters.insights import Insights
    from adapters.store.database import database_url

    insights = Insights(database_url())  # connected once serving has begun
    engine.observe(insights.observe)
    if chat is not None:
        chat.answers.insights = insights
    return insights


def _serve_insights(app: Any, insights: Insights, admin_token: str | None, kb: Any) -> None:
    """Write the counts while serving; the report at /admin/report behind the admin token."""
    app.cleanup_ctx.append(insights.context())
    app.on_cleanup.append(lambda _: insights.dispose())
    if admin_token:
        from adapters.cli.insights import built, today
        from adapters.report_page import page
        from adapters.web import report_page

        async def make(since: Any) -> str:
            return page(await built(kb, since, today()))

        app.router.add_get("/admin/report", report_page(admin_token, make))


def _installs(slack: SlackSettings | None) -> Installs | None:
    """With SLACK_CLIENT_ID: the installs, on the plan store's database."""
    if slack is None or slack.installs is None:
        return None
    from adapters.slack.app import web_client
    from adapters.slack.oauth import Installs
    from adapters.store.database import connect, database_url
    from adapters.store.secrets import Sealer

    sealer = Sealer.from_env()
    return Installs(slack.installs, connect(database_url()), sealer, web_client(slack))


def _plan_upkeep(
    app: Any,
    stored: Path,
    chat: Any,
    plan_admin: Any,
    discord: DiscordSettings | None,
    routes: PlanRoutes,
) -> None:
    """On every instance: follow the store's changes within a second; and send the
    re-verification reminders (once across instances) through Slack and Discord DMs."""
    from adapters.desk import Admins
    from adapters.recheck import Messenger, Recheck
    from adapters.store.database import connect, database_url
    from adapters.store.watch import PlanWatch
    from adapters.web import METRICS, RELOADER

    db = connect(database_url())
    watch = PlanWatch(
        db, stored, app[RELOADER].reload, app[METRICS].store_failures.inc, routes=routes
    )
    app.cleanup_ctx.append(watch.context())
    admin_ids, messengers = Admins.from_env().ids, list[Messenger]()
    if chat is not None and chat.answers.clients is not None:
        from adapters.slack.recheck import SlackMessenger, SlackRecheckButtons

        messengers.append(SlackMessenger(chat.every_workspace))
        SlackRecheckButtons(db, admin_ids, plan_admin).register(chat.app)
    if discord is not None and discord.token:
        from adapters.discord_app.recheck import DiscordMessenger

        messengers.append(DiscordMessenger(discord.token, discord.api_url))
    if messengers:
        app.cleanup_ctx.append(Recheck(db, messengers, admin_ids).context())
    from adapters import digest

    if messengers and digest.enabled():  # opt-in: last week's numbers to the plan admins
        from adapters.web import ENGINE

        weekly = digest.WeeklyDigest(db, messengers, admin_ids, lambda: app[ENGINE].knowledge)
        app.cleanup_ctx.append(weekly.context())


def _discord_commands(args: argparse.Namespace) -> int:
    from adapters.discord_app.commands import commands

    kb = load(args.kb, args.plan or default_plan())
    print(json.dumps(commands(kb), indent=2, ensure_ascii=False))
    return 0


def _discord_sync(args: argparse.Namespace) -> int:
    from adapters.discord_app.commands import sync

    settings = discord_settings()
    if settings is None:
        raise ConfigError("DISCORD_TOKEN and DISCORD_APPLICATION_ID are needed to sync commands")
    if args.guild is not None and not args.guild.isdigit():
        raise ConfigError("--guild takes a guild id (a number)")
    count = asyncio.run(sync(load(args.kb, args.plan or default_plan()), settings, args.guild))
    where = f"guild {args.guild}" if args.guild else "all guilds (global; may take a while)"
    print(f"Registered {count} command(s) for {where}.")
    return 0


def discord_gateway(args: argparse.Namespace) -> int:
    from adapters.discord_app import gateway

    settings = discord_settings()
    if settings is None or not settings.token:
        raise ConfigError(
            "DISCORD_TOKEN is missing: gateway mode needs the bot token (Bot > Token)"
        )
    from adapters.desk import Admins, desk_for
    from adapters.discord_app.admin import DiscordAdmin

    stored = None if args.plan else stored_plan()
    loaded = engine(args, stored)
    routes = PlanRoutes()
    admin = DiscordAdmin(desk_for(loaded, args.kb), Admins.from_env(), routes)
    alongside: tuple[Callable[[], Coroutine[Any, Any, None]], ...] = ()
    if stored is not None:  # the store's plan: follow its changes, as serve does
        from adapters.reloading import Reloader
        from adapters.store.database import connect, database_url
        from adapters.store.watch import PlanWatch

        reload = Reloader(loaded).reload
        watch = PlanWatch(connect(database_url()), stored, reload, lambda: None, routes=routes)
        alongside = (watch.run,)
    from adapters.insights import Insights
    from adapters.store.database import database_url

    insights = Insights(database_url())  # votes, counts and unanswered questions
    loaded.observe(insights.observe)
    alongside = (*alongside, insights.run)
    heap.freeze()
    asyncio.run(gateway.run(loaded, settings.token, admin, alongside, routes, insights))
    return 0


def _slack_manifest(args: argparse.Namespace) -> int:
    from adapters.slack.manifest import manifest_yaml

    url = args.url
    if url is not None and not url.startswith("https://"):
        print("caremark-bot: --url must be the https:// address Slack will call", file=sys.stderr)
        return EXIT_CONFIG
    if args.installs and url is None:
        print(
            "caremark-bot: --installs needs --url (Slack redirects installers to it)",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    kb = load(args.kb, args.plan or default_plan())
    sys.stdout.write(manifest_yaml(kb, url, installs=args.installs))
    return 0


def _token_key(args: argparse.Namespace) -> int:
    from adapters.store.secrets import new_key

    print(new_key())
    return 0
