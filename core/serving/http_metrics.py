"""Prometheus metrics of the HTTP requests this server answered.

- crossdock_http_requests_total{method,route,status}: requests answered;
- crossdock_http_request_duration_seconds{method,route,status}: a histogram.

`route` is the URL rule (`/contactview/show/<pk>`), never the path typed, and
`status` the class (`2xx`), so the label values stay few whatever clients
send. Under gunicorn every worker process counts its own requests; with
`PROMETHEUS_MULTIPROC_DIR` set (before the server starts: prometheus_client
reads it when imported) each writes them to files there and a scrape of any
worker sums them all (prometheus_client's multiprocess mode).
"""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, values
from prometheus_client.multiprocess import MultiProcessCollector

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "<unmatched>"  # no rule matched (a 404 before routing)
LABELS = ("method", "route", "status")
# pages take tens of milliseconds; a slow export or an overloaded server, seconds
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

# registered nowhere: a scrape builds its registry (see collectors())
REQUESTS = Counter("crossdock_http_requests", "HTTP requests answered",
                   LABELS, registry=None)
DURATION = Histogram("crossdock_http_request_duration_seconds",
                     "Time from the request's arrival to its response", LABELS,
                     buckets=BUCKETS, registry=None)


def observe(method: str, route: str | None, status: int, seconds: float) -> None:
    labels = (method if method in METHODS else "other", route or UNMATCHED,
              f"{status // 100}xx")
    REQUESTS.labels(*labels).inc()
    DURATION.labels(*labels).observe(seconds)


def multiprocess() -> bool:
    """Whether prometheus_client writes values to files (multiprocess mode)."""
    return values.ValueClass is not values.MutexValue


def register_into(registry: CollectorRegistry) -> None:
    """This process's counts, or in multiprocess mode every process's."""
    if multiprocess():
        MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(DURATION)
