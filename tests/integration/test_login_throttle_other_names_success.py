"""A successful login clears the failures of that user name only: an attacker
logging into their own account between guesses does not reset the count of
the address they guess from, nor anyone else's."""
from __future__ import annotations

from tests.helpers import PASSWORD, add_user, rest_login


def test_own_account_logins_do_not_reset_the_address_count(make_app):
    app = make_app(login_max_failures=2)  # per address: 2 x 4 = 8
    add_user(app, "mallory", ["Salesperson"])
    add_user(app, "victim", ["Salesperson"])
    client = app.test_client()
    for i in range(7):  # one guess per name (never a name's limit), a success in between
        assert rest_login(client, f"user{i}", "guess").status_code == 401
        assert rest_login(client, "mallory", PASSWORD).status_code == 200
    assert rest_login(client, "user7", "guess").status_code == 401
    # the address has failed 8 times: even a right password waits
    assert rest_login(client, "victim", PASSWORD).status_code == 429
    assert rest_login(client, "mallory", PASSWORD).status_code == 429


def test_another_names_success_does_not_clear_a_names_failures(make_app):
    app = make_app(login_max_failures=2)
    add_user(app, "mallory", ["Salesperson"])
    add_user(app, "victim", ["Salesperson"])
    client = app.test_client()
    assert rest_login(client, "victim", "guess-1").status_code == 401
    assert rest_login(client, "mallory", PASSWORD).status_code == 200
    assert rest_login(client, "victim", "guess-2").status_code == 401
    assert rest_login(client, "victim", PASSWORD).status_code == 429
    # while the name's own success clears its failures, in both counts
    assert rest_login(client, "mallory", "typo").status_code == 401
    assert rest_login(client, "mallory", PASSWORD).status_code == 200
    assert rest_login(client, "mallory", "typo").status_code == 401
    assert rest_login(client, "mallory", PASSWORD).status_code == 200
