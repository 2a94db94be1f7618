"""Synthetic knowledge bases for scale benchmarks: the shipped one plus N generated topics."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = [
    "alpha",
    "bravo",
    "cobalt",
    "delta",
    "ember",
    "fjord",
    "garnet",
    "harbor",
    "indigo",
    "juniper",
    "kestrel",
    "lumen",
    "meadow",
    "nectar",
    "onyx",
    "prism",
    "quartz",
    "raven",
    "saffron",
    "tundra",
    "umber",
    "velvet",
    "willow",
    "xenon",
    "yarrow",
    "zephyr",
    "amber",
    "basalt",
    "cinder",
    "dune",
    "echo",
    "flint",
    "glacier",
    "hazel",
    "iris",
    "jade",
]


def build(count: int, into: Path, seed: int = 3) -> Path:
    """A knowledge-base folder with `count` extra topics; returns its path."""
    rng = random.Random(seed)
    shutil.copytree(ROOT / "knowledge", into / "knowledge", dirs_exist_ok=True)
    shutil.copytree(ROOT / "seeds", into / "seeds", dirs_exist_ok=True)
    lines: list[str] = []
    spanish: list[str] = []
    for n in range(count):
        words = rng.sample(WORDS, 3)
        spanish += [
            f"  synthetic-{n}:",
            f"    title: Servicio {words[0]} {words[1]} {n}",
            "    summary: Un tema generado para las pruebas de rendimiento.",
            f"    keywords: [{words[2]} servicio, código{n}]",
        ]
        lines += [
            f"  - id: synthetic-{n}",
            f"    title: {words[0].title()} {words[1]} service {n}",
            "    category: faq",
            f"    aliases: [{words[0]} {words[1]} {n}]",
            f"    keywords: [{words[2]}, {words[0]} {words[2]}, code{n}]",
            "    summary: A generated topic for benchmarks.",
            "    show: [specialty.phone]",
            "    sources: [{source: seed, lines: [1]}]",
            "    reviewed: 2026-11-24",
        ]
    per_file = 9 * FILE_TOPICS  # lines per topic × topics per file: each file under 1 MB
    for start in range(0, len(lines), per_file):
        chunk = ["topics:", *lines[start : start + per_file]]
        name = f"zz-synthetic-{start // per_file:03d}.yaml"
        (into / "knowledge" / name).write_text("\n".join(chunk) + "\n")
    per_file = 4 * FILE_TOPICS
    for start in range(0, len(spanish), per_file):
        chunk = ["language: es", "topics:", *spanish[start : start + per_file]]
        name = f"zz-synthetic-{start // per_file:03d}.yaml"
        (into / "knowledge" / "translations" / name).write_text("\n".join(chunk) + "\n")
    return into / "knowledge"


FILE_TOPICS = 2000
"""Topics per generated file; knowledge files are capped at 1 MB each."""


def queries(count: int, topics: int, seed: int = 5) -> list[str]:
    """Exact aliases, keyword phrases, typos and misses over the synthetic topics."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        n = rng.randrange(topics)
        kind = i % 4
        if kind == 0:
            out.append(f"code{n}")
        elif kind == 1:
            out.append(f"{rng.choice(WORDS)} {rng.choice(WORDS)} question")
        elif kind == 2:
            word = rng.choice(WORDS)
            out.append(word[:-1] + "x" + " service")
        else:
            out.append(f"qq{n} zz{i}")
    return out
