"""The hub's Prometheus metrics, read from the job table at scrape time
(served at core's /metrics, core/serving/metrics_endpoint.py, beside the HTTP ones).

A custom collector (prometheus_client's documented pattern for values that
live elsewhere: "Custom Collectors" in its README) yields fresh gauges on
every scrape, so every web process answers the same numbers and nothing is
counted in memory:

- crossdock_hub_jobs{state,backend}: jobs in each state;
- crossdock_hub_queue_depth{backend}: pending + queued;
- crossdock_hub_jobs_finished_last_hour{outcome,backend}: done/failed/cancelled;
- crossdock_hub_job_latency_seconds{quantile}: creation to finish, jobs done
  in the last hour (nearest-rank 0.5 and 0.95, see views/figures.py);
- crossdock_hub_oldest_waiting_seconds: age of the oldest pending/queued job;
- crossdock_hub_bindings_attention{reason,backend}: synced records that need a
  person's look (e.g. reason "totals_differ");
- crossdock_hub_events_total{event,backend}: retries, lease expiries, re-sends
  and recoveries since the database was made (hub_event_count, job_events.py).
"""
from __future__ import annotations

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy.orm import Session

from core.db import db
from core.serving.metrics_endpoint import add_collector

from .job_events import totals as event_totals
from .models import STATES, utcnow
from .views.figures import (BACKLOG_STATES, OUTCOMES, WINDOW, JobFilter, attention_counts,
                            backend_names, counts_by_state, finished_since, oldest_waiting,
                            percentile)


class JobTableCollector:
    """Reads hub_job when Prometheus scrapes (one short session per scrape)."""

    def collect(self):
        with Session(db.engine) as session:
            yield from self._families(session)

    def _families(self, session: Session):
        flt = JobFilter()
        now = utcnow()
        names = backend_names(session)
        per_state = counts_by_state(session, flt)
        jobs = GaugeMetricFamily("crossdock_hub_jobs", "Sync jobs per state and backend",
                                 labels=["state", "backend"])
        depth = GaugeMetricFamily("crossdock_hub_queue_depth",
                                  "Jobs waiting to run (pending + queued) per backend",
                                  labels=["backend"])
        for backend_id, states in per_state.items():
            backend = names.get(backend_id, str(backend_id))
            for state in STATES:
                jobs.add_metric([state, backend], states[state])
            depth.add_metric([backend], sum(states[s] for s in BACKLOG_STATES))
        yield jobs
        yield depth

        finished = GaugeMetricFamily("crossdock_hub_jobs_finished_last_hour",
                                     "Jobs finished in the last hour per outcome and backend",
                                     labels=["outcome", "backend"])
        outcomes: dict[tuple[str, str], int] = {}
        latencies: list[float] = []
        for backend_id, state, created_at, finished_at in finished_since(
                session, flt, now - WINDOW):
            key = (state, names.get(backend_id, str(backend_id)))
            outcomes[key] = outcomes.get(key, 0) + 1
            if state == "done":
                latencies.append((finished_at - created_at).total_seconds())
        for (state, backend), n in sorted(outcomes.items()):
            if state in OUTCOMES:
                finished.add_metric([state, backend], n)
        yield finished

        latencies.sort()
        latency = GaugeMetricFamily("crossdock_hub_job_latency_seconds",
                                    "Creation to finish of jobs done in the last hour",
                                    labels=["quantile"])
        for q in (0.5, 0.95):
            value = percentile(latencies, q)
            latency.add_metric([str(q)], value if value is not None else float("nan"))
        yield latency

        oldest = oldest_waiting(session, flt)
        yield GaugeMetricFamily("crossdock_hub_oldest_waiting_seconds",
                                "Age of the oldest pending or queued job (0 when none)",
                                value=(now - oldest).total_seconds() if oldest else 0.0)

        attention = GaugeMetricFamily("crossdock_hub_bindings_attention",
                                      "Synced records that need a look, per reason and backend",
                                      labels=["reason", "backend"])
        for (backend_id, reason), n in sorted(attention_counts(session).items(),
                                              key=lambda i: (i[0][1], str(i[0][0]))):
            attention.add_metric([reason, names.get(backend_id, str(backend_id))], n)
        yield attention

        events = CounterMetricFamily("crossdock_hub_events",
                                     "Retries, lease expiries, re-sends and recoveries of jobs",
                                     labels=["event", "backend"])
        counted = {(event, backend_id): n for event, backend_id, n in event_totals(session)}
        for event, backend_id in sorted(counted, key=lambda k: (k[0], k[1])):
            backend = names.get(backend_id or None, str(backend_id))
            events.add_metric([event, backend], counted[event, backend_id])
        yield events


def register_metrics(app) -> None:
    add_collector(app, JobTableCollector())
