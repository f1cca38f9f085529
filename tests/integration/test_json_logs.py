"""CROSSDOCK_LOG_FORMAT=json: every record one JSON object on stderr, with the
request id a user reads on the error page; one access line per request."""
from __future__ import annotations

import json
import logging
import logging.config

import pytest

from core.serving.log_format import logging_config
from tests.helpers import add_user, login

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
TOUCHED = ("", "gunicorn.error", "gunicorn.access", "werkzeug", "crossdock.access")


@pytest.fixture
def logging_restored():
    """The process's logging as it was, after the test configured its own."""
    saved = {n: (lg.handlers[:], lg.level, lg.propagate)
             for n, lg in ((n, logging.getLogger(n or None)) for n in TOUCHED)}
    yield
    for name, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(name or None)
        logger.handlers[:], logger.level, logger.propagate = handlers, level, propagate


def configured(log_format: str, capsys):
    """Logging configured as a process would (on the test's captured stderr);
    returns what was written since, each line parsed as JSON in JSON mode."""
    capsys.readouterr()
    logging.config.dictConfig(logging_config(log_format))
    if log_format == "json":
        return lambda: [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    return lambda: capsys.readouterr().err


def test_lines_carry_the_request_id_and_the_access_fields(app, capsys, logging_restored):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 page, as in production
    add_user(app, "ann", ["Admin"])

    @app.route("/test-crash")
    def crash():
        raise ZeroDivisionError("boom")

    client = app.test_client()
    login(client, "ann")
    json_logs = configured("json", capsys)
    page = client.get("/test-crash", headers={"X-Request-ID": "req-4711"})
    assert page.status_code == 500 and "req-4711" in page.get_data(as_text=True)
    client.get("/users/list/", headers={"X-Request-ID": "req-4712"})

    lines = json_logs()  # every line parsed as JSON, or this fails
    crash_log = next(x for x in lines if x["level"] == "ERROR")
    assert crash_log["request_id"] == "req-4711"
    assert "ZeroDivisionError: boom" in crash_log["exc_info"]
    assert crash_log["time"].endswith("Z") and "T" in crash_log["time"]
    access = [x for x in lines if x["logger"] == "crossdock.access"]
    assert [(a["method"], a["path"], a["status"], a["request_id"]) for a in access] == [
        ("GET", "/test-crash", 500, "req-4711"), ("GET", "/users/list/", 200, "req-4712")]
    with app.app_context():
        ann_id = app.appbuilder.sm.find_user("ann").id
    assert [a["user_id"] for a in access] == [ann_id, ann_id]
    assert all(a["duration_ms"] >= 0 for a in access)


def test_text_format_has_no_access_lines(app, capsys, logging_restored):
    text_logs = configured("text", capsys)
    app.test_client().get("/login/")
    logging.getLogger("crossdock.test").warning("seen")
    err = text_logs()
    assert "WARNING crossdock.test: seen" in err and "/login/" not in err
