"""The report as one self-contained HTML page: charts drawn with matplotlib as inline SVG
(text stays text), each with a caption and the same numbers as a table, so the page reads
on a phone, with a screen reader, and without telling colours apart (every bar is one colour
and carries its value). No script, no font, no request leaves the page."""

from __future__ import annotations

import html
import io
from collections.abc import Sequence

from adapters.report import GUIDE_SHARE, K_ANONYMITY, Report

BLUE = "#1f5f99"
LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}
WEEKS_SHOWN = 12


def _svg(labels: Sequence[str], values: Sequence[float], *, percent: bool = False) -> str:
    """A horizontal bar chart as SVG, each bar labelled with its value."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"  # labels stay text: selectable, readable aloud
    height = max(1.4, 0.4 * len(labels) + 0.3)
    fig, ax = plt.subplots(figsize=(4.6, height))
    rows = list(range(len(labels)))[::-1]
    bars = ax.barh(rows, values, color=BLUE)  # one colour: it means nothing; values do
    ax.set_yticks(rows, [label[:40] for label in labels])
    ax.bar_label(bars, labels=[f"{v:.0%}" if percent else f"{v:,.0f}" for v in values], padding=3)
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    ax.xaxis.set_visible(False)  # every bar says its value: no scale to squint at
    ax.tick_params(labelsize=11)
    ax.set_xlim(0, (1.15 if percent else max(values or [1]) * 1.3) or 1)
    fig.tight_layout()
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None, "Format": None})
    plt.close(fig)
    svg = out.getvalue()
    return svg[svg.index("<svg") :]


def _figure(
    key: str, title: str, labels: Sequence[str], values: Sequence[float], **kw: bool
) -> str:
    if not labels:
        return f"<section><h2>{html.escape(title)}</h2><p>Nothing yet.</p></section>"
    svg = _svg(labels, values, **kw).replace(
        "<svg ", f'<svg role="img" aria-labelledby="{key}-cap" ', 1
    )
    shown = [f"{v:.0%}" if kw.get("percent") else f"{v:,.0f}" for v in values]
    rows = "".join(
        f"<tr><th scope=row>{html.escape(label)}</th><td>{value}</td></tr>"
        for label, value in zip(labels, shown, strict=True)
    )
    return (
        f'<section><h2 id="{key}-cap">{html.escape(title)}</h2>'
        f'<figure><div class="chart">{svg}</div><figcaption><details><summary>'
        f"The numbers</summary><table>{rows}</table></details></figcaption></figure></section>"
    )


def page(report: Report) -> str:
    """The whole page."""
    h = report.health
    share = f"{h.share:.0%}" if h.share is not None else "—"
    answered = f"{report.answered_share:.0%}" if report.answered_share is not None else "—"
    helpful = [(t, good / votes) for t, good, votes in report.helpful if votes]
    cards = (
        f"<li><b>{report.questions:,}</b> questions</li>"
        f"<li><b>{answered}</b> answered straight away</li>"
        f"<li><b>{share}</b> of plan facts verified (aim {GUIDE_SHARE:.0%})</li>"
    )
    unanswered = "".join(
        f"<li>{html.escape(text)} <span>({people} people)</span></li>"
        for text, people in report.unanswered
    )
    due = "".join(
        f"<li>{html.escape(label)} <span>(its topic asked {asks:,} times)</span></li>"
        for label, asks in h.due_seen
    )
    sections = [
        _figure("weeks", f"Questions per week (the last {WEEKS_SHOWN})",
                [f"week of {w}" for w, _ in report.weeks[-WEEKS_SHOWN:]],
                [n for _, n in report.weeks[-WEEKS_SHOWN:]]),
        _figure("outcomes", "How questions went", list(report.outcomes),
                list(report.outcomes.values())),
        _figure("topics", "Top topics", [t for t, _ in report.topics],
                [n for _, n in report.topics]),
        _figure("helpful", "Helpful, by topic (share of votes)", [t for t, _ in helpful],
                [r for _, r in helpful], percent=True),
        _figure("helpful-language", "Helpful, by language (share of votes)",
                [LANGUAGE_NAMES.get(la, la) for la in sorted(report.helpful_languages)],
                [good / max(votes, 1) for _, (good, votes) in
                 sorted(report.helpful_languages.items())], percent=True),
        _figure("health", "Plan facts", ["verified", "due for a check", "expired"],
                [h.verified, h.due, h.expired]) if h.share is not None else
        "<section><h2>Plan facts</h2><p>The store holds no plan facts yet.</p></section>",
    ]  # fmt: skip
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Caremark help: report</title><style>"
        "body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:1rem auto;padding:0 1rem;"
        "color:#111}h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}"
        ".cards{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0}"
        ".cards li{border:1px solid #ccc;border-radius:.5rem;padding:.5rem .8rem}"
        ".chart svg{width:100%;height:auto}table{border-collapse:collapse}"
        "th,td{text-align:left;padding:.15rem .6rem;border-bottom:1px solid #eee}"
        "span{color:#444}</style></head><body>"
        f"<h1>Caremark help: {report.since} to {report.until}</h1>"
        f'<ul class="cards">{cards}</ul>'
        + "".join(sections[:5])
        + f"<section><h2>Questions nothing answered</h2><p>Shown once at least {K_ANONYMITY} "
        "different people asked, with numbers, addresses and identifiers removed.</p>"
        + (f"<ol>{unanswered}</ol>" if unanswered else "<p>None yet.</p>")
        + "</section>"
        + sections[5]
        + (f"<h3>Due facts employees see most</h3><ol>{due}</ol>" if due else "")
        + "</body></html>"
    )
