"""The whole REST API against its own OpenAPI spec: no 5xx, and every answer as the spec says.

Builds the app with every addon it loads installed (contacts, sales, the
example addons in tests/addons: whatever is on the addons paths), logs in as
an Admin over the REST login, loads the live spec from /api/v1/_openapi and
runs schemathesis's engine over it: every operation, through the examples,
coverage (boundary and invalid values, one by one), fuzzing and stateful
phases (links schemathesis infers from the spec and from Location headers:
POST then GET/PUT/DELETE of what was created). An addon added later is
covered without a change here: the test reads the live spec.

Checks: not_a_server_error, status_code_conformance, content_type_conformance,
response_headers_conformance, response_schema_conformance, unsupported_method,
missing_required_header, use_after_free, ensure_resource_availability. Left
out: positive_data_acceptance and negative_data_rejection (the spec cannot
state every business rule, e.g. a tax id's checksum or an order's state, and
the API is lenient where the spec is strict: 0/1 for booleans, JSON numbers
for decimals documented as text), and
ignored_auth (schemathesis 4.32's probe hands requests-only arguments to the
WSGI client and fails on its own; tests/integration/test_api_malformed_requests.py
covers credentials). An exception inside the app (a 500 in production: the
test app propagates it) fails the test too.

SQLite only: one database is enough for the property run. What PostgreSQL
refuses and SQLite does not (integers beyond 32 bits, NUL in text, decimals
wider than their column) is pinned by the targeted tests in
test_api_malformed_requests.py, which run on both. Bounded (MAX_EXAMPLES per
operation, STATEFUL_STEPS, derandomized with a fixed seed) to stay near three
minutes on a quiet 2-core machine; on a failure the message names the check,
the operation, the request and the answer.
"""
from __future__ import annotations

import collections
import datetime as dt
import logging
import time

import pytest

from tests.helpers import add_user, api_token, install

SEED = 20260301
MAX_EXAMPLES = 15
STATEFUL_STEPS = 10
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance",
          "unsupported_method", "missing_required_header", "use_after_free",
          "ensure_resource_availability")


def _config(headers: dict):
    from schemathesis.config import SchemathesisConfig

    return SchemathesisConfig.from_dict({
        "seed": SEED,
        "cache": {"enabled": False},  # no replay of an earlier run's requests
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True,
                       "database": "none"},
        "phases": {"stateful": {"max-steps": STATEFUL_STEPS}},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        "headers": headers,
    })


def _excerpt(data, limit: int = 300) -> str:
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    return (data or "")[:limit]


class Run:
    """What the engine reported: failures, errors, operations reached, answers."""

    def __init__(self):
        self.failures: dict[tuple[str, str], str] = {}
        self.errors: dict[str, str] = {}
        self.reached: set[str] = set()
        self.statuses: collections.Counter = collections.Counter()
        self.phases: dict[str, str] = {}
        self.links = 0  # transitions the stateful phase could follow

    def scenario(self, recorder) -> None:
        for case_id, interaction in recorder.interactions.items():
            node = recorder.cases.get(case_id)
            if node is not None:
                self.reached.add(node.value.operation.label)
            if interaction.response is not None:
                self.statuses[interaction.response.status_code] += 1
        for case_id, checks in recorder.checks.items():
            for check in checks:
                if check.status.name != "FAILURE" or check.failure_info is None:
                    continue
                node = recorder.cases.get(case_id)
                label = node.value.operation.label if node else recorder.label
                interaction = recorder.interactions.get(case_id)
                detail = check.failure_info.failure.title
                if interaction is not None:
                    request, response = interaction.request, interaction.response
                    detail += (f"\n    {request.method} {request.uri} {_excerpt(request.body)}"
                               f"\n    -> {response.status_code if response else '-'} "
                               f"{_excerpt(response.content if response else b'')}")
                detail += f"\n    {_excerpt(str(check.failure_info.failure.message), 600)}"
                self.failures.setdefault((check.name, label), detail)

    @property
    def answers(self) -> int:
        return sum(self.statuses.values())

    def report(self) -> str:
        lines = [f"{name} on {label}: {detail}"
                 for (name, label), detail in sorted(self.failures.items())]
        lines += [f"error on {label}: {detail}" for label, detail in sorted(self.errors.items())]
        return "\n".join(lines)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_operation_answers_as_its_openapi_spec_says(app, capsys):
    import schemathesis
    from schemathesis.engine import events, from_schema

    addons = sorted(app.extensions["crossdock"].runtime.loaded)  # a new addon is in
    assert {"contacts", "sales", "example_notes"} <= set(addons)
    install(app, *addons)
    add_user(app, "fuzz_admin", ["Admin"])
    app.config["JWT_ACCESS_TOKEN_EXPIRES"] = dt.timedelta(hours=6)  # a slow run: no 401s
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(client, 'fuzz_admin')}"}
    spec = client.get("/api/v1/_openapi", headers=headers).get_json()
    documented = {f"{method.upper()} {path}" for path, item in spec["paths"].items()
                  for method in item if method in ("get", "put", "post", "delete", "patch")}

    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", app, headers=headers,
                                            config=_config(headers))
    run = Run()
    started = time.monotonic()
    # FAB logs every refused database write with its traceback: noise here
    logging.getLogger("flask_appbuilder").setLevel(logging.CRITICAL)
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            run.scenario(event.recorder)
        elif isinstance(event, events.NonFatalError):
            run.errors.setdefault(event.label, _excerpt(str(event.value), 600))
        elif isinstance(event, events.FatalError):
            raise event.exception
        elif isinstance(event, events.PhaseStarted) and event.payload is not None:
            run.links = event.payload.transitions_total
        elif isinstance(event, events.PhaseFinished):
            run.phases[event.phase.name.value] = event.status.value
    elapsed = time.monotonic() - started

    with capsys.disabled():
        print(f"\nOpenAPI fuzz, addons {', '.join(addons)}: {len(documented)} operations, "
              f"{len(run.reached & documented)} exercised, {run.answers} answers "
              f"({dict(sorted(run.statuses.items()))}), {run.links} stateful links, "
              f"in {elapsed:.0f} s; phases {run.phases}")
    assert not run.failures and not run.errors, run.report()
    assert documented <= run.reached, sorted(documented - run.reached)
    assert 500 not in run.statuses
    assert run.links and run.phases.get("stateful") == "success", (run.links, run.phases)
