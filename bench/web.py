"""Benchmark: the case list and the case page on a large register in PostgreSQL.

Target (issue 2, point 11): with 50,000 children and 20,000 cases, the case list (filtered, first
page) and the case page keep a constant number of SQL queries whatever the data size, and their
p95 latency with 10 concurrent clients against the real server is at most 150 ms.

Steps, all run by default:
  fill      create and migrate the database if needed, then generate the register once
            (skipped when the `bench_dataset` marker says it is already there)
  queries   count the SQL queries of each page at two data sizes, in process (Django's test
            client); fails when the counts differ
  latency   start gunicorn on 127.0.0.1, sign officers in through the sign-in form, drive N
            concurrent clients; fails when a page's p95 exceeds the limit or a request fails
  profile   in process (Django's test client, the large LA's officer): CPU ms per request of
            each page by time.process_time over --profile-requests requests, and with
            --cprofile N the N functions with the most cumulative time (not in "all")

Exit status: 0 when the targets are met, 1 when one is missed, 2 when the run could not be made.
"""

import argparse
import http.client
import math
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "RESULTS.md"
RESULTS_HEADING = "## Web pages: case list and case page (bench/web.py)"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cme_bench"
LIST_QUERY = "stage=locating&category=missing"


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python bench/web.py",
        description=__doc__.split("\n\n")[0] + " See bench/README.md.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1],
    )
    p.add_argument("steps", nargs="*", choices=["all", "fill", "queries", "latency", "profile"],
                   default=None, metavar="STEP",
                   help="fill, queries, latency, profile or all (default: all but profile)")
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
                   help="PostgreSQL to use; created if missing (default: $DATABASE_URL or %(default)s)")
    p.add_argument("--reset", action="store_true",
                   help="drop and recreate the database first (only databases named cme_bench*)")
    p.add_argument("--children", type=int, default=50_000, help="children in the large LA")
    p.add_argument("--cases", type=int, default=20_000, help="cases in the large LA")
    p.add_argument("--small-children", type=int, default=2_000, help="children in the small LA")
    p.add_argument("--small-cases", type=int, default=800, help="cases in the small LA")
    p.add_argument("--list-query", default=LIST_QUERY,
                   help="query string of the filtered case list (default: %(default)s)")
    p.add_argument("--clients", type=int, default=10, help="concurrent clients (default: 10)")
    p.add_argument("--requests", type=int, default=600,
                   help="measured requests per page, across all clients (default: 600)")
    p.add_argument("--warmup", type=int, default=60, help="unmeasured requests per page first")
    p.add_argument("--solo", type=int, default=40,
                   help="requests per page from one client alone, for the unqueued time")
    p.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default: 4)")
    p.add_argument("--threads", type=int, default=1,
                   help="threads per worker; above 1 uses gthread workers (default: 1, sync)")
    p.add_argument("--nice", type=int, default=0,
                   help="run the server, its PostgreSQL backends and the load generator at this "
                        "niceness (e.g. -10 on a machine shared with other work; needs root)")
    p.add_argument("--p95-limit-ms", type=float, default=150.0, help="target p95 (default: 150)")
    p.add_argument("--explain", action="store_true",
                   help="print EXPLAIN ANALYZE of each page's slowest queries at the large size")
    p.add_argument("--show-queries", action="store_true", help="print every captured query")
    p.add_argument("--profile-requests", type=int, default=100,
                   help="requests per page measured by the profile step (default: 100)")
    p.add_argument("--cprofile", type=int, default=0, metavar="N",
                   help="profile step: also print the N functions with the most cumulative time")
    p.add_argument("--record", action="store_true",
                   help=f"append this run to {RESULTS.relative_to(BENCH_DIR.parent)}")
    args = p.parse_args(argv)
    steps = set(args.steps or ["all"])
    args.steps = {"fill", "queries", "latency"} | (steps - {"all"}) if "all" in steps else steps
    return args


def cannot_run(message: str):
    print(message, file=sys.stderr)
    sys.exit(2)


# --- environment and database -------------------------------------------------------------------


