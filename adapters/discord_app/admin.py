"""`/caremark admin` on Discord: a modal as the first response, listing every plan fact (with
where it stands) in a menu, what to do with it, and the new value; then a private preview of
what employees will see, with *Publish* and *Cancel*. Only plan admins get in.

Discord modals hold up to five labelled fields: a fact menu (25 options at most), an action
menu, the value, and the name employees see as having verified it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from adapters.desk import Admins, Desk, Row, reason
from adapters.discord_app import render
from adapters.discord_app.recheck import CHANGE_IT, STILL_RIGHT
from adapters.plan_routes import PlanRoutes
from adapters.store.facts import HR_CONTACT, Edit, Refused, from_ref
from bot.answer.language import of_locale
from bot.i18n import words
from bot.reply import Platform

log = logging.getLogger(__name__)
MODAL, MODAL_SUBMIT = 9, 5
MODAL_ID = "caremark:admin:edit"
PUBLISH, DROP = "caremark:admin:publish:", "caremark:admin:drop:"
LABEL, STRING_SELECT, TEXT_INPUT = 18, 3, 4
MANAGE_GUILD = 1 << 5
MAX_OPTIONS = 25
ACTIONS = ("set", "verify", "retire")
ACTION_WORDS = {"set": "admin.change", "verify": "admin.still_right", "retire": "admin.retire"}
HERE_LANGUAGES = ("es", "en", "auto")
STANDING_MARKS = {"verified": "✅", "due": "⏰", "expired": "⚠️"}


def is_admin_command(interaction: dict[str, Any]) -> bool:
    """`/caremark topic:admin`, nothing more."""
    options = (interaction.get("data") or {}).get("options") or []
    typed = [o.get("value") for o in options if isinstance(o, dict) and o.get("name") == "topic"]
    return bool(typed) and str(typed[0]).strip().lower() in ("admin", "administrar")


def is_admin_interaction(interaction: dict[str, Any]) -> bool:
    """The modal's submission, its preview's buttons, or a reminder's."""
    custom_id = str((interaction.get("data") or {}).get("custom_id", ""))
    return custom_id.startswith((MODAL_ID, PUBLISH, DROP, STILL_RIGHT, CHANGE_IT))


