"""Which plan answers a question, looked up in memory on the answer path: the channel's
mapping, else the workspace's or guild's, else the deployment's default (None). Filled from
the store at start and again whenever its change log moves."""

from __future__ import annotations

from collections.abc import Iterable

Key = tuple[str, str, str]


class PlanRoutes:
    """(platform, workspace, channel) → plan id."""

    def __init__(self, routes: Iterable[tuple[Key, str]] = ()) -> None:
        self._table: dict[Key, str] = dict(routes)

    def replace(self, routes: Iterable[tuple[Key, str]]) -> None:
        """Install a new table in one step (answers in flight see the old or the new)."""
        self._table = dict(routes)

    def plan_for(self, platform: str, workspace: str, channel: str) -> str | None:
        if not self._table or not workspace:
            return None
        table = self._table
        return table.get((platform, workspace, channel)) or table.get((platform, workspace, ""))

    def __len__(self) -> int:
        return len(self._table)