def server_env(args) -> dict[str, str]:
    """Settings for both this process and the server: production-like, but signed in by form."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=args.database_url,
        CME_SECRET_KEY=os.environ.get("CME_SECRET_KEY") or "bench-" + secrets.token_hex(24),
        CME_REQUIRE_2FA="0",
        CME_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        CME_SECURE_COOKIES="0",
        CME_HTTPS="0",  # plain HTTP on loopback: no redirect to HTTPS, no HSTS
        CME_DEBUG="0",
        CME_LOG_LEVEL="ERROR",
        # The sign-in throttle counts per username and address; every bench client signs in once.
        CME_SIGNIN_FAILURE_LIMIT="50",
    )
    env.setdefault("DJANGO_SETTINGS_MODULE", "cme.settings")
    return env


def ensure_database(url: str, reset: bool) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        cannot_run(f"Refusing to benchmark against {parts.hostname}: loopback PostgreSQL only.")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reset:
            if not name.startswith("cme_bench"):
                cannot_run(f"--reset drops only databases named cme_bench*, not {name}.")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}")


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def las_from(args):
    import webdata

    return webdata.authorities(args.children, args.cases, args.small_children, args.small_cases)


def step_fill(args) -> dict:
    import webdata
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    las = las_from(args)
    wanted = webdata.sizes_text(las)
    found = webdata.filled_sizes()
    if found == wanted:
        print(f"Register already filled ({found}); skipping generation.")
        webdata.ensure_term_dates()
        return {"generated": False}
    if found is not None or not webdata.register_is_empty():
        cannot_run(
            f"The database holds other data ({found or 'no bench marker'}); want {wanted}. "
            "Rerun with --reset to rebuild it."
        )
    print(f"Generating the register ({wanted})...")
    seconds = webdata.fill(las)
    webdata.ensure_term_dates()
    print(f"Generated in {seconds:.1f} s")
    return {"generated": True, "seconds": seconds}


# --- query counts -------------------------------------------------------------------------------


def _pages_for(la):
    import webdata

    from cme.cases.models import Case

    rich = Case.objects.get(reference=webdata.rich_case_reference(la.la_code))
    sparse = Case.objects.get(reference=webdata.sparse_case_reference(la.la_code))
    return {"list": None, "case (full timeline)": rich, "case (empty timeline)": sparse}


def step_queries(args) -> dict:
    """Each page twice per size with the test client: the first warms caches, the second counts."""
    import webdata
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cme.accounts.models import User

    results: dict = {}
    for la in las_from(args):
        client = Client()
        client.force_login(User.objects.get(username=webdata.officer_username(la.key, 1)))
        for label, case in _pages_for(la).items():
            url = f"/cases?{args.list_query}" if case is None else f"/cases/{case.pk}"
            client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            if response.status_code != 200:
                cannot_run(f"GET {url} as {la.key} officer answered {response.status_code}; "
                         "are the case pages there yet?")
            if case is not None and case.reference not in response.text:
                cannot_run(f"GET {url} did not show case {case.reference}")
            queries = [(q["sql"], float(q["time"])) for q in ctx.captured_queries]
            results[(label, la.key)] = {"url": url, "count": len(queries), "queries": queries,
                                        "size": f"{la.children:,}/{la.cases:,}"}
            if args.show_queries:
                print(f"\n-- {label}, {la.key} LA: {url}: {len(queries)} queries")
                for sql, t in queries:
                    print(f"   {t * 1000:7.2f} ms  {sql}")
    # The same page must cost the same at both sizes. (A full and an empty timeline may differ
    # by a bounded amount, e.g. one look-up of the people named in field changes: reported only.)
    problems = [
        f"{label}: {results[(label, 'small')]['count']} queries at the small size but "
        f"{results[(label, 'large')]['count']} at the large"
        for label in dict.fromkeys(k[0] for k in results)
        if results[(label, "small")]["count"] != results[(label, "large")]["count"]
    ]
    if args.explain:
        explain(results)
    return {"results": results, "problems": problems}


def explain(results: dict) -> None:
    """EXPLAIN ANALYZE the slowest read queries of each page at the large size."""
    from django.db import connection, transaction

    for (label, size), r in results.items():
        if size != "large":
            continue
        reads = sorted((q for q in r["queries"] if q[0].lstrip().upper().startswith("SELECT")),
                       key=lambda q: -q[1])[:3]
        for sql, t in reads:
            print(f"\n== {label} ({t * 1000:.2f} ms when captured)\n{sql}\n")
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                print("\n".join(row[0] for row in cur.fetchall()))


# --- CPU per request in process -----------------------------------------------------------------


def step_profile(args) -> dict:
    """CPU per request of each page in this process, without the server, the network or the load
    generator: the figure to compare before and after a change in the same hour."""
    import cProfile
    import pstats

    import webdata
    from django.test import Client

    from cme.accounts.models import User

    large = las_from(args)[0]
    client = Client()
    client.force_login(User.objects.get(username=webdata.officer_username(large.key, 1)))
    pages = _pages_for(large)
    urls = {label: f"/cases?{args.list_query}" if case is None else f"/cases/{case.pk}"
            for label, case in pages.items()}
    out = {}
    for label, url in urls.items():
        for _ in range(10):  # warm caches, templates and prepared statements
            client.get(url)
        cpu = time.process_time()
        wall = time.perf_counter()
        for _ in range(args.profile_requests):
            response = client.get(url)
            if response.status_code != 200:
                cannot_run(f"GET {url} answered {response.status_code}")
        cpu_ms = (time.process_time() - cpu) * 1000 / args.profile_requests
        wall_ms = (time.perf_counter() - wall) * 1000 / args.profile_requests
        out[label] = {"url": url, "cpu_ms": cpu_ms, "wall_ms": wall_ms}
        print(f"{label:24} {url}: CPU {cpu_ms:.1f} ms/request (wall {wall_ms:.1f} ms), "
              f"{args.profile_requests} requests in process")
        if args.cprofile:
            prof = cProfile.Profile(time.process_time)
            prof.enable()
            for _ in range(args.profile_requests):
                client.get(url)
            prof.disable()
            stats = pstats.Stats(prof)
            stats.sort_stats("cumulative").print_stats(args.cprofile)
    return out


# --- latency against the real server -----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving cme.wsgi on a loopback port, stopped on exit."""

    def __init__(self, env, workers: int, threads: int):
        self.port = free_port()
        self.log = Path(os.environ.get("TMPDIR", "/tmp")) / f"cme-bench-gunicorn-{self.port}.log"
        self.cmd = [
            sys.executable, "-m", "gunicorn", "cme.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(workers),
            "--worker-class", "gthread" if threads > 1 else "sync",
            "--threads", str(threads),
            "--timeout", "60",
            "--log-level", "warning",
        ]
        self.env = env
        self.proc = None

    def __enter__(self):
        self._log = open(self.log, "w")
        self.proc = subprocess.Popen(self.cmd, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
                                     cwd=BENCH_DIR.parent)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            try:
                status, _, _ = HttpClient(self.port).get("/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer /healthz within 60 s; see {self.log}")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


