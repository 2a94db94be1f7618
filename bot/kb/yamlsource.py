"""Read YAML while remembering the line of every value, so errors can point at it."""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path_ = tuple[str | int, ...]


_YAML11_ONLY = (":int", ":float", ":bool", ":timestamp")


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """Safe loading with YAML 1.2's plain scalars: `10:00` and `on` stay strings, and so do
    dates, which the schema parses (so `2026-13-40` is a located error, not a crash)."""

    yaml_implicit_resolvers: ClassVar[dict[Any, list[tuple[str, re.Pattern[str]]]]] = {
        first: [(tag, rx) for tag, rx in resolvers if not tag.endswith(_YAML11_ONLY)]
        for first, resolvers in _Base.yaml_implicit_resolvers.items()
    }


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the knowledge base, located as precisely as we can."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


@dataclass(slots=True)
class Document:
    """Parsed YAML plus the line of every value, keyed by its path in the data."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """The line of the value at `path`, or of its nearest ancestor that exists."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    def locate(self, loc: Path_) -> tuple[Path_, str]:
        """Map a validator's location onto the data: its real path, and a readable name.

        Validators insert tags (a union member's name) that are not keys; they are skipped.
        List items that carry an `id` are named by it, e.g. `topics[specialty].aliases[0]`.
        """
        node, path, name = self.data, [], ""
        for part in loc:
            if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
                node = node[part]
                ident = node.get("id") if isinstance(node, dict) else None
                name += f"[{ident}]" if isinstance(ident, str) else f"[{part}]"
            elif isinstance(node, dict) and part in node:
                node = node[part]
                name += f".{part}" if name else str(part)
            elif isinstance(part, str) and part.isidentifier() and part != node_kind(node):
                name += f".{part}" if name else part  # a field that is missing
                node = None
            else:
                continue  # a union tag such as the slot's kind
            path.append(part)
        return tuple(path), name


def node_kind(node: Any) -> Any:
    """The `kind` of a mapping, which validators use as a union tag."""
    return node.get("kind") if isinstance(node, dict) else None


MAX_FILE_BYTES = 1_000_000
"""The largest knowledge file read; the shipped ones are a few kilobytes each."""


class _Alias(Exception):
    """A YAML alias (`*name`): refused, as one alias can expand to gigabytes."""

    def __init__(self, line: int) -> None:
        self.line = line


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """A regular file's text, refusing devices, FIFOs and anything larger than `limit` bytes;
    raises OSError or UnicodeDecodeError with a message that is safe to show."""
    try:
        mode = path.stat().st_mode  # checked before opening: opening a FIFO would block
    except FileNotFoundError:
        raise FileNotFoundError("no such file (or a broken link)") from None
    except (OSError, RuntimeError):
        raise OSError("cannot follow this path (a looping link?)") from None
    if not stat.S_ISREG(mode):
        raise OSError("not a regular file")
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise OSError(f"larger than {limit:,} bytes")
    return data.decode("utf-8")


def read(path: Path, display: str | None = None) -> tuple[Document | None, list[Problem]]:
    """Parse one YAML file; on failure return the problems instead of raising."""
    name = display or str(path)
    try:
        text = read_text(path)
    except FileNotFoundError:
        return None, [Problem(name, None, "", "cannot read: no such file (or a broken link)")]
    except UnicodeDecodeError:
        return None, [Problem(name, None, "", "cannot read: not UTF-8 text")]
    except OSError as exc:
        return None, [Problem(name, None, "", f"cannot read: {exc.strerror or exc}")]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Document(name, {}), []
        doc = Document(name, None)
        problems: list[Problem] = []
        _index(node, (), doc, problems, set())
        doc.data = loader.construct_document(node)
        return doc, problems
    except _Alias as exc:
        return None, [Problem(name, exc.line, "", "YAML aliases (*name) are not allowed")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(name, line, "", f"invalid YAML: {reason}")]
    except (ValueError, TypeError, RecursionError) as exc:  # e.g. an explicit `!!timestamp`
        return None, [Problem(name, None, "", f"invalid YAML value: {exc}")]
    finally:
        loader.dispose()


def _index(
    node: yaml.Node, path: Path_, doc: Document, problems: list[Problem], seen_nodes: set[int]
) -> None:
    """Record the line of every value and report keys that appear twice in one mapping.
    A node met twice came from an alias, which is refused before anything expands."""
    if id(node) in seen_nodes:
        raise _Alias(node.start_mark.line + 1)
    seen_nodes.add(id(node))
    doc.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                shown = ".".join(map(str, (*path, key)))
                problems.append(
                    Problem(doc.file, key_node.start_mark.line + 1, shown, "duplicate key")
                )
            seen.add(key)
            _index(value_node, (*path, key), doc, problems, seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), doc, problems, seen_nodes)
