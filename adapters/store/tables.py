"""The tables: plans, their slots (each with its facts, owner and review interval), and the
change log, which is only ever appended to."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

plans = Table(
    "plans",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("header", JSON, nullable=False),
    # the plan's name, who verified it, its document and HR contact, as in a plan file
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

plan_slots = Table(
    "plan_slots",
    metadata,
    Column("plan_id", String(64), primary_key=True),
    Column("slot_id", String(80), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("body", JSON, nullable=False),
    # the slot as a plan file writes it: kind, label, facts (values, who verified, when)
    Column("owner", String(120)),
    Column("verified_by", String(120), nullable=False),
    Column("verified_on", Date, nullable=False),
    Column("every_days", Integer, nullable=False),
    Column("retired", Boolean, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

plan_changes = Table(
    "plan_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("who", String(120), nullable=False),
    Column("surface", String(16), nullable=False),
    # where the change came from: cli, import or chat
    Column("plan_id", String(64), nullable=False),
    Column("slot_id", String(80)),
    Column("action", String(16), nullable=False),
    Column("before", JSON),
    Column("after", JSON),
    Column("note", Text),
)

reminders = Table(
    "reminders",
    metadata,
    Column("plan_id", String(64), primary_key=True),
    Column("slot_id", String(80), primary_key=True),
    Column("due_on", Date, primary_key=True),
    Column("audience", String(16), primary_key=True),
    # owner: the fact's owner was asked; admins: nobody answered within the grace period
    Column("sent_at", DateTime(timezone=True), nullable=False),
)

plan_drafts = Table(
    "plan_drafts",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("who", String(120), nullable=False),
    Column("edit", JSON, nullable=False),
    # a change an admin has seen previewed in chat and not yet published or dropped
    Column("created_at", DateTime(timezone=True), nullable=False),
)

plan_routes = Table(
    "plan_routes",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("workspace", String(64), primary_key=True),
    Column("channel", String(64), primary_key=True),
    # slack / discord, a team or guild id ("" for any), a channel id ("" for the whole
    # workspace); platform "any" with both empty is the deployment's default plan
    Column("plan_id", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

token_locks = Table(
    "token_locks",
    metadata,
    Column("key", String(200), primary_key=True),
    # what is being refreshed: a Slack workspace's tokens, one refresh at a time
    Column("holder", String(64), nullable=False),
    Column("until", DateTime(timezone=True), nullable=False),
)

workspace_settings = Table(
    "workspace_settings",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("workspace", String(64), primary_key=True),
    # a Slack team or Discord guild
    Column("language", String(8)),
    # the answers' language there when neither the person nor the message says
    Column("updated_by", String(120), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

answer_events = Table(
    "answer_events",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("day", Date, nullable=False, index=True),
    Column("platform", String(16), nullable=False),
    Column("topic", String(80)),
    Column("outcome", String(16), nullable=False),
    # answered, suggested, not-found, refused, error
    Column("language", String(8), nullable=False),
    Column("plan_id", String(64)),
    Column("count", Integer, nullable=False),
    # how many questions went this way (answers are counted in batches, a second at a time);
    # never who asked or what they typed
)

feedback_votes = Table(
    "feedback_votes",
    metadata,
    Column("answer", String(64), primary_key=True),
    Column("voter", String(64), primary_key=True),
    # a keyed hash (HMAC) of the person, never their id: one vote per person per answer
    Column("day", Date, nullable=False, index=True),
    Column("platform", String(16), nullable=False),
    Column("topic", String(80)),
    Column("language", String(8), nullable=False),
    Column("helpful", Boolean, nullable=False),
)

unanswered = Table(
    "unanswered",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("day", Date, nullable=False, index=True),
    Column("platform", String(16), nullable=False),
    Column("language", String(8), nullable=False),
    Column("why", String(16), nullable=False),
    # not-found: no topic matched; not-helpful: the person said so
    Column("text", Text, nullable=False),
    # redacted: identifiers, numbers, e-mail addresses and links removed before it is stored
    Column("key", String(200), nullable=False, index=True),
    # the text normalised: questions that read the same share it
    Column("voter", String(64), nullable=False),
    # a keyed hash of the person, to count different people (k-anonymity)
)

deployment_keys = Table(
    "deployment_keys",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", Text, nullable=False),
    # the key people are hashed with, made once per deployment unless CAREMARK_HASH_KEY is set
)
