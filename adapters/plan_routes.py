"""Which plan answers a question, looked up in memory on the answer path: the channel's
mapping, else the workspace's or guild's, else the deployment's default (None); and the
language a workspace or guild answers in when a question could be either. Filled from the
store at start and again whenever its change log moves."""

from __future__ import annotations

from collections.abc import Iterable

Key = tuple[str, str, str]


class PlanRoutes:
    """(platform, workspace, channel) → plan id."""

    def __init__(
        self,
        routes: Iterable[tuple[Key, str]] = (),
        languages: Iterable[tuple[tuple[str, str], str]] = (),
    ) -> None:
        self._table: dict[Key, str] = dict(routes)
        self._languages: dict[tuple[str, str], str] = dict(languages)

    def replace(
        self,
        routes: Iterable[tuple[Key, str]],
        languages: Iterable[tuple[tuple[str, str], str]] = (),
    ) -> None:
        """Install new tables in one step (answers in flight see the old or the new)."""
        self._table, self._languages = dict(routes), dict(languages)

    def locale_for(self, platform: str, workspace: str, locale: str | None) -> str | None:
        """The locale to answer with: the workspace's language when it has one set, else the
        person's own (the message's own language still comes first)."""
        return self._languages.get((platform, workspace)) or locale

    def plan_for(self, platform: str, workspace: str, channel: str) -> str | None:
        if not self._table or not workspace:
            return None
        table = self._table
        return table.get((platform, workspace, channel)) or table.get((platform, workspace, ""))

    def __len__(self) -> int:
        return len(self._table)
