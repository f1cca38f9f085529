"""Record rules written as expressions, on every path, per role.

tests/addons/example_tickets: a Support Agent reads the tickets of their teams
and those they watch (`or_(team_id in teams, watchers.any(user))`) and changes
only their teams'; Finance reads the billing queue's (`queue.has(name ==
"billing")`) and changes none; a Sales Manager has the "team" scope and
Read-only "all"/"none" from the CSV next to them; Admin everything.
agent_a and mgr are in team A, agent_b in team B; agent_a watches b1.
"""
from __future__ import annotations

import re

import pytest

from core.db import db
from core.security.actor import Actor, acting_as
from core.security.record_rules import AccessDenied, may_write, scope_for
from core.security.teams import Team
from tests.helpers import add_user, api_token, install, login

pytestmark = pytest.mark.addons("example_tickets")

USERS = {"agent_a": (["Support Agent"], "A"), "agent_b": (["Support Agent"], "B"),
         "fin": (["Finance"], None), "mgr": (["Sales Manager"], "A"),
         "ro": (["Read-only"], None), "boss": (["Admin"], None)}
# title: (team, queue, watchers)
TICKETS = {"a1": ("A", "support", ()), "a2": ("A", "billing", ()),
           "b1": ("B", "billing", ("agent_a",)), "b2": ("B", "support", ()),
           "nobody": (None, "support", ())}
ALL = set(TICKETS)
READS = {"agent_a": {"a1", "a2", "b1"}, "agent_b": {"b1", "b2"}, "fin": {"a2", "b1"},
         "mgr": {"a1", "a2"}, "ro": ALL, "boss": ALL}
WRITES = {"agent_a": {"a1", "a2"}, "agent_b": {"b1", "b2"}, "fin": set(),
          "mgr": {"a1", "a2"}, "ro": set(), "boss": ALL}
# Read-only has no edit/delete permission (access.csv): FAB's HTML views turn it
# away with a redirect before any rule applies; Finance has it, the rule refuses
HTML_REFUSED = {"ro": (302, 403)}


@pytest.fixture
def world(app):
    install(app, "example_tickets")
    users = {name: add_user(app, name, roles, team) for name, (roles, team) in USERS.items()}
    with app.app_context():
        from example_tickets.models import Queue, Ticket
        from flask_appbuilder.security.sqla.models import User

        teams = {t.name: t.id for t in db.session.query(Team)}
        queues = {name: Queue(name=name) for name in ("support", "billing")}
        db.session.add_all(queues.values())
        tickets = {}
        for title, (team, queue, watchers) in TICKETS.items():
            ticket = Ticket(title=title, owner_id=users["boss"], team_id=teams.get(team),
                            queue=queues[queue],
                            watchers=[db.session.get(User, users[w]) for w in watchers])
            db.session.add(ticket)
            db.session.flush()
            tickets[title] = ticket.id
        db.session.commit()
        queue_ids = {name: q.id for name, q in queues.items()}
    return app, users, teams, queue_ids, tickets


def stored(app, pk):
    """The stored row as (title, team_id), read as the system; None once deleted."""
    with app.app_context():
        from example_tickets.models import Ticket

        ticket = db.session.get(Ticket, pk)
        return None if ticket is None else (ticket.title, ticket.team_id)


def bearer(app, username):
    return {"Authorization": f"Bearer {api_token(app.test_client(), username)}"}


def titles_in(html: str) -> set[str]:
    return set(re.findall(r">\s*(a1|a2|b1|b2|nobody)\s*<", html)) & ALL


def edit_data(app, pk, token, **changes):
    """What the edit form posts for the stored row, with `changes`."""
    with app.app_context():
        from example_tickets.models import Ticket

        t = db.session.get(Ticket, pk)
        data = {"title": t.title, "owner": str(t.owner_id or "__None"),
                "team": str(t.team_id or "__None"), "queue": str(t.queue_id or "__None"),
                "parent": str(t.parent_id or "__None"),
                "watchers": [str(u.id) for u in t.watchers], "csrf_token": token}
    data.update({k: str(v) for k, v in changes.items()})
    return data


