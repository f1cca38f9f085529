"""Locust users for bench/load_users.py: a sales team at work, with think time.

Runs in its own virtualenv (`.venv-locust`: locust brings gevent and its own
Flask), so it imports nothing of Crossdock. The driver passes the seed's
password and user names in the environment.

Salespeople (weight 8) browse their companies, search people (HTML and REST),
open a company, look at the pipeline board, the dashboard and their
activities, and create a company over REST; Sales Managers (weight 2) watch
their team's dashboard, board and opportunities. Each logs in once (the HTML
form, then the REST login), as a person keeps a session all day; the logins
are timed as requests of their own.
"""
from __future__ import annotations

import itertools
import os
import random
import re
import time

from locust import HttpUser, between, task

PASSWORD = os.environ["LOAD_PASSWORD"]
SALESPEOPLE = os.environ["LOAD_SALESPEOPLE"].split(",")
MANAGERS = os.environ["LOAD_MANAGERS"].split(",")
WORDS = ("张", "王伟", "li", "chen", "Müller", "sm", "物流", "an")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_counter = itertools.count(1)
_logins = {"Salesperson": itertools.cycle(SALESPEOPLE), "Sales Manager": itertools.cycle(MANAGERS)}


def _rison_filter(word: str) -> str:
    return f"(filters:!((col:name,opr:search,value:'{word}')),page_size:25)"


class CrossdockUser(HttpUser):
    abstract = True
    wait_time = between(3, 8)
    role = ""

    def on_start(self):
        self.username = next(_logins[self.role])
        page = self.client.get("/login/", name="login page")
        token = CSRF.search(page.text).group(1)
        with self.client.post("/login/", name="login (HTML)", allow_redirects=False,
                              data={"username": self.username, "password": PASSWORD,
                                    "csrf_token": token}, catch_response=True) as resp:
            if resp.status_code != 302:
                resp.failure(f"login answered {resp.status_code}")
        self.rest_login()
        self.company_ids: list[int] = []

    def rest(self, method, path, name, **kw):
        """A REST call, as a `with` block; the token (valid 15 minutes) is renewed
        after 10, as a client would, the renewal timed as a REST login."""
        if time.monotonic() - self.bearer_at > 600:
            self.rest_login()
        return self.client.request(method, path, name=name, headers=self.bearer,
                                   catch_response=True, **kw)

    def rest_login(self):
        with self.client.post("/api/v1/security/login", name="login (REST)",
                              json={"username": self.username, "password": PASSWORD},
                              catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"REST login answered {resp.status_code}")
                self.bearer = {}
            else:
                self.bearer = {"Authorization": "Bearer " + resp.json()["access_token"]}
        self.bearer_at = time.monotonic()

    def get_page(self, path: str, name: str, **kw):
        with self.client.get(path, name=name, catch_response=True, **kw) as resp:
            if resp.status_code == 200 and "/login/" in resp.url:
                resp.failure("session lost: sent to the login page")


class Salesperson(CrossdockUser):
    weight = 8
    role = "Salesperson"

    @task(4)
    def company_list(self):
        self.get_page("/companyview/list/", "company list (HTML)")

    @task(3)
    def people_search_html(self):
        self.get_page("/personview/list/", "people search (HTML)",
                      params={"_flt_0_name": random.choice(WORDS)})

    @task(3)
    def people_search_rest(self):
        with self.rest("GET", "/api/v1/person/", "people search (REST)",
                       params={"q": _rison_filter(random.choice(WORDS))}) as resp:
            if resp.status_code != 200:
                resp.failure(f"search answered {resp.status_code}")

    @task(3)
    def company_page(self):
        if not self.company_ids:
            with self.rest("GET", "/api/v1/company/", "company list (REST)",
                           params={"q": "(columns:!(id),page_size:25)"}) as resp:
                self.company_ids = resp.json().get("ids", []) if resp.ok else []
        if self.company_ids:
            self.get_page(f"/companyview/show/{random.choice(self.company_ids)}",
                          "company page (HTML)")

    @task(2)
    def board(self):
        self.get_page("/sales/board/", "pipeline board (HTML)")

    @task(2)
    def dashboard(self):
        self.get_page("/sales/dashboard/", "dashboard (HTML)")
        self.get_page("/sales/dashboard/data", "dashboard data (JSON)")

    @task(2)
    def my_activities(self):
        self.get_page("/sales/activities/my", "my activities (HTML)")

    @task(1)
    def create_company(self):
        n = next(_counter)
        with self.rest("POST", "/api/v1/company/", "create company (REST)",
                       json={"name": f"Load 客户 {os.getpid()}-{n}"}) as resp:
            if resp.status_code != 201:
                resp.failure(f"create answered {resp.status_code}: {resp.text[:200]}")


class SalesManager(CrossdockUser):
    weight = 2
    role = "Sales Manager"

    @task(3)
    def dashboard(self):
        self.get_page("/sales/dashboard/", "dashboard (HTML)")
        self.get_page("/sales/dashboard/data", "dashboard data (JSON)")

    @task(3)
    def board(self):
        self.get_page("/sales/board/", "pipeline board (HTML)")
        self.get_page("/sales/board/totals", "board totals (JSON)")

    @task(2)
    def opportunities(self):
        self.get_page("/opportunityview/list/", "opportunities list (HTML)")

    @task(1)
    def company_list(self):
        self.get_page("/companyview/list/", "company list (HTML)")
