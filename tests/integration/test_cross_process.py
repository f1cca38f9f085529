"""An install or disable done by one process reaches a running server within 5 seconds.

A real `crossdock run` serves; a separate `crossdock addons ...` process changes
the installed set in the same database; the server must follow without restart.
"""
from __future__ import annotations

import time

import requests

from tests.helpers import csrf_token
from tests.live_server import cli, server  # noqa: F401  (fixture)

PROPAGATION_SECONDS = 5  # the promise made to admins: no restart, within 5 s


def _cli(srv, *args):
    """Runs the command; the moment it finished."""
    cli(srv, *args)
    return time.monotonic()


def _wait_for(http, url, status):
    deadline = time.monotonic() + PROPAGATION_SECONDS
    while time.monotonic() < deadline:
        if http.get(url).status_code == status:
            return True
        time.sleep(0.1)
    return False


def test_running_server_follows_another_process(server):
    http = requests.Session()
    token = csrf_token(http.get(server.url + "/login/").text)
    http.post(server.url + "/login/", data={"username": server.username,
                                           "password": server.password, "csrf_token": token})
    jwt = http.post(server.url + "/api/v1/security/login", json={
        "username": server.username, "password": server.password, "provider": "db"})
    api_client = requests.Session()
    api_client.headers["Authorization"] = f"Bearer {jwt.json()['access_token']}"
    notes = server.url + "/noteview/list/"
    api = server.url + "/api/v1/note/"
    assert http.get(notes).status_code == 404
    assert api_client.get(api).status_code == 404

    _cli(server, "addons", "install", "example_notes")
    assert _wait_for(http, notes, 200), "install not seen by the running server"
    assert api_client.get(api).status_code == 200
    assert "Notes" in http.get(server.url + "/modules/").text  # menu entry back

    _cli(server, "addons", "disable", "example_notes")
    assert _wait_for(http, notes, 404), "disable not seen by the running server"
    assert api_client.get(api).status_code == 404