class HttpClient:
    """One browser: its own cookies, a fresh loopback connection per request (as sync gunicorn
    closes each connection anyway)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def _request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            h = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
            if self.cookies:
                h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
            data = resp.read()
            for header in resp.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return resp.status, resp.headers, data.decode("utf-8", "replace")
        finally:
            conn.close()

    def get(self, path: str):
        return self._request("GET", path)

    def post_form(self, path: str, fields: dict, referer: str):
        return self._request("POST", path, urlencode(fields), {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{self.port}{referer}",
            "Origin": f"http://127.0.0.1:{self.port}",
        })


_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"|value="([^"]+)"\s+name="csrfmiddlewaretoken"')


def sign_in(client: HttpClient, username: str, password: str) -> str:
    """Sign in through the real form; fall back to a session made in the database only when the
    service has no sign-in page yet. Returns how the client was signed in."""
    status, _, body = client.get("/sign-in")
    if status == 200:
        m = _CSRF_INPUT.search(body)
        if not m:
            raise RuntimeError("The sign-in page has no CSRF token")
        fields = {"csrfmiddlewaretoken": m.group(1) or m.group(2), "username": username,
                  "password": password}
        status, _headers, body = client.post_form("/sign-in", fields, "/sign-in")
        if status not in (302, 303):
            raise RuntimeError(f"Sign-in as {username} failed ({status}): {body[:300]}")
        return "sign-in form"
    if status != 404:
        raise RuntimeError(f"GET /sign-in answered {status}")
    client.cookies["sessionid"] = session_in_database(username)
    return "session written to the database (no /sign-in page yet)"


def session_in_database(username: str) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from cme.accounts.models import User

    user = User.objects.get(username=username)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    k = max(0, math.ceil(p / 100 * len(sorted_values)) - 1)
    return sorted_values[k]


def drive(clients: list[HttpClient], urls, total: int, check) -> dict:
    """Send `total` requests from all clients at once; each picks its next URL from `urls()`."""
    lock = threading.Lock()
    remaining = [total]
    timings: list[float] = []
    errors: list[str] = []

    def worker(client: HttpClient):
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            path, expect = urls()
            t0 = time.perf_counter()
            try:
                status, _, body = client.get(path)
                ok = check(status, body, expect)
            except OSError as exc:
                ok, status = False, type(exc).__name__
            elapsed = time.perf_counter() - t0
            with lock:
                timings.append(elapsed)
                if not ok:
                    errors.append(f"{path}: {status}")

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    timings.sort()
    return {
        "n": len(timings), "errors": errors, "rps": len(timings) / wall,
        **{f"p{p}": percentile(timings, p) * 1000 for p in (50, 95, 99)},
        "max": timings[-1] * 1000,
    }


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def proc_cpu_seconds(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def reaped_children_cpu_seconds(pid: int) -> float:
    """CPU of a process's children that have exited and been waited for (cutime + cstime)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[13]) + int(fields[14])) / CLOCK_TICKS


