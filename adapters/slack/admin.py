"""`/caremark admin` on Slack: a modal listing the plan's facts, where each can be changed,
re-verified or retired, and a confirmation showing exactly what employees will see before
anything is published. Only plan admins get in; anyone else gets a private refusal.

Every step checks again that the person is a plan admin: a modal stays open for as long as
someone leaves it, and admins can be removed meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.background import Background
from adapters.desk import Admins, Desk, Preview, Row, reason, shown
from adapters.plan_routes import PlanRoutes
from adapters.slack.render import escape, mrkdwn, plain, preview_blocks
from adapters.store.facts import HR_CONTACT, Edit, Refused, StoredSlot
from bot.answer.language import of_locale
from bot.i18n import words
from bot.reply import Platform

log = logging.getLogger(__name__)
ROW = "caremark_admin:row"
MAP = "caremark_admin:map"
DEFAULT_PLACE = "-"
"""The map menu's choice for "no mapping here": the workspace's or the deployment's plan."""
ADD = "caremark_admin:add"
HR = "caremark_admin:hr"
EDITED = "caremark_admin_edit"
CONFIRMED = "caremark_admin_confirm"
LISTED = "caremark_admin_list"
ROLE_SECONDS = 300.0
"""How long a person's workspace role (admin, owner) is remembered."""
MAX_MODAL_BLOCKS = 100