class DiscordAdmin:
    """Answers the admin interactions; `desk` is made when first needed."""

    def __init__(
        self, desk: Callable[[], Desk], admins: Admins, routes: PlanRoutes | None = None
    ) -> None:
        """`routes` says which plan answers in a guild and channel: the admin modal opened
        there works on that plan."""
        self._make_desk: Callable[[], Desk] = desk
        self._desk: Desk | None = None
        self._admins = admins
        self.routes = routes if routes is not None else PlanRoutes()

    @property
    def desk(self) -> Desk:
        if self._desk is None:
            self._desk = self._make_desk()
        return self._desk

    def _here(self, interaction: dict[str, Any], plan: str | None = None) -> Desk:
        """The desk for `plan`, else for the plan mapped where the interaction came from."""
        return self.desk.for_plan(plan or self.routes.plan_for("discord", *place_of(interaction)))

    async def answer(self, interaction: dict[str, Any]) -> dict[str, Any]:
        """The response to `/caremark admin`, its modal's submission, a preview's button, or
        a reminder's. Plan admins may do everything; a fact's owner, what concerns that fact."""
        said = words(_language(interaction))
        custom_id = str((interaction.get("data") or {}).get("custom_id", ""))
        user = user_id(interaction)
        plan, slot_id = await self._slot_concerned(custom_id, interaction)
        desk = self._here(interaction, plan)
        slot = await desk.slot(slot_id) if slot_id else None
        owner = bool(user) and slot is not None and slot.owner == user
        if not owner and not self._admins.allows(user, _manages_server(interaction)):
            return _private(said("admin.not_allowed"))
        if interaction.get("type") == MODAL_SUBMIT:
            return await self._submitted(interaction)
        if custom_id.startswith(STILL_RIGHT) and slot is not None:
            name = _name(interaction) or user
            await desk.store.verify(
                slot.slot_id, f"{name} ({_who(interaction)})", surface="chat", by=name
            )
            label = str(slot.body.get("label", slot.slot_id))
            return _updated(said("recheck.thanks", label=label).replace("*", ""))
        if custom_id.startswith(CHANGE_IT):
            return await self._modal(interaction, slot_id, plan)
        if custom_id.startswith(PUBLISH):
            return await self._publish(custom_id.removeprefix(PUBLISH), interaction)
        if custom_id.startswith(DROP):
            await desk.drop(custom_id.removeprefix(DROP), _who(interaction))
            return _updated(said("admin.cancelled"))
        return await self._modal(interaction)

    async def _slot_concerned(
        self, custom_id: str, interaction: dict[str, Any]
    ) -> tuple[str | None, str | None]:
        """The plan (None: the one mapped here) and fact an interaction is about, when it is
        about one: a reminder's button, the fact picked in the modal, or a preview's."""
        for prefix in (STILL_RIGHT, CHANGE_IT):
            if custom_id.startswith(prefix):
                return from_ref(custom_id.removeprefix(prefix))
        if interaction.get("type") == MODAL_SUBMIT:
            return _modal_plan(custom_id), fields_of(interaction).get("slot") or None
        if custom_id.startswith(PUBLISH):
            return None, await self.desk.draft_slot(custom_id.removeprefix(PUBLISH))
        return None, None

    async def _modal(
        self, interaction: dict[str, Any], chosen: str | None = None, plan: str | None = None
    ) -> dict[str, Any]:
        said = words(_language(interaction))
        desk = self._here(interaction, plan)
        rows = await desk.rows()
        if not rows:
            return _private(said("admin.empty"))
        facts = [_fact_option(row, said) | _default(row.slot.slot_id == chosen) for row in rows]
        contact = await desk.store.hr_contact()
        facts.append(
            {
                "label": render.clip(said("admin.hr_contact"), 100),
                "value": HR_CONTACT,
                "description": render.clip(contact or "—", 100),
            }
        )
        stored = {row.slot.slot_id for row in rows}
        for slot_id, label in desk.addable(stored)[: MAX_OPTIONS - len(facts)]:
            text = f"{said('admin.add')}: {label}"
            facts.append({"label": render.clip(text, 100), "value": slot_id})
        actions = [
            {"label": said(ACTION_WORDS[a]), "value": a, "default": a == "set"} for a in ACTIONS
        ]
        value = _text_input("value", required=False, max_length=300)
        name = _text_input("name", required=True, max_length=80, value=_name(interaction))
        try:  # how the bot did lately, where the modal has room for a line
            lately = await desk.summary(_language(interaction), compact=True) or ""
        except Exception:
            log.exception("the admin summary could not be built")
            lately = ""
        which = _select("slot", facts[:MAX_OPTIONS], required=False)
        fields = [
            _label(said("admin.which"), which, lately),
            _label(said("admin.what_to_do"), _select("action", actions)),
            _label(said("admin.value"), value, said("admin.value_discord_hint")),
            _label(said("admin.name_field"), name),
        ]
        if place_of(interaction)[0]:  # in a server: where its answers come from, and how
            here = await self._here_options(said)
            fields.append(_label(said("admin.here"), _select("here", here, required=False)))
        return {
            "type": MODAL,
            "data": {
                "custom_id": f"{MODAL_ID}:{await desk.store.plan_id() or ''}"[:100],
                "title": render.clip(said("admin.title"), 45),
                "components": fields,
            },
        }

    async def _here_options(self, said: Callable[..., str]) -> list[dict[str, Any]]:
        """The modal's last menu: map this channel or the whole server to a plan, or set the
        server's language."""
        plans = await self.desk.plans()
        values = [("keep", said("admin.here_keep"))]
        values += [(f"channel:{p}", said("admin.here_channel", plan=n)) for p, n in plans]
        values.append(("channel:-", said("admin.here_channel_default")))
        values += [(f"server:{p}", said("admin.here_server", plan=n)) for p, n in plans]
        values += [(f"language:{c}", said(f"admin.here_language_{c}")) for c in HERE_LANGUAGES]
        tail = values[-(len(HERE_LANGUAGES) + 1) :]
        values = values[: MAX_OPTIONS - len(tail)] + tail if len(values) > MAX_OPTIONS else values
        return [
            {"label": render.clip(text, 100), "value": value[:100], "default": value == "keep"}
            for value, text in values
        ]

    async def _settle_here(
        self, interaction: dict[str, Any], said: Callable[..., str]
    ) -> str | None:
        """Apply the modal's "here" choice, for a plan admin; what was done, in words (None:
        nothing asked, or not theirs to change)."""
        chosen = fields_of(interaction).get("here") or "keep"
        kind, _, value = chosen.partition(":")
        guild, channel = place_of(interaction)
        if chosen == "keep" or not guild:
            return None
        if not self._admins.allows(user_id(interaction), _manages_server(interaction)):
            return said("admin.not_allowed")
        who = _who(interaction)
        names = dict(await self.desk.plans())
        if kind == "language" and value in HERE_LANGUAGES:
            language = None if value == "auto" else value
            await self.desk.set_language("discord", guild, language, who)
            what = said(f"admin.here_language_{value}")
        elif kind == "channel" and (value == "-" or value in names):
            plan = None if value == "-" else value
            await self.desk.map_here("discord", guild, channel, plan, who)
            what = (
                said("admin.here_channel", plan=names[value])
                if plan
                else said("admin.here_channel_default")
            )
        elif kind == "server" and value in names:
            await self.desk.map_here("discord", guild, "", value, who)
            what = said("admin.here_server", plan=names[value])
        else:
            return None
        return said("admin.here_done", what=what[:1].lower() + what[1:])

    async def _submitted(self, interaction: dict[str, Any]) -> dict[str, Any]:
        """Preview the change privately, with Publish and Cancel; or say why it can't be."""
        language = _language(interaction)
        said = words(language)
        fields = fields_of(interaction)
        done = await self._settle_here(interaction, said)
        action = fields.get("action") or "set"
        slot_id = fields.get("slot", "")
        asked_nothing = not slot_id or (action == "set" and not fields.get("value", "").strip())
        if done is not None and asked_nothing:
            return _private(done)
        if action not in ACTIONS or not slot_id:
            return _private(said("admin.which"))
        if action == "set" and not fields.get("value", "").strip():
            return _private(said("admin.refused", reason=said("admin.value_missing")))
        edit = Edit(action, slot_id, fields.get("value", "").strip())
        name = fields.get("name", "").strip() or _name(interaction)
        try:
            custom_id = str((interaction.get("data") or {}).get("custom_id", ""))
            preview = await self._here(interaction, _modal_plan(custom_id)).preview(
                edit, _who(interaction), name, Platform.DISCORD, language
            )
        except Refused as refused:
            return _private(said("admin.refused", reason=reason(refused, language)))
        shown = render.message(preview.reply)
        head = said("admin.employees_see").replace("*", "**")
        buttons = [
            render.button(PUBLISH + preview.draft_id, said("admin.publish"), render.PRIMARY),
            render.button(DROP + preview.draft_id, said("admin.cancel"), render.SECONDARY),
        ]
        data = {
            "content": (f"{render.escape(done)}\n" if done else "")
            + f"{head}\n-# {render.escape(said('admin.nothing_yet'))}",
            "embeds": shown["embeds"],
            "components": [{"type": 1, "components": buttons}],
            "flags": render.EPHEMERAL,
            "allowed_mentions": render.NO_MENTIONS,
        }
        return {"type": render.CHANNEL_MESSAGE, "data": data}

    async def _publish(self, draft_id: str, interaction: dict[str, Any]) -> dict[str, Any]:
        said = words(_language(interaction))
        try:
            made = await self.desk.publish(draft_id, _who(interaction))
        except Refused as refused:
            return _updated(said("admin.refused", reason=reason(refused, _language(interaction))))
        return _updated(said("admin.published") if made else said("admin.gone"))


