"""*Helpful* / *Not helpful* under a Slack answer: one vote per person per message, counted
with the person as a keyed hash; *Not helpful* opens a one-line "What was missing?" form,
whose answer is kept redacted beside the questions nothing answered."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.admin import user_of as _user
from adapters.slack.app import guarded
from adapters.slack.render import FEEDBACK_ACTION, escape, notice, plain
from adapters.text import from_button
from bot.i18n import words

if TYPE_CHECKING:
    from adapters.insights import Insights

PATTERN = re.compile(f"^{re.escape(FEEDBACK_ACTION)}(yes|no)$")
MISSING = "caremark_missing"
MAX_MISSING = 300


class SlackFeedback:
    def __init__(self, insights: Callable[[], Insights | None]) -> None:
        self._insights = insights

    def register(self, app: AsyncApp) -> None:
        app.action(PATTERN)(self.pressed)
        app.view(MISSING)(self.missing)

    async def pressed(
        self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        await guarded(respond, "feedback", lambda: self._pressed(body, respond, client))

    async def _pressed(
        self, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        action = (body.get("actions") or [{}])[0]
        helpful = str(action.get("action_id", "")).endswith("yes")
        topic, language = from_button(str(action.get("value") or ""))
        language = language or "en"
        said = words(language)
        container = body.get("container") or {}
        answer = f"slack:{container.get('channel_id', '')}:{container.get('message_ts', '')}"
        insights, user = self._insights(), _user(body)
        first = True
        if insights is not None and user:
            first = await insights.vote("slack", user, answer, topic, language, helpful)
        if not first:
            await respond(**notice(said("feedback.already")), replace_original=False)
            return
        if helpful:
            await respond(**notice(said("feedback.thanks")), replace_original=False)
            return
        await client.views_open(trigger_id=str(body.get("trigger_id", "")), view=_form(language))

    async def missing(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Keep what was missing (redacted), and close the form with thanks."""
        language = str(view.get("private_metadata") or "en")[:2]
        values = (view.get("state") or {}).get("values") or {}
        typed = str(((values.get("missing") or {}).get("text") or {}).get("value") or "")
        insights, user = self._insights(), _user(body)
        if insights is not None and typed.strip() and user:
            insights.unanswered(typed[:MAX_MISSING], "slack", user, language, "not-helpful")
        said = words(language)
        thanks = {
            "type": "modal",
            "title": plain(said("feedback.missing_title"), 24),
            "close": plain("OK", 24),
            "blocks": [
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": escape(said("feedback.missing_thanks"))},
                }
            ],
        }
        await ack(response_action="update", view=thanks)


def _form(language: str) -> dict[str, Any]:
    said = words(language)
    return {
        "type": "modal",
        "callback_id": MISSING,
        "private_metadata": language,
        "title": plain(said("feedback.missing_title"), 24),
        "submit": plain(said("feedback.missing_send"), 24),
        "blocks": [
            {
                "type": "input",
                "block_id": "missing",
                "optional": True,
                "label": plain(said("feedback.missing_label"), 2000),
                "hint": plain(said("feedback.missing_hint"), 2000),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "text",
                    "max_length": MAX_MISSING,
                },
            }
        ],
    }
