"""Every bench script runs to its end at a tiny size: a benchmark that rots is no benchmark.

Each script in bench/ runs as its own process, `python bench/<script>.py <tiny
arguments>`, as a developer would run it, with TMPDIR pointing at a folder of
the test's, removed after (every database, instance folder, log and PostgreSQL
cluster of the run lands there; the sales scripts share their contacts seed
cache as between a developer's runs). The test checks the exit status and
that the script printed its figures (its last table or summary line), never
the figures themselves, and that it left no process running.

SQLite, except hub_throughput.py, which needs PostgreSQL and Redis: it starts
its own throwaway cluster (bench/pg_cluster.py) and redis-server, and here
drains 10 orders (plus 3 paced ones) through one worker process of two
threads: 17-37 s on a busy 2-core machine (cluster start, a fresh migration, a
worker process, two Odoo doubles, the baseline's 3 s start pause).

The sizes cannot go much lower: most of a tiny run is the fresh database's
first create_app (~4 s of CPU, two thirds of it FAB writing ~800 permission
rows one commit each) and the servers' start-up. A new bench/*.py must get a
tiny run here (or a reason in NOT_RUN), else
test_every_bench_script_has_a_tiny_run fails.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
TIMEOUT = 240  # seconds per script: a hang fails the test instead of the suite

# script -> (tiny arguments, what its last figures look like); "{tmp}" is the run's folder
TINY = {
    "broker_start.py": (
        ["--runs", "1"],
        r"^rabbitmq\s+1\s+[\d.]+\s+[\d.]+$"),
    "contacts_company_picker.py": (
        ["--db", "sqlite", "--count", "1000", "--requests", "1"],
        r"^admin\s+create with company\s+[\d.]+\s+[\d.]+$"),
    "contacts_custom_fields.py": (
        ["--contacts", "200", "--runs", "1"],
        r"-- as ada[\s\S]*^filter boolean yes\s+HTML / REST, p50\s+[\d.]+ / [\d.]+ ms$"),
    "contacts_import.py": (
        ["--rows", "300", "--base", "100", "--only", "sqlite"],
        r"^  preview \+ commit: [\d.]+ s"),
    "backup_restore.py": (
        ["--db", "sqlite", "--count", "300"],
        r"^SQLite: database [\d.,]+ MB, dump [\d.,]+ MB, file [\d.,]+ MB; backup [\d.]+ s .*, "
        r"restore [\d.]+ s"),
    "contacts_list_search.py": (
        ["--db", "sqlite", "--count", "300", "--requests", "1", "--warmup", "0"],
        r"^admin\s+REST create \(POST\)(\s+[\d.]+){4}"),
    "contacts_seed.py": (
        ["--sqlite", "{tmp}/contacts.sqlite", "--count", "300"],
        r"^seeded 300 contacts .*\n  schema\+users .* total [\d.]+ s$"),
    "contacts_timeline.py": (
        ["--entries", "300", "--runs", "1"],
        r"^demo data again \(adds nothing\)\s+[\d.]+ s$"),
    "duplicate_detection.py": (
        ["--contacts", "300"],
        r"^likely groups \(domain\) page 0, p50\s+[\d.]+ ms"),
    "personal_data_erasure.py": (
        ["--audit-rows", "2000"],
        r"^erase: \d+ records, \d+ audit rows blanked, of \d+, in [\d.]+ s$"),
    "einvoice_validate.py": (
        ["--documents", "20", "--pdfs", "2"],
        r"^validate CII: 20 documents in [\d.]+ s, \d+/s, per document p50 [\d.]+ ms"
        r"[\s\S]*^Factur-X: 2 PDFs in [\d.]+ s, [\d.]+/s, per PDF p50 \d+ ms"),
    "einvoice_sdi.py": (
        ["--documents", "10"],
        r"^send via SdIRiceviFile: 10 files in [\d.]+ s, \d+/s, per file p50 [\d.]+ ms"),
    "einvoice_send.py": (
        ["--invoices", "4"],
        r"^exact: 4 documents at the access point for 4 of ours, each the kept file: yes"
        r"[\s\S]*^answers: one pull round, 4 of 4 delivered"),
    "host_startup.py": (
        ["--runs", "1"],
        r"^seen by a second app .* p50\s+[\d.]+ ms\s+p95\s+[\d.]+ ms"),
    "mail_gateway.py": (
        ["--mails", "10", "--received", "10", "--idle", "2"],
        r"^send: 10 mails in [\d.]+ s, \d+/s, each delivered once[\s\S]*"
        r"^route: 10 mails processed in [\d.]+ s, \d+/s, each stored and routed once[\s\S]*"
        r"^idle: 2 mails appended one at a time, each stored in p50 \d+ ms"),
    "invoicing_sync.py": (
        ["--invoices", "4", "--payments", "60"],
        r"^payments: 60 paid invoices read back in one pull round in [\d.]+ s"),
    "invoicing_reconcile.py": (
        ["--invoices", "300", "--planted", "5", "--runs", "1"],
        r"^found vs planted: \d+ matched; missing_remote 5/5, missing_here 5/5"),
    "hub_throughput.py": (
        ["--orders", "10", "--steady-orders", "3", "--workers", "1", "--threads", "2",
         "--customers", "5"],
        r"^\s+1\s+[\d.]+\s+[\d.]+\s+[\d.]+%"),
    "sales_assignment.py": (
        ["--threads", "2", "--leads", "3", "--single", "3"],
        r"^2 threads x 3 leads: \d+ leads/s"),
    "sales_board_dashboard.py": (
        ["--db", "sqlite", "--count", "1000", "--opportunities", "200", "--requests", "1",
         "--warmup", "0"],
        r"^Salesperson\s+opportunities list \(HTML\)\s+[\d.]+\s+[\d.]+\s+stock FAB"),
    "sales_catalog.py": (
        ["--db", "sqlite", "--products", "100", "--requests", "1"],
        r"^  item add page size: [\d,]+ bytes$"),
    "sales_confirm.py": (
        ["--db", "sqlite", "--count", "1000", "--opportunities", "100", "--orders", "1"],
        r"\(ms, n=1 each[\s\S]*^baseline: ORM update \+ commit\s+[\d.]+\s+[\d.]+$"),
    "sales_lead_scoring.py": (
        ["--leads", "50", "--updates", "3"],
        r"^rescore_all after a rule change: [\d.]+ s"),
    "load_users.py": (
        ["--db", "sqlite", "--count", "300", "--opportunities", "50", "--users", "2",
         "--duration", "5", "--warmup", "0", "--spawn-rate", "2"],
        r"^knee \(p95[^\n]*\n  (not reached|crossed between)"),
    "page_cost.py": (
        ["--count", "300", "--opportunities", "50", "--requests", "1"],
        r"^Sales Manager\s+opportunities\s+[\d.]+\s+[\d.]+"),
    "serving_probes.py": (
        ["--requests", "5"],
        r"^/metrics\s+p50\s+[\d.]+ ms\s+p95\s+[\d.]+ ms$"),
    "service_desk_tickets.py": (
        ["--tickets", "300", "--baseline", "100", "--requests", "1", "--warmup", "0"],
        r"^SQL floor\s+SELECT count[\s\S]*"
        r"^Support Agent\s+start page \(My tickets\)(\s+[\d.]+){4}"),
    "social_leads_intake.py": (
        ["--deliveries", "20"],
        r"^PostgreSQL: 20 deliveries[\s\S]*^  exact: \d+ leads for \d+ persons, .*: yes$"),
    "social_webhooks.py": (
        ["--requests", "20"],
        r"^linkedin\s+20 deliveries \(2 repeated\): p50 [\d.]+ ms, p95 [\d.]+ ms"),
    "sales_seed.py": (
        ["--sqlite", "{tmp}/sales.sqlite", "--count", "1000", "--opportunities", "100",
         "--leads", "20"],
        r"^seeded 100 opportunities \+ 20 leads"),
}
NOT_RUN = {
    "load_locustfile.py": "locust's users, which load_users.py's tiny run drives",
    "pg_cluster.py": "a library: the benches' and tests/conftest.py's PostgreSQL clusters",
    "contacts_stock_fab.py": "the stock FAB server contacts_list_search.py starts: its tiny "
                             "run times it (the stock columns)",
}


def test_every_bench_script_has_a_tiny_run():
    scripts = {p.name for p in BENCH.glob("*.py")}
    assert scripts - TINY.keys() - NOT_RUN.keys() == set(), "bench scripts without a tiny run"
    assert (TINY.keys() | NOT_RUN.keys()) - scripts == set(), "runs of scripts that are gone"


def _new_folder(prefix: str) -> Path:
    """On tmpfs when there is one (a fresh database's first start commits FAB's ~800
    permission rows one by one, and on disk each commit waits for its fsync),
    reachable by the PostgreSQL user (pg_cluster runs initdb/postgres as 'postgres'
    when we are root)."""
    shm = Path("/dev/shm")
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=shm if shm.is_dir() and
                                   os.access(shm, os.W_OK) else None))
    folder.chmod(0o755)
    return folder


@pytest.fixture(scope="module")
def contacts_cache():
    """The sales benches' cached contacts seeds (TMPDIR/crossdock-bench, see
    bench/sales_seed.default_cache), shared by this module's runs as by a
    developer's: the first sales script to run seeds it, the others copy it."""
    folder = _new_folder("crossdock-bench-cache-")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def run_folder(contacts_cache):
    """TMPDIR for one script, removed after."""
    folder = _new_folder("crossdock-bench-run-")
    (folder / "crossdock-bench").symlink_to(contacts_cache)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent, session, command line) of every live (not zombie) process."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace")
        except OSError:
            continue
        if fields[0] != "Z":
            out[int(stat.parent.name)] = (int(fields[1]), int(fields[3]), cmdline.strip())
    return out


