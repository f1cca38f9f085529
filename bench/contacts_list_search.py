"""Contacts list and search over HTTP on a million contacts, against stock
Flask-AppBuilder on the same data in the same run.

Seeds (bench/contacts_seed.py) SQLite or a throwaway PostgreSQL cluster
(bench/pg_cluster.py), starts `crossdock run` on it and the stock FAB app
(bench/contacts_stock_fab.py), then times, logged in as a salesperson
(record rules on) and as an admin, HTML and REST: first list page, a deep
page, substring search by name (Chinese 2 characters, Latin), e-mail
fragment, phone fragment, the term classes a person types all day
(TERM_CLASSES: 1 and 2 Latin characters, 1-2 Chinese characters, 1-4 digits,
a common e-mail domain, a common word, a rare word, no match), and create.
p50/p95 over --requests each; --only runs the operations whose name contains
one of the given words (e.g. --only search).

    .venv/bin/python bench/contacts_list_search.py --db sqlite [--count 1000000]
    .venv/bin/python bench/contacts_list_search.py --db postgres
    .venv/bin/python bench/contacts_list_search.py --db sqlite --reuse /tmp/bench/x.sqlite
"""
from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import prison
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.contacts_seed import PASSWORD, seed  # noqa: E402
from bench.pg_cluster import create_database, pg_cluster  # noqa: E402

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FORM_ERROR = re.compile(r'<div class="alert alert-danger">(.*?)</div>', re.S)
PAGE_SIZE = 25
DEEP_PAGE = 400
ZH2 = ["王芳", "李娜", "张伟", "刘洋", "陈静", "杨敏", "黄磊", "周杰"]
LATIN = ["smith", "garcia", "anna m", "muller", "taylor", "kelly", "santos", "martin"]
EMAIL = ["fang.wang1", "jing.li2", "wei.zhang3", "john.smith4", "na.liu5", "emma.jansen1",
         "min.chen7", "yang.yang8"]
PHONE = ["138 0013", "8000", "+86 139 12", "135 5555", "186 02", "4420 79", "0755 8", "6666"]
# what people type first and all day: operation -> (terms, where stock FAB looks:
# name, e-mail or phone table)
TERM_CLASSES = {
    "latin 1 char": (["m", "a", "j", "s", "l", "k", "w", "c"], "name"),
    "latin 2 chars": (["ma", "li", "jo", "sa", "wa", "ch", "an", "ke"], "name"),
    "zh 1-2 chars": (["王", "李", "芳", "张伟", "刘", "明", "小", "欧阳"], "name"),
    "digits 1-4": (["1", "86", "138", "8000", "5", "20", "755", "0100"], "phone"),
    "common e-mail domain": (["163.com", "qq.com", "gmail.com", "126.com", "outlook.com",
                              "sina.com", "foxmail.com", "yahoo.com"], "email"),
    "common word": (["wang", "zhang", "smith", "james", "chen", "mary", "garcia", "liu"],
                    "name"),
    "rare word": (["freya novak", "olaf kowalski", "司马婷", "ingrid esposito", "欧阳子涵",
                   "pablo nguyen", "lars o'brien", "nina visser"], "name"),
    "no match": (["zzyzx", "qqqq", "不存在", "xyzzy", "wqmz", "jjjj", "无此人", "9999999999"],
                 "name"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, seconds: float = 180) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}: {url}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer: {url}")


@contextlib.contextmanager
def server(cmd: list[str], env: dict, base: str, log: Path):
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
    try:
        wait_for(base + "/login/", proc)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def timed(session: requests.Session, n: int, make_request, warmup: int = 2) -> list[float]:
    """ms per request; `warmup` untimed requests first; every answer must be 2xx/302."""
    out = []
    for i in range(n + warmup):
        t = time.perf_counter()
        resp = make_request(session, i)
        ms = (time.perf_counter() - t) * 1000
        if resp.status_code >= 400:
            raise SystemExit(f"{resp.status_code} on {resp.request.method} {resp.url}: "
                             f"{resp.text[:300]}")
        if i >= warmup:
            out.append(ms)
    return out