def parent_pid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None


def server_pids(master: int) -> list[int]:
    try:
        with open(f"/proc/{master}/task/{master}/children") as f:
            return [master, *(int(p) for p in f.read().split())]
    except OSError:
        return [master]


def backend_pids(dbname: str) -> list[int]:
    """PostgreSQL backends serving our database (their title names it: "postgres: ... user db")."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                title = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {dbname} " in title:
            pids.append(int(entry))
    return pids


class CpuMeter:
    """CPU seconds used by the server's processes, our database's backends and this load
    generator: what each request costs, whatever else the machine is doing."""

    def __init__(self, master: int, dbname: str):
        self.master, self.dbname = master, dbname

    def snapshot(self) -> dict:
        backends = backend_pids(self.dbname)
        if backends and getattr(self, "postmaster", None) is None:
            self.postmaster = parent_pid(backends[0])
        postmaster = getattr(self, "postmaster", None)
        return {
            "app": {p: proc_cpu_seconds(p) or 0.0 for p in server_pids(self.master)},
            "db": {p: proc_cpu_seconds(p) or 0.0 for p in backends},
            # Backends that closed in between (settings keep a connection 60 s) are counted by
            # the postmaster, which waits for them: their CPU is its children's.
            "db_closed": reaped_children_cpu_seconds(postmaster) if postmaster else 0.0,
            "client": time.process_time(),
        }

    def since(self, before: dict) -> dict[str, float]:
        now = self.snapshot()
        out = {k: sum(v - before[k].get(p, 0.0) for p, v in now[k].items()) for k in ("app", "db")}
        # A backend that closed: all its CPU is in the postmaster's count, less what it had used before.
        out["db"] += now["db_closed"] - before["db_closed"] - sum(
            v for p, v in before["db"].items() if p not in now["db"])
        out["client"] = now["client"] - before["client"]
        return out


class WaitSampler(threading.Thread):
    """Samples what our database's backends are doing every 50 ms (pg_stat_activity), so a run
    says whether requests queue in PostgreSQL: on a row lock (the audit chain head), on WAL
    flushes, or not at all. Connects to the `postgres` database, so it is not counted itself."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        parts = urlsplit(url)
        self.admin_url = parts._replace(path="/postgres").geturl()
        self.dbname = parts.path.lstrip("/")
        self.stop = threading.Event()
        self.samples = 0
        self.counts = {"lock": 0, "wal": 0, "running": 0, "in transaction, waiting for the app": 0}

    def run(self):
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            while not self.stop.wait(0.05):
                rows = conn.execute(
                    "SELECT wait_event_type, wait_event, state FROM pg_stat_activity"
                    " WHERE datname = %s AND backend_type = 'client backend'", [self.dbname],
                ).fetchall()
                self.samples += 1
                for kind, event, state in rows:
                    if kind == "Lock":
                        self.counts["lock"] += 1
                    elif kind in ("IO", "LWLock") and event and event.startswith("WAL"):
                        self.counts["wal"] += 1
                    elif state == "active":
                        self.counts["running"] += 1
                    elif state == "idle in transaction":
                        self.counts["in transaction, waiting for the app"] += 1

    def averages(self) -> dict[str, float]:
        self.stop.set()
        self.join()
        return {k: v / max(1, self.samples) for k, v in self.counts.items()}