def _left_behind(session: int, folder: Path) -> dict[int, str]:
    """Processes still in the script's session or naming its folder (a server that
    left the session), with their sessions and descendants."""
    procs = _processes()
    found = {pid for pid, (_, sid, cmd) in procs.items()
             if sid == session or str(folder) in cmd}
    while True:
        sessions = {procs[pid][1] for pid in found} & (found | {session})  # led by ours
        more = {pid for pid, (ppid, sid, _) in procs.items()
                if ppid in found or sid in sessions} - found
        if not more:
            break
        found |= more
    found.discard(os.getpid())
    return {pid: procs[pid][2] for pid in found}


def _stop(pids) -> None:
    """SIGTERM, then SIGKILL to whatever is still alive 10 s later."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and set(pids) & _processes().keys():
            time.sleep(0.2)


@pytest.mark.parametrize("script", sorted(TINY))
def test_bench_script_runs_tiny(script, run_folder):
    args, figures = TINY[script]
    args = [a.format(tmp=run_folder) for a in args]
    env = {k: v for k, v in os.environ.items()
           if k not in ("CROSSDOCK_DATABASE_URL", "CROSSDOCK_BROKER_URL",
                        "CROSSDOCK_INSTANCE_PATH", "CROSSDOCK_ADDONS_PATH")}
    env.update(TMPDIR=str(run_folder), PYTHONUNBUFFERED="1",
               CROSSDOCK_PASSWORD_HASH="pbkdf2:sha256:1000")  # as in the tests: cheap logins
    log = run_folder / "output.log"
    started = time.monotonic()
    with open(log, "w") as fh:  # a file, not a pipe: a leftover child cannot block the read
        proc = subprocess.Popen([sys.executable, str(BENCH / script), *args], cwd=ROOT,
                                env=env, stdout=fh, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        status = proc.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        status = None
    finally:  # the script itself when it hung, and whatever it left running
        time.sleep(0.2)  # children that saw their parent go may still be exiting
        left = _left_behind(proc.pid, run_folder)
        _stop(list(left))
        proc.wait()
        left.pop(proc.pid, None)
    output = log.read_text(errors="replace")
    seconds = time.monotonic() - started
    tail = "\n".join(output.splitlines()[-40:])
    assert status is not None, f"{script} still running after {TIMEOUT} s:\n{tail}"
    assert status == 0, f"{script} exited with {status} after {seconds:.0f} s:\n{tail}"
    assert re.search(figures, output, re.M), f"{script} printed no figures:\n{tail}"
    assert not left, f"{script} left processes running: {left}"