def html_login(base: str, username: str) -> tuple[requests.Session, str]:
    s = requests.Session()
    token = CSRF.search(s.get(base + "/login/").text).group(1)
    resp = s.post(base + "/login/", data={"username": username, "password": PASSWORD,
                                          "csrf_token": token}, allow_redirects=False)
    assert resp.status_code == 302, resp.text[:300]
    return s, token


def form_errors(html: str) -> str:
    """The field errors a re-rendered FAB form shows, for a bench's failure message."""
    errors = [re.sub(r"\s+", " ", e).strip() for e in FORM_ERROR.findall(html)]
    return f" ({'; '.join(errors)})" if errors else ""


def api_login(base: str, username: str) -> requests.Session:
    s = requests.Session()

    def log_in():
        resp = requests.post(base + "/api/v1/security/login", json={
            "username": username, "password": PASSWORD, "provider": "db"})
        resp.raise_for_status()
        s.headers["Authorization"] = "Bearer " + resp.json()["access_token"]

    def renew_expired(resp, *args, **kwargs):
        # a long run outlives the token (15 minutes): log in again and resend
        # once (that one request is timed with its login)
        if resp.status_code == 401 and "expired" in resp.text \
                and not getattr(resp.request, "renewed", False):
            log_in()
            again = resp.request.copy()
            again.headers["Authorization"] = s.headers["Authorization"]
            again.renewed = True
            return s.send(again, **kwargs)
        return resp

    log_in()
    s.hooks["response"].append(renew_expired)
    return s


def rest_q(**args) -> dict:
    return {"q": prison.dumps(args)}


def crossdock_cases(base: str, user: str, counter) -> dict:
    """name -> (session, request function) for one user on Crossdock."""
    html, token = html_login(base, user)
    api = api_login(base, user)
    lst = base + "/personview/list/"

    def search_html(words):
        return lambda s, i: s.get(lst, params={"_flt_0_name": words[i % len(words)]})

    def search_api(words):
        return lambda s, i: s.get(base + "/api/v1/person/", params=rest_q(
            page_size=PAGE_SIZE, filters=[{"col": "name", "opr": "search",
                                           "value": words[i % len(words)]}]))

    def create_html(s, i):
        # no company: the picker's empty option is "" (FAB's "__None" is refused as an id)
        n = next(counter)  # unique per run: a duplicate would re-render the form instead
        resp = s.post(base + "/personview/add", allow_redirects=False, data={
            "name": f"Bench 新客户 {n}", "job_title": "", "company": "",
            "phone_lines": f"mobile: 139 {n % 10**8:08d}",
            "email_lines": f"bench{n}@example.com", "website": "", "street": "", "city": "",
            "province": "", "postal_code": "", "country_code": "", "industry": "",
            "source": "", "tier": "__None", "owner": "__None", "team": "__None",
            "active": "y", "notes": "", "csrf_token": token})
        if resp.status_code != 302:
            raise SystemExit(f"create answered {resp.status_code}, not a redirect: not saved"
                             f"{form_errors(resp.text)}")
        return resp

    def create_api(s, i):
        n = next(counter)
        resp = s.post(base + "/api/v1/person/", json={
            "name": f"Bench API 客户 {n}",
            "phones": [{"kind": "mobile", "number": f"+86 137 {n % 10**8:08d}"}],
            "emails": [{"kind": "work", "email": f"bench-api{n}@example.com"}]})
        if resp.status_code != 201:
            raise SystemExit(f"REST create answered {resp.status_code}: {resp.text[:300]}")
        return resp

    classes = {}
    for label, (words, _) in TERM_CLASSES.items():
        classes[("HTML", f"search {label}")] = (html, search_html(words))
        classes[("REST", f"search {label}")] = (api, search_api(words))
    return classes | {
        ("HTML", "first page"): (html, lambda s, i: s.get(lst)),
        ("HTML", f"deep page {DEEP_PAGE}"): (html, lambda s, i: s.get(lst, params={
            "page_PersonView": DEEP_PAGE, "psize_PersonView": PAGE_SIZE})),
        ("HTML", "search name zh 2 chars"): (html, search_html(ZH2)),
        ("HTML", "search name latin"): (html, search_html(LATIN)),
        ("HTML", "search e-mail fragment"): (html, search_html(EMAIL)),
        ("HTML", "search phone fragment"): (html, search_html(PHONE)),
        ("HTML", "create (POST form)"): (html, create_html),
        ("REST", "first page"): (api, lambda s, i: s.get(base + "/api/v1/person/",
                                                         params=rest_q(page_size=PAGE_SIZE))),
        ("REST", f"deep page {DEEP_PAGE}"): (api, lambda s, i: s.get(
            base + "/api/v1/person/", params=rest_q(page=DEEP_PAGE, page_size=PAGE_SIZE))),
        ("REST", "search name zh 2 chars"): (api, search_api(ZH2)),
        ("REST", "search name latin"): (api, search_api(LATIN)),
        ("REST", "search e-mail fragment"): (api, search_api(EMAIL)),
        ("REST", "search phone fragment"): (api, search_api(PHONE)),
        ("REST", "create (POST)"): (api, create_api),
    }