def _modal_plan(custom_id: str) -> str | None:
    """The plan a submitted modal was about, from its custom id (`…:edit:<plan id>`)."""
    return custom_id.removeprefix(MODAL_ID).removeprefix(":") or None


def _fact_option(row: Row, said: Any) -> dict[str, Any]:
    mark = STANDING_MARKS[row.standing.value]
    standing = said(f"admin.{row.standing.value}_short", date=row.slot.verified_on.isoformat())
    return {
        "label": render.clip(row.label, 100),
        "value": row.slot.slot_id[:100],
        "description": render.clip(f"{mark} {row.shown} · {standing}", 100),
    }


def _default(chosen: bool) -> dict[str, Any]:
    return {"default": True} if chosen else {}


def _label(text: str, component: dict[str, Any], description: str = "") -> dict[str, Any]:
    label = {"type": LABEL, "label": render.clip(text, 45), "component": component}
    return label | ({"description": render.clip(description, 100)} if description else {})


def _select(
    custom_id: str, options: list[dict[str, Any]], *, required: bool = True
) -> dict[str, Any]:
    return {
        "type": STRING_SELECT,
        "custom_id": custom_id,
        "options": options,
        "required": required,
    }


def _text_input(
    custom_id: str, *, required: bool, max_length: int, value: str = ""
) -> dict[str, Any]:
    field: dict[str, Any] = {
        "type": TEXT_INPUT,
        "custom_id": custom_id,
        "style": 1,
        "required": required,
        "max_length": max_length,
    }
    return field | ({"value": value[:max_length]} if value else {})