def test_lists_show_export_and_search_show_what_the_expression_allows(world):
    app, _, _, _, tickets = world
    for user, readable in READS.items():
        client = app.test_client()
        login(client, user)
        html = client.get("/ticketview/list/").get_data(as_text=True)
        assert titles_in(html) == readable, user
        exported = client.get("/ticketview/export/csv").get_data(as_text=True)
        assert {line.split(",")[1] for line in exported.split()[1:]} == readable, user
        for title, pk in tickets.items():
            expected = 200 if title in readable else 404
            assert client.get(f"/ticketview/show/{pk}").status_code == expected, (user, title)
            found = client.get(f"/ticketview/list/?_flt_0_title={title}")
            assert titles_in(found.get_data(as_text=True)) == {title} & readable, (user, title)

        headers = bearer(app, user)
        body = client.get("/api/v1/example_ticket/?q=(page_size:100)", headers=headers).get_json()
        assert {r["title"] for r in body["result"]} == readable, user
        assert body["count"] == len(readable)
        for title, pk in tickets.items():
            expected = 200 if title in readable else 404
            got = client.get(f"/api/v1/example_ticket/{pk}", headers=headers)
            assert got.status_code == expected, (user, title)


def test_related_pickers_offer_what_the_expression_allows(world):
    app, _, _, _, _ = world
    for user in ("agent_a", "agent_b", "mgr"):
        client = app.test_client()
        login(client, user)
        html = client.get("/ticketview/add").get_data(as_text=True)
        picker = re.search(r'<select[^>]*name="parent".*?</select>', html, re.S).group(0)
        assert titles_in(picker) == READS[user], user
        info = client.get("/api/v1/example_ticket/_info", headers=bearer(app, user)).get_json()
        parent = next(c for c in info["add_columns"] if c["name"] == "parent")
        assert {v["value"] for v in parent["values"]} == READS[user], user


def test_a_related_row_through_an_aliased_join_is_shown_only_if_readable(world):
    # FAB joins `parent` under an alias; the agent's rule has a subquery
    # (watchers.any) that must follow the alias, not the listed ticket
    app, _, _, _, tickets = world
    with app.app_context():
        from example_tickets.models import Ticket

        db.session.get(Ticket, tickets["a1"]).parent_id = tickets["b2"]  # agent_a: hidden
        db.session.get(Ticket, tickets["a2"]).parent_id = tickets["b1"]  # watched
        db.session.commit()
    client = app.test_client()
    body = client.get("/api/v1/example_ticket/", headers=bearer(app, "agent_a")).get_json()
    parents = {r["title"]: (r.get("parent") or {}).get("title") for r in body["result"]}
    assert parents == {"a1": None, "a2": "b1", "b1": None}


@pytest.mark.parametrize("user", sorted(USERS))
def test_edits_and_deletes_html_and_rest_follow_the_write_rule(world, user):
    app, _, _, _, tickets = world
    client = app.test_client()
    token = login(client, user)
    headers = bearer(app, user)

    def refused(html: bool):
        return lambda title: ((HTML_REFUSED.get(user, (403,)) if html else (403,))
                              if title in READS[user] else (404,))

    for title, pk in tickets.items():
        before = stored(app, pk)
        resp = client.post(f"/ticketview/edit/{pk}",
                           data=edit_data(app, pk, token, title=f"{title}!"))
        if title in WRITES[user]:
            assert resp.status_code == 302, (user, title)
            assert stored(app, pk) == (f"{title}!", before[1])
        else:
            assert resp.status_code in refused(html=True)(title), (user, title)
            assert stored(app, pk) == before, (user, title)
        resp = client.put(f"/api/v1/example_ticket/{pk}", headers=headers, json={"title": title})
        if title in WRITES[user]:
            assert resp.status_code == 200, (user, title)
            assert stored(app, pk) == before
        else:
            assert resp.status_code in refused(html=False)(title), (user, title)
            assert stored(app, pk) == before, (user, title)

    by_html = True  # writable rows are deleted in turn through the form and REST
    for title, pk in tickets.items():
        if title in WRITES[user]:
            if by_html:
                resp = client.post(f"/ticketview/delete/{pk}", data={"csrf_token": token})
            else:
                resp = client.delete(f"/api/v1/example_ticket/{pk}", headers=headers)
            assert resp.status_code == (302 if by_html else 200), (user, title)
            assert stored(app, pk) is None
            by_html = not by_html
            continue
        resp = client.post(f"/ticketview/delete/{pk}", data={"csrf_token": token})
        assert resp.status_code in refused(html=True)(title), (user, title)
        resp = client.delete(f"/api/v1/example_ticket/{pk}", headers=headers)
        assert resp.status_code in refused(html=False)(title), (user, title)
        assert stored(app, pk) is not None, (user, title)


