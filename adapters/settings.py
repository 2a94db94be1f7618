"""Configuration from the environment, checked at start-up: a bad value names its variable."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from bot.i18n import DEFAULT as DEFAULT_LANGUAGE
from bot.i18n import LANGUAGES

DEFAULT_PORT = 3000
SLACK_VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_API_URL",
)


class ConfigError(Exception):
    """A missing or malformed setting; the message names the variable and the fix."""


@dataclass(frozen=True, slots=True)
class SlackInstalls:
    """An app installed through OAuth in any number of workspaces (Slack's *Distribution*),
    instead of one workspace's bot token."""

    client_id: str
    client_secret: str
    redirect_uri: str | None = None


@dataclass(frozen=True, slots=True)
class SlackSettings:
    bot_token: str | None
    signing_secret: str | None
    app_token: str | None
    api_url: str | None
    installs: SlackInstalls | None = None

    @property
    def mode(self) -> Literal["socket", "http"]:
        """Socket Mode when an app-level token is given, else HTTP requests to /slack/events."""
        return "socket" if self.app_token else "http"


def slack_settings(env: Mapping[str, str] | None = None) -> SlackSettings | None:
    """Slack's settings, or None when no Slack variable is set (Slack is then off)."""
    env = os.environ if env is None else env
    if not any(env.get(name) for name in SLACK_VARIABLES[:4]):
        return None
    installs = _installs(env)
    bot_token = _token(env, "SLACK_BOT_TOKEN", "xoxb-", required=installs is None)
    if installs is not None and bot_token is not None:
        raise ConfigError(
            "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: keep SLACK_BOT_TOKEN for one "
            "workspace, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for installs in many"
        )
    app_token = _token(env, "SLACK_APP_TOKEN", "xapp-", required=False)
    secret = env.get("SLACK_SIGNING_SECRET", "").strip() or None
    if app_token is None and secret is None:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is missing: HTTP mode needs it (Basic Information > App "
            "Credentials), or set SLACK_APP_TOKEN (xapp-...) to use Socket Mode instead"
        )
    if secret is not None and (not secret.isascii() or not secret.isalnum()):
        raise ConfigError("SLACK_SIGNING_SECRET is malformed: it should be letters and digits")
    api_url = env.get("SLACK_API_URL", "").strip() or None
    if api_url is not None:
        if not api_url.startswith(("https://", "http://")):
            raise ConfigError(
                "SLACK_API_URL must start with https:// (or http:// for a local fake)"
            )
        api_url = api_url.rstrip("/") + "/"
    return SlackSettings(bot_token, secret, app_token, api_url, installs)


def _installs(env: Mapping[str, str]) -> SlackInstalls | None:
    client_id = env.get("SLACK_CLIENT_ID", "").strip()
    if not client_id:
        return None
    if not client_id.replace(".", "").isdigit():
        raise ConfigError("SLACK_CLIENT_ID is malformed: it looks like 1234567890.1234567890")
    secret = env.get("SLACK_CLIENT_SECRET", "").strip()
    if not secret or not secret.isascii() or not secret.isalnum():
        raise ConfigError(
            "SLACK_CLIENT_SECRET is missing or malformed: copy it from Basic Information > "
            "App Credentials"
        )
    redirect = env.get("SLACK_REDIRECT_URI", "").strip() or None
    if redirect is not None and not redirect.startswith(("https://", "http://")):
        raise ConfigError(
            "SLACK_REDIRECT_URI must be the https:// address of /slack/oauth_redirect"
        )
    return SlackInstalls(client_id, secret, redirect)


@dataclass(frozen=True, slots=True)
class DiscordSettings:
    public_key: str | None
    token: str | None
    application_id: str | None
    api_url: str


DISCORD_API = "https://discord.com/api/v10"


def discord_settings(env: Mapping[str, str] | None = None) -> DiscordSettings | None:
    """Discord's settings, or None when none is set. The HTTP endpoint needs the public key;
    the gateway and `discord sync` need the bot token and application id."""
    env = os.environ if env is None else env
    names = ("DISCORD_PUBLIC_KEY", "DISCORD_TOKEN", "DISCORD_APPLICATION_ID")
    if not any(env.get(name) for name in names):
        return None
    key = env.get("DISCORD_PUBLIC_KEY", "").strip() or None
    if key is not None and (len(key) != 64 or any(c not in "0123456789abcdefABCDEF" for c in key)):
        raise ConfigError(
            "DISCORD_PUBLIC_KEY is malformed: it is 64 hex characters "
            "(General Information > Public Key)"
        )
    token = env.get("DISCORD_TOKEN", "").strip() or None
    if token is not None and (not token.isascii() or any(c.isspace() for c in token)):
        raise ConfigError("DISCORD_TOKEN is malformed: copy the bot token again (Bot > Token)")
    app_id = env.get("DISCORD_APPLICATION_ID", "").strip() or None
    if app_id is not None and not app_id.isdigit():
        raise ConfigError("DISCORD_APPLICATION_ID is malformed: it is a number")
    api_url = (env.get("DISCORD_API_URL", "").strip() or DISCORD_API).rstrip("/")
    if not api_url.startswith(("https://", "http://")):
        raise ConfigError("DISCORD_API_URL must start with https:// (or http:// for a local fake)")
    if key is None and token is None:
        raise ConfigError(
            "DISCORD_PUBLIC_KEY (HTTP endpoint) or DISCORD_TOKEN (gateway) is missing"
        )
    return DiscordSettings(key, token, app_id, api_url)


def language(env: Mapping[str, str] | None = None) -> str:
    """`CAREMARK_LANGUAGE`: the answers' language when neither the person nor the message
    says (`en` by default, or `es`)."""
    env = os.environ if env is None else env
    raw = env.get("CAREMARK_LANGUAGE", "").strip().lower()
    if not raw:
        return DEFAULT_LANGUAGE
    if raw not in LANGUAGES:
        raise ConfigError(
            f"CAREMARK_LANGUAGE must be one of {', '.join(LANGUAGES)}, not {raw[:20]!r}"
        )
    return raw


def port(env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    raw = env.get("PORT", "").strip()
    if not raw:
        return DEFAULT_PORT
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError(f"PORT must be a number from 1 to 65535, not {raw[:20]!r}")
    return int(raw)


def _token(env: Mapping[str, str], name: str, prefix: str, *, required: bool) -> str | None:
    value = env.get(name, "").strip()
    if not value:
        if required:
            raise ConfigError(f"{name} is missing: it is the {prefix}... token from your Slack app")
        return None
    if not value.startswith(prefix) or not value.isascii() or any(c.isspace() for c in value):
        raise ConfigError(f"{name} is malformed: it should start with {prefix}")
    return value