def fields_of(interaction: dict[str, Any]) -> dict[str, str]:
    """A modal submission's values by custom id: labelled fields (type 18) hold one
    component each; older action rows (type 1) hold a list."""
    found: dict[str, str] = {}
    for top in (interaction.get("data") or {}).get("components") or []:
        if not isinstance(top, dict):
            continue
        inner = [top.get("component")] if top.get("type") == LABEL else top.get("components")
        for field in inner or []:
            if not isinstance(field, dict):
                continue
            values = field.get("values")
            chosen = values[0] if isinstance(values, list) and values else field.get("value")
            found[str(field.get("custom_id", ""))] = str(chosen or "")
    return found


def _person(interaction: dict[str, Any]) -> dict[str, Any]:
    member = interaction.get("member")
    person = member.get("user") if isinstance(member, dict) else interaction.get("user")
    return person if isinstance(person, dict) else {}


def place_of(interaction: dict[str, Any]) -> tuple[str, str]:
    """Where an interaction came from: its guild ("" in a DM) and channel."""
    return str(interaction.get("guild_id") or ""), str(interaction.get("channel_id") or "")


def user_id(interaction: dict[str, Any]) -> str:
    """Who sent an interaction: the member in a guild, the user in a DM."""
    return str(_person(interaction).get("id") or "")


def _who(interaction: dict[str, Any]) -> str:
    return f"discord:{user_id(interaction)}"


def _name(interaction: dict[str, Any]) -> str:
    person = _person(interaction)
    return str(person.get("global_name") or person.get("username") or "")


def _manages_server(interaction: dict[str, Any]) -> bool:
    """The member's permissions in this channel (sent with every guild interaction) include
    Manage Server. In a DM there is no member, so no server to manage."""
    member = interaction.get("member")
    permissions = member.get("permissions") if isinstance(member, dict) else None
    return (
        isinstance(permissions, str)
        and permissions.isdigit()
        and bool(int(permissions) & MANAGE_GUILD)
    )


def _language(interaction: dict[str, Any]) -> str:
    locale = interaction.get("locale")
    return of_locale(locale if isinstance(locale, str) else None) or "en"


def _private(text: str) -> dict[str, Any]:
    data = {"content": render.escape(text), "flags": render.EPHEMERAL}
    return {"type": render.CHANNEL_MESSAGE, "data": data | {"allowed_mentions": render.NO_MENTIONS}}


def _updated(text: str) -> dict[str, Any]:
    data = {"content": render.escape(text), "embeds": [], "components": []}
    return {"type": render.UPDATE_MESSAGE, "data": data | {"allowed_mentions": render.NO_MENTIONS}}