def test_a_write_that_moves_a_ticket_outside_the_rule_is_refused(world):
    app, users, teams, queues, tickets = world
    client = app.test_client()
    agent = bearer(app, "agent_a")
    resp = client.put(f"/api/v1/example_ticket/{tickets['a1']}", headers=agent,
                      json={"team": teams["B"]})
    assert resp.status_code == 403
    assert "outside what agent_a may change" in resp.get_json()["message"]
    assert stored(app, tickets["a1"]) == ("a1", teams["A"])
    token = login(client, "agent_a")
    resp = client.post(f"/ticketview/edit/{tickets['a2']}",
                       data=edit_data(app, tickets["a2"], token, team="__None"))
    assert resp.status_code == 403
    assert stored(app, tickets["a2"]) == ("a2", teams["A"])

    # inserts: the new row must be within the rule too; watching is not enough
    assert client.post("/api/v1/example_ticket/", headers=agent, json={
        "title": "for B", "team": teams["B"]}).status_code == 403
    assert client.post("/api/v1/example_ticket/", headers=agent, json={
        "title": "watched only", "watchers": [users["agent_a"]]}).status_code == 403
    resp = client.post("/api/v1/example_ticket/", headers=agent, json={"title": "ours", "team": teams["A"]})
    assert resp.status_code == 201
    created = resp.get_json()["id"]
    assert stored(app, created) == ("ours", teams["A"])
    with app.app_context():
        from example_tickets.models import Ticket

        titles = set(db.session.scalars(db.select(Ticket.title)))
        assert db.session.get(Ticket, created).owner_id == users["agent_a"]  # the creator's
    assert not titles & {"for B", "watched only"}

    # the manager's "team" scope: a ticket of team A goes nowhere else either
    mgr = bearer(app, "mgr")
    assert client.put(f"/api/v1/example_ticket/{tickets['a1']}", headers=mgr,
                      json={"team": teams["B"]}).status_code == 403
    assert stored(app, tickets["a1"]) == ("a1", teams["A"])


def test_session_writes_are_checked_before_and_after_the_flush(world):
    """Outside any view: a service acting for a user gets AccessDenied."""
    app, users, teams, queues, tickets = world
    agent = Actor(users["agent_a"], "agent_a", frozenset({"Support Agent"}))
    with app.app_context():
        from example_tickets.models import Ticket

        with acting_as(agent):
            a1 = db.session.get(Ticket, tickets["a1"])
            b1 = db.session.get(Ticket, tickets["b1"])  # watched: read, not written
            assert b1 is not None and db.session.get(Ticket, tickets["b2"]) is None
            assert scope_for(Ticket, agent, "read") == "expression"
            assert may_write(db.session, a1) and not may_write(db.session, b1)
            b1.title = "renamed"
            with pytest.raises(AccessDenied, match="this record is outside"):
                db.session.flush()
            db.session.rollback()
            a1 = db.session.get(Ticket, tickets["a1"])
            a1.team_id = teams["B"]
            with pytest.raises(AccessDenied, match="as changed is outside"):
                db.session.flush()
            db.session.rollback()
            db.session.delete(db.session.get(Ticket, tickets["b1"]))
            with pytest.raises(AccessDenied):
                db.session.flush()
            db.session.rollback()
            # a bulk UPDATE touches only rows within the write rule...
            moved = db.session.execute(db.update(Ticket).values(title="bulk")
                                       .execution_options(synchronize_session=False))
            assert moved.rowcount == 2  # a1, a2
            db.session.commit()
            # ...and may not move them out of it
            with pytest.raises(AccessDenied, match="as changed is outside"):
                db.session.execute(db.update(Ticket).where(Ticket.id == tickets["a1"])
                                   .values(team_id=teams["B"])
                                   .execution_options(synchronize_session=False))
            db.session.rollback()
    assert {stored(app, pk)[0] for pk in tickets.values()} == {"bulk", "b1", "b2", "nobody"}
    assert stored(app, tickets["a1"]) == ("bulk", teams["A"])