def renice(pids: list[int], niceness: int) -> None:
    """Niceness for these processes and, where the kernel groups processes by session
    (autogroup), for our session's group too: otherwise every other session still gets an
    equal share of the CPU whatever the niceness inside ours."""
    for pid in pids:
        try:
            os.setpriority(os.PRIO_PROCESS, pid, niceness)
        except OSError as exc:
            cannot_run(f"Cannot set niceness {niceness} on process {pid}: {exc}")
    set_autogroup_nice(niceness)


def autogroup_nice() -> int | None:
    """Our session's autogroup niceness, or None when the kernel does not group by session."""
    try:
        with open("/proc/self/autogroup") as f:
            return int(f.read().split("nice")[1])
    except (OSError, IndexError, ValueError):
        return None


def set_autogroup_nice(niceness: int) -> None:
    if autogroup_nice() is None:
        return  # process niceness is all there is
    with open("/proc/self/autogroup", "w") as f:
        f.write(str(niceness))


def cpu_busy() -> tuple[int, int]:
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def step_latency(args, env) -> dict:
    from django.db import connection

    from cme.cases.models import Case

    large = las_from(args)[0]
    cases = list(Case.objects.filter(la__la_code=large.la_code, la__kind="la")
                 .values_list("pk", "reference"))
    connection.close()  # nothing of ours holds a connection while the server is measured
    rng = random.Random(7)
    n_officers = max(12, large.cases // 1000)
    if args.clients > n_officers:
        cannot_run(f"{args.clients} clients need {args.clients} officers; the large LA has {n_officers}.")

    def list_url():
        return f"/cases?{args.list_query}", None

    def case_url():
        pk, ref = rng.choice(cases)
        return f"/cases/{pk}", ref

    def check(status, body, expect):
        return status == 200 and (expect is None or expect in body)

    pages = {"case list (filtered, first page)": list_url, "case page (random case)": case_url}
    # What the rest of the machine (other work sharing it) uses before we start.
    busy0, total0 = cpu_busy()
    time.sleep(3)
    busy1, total1 = cpu_busy()
    out = {"pages": {}, "load_before": os.getloadavg(),
           "background_cpu": (busy1 - busy0) / max(1, total1 - total0)}
    autogroup_before = autogroup_nice() if args.nice else None
    try:
        return _measure(args, env, out, pages, large, check)
    finally:
        if autogroup_before is not None:  # the session outlives us: leave it as we found it
            set_autogroup_nice(autogroup_before)


def _measure(args, env, out, pages, large, check) -> dict:
    import webdata

    with Server(env, args.workers, args.threads) as server:
        clients = [HttpClient(server.port) for _ in range(args.clients)]
        how = {sign_in(c, webdata.officer_username(large.key, i + 1), webdata.PASSWORD)
               for i, c in enumerate(clients)}
        out["signed_in_by"] = ", ".join(sorted(how))
        meter = CpuMeter(server.proc.pid, urlsplit(args.database_url).path.lstrip("/"))
        for label, urls in pages.items():
            drive(clients, urls, args.warmup, check)
            if args.nice:  # after the warm-up, when every worker has its database connection
                renice([*server_pids(server.proc.pid), *backend_pids(meter.dbname), os.getpid()],
                       args.nice)
            # One client alone first: the time a request takes without queueing behind others.
            solo = drive(clients[:1], urls, args.solo, check)
            busy0, total0 = cpu_busy()
            before = meter.snapshot()
            sampler = WaitSampler(args.database_url)
            sampler.start()
            result = drive(clients, urls, args.requests, check)
            result["db_waits"] = sampler.averages()
            used = meter.since(before)
            busy1, total1 = cpu_busy()
            result["cpu_busy"] = (busy1 - busy0) / max(1, total1 - total0)
            result["cpu_ms"] = {k: v * 1000 / result["n"] for k, v in used.items()}
            result["solo_p50"] = solo["p50"]
            result["errors"] += solo["errors"]
            out["pages"][label] = result
            c = result["cpu_ms"]
            print(f"{label}: " + ", ".join(
                f"{k} {result[k]:.1f} ms" for k in ("p50", "p95", "p99", "max")
            ) + f", {result['rps']:.1f} req/s, {len(result['errors'])} errors; alone p50 "
                f"{solo['p50']:.1f} ms; CPU per request: app {c['app']:.1f} ms, "
                f"PostgreSQL {c['db']:.1f} ms, load generator {c['client']:.1f} ms; backends "
                + ", ".join(f"{k} {v:.2f}" for k, v in result["db_waits"].items()))
        out["server"] = " ".join(server.cmd[1:]).replace(f":{server.port}", ":<free port>")
    out["load_after"] = os.getloadavg()
    problems = []
    for label, r in out["pages"].items():
        if r["errors"]:
            problems.append(f"{label}: {len(r['errors'])} failed requests, e.g. {r['errors'][:3]}")
        if r["p95"] > args.p95_limit_ms:
            problems.append(f"{label}: p95 {r['p95']:.1f} ms is over {args.p95_limit_ms:.0f} ms")
    out["problems"] = problems
    return out


# --- report -------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    pg = "unknown"
    try:
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            pg = "PostgreSQL " + cur.fetchone()[0]
    except Exception as exc:  # the report must not fail for want of a version string
        pg = f"unknown ({type(exc).__name__})"
    return {"nproc": os.cpu_count(), "ram": f"{mem_kb / 1024 / 1024:.1f} GiB", "cpu": cpu, "pg": pg}


def report(args, fill_info, queries, latency, profile=None) -> str:
    m = machine()
    lines = [
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"- Machine: {m['nproc']} cores ({m['cpu']}), {m['ram']} RAM, {m['pg']}",
        f"- Command: `{' '.join(['python', 'bench/web.py', *sys.argv[1:]])}`",
        f"- Data: large LA {args.children:,} children / {args.cases:,} cases; "
        f"small LA {args.small_children:,} / {args.small_cases:,}"
        + (f" (generated in {fill_info['seconds']:.0f} s)" if fill_info.get("generated") else ""),
    ]
    if queries:
        lines += ["", "SQL queries per request (second request of a signed-in officer):", "",
                  "| page | small LA | large LA |", "| --- | ---: | ---: |"]
        labels = dict.fromkeys(k[0] for k in queries["results"])
        for label in labels:
            small, large = queries["results"][(label, "small")], queries["results"][(label, "large")]
            shown = "case list `/cases?" + args.list_query + "`" if label == "list" else label
            lines.append(f"| {shown} | {small['count']} | {large['count']} |")
    if latency:
        lb, la = latency["load_before"], latency["load_after"]
        lines += [
            "",
            f"Latency, {args.clients} concurrent clients, {args.requests} requests per page after "
            f"{args.warmup} warm-up; server `gunicorn {latency['server'].split(' ', 2)[2]}`"
            + (f", with the server, its PostgreSQL backends and the load generator at niceness "
               f"{args.nice}" if args.nice else "") + "; "
            f"signed in by {latency['signed_in_by']}:",
            "",
            "| page | p50 ms | p95 ms | p99 ms | max ms | req/s | errors | alone p50 ms "
            "| CPU ms/request: app + PostgreSQL + load generator | machine CPU busy |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
        ]
        waits = []
        for label, r in latency["pages"].items():
            c = r["cpu_ms"]
            lines.append(f"| {label} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | "
                         f"{r['max']:.1f} | {r['rps']:.1f} | {len(r['errors'])} | {r['solo_p50']:.1f} | "
                         f"{c['app']:.1f} + {c['db']:.1f} + {c['client']:.1f} = "
                         f"{c['app'] + c['db'] + c['client']:.1f} | {r['cpu_busy']:.0%} |")
            waits.append(f"{label}: " + ", ".join(f"{k} {v:.2f}" for k, v in r["db_waits"].items()))
        lines += ["", f"Our database's backends, on average at any moment ({args.workers} workers "
                  "hold one each): " + "; ".join(waits) + "."]
        lines += ["", f"- Load: CPU {latency['background_cpu']:.0%} busy in the 3 s before the run "
                  f"(other work on the machine); load average (1/5/15 min) before "
                  f"{lb[0]:.2f}/{lb[1]:.2f}/{lb[2]:.2f}, after {la[0]:.2f}/{la[1]:.2f}/{la[2]:.2f}. "
                  "Machine CPU busy is the whole machine during the measured requests (server, "
                  "PostgreSQL, this load generator and anything else running); CPU ms/request "
                  f"counts only our processes, so {m['nproc']} cores ÷ that sum bounds the "
                  "throughput of an otherwise idle machine."]
    if profile:
        lines += ["", f"In process (Django's test client, the large LA's officer, `time.process_time` over "
                  f"{args.profile_requests} requests): " + "; ".join(
                      f"{label} {r['cpu_ms']:.1f} ms CPU per request" for label, r in profile.items()) + "."]
    problems = (queries or {}).get("problems", []) + (latency or {}).get("problems", [])
    verdict = "missed: " + "; ".join(problems) if problems else "met"
    if queries or latency:
        lines += [f"- Target (constant queries; p95 ≤ {args.p95_limit_ms:.0f} ms): **{verdict}**"]
    return "\n".join(lines)


def record(section: str) -> None:
    """Append under this benchmark's heading, leaving other benchmarks' sections alone."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if RESULTS_HEADING not in text:
        text = text.rstrip("\n") + f"\n\n{RESULTS_HEADING}\n\n"
    start = text.index(RESULTS_HEADING) + len(RESULTS_HEADING)
    nxt = text.find("\n## ", start)
    end = len(text) if nxt == -1 else nxt + 1
    body = text[start:end].rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
    text = text[:start] + body + ("\n" + text[end:] if nxt != -1 else "")
    RESULTS.write_text(text)
    print(f"Recorded in {RESULTS}")


def main(argv=None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(BENCH_DIR))
    env = server_env(args)
    ensure_database(args.database_url, args.reset)
    setup_django(env)
    fill_info = step_fill(args)  # always: later steps need the data and the marker check
    queries = step_queries(args) if "queries" in args.steps else None
    if queries:
        for (label, size), r in queries["results"].items():
            print(f"{label:24} {size:5} LA ({r['size']}): {r['count']} queries")
    profile = step_profile(args) if "profile" in args.steps else None
    try:
        latency = step_latency(args, env) if "latency" in args.steps else None
    except RuntimeError as exc:
        print(f"Latency run failed: {exc}", file=sys.stderr)
        return 2
    if queries or latency or profile:
        section = report(args, fill_info, queries, latency, profile)
        print("\n" + section)
        if args.record:
            record(section)
    problems = (queries or {}).get("problems", []) + (latency or {}).get("problems", [])
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
