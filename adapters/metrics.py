"""Prometheus metrics: questions by platform, topic and outcome, and latency histograms.

Labels are bounded: platforms and outcomes are fixed sets, topics come from the knowledge base,
routes from the router. Nothing a person typed ever becomes a label.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

from bot.ports import Answered

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ANSWER_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25)
HTTP_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 1.0, 3.0)
LAG_PROBE_SECONDS = 0.05


class Metrics:
    """One registry per web app, so tests and processes never share counters."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.questions = Counter(
            "caremark_questions_total",
            "Questions answered, by platform, topic and outcome.",
            ["platform", "topic", "outcome"],
            registry=self.registry,
        )
        self.answer_seconds = Histogram(
            "caremark_answer_seconds",
            "Time to build an answer in the core, by platform.",
            ["platform"],
            buckets=ANSWER_BUCKETS,
            registry=self.registry,
        )
        self.http_seconds = Histogram(
            "caremark_http_request_seconds",
            "HTTP request time, by route and status.",
            ["route", "status"],
            buckets=HTTP_BUCKETS,
            registry=self.registry,
        )

        self.store_failures = Counter(
            "caremark_store_failures_total",
            "Times the plan store could not be read; the last good knowledge base kept serving.",
            registry=self.registry,
        )
        self.shared_failures = Counter(
            "caremark_shared_state_failures_total",
            "Times Redis could not be reached; in-process state was used instead.",
            registry=self.registry,
        )
        self.shared_in_redis = Gauge(
            "caremark_shared_state_in_redis",
            "1 while the replay guard, event ids and rate limits are shared in Redis, else 0.",
            registry=self.registry,
        )
        self.loop_lag = Gauge(
            "caremark_event_loop_lag_max_seconds",
            "The longest the event loop was late to wake a 50 ms timer since start.",
            registry=self.registry,
        )
        self._lag_max = 0.0

    async def watch_lag(self) -> None:
        """Measure, for as long as it runs, how late the loop wakes up."""
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(LAG_PROBE_SECONDS)
            self._lag_max = max(self._lag_max, loop.time() - started - LAG_PROBE_SECONDS)
            self.loop_lag.set(self._lag_max)

    def observe(self, event: Answered) -> None:
        """The engine's observer (see `Engine.observe`)."""
        self.questions.labels(event.platform, event.topic or "none", event.outcome).inc()
        self.answer_seconds.labels(event.platform).observe(event.seconds)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            resource = request.match_info.route.resource
            route = resource.canonical if resource is not None else "unmatched"
            self.http_seconds.labels(route, str(status)).observe(time.perf_counter() - started)

    async def handle(self, request: web.Request) -> web.Response:
        body = generate_latest(self.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