class SlackAdmin:
    """The modal's listeners. `desk` is made when first needed, so a bot nobody administers
    never loads the database layer."""

    def __init__(
        self,
        desk: Callable[[], Desk],
        admins: Admins,
        client: Callable[[], AsyncWebClient],
        background: Background,
        locale: Callable[[str], str | None] = lambda _: None,
        clock: Callable[[], float] = time.monotonic,
        routes: PlanRoutes | None = None,
    ) -> None:
        """`routes` says which plan answers in a channel: `/caremark admin` there works on
        that plan."""
        self._routes = routes if routes is not None else PlanRoutes()
        self._make_desk: Callable[[], Desk] = desk
        self._desk: Desk | None = None
        self._admins, self._client, self._background = admins, client, background
        self._locale, self._clock = locale, clock
        self._people: dict[str, tuple[float, bool, str]] = {}

    def register(self, app: AsyncApp) -> None:
        app.action(ROW)(self.row_picked)
        app.action(MAP)(self.map_picked)
        app.action(ADD)(self.add_pressed)
        app.action(HR)(self.hr_pressed)
        app.view(EDITED)(self.edit_submitted)
        app.view(CONFIRMED)(self.confirm_submitted)

    @property
    def desk(self) -> Desk:
        if self._desk is None:
            self._desk = self._make_desk()
        return self._desk

    # ------------------------------------------------------------------ opening

    def _on(self, place: dict[str, Any]) -> Desk:
        """The desk for the plan a modal is about (its channel's, else the default)."""
        return self.desk.for_plan(str(place.get("plan") or "") or None)

    async def open(
        self, trigger_id: str, user: str, team: str = "", channel: str = ""
    ) -> dict[str, Any] | None:
        """Open the list for a plan admin (within Slack's 3 s for the trigger); for anyone
        else, the private refusal to answer with. None when the modal opened."""
        language = self._language(user)
        allowed, name = await self._person(user)
        if not allowed:
            return _private(words(language)("admin.not_allowed"))
        plan = self._routes.plan_for("slack", team, channel) or ""
        view = await self._list_view(language, name, _place(plan, team, channel))
        await self._client().views_open(trigger_id=trigger_id, view=view)
        return None

    async def open_edit(
        self, trigger_id: str, user: str, slot_id: str, plan: str | None = None
    ) -> bool:
        """The edit form for one fact, straight away (a reminder's *Change it*), for a plan
        admin or the fact's owner; False for anyone else."""
        place = _place(plan or "")
        slot = await self._on(place).slot(slot_id)
        allowed, name = await self._person(user, slot)
        if slot is None or not allowed:
            return False
        language = self._language(user)
        view = self._edit_view(slot, slot_id, language, name, place=place)
        await self._client().views_open(trigger_id=trigger_id, view=view)
        return True

    # ------------------------------------------------------------------ list actions

    async def row_picked(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """Change, Still right or Retire, from a fact's menu in the list."""
        await ack()
        picked = str(body.get("actions", [{}])[0].get("selected_option", {}).get("value", ""))
        action, _, slot_id = picked.partition(":")
        user, meta = user_of(body), _meta(body)
        allowed, name = await self._person(user)
        if not allowed:
            return
        language = meta.get("lang", "en")
        if action == "change":
            slot = await self._on(meta).slot(slot_id)
            await self._push(body, self._edit_view(slot, slot_id, language, name, place=meta))
        elif action in ("verify", "retire"):
            view = await self._previewed(Edit(action, slot_id), user, name, language, meta)
            await self._push(body, view)

    async def map_picked(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """Answer this channel from the plan picked (or from the workspace's default)."""
        await ack()
        user, meta = user_of(body), _meta(body)
        allowed, name = await self._person(user)
        if not allowed or not meta.get("channel"):
            return
        picked = str(body.get("actions", [{}])[0].get("selected_option", {}).get("value", ""))
        plan = None if picked == DEFAULT_PLACE else picked
        team, channel = str(meta.get("team", "")), str(meta["channel"])
        await self.desk.map_here("slack", team, channel, plan, f"{name} (slack:{user})")
        place = _place(plan or "", team, channel)
        view_id = str(body.get("view", {}).get("id") or "")
        view = await self._list_view(meta.get("lang", "en"), name, place)
        await self._client().views_update(view_id=view_id, view=view)

    async def add_pressed(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        allowed, name = await self._person(user_of(body))
        if allowed:
            meta = _meta(body)
            choices = await self._new(meta)
            view = self._edit_view(None, None, meta.get("lang", "en"), name, choices, meta)
            await self._push(body, view)

    async def hr_pressed(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        allowed, name = await self._person(user_of(body))
        if allowed:
            meta = _meta(body)
            view = self._edit_view(None, HR_CONTACT, meta.get("lang", "en"), name, place=meta)
            await self._push(body, view)

    # ------------------------------------------------------------------ submissions

    async def edit_submitted(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """The edit form: preview the change, or say in plain words why it cannot be made."""
        user, meta, state = user_of(body), _meta(body), _state(body)
        language = meta.get("lang", "en")
        slot_id = meta.get("slot") or state.get("slot", "")
        allowed, _ = await self._person(user, await self._on(meta).slot(slot_id))
        if not allowed:
            await ack(response_action="errors", errors={"value": _refusal(language)})
            return
        if not slot_id:
            await ack(response_action="errors", errors={"slot": words(language)("admin.which")})
            return
        edit = Edit(
            "set",
            slot_id,
            state.get("value", "").strip(),
            label=state.get("label", "").strip() or None,
            note=state.get("note", "").strip() if "note" in state else None,
            owner=state.get("owner") or None,
            every_days=_days(state.get("every", "")),
        )
        name = state.get("name", "").strip() or meta.get("name", user)
        try:
            view = await self._previewed(edit, user, name, language, meta)
        except Refused as refused:
            message = words(language)("admin.refused", reason=reason(refused, language))
            await ack(response_action="errors", errors={"value": message[:1900]})
            return
        await ack(response_action="update", view=view)

    async def confirm_submitted(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """Publish: the change is made (the gate runs once more) and the list is refreshed."""
        user, meta = user_of(body), _meta(body)
        language = meta.get("lang", "en")
        said = words(language)
        desk = self._on(meta)
        allowed, name = await self._person(user, await desk.slot(str(meta.get("slot"))))
        if not allowed:
            await ack(response_action="update", view=_notice(said, _refusal(language)))
            return
        try:
            made = await desk.publish(str(meta.get("draft", "")), f"slack:{user}")
        except Refused as refused:
            text = said("admin.refused", reason=reason(refused, language))
            await ack(response_action="update", view=_notice(said, text))
            return
        await ack(
            response_action="update",
            view=_notice(said, said("admin.published") if made else said("admin.gone")),
        )
        root = str(body.get("view", {}).get("root_view_id") or "")
        if made and root and root != body.get("view", {}).get("id"):
            self._background.spawn(self._refresh(root, language, name, meta))

    # ------------------------------------------------------------------ views

    async def _list_view(self, language: str, name: str, place: dict[str, Any]) -> dict[str, Any]:
        said = words(language)
        desk = self._on(place)
        rows = await desk.rows()
        meta = {"lang": language, "name": name, **_only_place(place)}
        if not rows:
            return _modal(said("admin.title"), [_text(said("admin.empty"))], meta, None, said)
        blocks: list[dict[str, Any]] = [_text(escape(said("admin.intro")))]
        try:
            numbers = await desk.summary(language)
        except Exception:  # the report is a courtesy here: the list opens without it
            log.exception("the admin summary could not be built")
            numbers = None
        if numbers:
            blocks.append({"type": "context", "elements": [mrkdwn(escape(numbers))]})
        blocks += await self._plan_blocks(desk, place, said)
        blocks.append({"type": "divider"})
        blocks += [self._row_block(row, said) for row in rows]
        contact = await desk.store.hr_contact()
        hr = (
            said("admin.hr_contact_now", value=escape(contact))
            if contact
            else said("admin.hr_contact_none")
        )
        blocks += [{"type": "divider"}, _text(hr)]
        buttons = [_button(HR, said("admin.hr_contact"))]
        if await self._new(place):
            buttons.insert(0, _button(ADD, said("admin.add"), primary=True))
        blocks.append({"type": "actions", "elements": buttons})
        return _modal(said("admin.title"), blocks[:MAX_MODAL_BLOCKS], meta, None, said)

    async def _plan_blocks(
        self, desk: Desk, place: dict[str, Any], said: Any
    ) -> list[dict[str, Any]]:
        """Which plan this list is, and, in a channel when there are several plans, a menu
        to answer the channel from another."""
        plans = await desk.plans()
        current = await desk.store.plan_id() or ""
        line = _text(said("admin.plan_here", plan=escape(dict(plans).get(current, current))))
        if len(plans) < 2 or not place.get("channel"):
            return [line]
        options = [{"text": plain(said("admin.map_default"), 75), "value": DEFAULT_PLACE}]
        options += [
            {"text": plain(plan_name, 75), "value": plan_id} for plan_id, plan_name in plans
        ]
        menu = {
            "type": "static_select",
            "action_id": MAP,
            "placeholder": plain(said("admin.map_choose"), 150),
            "options": options[:100],
        }
        return [line | {"accessory": menu}]

    def _row_block(self, row: Row, said: Any) -> dict[str, Any]:
        slot = row.slot
        dates = {
            "who": escape(slot.verified_by),
            "date": slot.verified_on.isoformat(),
            "due": slot.due_on().isoformat(),
        }
        standing = said(f"admin.{row.standing.value}", **dates)
        lines = [f"*{escape(row.label)}*", escape(row.shown) or "—", standing]
        if slot.owner:
            lines.append(said("admin.owner", owner=escape(slot.owner), days=slot.every_days))
        options = [("change", said("admin.change")), ("verify", said("admin.still_right"))]
        options.append(("retire", said("admin.retire")))
        return {
            "type": "section",
            "block_id": f"row:{slot.slot_id}"[:255],
            "text": mrkdwn("\n".join(lines)),
            "accessory": {
                "type": "overflow",
                "action_id": ROW,
                "options": [
                    {"text": plain(text, 75), "value": f"{action}:{slot.slot_id}"[:150]}
                    for action, text in options
                ],
            },
        }

    def _edit_view(
        self,
        slot: StoredSlot | None,
        slot_id: str | None,
        language: str,
        name: str,
        choices: list[tuple[str, str]] | None = None,
        place: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        said = words(language)
        blocks: list[dict[str, Any]] = []
        if choices:
            options = [{"text": plain(label, 75), "value": sid} for sid, label in choices[:100]]
            blocks.append(
                _input("slot", said("admin.which"), {"type": "static_select", "options": options})
            )
        hours = bool(slot and slot.body.get("kind") == "hours")
        value = shown(slot) if slot else ""
        hint = said("admin.hours_hint") if hours else said("admin.value_hint")
        blocks.append(_text_input("value", said("admin.value"), value, hint=hint))
        if slot_id != HR_CONTACT:
            label = str(slot.body.get("label", "")) if slot else ""
            blocks.append(_text_input("label", said("admin.label"), label, optional=True))
            note = str((slot.body.get("facts") or [{}])[0].get("note", "")) if slot else ""
            blocks.append(_text_input("note", said("admin.note"), note, optional=True))
            owner: dict[str, Any] = {"type": "users_select"}
            if slot and slot.owner and slot.owner.startswith(("U", "W")):
                owner["initial_user"] = slot.owner
            blocks.append(_input("owner", said("admin.owner_field"), owner, optional=True))
            every = {
                "type": "number_input",
                "is_decimal_allowed": False,
                "min_value": "1",
                "max_value": "3650",
                "initial_value": str(slot.every_days if slot else 90),
            }
            blocks.append(_input("every", said("admin.every"), every, optional=True))
        blocks.append(_text_input("name", said("admin.name_field"), name))
        title = (
            said("admin.edit_title") if slot or slot_id == HR_CONTACT else said("admin.add_title")
        )
        meta = {"lang": language, "name": name, "slot": slot_id or "", **_only_place(place)}
        return _modal(title, blocks, meta, said("admin.preview_button"), said, EDITED)

    async def _previewed(
        self, edit: Edit, user: str, name: str, language: str, place: dict[str, Any]
    ) -> dict[str, Any]:
        """The confirmation: what employees will see once the change is published."""
        said = words(language)
        desk = self._on(place)
        preview: Preview = await desk.preview(edit, f"slack:{user}", name, Platform.SLACK, language)
        slot = await desk.slot(edit.slot_id)
        label = escape(str(slot.body.get("label", edit.slot_id)) if slot else edit.slot_id)
        head = {
            "verify": said("admin.verify_note", label=label),
            "retire": said("admin.retire_warning", label=label),
        }.get(edit.action, said("admin.employees_see"))
        blocks = [_text(head), {"type": "divider"}]
        blocks += preview_blocks(preview.reply, MAX_MODAL_BLOCKS - 4)
        blocks += [
            {"type": "divider"},
            {"type": "context", "elements": [mrkdwn(escape(said("admin.nothing_yet")))]},
        ]
        meta = {
            "lang": language,
            "name": name,
            "draft": preview.draft_id,
            "slot": edit.slot_id,
            **_only_place(place),
        }
        return _modal(
            said("admin.confirm_title"), blocks, meta, said("admin.publish"), said, CONFIRMED
        )

    async def _refresh(self, root: str, language: str, name: str, place: dict[str, Any]) -> None:
        try:
            view = await self._list_view(language, name, place)
            await self._client().views_update(view_id=root, view=view)
        except Exception:
            log.warning("the plan facts list could not be refreshed", exc_info=True)

    async def _push(self, body: dict[str, Any], view: dict[str, Any]) -> None:
        await self._client().views_push(trigger_id=str(body.get("trigger_id", "")), view=view)

    async def _new(self, place: dict[str, Any]) -> list[tuple[str, str]]:
        desk = self._on(place)
        return desk.addable({row.slot.slot_id for row in await desk.rows()})

    # ------------------------------------------------------------------ who

    def _language(self, user: str) -> str:
        return of_locale(self._locale(user)) or "en"

    async def _person(self, user: str, slot: StoredSlot | None = None) -> tuple[bool, str]:
        """Whether `user` is a plan admin (or the owner of `slot`), and the name to show as
        having verified a fact. Workspace roles come from `users.info`, remembered a while."""
        if not user:
            return False, ""
        known = self._people.get(user)
        if known is None or self._clock() - known[0] > ROLE_SECONDS:
            role, name = await self._role(user)
            known = (self._clock(), role, name)
            self._people[user] = known
        owner = slot is not None and slot.owner == user
        return owner or self._admins.allows(user, known[1]), known[2]

    async def allows(self, user: str) -> bool:
        """Whether `user` is a plan admin here."""
        return (await self._person(user))[0]

    async def name(self, user: str) -> str | None:
        """The person's name in the workspace, if Slack says."""
        _, name = await self._person(user)
        return name if name != user else None

    async def _role(self, user: str) -> tuple[bool, str]:
        try:
            async with asyncio.timeout(1.5):
                found = await self._client().users_info(user=user)
        except Exception:
            log.warning("users.info failed: workspace roles unknown for now")
            return False, user
        person = found.get("user") or {}
        profile = person.get("profile") or {}
        name = profile.get("real_name") or person.get("real_name") or person.get("name") or user
        role = bool(person.get("is_admin") or person.get("is_owner"))
        return role, str(name)


def _place(plan: str = "", team: str = "", channel: str = "") -> dict[str, str]:
    """Where a modal was opened, and so which plan it works on; kept in its metadata."""
    return {"plan": plan, "team": team, "channel": channel}


def _only_place(meta: dict[str, Any] | None) -> dict[str, str]:
    meta = meta or {}
    return _place(
        str(meta.get("plan", "")), str(meta.get("team", "")), str(meta.get("channel", ""))
    )


def _modal(
    title: str,
    blocks: list[dict[str, Any]],
    meta: dict[str, Any],
    submit: str | None,
    said: Any,
    callback: str = LISTED,
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback,
        "title": plain(title, 24),
        "close": plain(said("admin.done") if submit is None else said("admin.cancel"), 24),
        "blocks": blocks,
        "private_metadata": json.dumps(meta)[:3000],
    }
    if submit:
        view["submit"] = plain(submit, 24)
    return view


def _notice(said: Any, text: str) -> dict[str, Any]:
    return _modal(said("admin.title"), [_text(escape(text))], {}, None, said, LISTED)


def _text(text: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text)}


def _button(action: str, text: str, *, primary: bool = False) -> dict[str, Any]:
    button = {"type": "button", "action_id": action, "text": plain(text, 75)}
    return button | ({"style": "primary"} if primary else {})


def _input(
    block: str, label: str, element: dict[str, Any], *, optional: bool = False
) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block,
        "optional": optional,
        "label": plain(label, 2000),
        "element": {**element, "action_id": block},
    }


def _text_input(
    block: str, label: str, value: str, *, hint: str | None = None, optional: bool = False
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "max_length": 300}
    if value:
        element["initial_value"] = value[:300]
    made = _input(block, label, element, optional=optional)
    return made | ({"hint": plain(hint, 2000)} if hint else {})


def _state(body: dict[str, Any]) -> dict[str, str]:
    """A submitted form's values by block: text, the picked option, user or number."""
    values = body.get("view", {}).get("state", {}).get("values", {})
    found: dict[str, str] = {}
    for block, actions in values.items():
        for field in actions.values():
            chosen = (
                field.get("value")
                or (field.get("selected_option") or {}).get("value")
                or field.get("selected_user")
            )
            found[block] = str(chosen or "")
    return found


def _meta(body: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(body.get("view", {}).get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def user_of(body: dict[str, Any]) -> str:
    """Who sent a Slack interaction payload (a button, a form), or ""."""
    user = body.get("user")
    return str(user.get("id") or "") if isinstance(user, dict) else ""


def _days(text: str) -> int | None:
    return int(text) if text.strip().isdigit() and 1 <= int(text) <= 3650 else None


def is_admin_command(text: str) -> bool:
    """`/caremark admin` (or `administrar`), nothing more: a question that merely starts
    with the word is still a question."""
    return text.strip().lower() in ("admin", "administrar", "administrador")


def _private(text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": escape(text)}


def _refusal(language: str) -> str:
    return words(language)("admin.not_allowed")