def stock_cases(base: str, own: bool, counter) -> dict:
    """The same operations on stock FAB: LIKE '%x%' (ct) filters and COUNT(*)."""
    s = requests.Session()
    view = "stockpersonownview" if own else "stockpersonview"
    api = "stock_personown" if own else "stock_person"
    lst = f"{base}/{view}/list/"
    page_arg = "page_StockPersonOwnView" if own else "page_StockPersonView"
    psize_arg = page_arg.replace("page_", "psize_")
    # e-mails and phones are rows of their own tables in stock FAB: searched there
    where = {"name": (lst, "_flt_2_name"),
             "email": (f"{base}/stockemailview/list/", "_flt_2_normalised"),
             "phone": (f"{base}/stockphoneview/list/", "_flt_2_e164")}
    rest_where = {"name": (f"{base}/api/v1/{api}/", "name"),
                  "email": (f"{base}/api/v1/stock_email/", "normalised"),
                  "phone": (f"{base}/api/v1/stock_phone/", "e164")}

    def search_html(field, words):
        url, arg = where[field]
        return lambda s, i: s.get(url, params={arg: words[i % len(words)]})

    def search_api(field, words):
        url, col = rest_where[field]
        return lambda s, i: s.get(url, params=rest_q(page_size=PAGE_SIZE, filters=[
            {"col": col, "opr": "ct", "value": words[i % len(words)]}]))

    def create_api(s, i):
        return s.post(f"{base}/api/v1/{api}/", json={"name": f"Stock 客户 {next(counter)}",
                                                    "active": True})

    def create_html(s, i):
        return s.post(f"{base}/{view}/add", allow_redirects=False, data={
            "name": f"Stock 新客户 {next(counter)}", "job_title": "", "city": "",
            "active": "y"})

    digits = [re.sub(r"[^\d+]", "", p) for p in PHONE]  # stock has no normalising
    classes = {}
    for label, (words, field) in TERM_CLASSES.items():
        classes[("HTML", f"search {label}")] = (s, search_html(field, words))
        classes[("REST", f"search {label}")] = (s, search_api(field, words))
    return classes | {
        ("HTML", "first page"): (s, lambda s, i: s.get(lst)),
        ("HTML", f"deep page {DEEP_PAGE}"): (s, lambda s, i: s.get(lst, params={
            page_arg: DEEP_PAGE, psize_arg: PAGE_SIZE})),
        ("HTML", "search name zh 2 chars"): (s, search_html("name", ZH2)),
        ("HTML", "search name latin"): (s, search_html("name", LATIN)),
        ("HTML", "search e-mail fragment"): (s, search_html("email", EMAIL)),
        ("HTML", "search phone fragment"): (s, search_html("phone", digits)),
        ("HTML", "create (POST form)"): (s, create_html),
        ("REST", "first page"): (s, lambda s, i: s.get(f"{base}/api/v1/{api}/",
                                                       params=rest_q(page_size=PAGE_SIZE))),
        ("REST", f"deep page {DEEP_PAGE}"): (s, lambda s, i: s.get(
            f"{base}/api/v1/{api}/", params=rest_q(page=DEEP_PAGE, page_size=PAGE_SIZE))),
        ("REST", "search name zh 2 chars"): (s, search_api("name", ZH2)),
        ("REST", "search name latin"): (s, search_api("name", LATIN)),
        ("REST", "search e-mail fragment"): (s, search_api("email", EMAIL)),
        ("REST", "search phone fragment"): (s, search_api("phone", digits)),
        ("REST", "create (POST)"): (s, create_api),
    }


def run_bench(url: str, ids: dict, requests_n: int, instance: Path,
              only: list[str] | None = None, warmup: int = 2) -> None:
    port, stock_port = free_port(), free_port()
    env = {**os.environ, "CROSSDOCK_DATABASE_URL": url,
           "CROSSDOCK_INSTANCE_PATH": str(instance), "CROSSDOCK_ADDON_POLL_SECONDS": "30"}
    base, stock = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{stock_port}"
    crossdock = [str(ROOT / ".venv" / "bin" / "crossdock"), "run", "--port", str(port)]
    stock_cmd = [sys.executable, str(ROOT / "bench" / "contacts_stock_fab.py"), "--url", url,
                 "--port", str(stock_port), "--owner-id", str(ids["owners"][0])]
    counter = itertools.count(random.randrange(10**7, 9 * 10**7))  # runs on one database
    rows = []
    with server(crossdock, env, base, instance / "crossdock.log"), \
            server(stock_cmd, env, stock, instance / "stock.log"):
        for who, user, own in (("salesperson", "sales01", True),
                               ("admin", "bench_admin", False)):
            ours = crossdock_cases(base, user, counter)
            theirs = stock_cases(stock, own, counter)
            for key, (session, make) in ours.items():
                if only and not any(word in key[1] for word in only):
                    continue
                a = timed(session, requests_n, make, warmup)
                s_session, s_make = theirs[key]
                b = timed(s_session, requests_n, s_make, warmup)
                rows.append((who, *key, a, b))
                print(f"  {who:<11} {key[0]:<4} {key[1]:<24} p50 {statistics.median(a):7.1f}"
                      f"  p95 {pct(a, .95):7.1f}   stock p50 {statistics.median(b):8.1f}"
                      f"  p95 {pct(b, .95):8.1f}", flush=True)
    print()
    print(f"{'user':<11} {'':<4} {'operation':<24} {'crossdock p50':>13} {'p95':>7}"
          f" {'stock FAB p50':>14} {'p95':>8}   (ms, n={requests_n} each)")
    for who, surface, op, a, b in rows:
        flag = "" if pct(a, .95) < 100 else "  <- over 100 ms"
        print(f"{who:<11} {surface:<4} {op:<24} {statistics.median(a):13.1f} "
              f"{pct(a, .95):7.1f} {statistics.median(b):14.1f} {pct(b, .95):8.1f}{flag}")


def sales01_id(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        user_id = conn.execute(text("SELECT id FROM ab_user WHERE username = 'sales01'")).scalar()
    engine.dispose()
    return user_id


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=2,
                        help="untimed requests before each operation's --requests")
    parser.add_argument("--reuse", help="an already seeded SQLite file or PostgreSQL URL "
                                        "(skips seeding)")
    parser.add_argument("--only", nargs="*", help="run only the operations whose name "
                                                  "contains one of these words")
    parser.add_argument("--keep-cluster", action="store_true",
                        help="leave the PostgreSQL cluster running (to --reuse it)")
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="crossdock-bench-"))
    print(f"before: {load_note()}")
    if args.db == "sqlite":
        if args.reuse:
            url = f"sqlite:///{Path(args.reuse).resolve()}"
            ids = {"owners": [sales01_id(url)]}
        else:
            url = f"sqlite:///{instance / 'crossdock.sqlite'}"
            ids = seed(url, args.count, 50, instance)
        run_bench(url, ids, args.requests, instance, args.only, args.warmup)
    elif args.reuse:
        ids = {"owners": [sales01_id(args.reuse)]}
        run_bench(args.reuse, ids, args.requests, instance, args.only, args.warmup)
    else:
        with pg_cluster(keep=args.keep_cluster) as admin_url:
            url = create_database(admin_url, "bench")
            ids = seed(url, args.count, 50, instance)
            run_bench(url, ids, args.requests, instance, args.only, args.warmup)
    print(f"after: {load_note()}")


if __name__ == "__main__":
    main()
