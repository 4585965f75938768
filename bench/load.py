"""Load: many officers at once against the real server, while the nightly work runs (issue 15
point 1).

    .venv/bin/python bench/load.py [--officers 200] [--minutes 3] [--think 6] [--record]

The register of bench/dashboard.py (PostgreSQL, 250,000 children and 20,000 cases in the large
authority; filled once). gunicorn serves it; each virtual officer signs in through the form and
then, with a think time between actions (exponential, mean --think seconds), reads the case list,
a case page, searches, adds a note to a case, opens the dashboard or uploads a small register file,
by the weights below. The officers sign in over --ramp seconds first, as a morning starts (each
sign-in hashes a password: 0.34 s of CPU here, so 200 at one instant would be a queue of a
minute on two cores, which no office produces); the sign-ins are reported on their own line,
and the measured window starts when every officer is in. Ten seconds into it the nightly work
starts, one job after another as the task queue's worker runs them: a night's roll imports for
the whole authority (bench/roll_night.py: every school's roll, 250,000 pupils, 1% of each replaced
by new pupils), the batch screening of a 250,000-pupil year (`cme screen`, bench/make_registers.py
data) and the reconciliation of a year's movements (`cme reconcile`, bench/make_movements.py
data). The officers keep working until --minutes have passed and the nightly work is done.
Reported: p50/p95/p99 and errors per kind of request, throughput, and the CPU of the server, the
database and the batch jobs.
"""

import argparse
import random
import re
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import web  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cme_bench_mi"
WEIGHTS = {"case list": 30, "case page": 30, "search": 10, "add a note": 12, "dashboard": 3,
           "my work": 12, "register upload": 3}
_CSRF = re.compile(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"|value="([^"]+)"\s+name="csrfmiddlewaretoken"')


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python bench/load.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=DEFAULT_URL)
    p.add_argument("--officers", type=int, default=200)
    p.add_argument("--minutes", type=float, default=3.0)
    p.add_argument("--think", type=float, default=6.0, help="mean seconds between one officer's actions")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch-nice", type=int, default=10, help="nice value of the nightly jobs (0: as the server)")
    p.add_argument("--ramp", type=float, default=60.0, help="seconds over which the officers sign in")
    p.add_argument("--no-batch", action="store_true", help="without the nightly jobs alongside")
    p.add_argument("--record", action="store_true")
    return p.parse_args(argv)


def csrf(body: str) -> str:
    m = _CSRF.search(body)
    return (m.group(1) or m.group(2)) if m else ""


class Officer(threading.Thread):
    def __init__(self, n, port, username, password, cases, until, think, results, lock, start_at=0.0):
        super().__init__(daemon=True)
        self.start_at = start_at  # perf_counter time to sign in at
        self.rng = random.Random(n)
        self.client = web.HttpClient(port)
        self.username, self.password, self.cases = username, password, cases
        self.until, self.think, self.results, self.lock = until, think, results, lock

    def record(self, kind, started, ok, detail=""):
        with self.lock:
            self.results.setdefault(kind, []).append((time.perf_counter() - started, ok, detail))

    def run(self):
        time.sleep(max(0.0, self.start_at - time.perf_counter()))
        t0 = time.perf_counter()
        try:
            web.sign_in(self.client, self.username, self.password)
            self.record("sign in", t0, True)
        except Exception as exc:  # a failed sign-in is an error of the run, and this officer stops
            self.record("sign in", t0, False, str(exc)[:200])
            return
        self.ready.wait()
        kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
        while not self.until():
            time.sleep(self.rng.expovariate(1 / self.think))
            if self.until():
                return
            kind = self.rng.choices(kinds, weights)[0]
            started = time.perf_counter()
            try:
                ok, detail = self.act(kind)
            except OSError as exc:
                ok, detail = False, type(exc).__name__
            self.record(kind, started, ok, detail)

    def act(self, kind):
        c, rng = self.client, self.rng
        if kind == "case list":
            status, _, _ = c.get(rng.choice(["/cases", "/cases?stage=locating", "/cases?category=missing&open=true",
                                             "/cases?sort=due"]))
        elif kind == "case page":
            pk, _ = rng.choice(self.cases)
            status, _, _ = c.get(f"/cases/{pk}")
        elif kind == "search":
            status, _, _ = c.get("/find-a-child?surname=" + rng.choice(["Smith", "Ahmed", "Jones", "Taylor", "Khan"]))
        elif kind == "add a note":
            pk, _ = rng.choice(self.cases)
            status, _, body = c.get(f"/cases/{pk}")
            if status == 200:
                status, _, body = c.post_form(f"/cases/{pk}/notes", {"csrfmiddlewaretoken": csrf(body),
                                                                     "text": "Phoned the family: no answer."},
                                              f"/cases/{pk}")
                return status in (302, 303), f"note {status}"
        elif kind == "dashboard":
            status, _, _ = c.get("/management/dashboard")
            return status in (200, 403), f"dashboard {status}"  # officers are refused, by design
        elif kind == "my work":
            status, _, _ = c.get("/work")
        else:  # a small register upload, loaded by the task queue
            status, _, body = c.get("/attendance/registers/upload")
            if status == 200:
                boundary = f"----cme{rng.randrange(10**9)}"
                data = "upn,laestab,date,session,code\n"
                payload = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n"
                           f"{csrf(body)}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                           f"filename=\"reg.csv\"\r\nContent-Type: text/csv\r\n\r\n{data}\r\n--{boundary}--\r\n")
                status, _, _ = c._request("POST", "/attendance/registers/upload", payload, {
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Referer": f"http://127.0.0.1:{c.port}/attendance/registers/upload",
                    "Origin": f"http://127.0.0.1:{c.port}"})
                return status in (200, 302), f"upload {status}"
        return status == 200, f"{kind} {status}"


def batch_jobs(env) -> list[tuple[str, list[str]]]:
    cme = str(Path(sys.executable).with_name("cme"))
    jobs = [("roll imports (bench/roll_night.py: every school of the authority)",
             [sys.executable, str(BENCH / "roll_night.py"), "--database-url", env["DATABASE_URL"]])]
    reg = BENCH / "data" / "registers-250000.csv"
    if not reg.exists():
        found = sorted((BENCH / "data").glob("*reg*250*"))
        reg = found[0] if found else None
    if reg is not None and reg.exists():
        jobs.append(("screening (cme screen, 250,000 pupils)",
                     [cme, "screen", "--registers", str(reg), "--as-of", "2026-07-17", "--out", "/tmp/load-screen.csv"]))
    mov = BENCH / "data" / "movements"
    if (mov / "enrol.csv").exists():
        jobs.append(("reconciliation (cme reconcile, 25,000 leavers)",
                     [cme, "reconcile", "--enrolments", str(mov / "enrol.csv"), "--as-of", "2025-07-18", "--la", "901",
                      "--term-dates", str(mov / "terms.csv"), "--ehe", str(mov / "ehe.csv"), "--out", "/tmp/load-rec.csv"]))
    return jobs


def main(argv=None) -> int:
    args = parse_args(argv)
    args.list_query = web.LIST_QUERY
    env = web.server_env(args)
    web.setup_django(env)
    import webdata
    from django.db import connection

    from cme.accounts.models import User
    from cme.cases.models import Case

    large = "large"
    officers = list(User.objects.filter(username__startswith=f"{large}-officer").values_list("username", flat=True))
    if not officers:
        web.cannot_run("No bench register: run bench/dashboard.py first (it fills cme_bench_mi)")
    cases = list(Case.objects.filter(reference__startswith="C").filter(la__users__username=officers[0])
                 .values_list("pk", "reference")[:5000])
    connection.close()
    results: dict = {}
    lock = threading.Lock()
    jobs_out = []
    batch_done = threading.Event()

    def nightly():
        for name, cmd in batch_jobs(env):
            t = time.perf_counter()
            # As docs/operations.md runs the task queue's worker and the nightly commands: at a
            # lower CPU priority than the web server, so that officers' pages come first.
            proc = subprocess.run(["nice", "-n", str(args.batch_nice), *cmd], env={**env, "CME_DEBUG": "1"},
                                  capture_output=True, text=True)
            jobs_out.append((name, time.perf_counter() - t, proc.returncode,
                             (proc.stderr or proc.stdout)[-300:], proc.stdout.strip().splitlines()[-1:]))
        batch_done.set()

    if args.no_batch:
        batch_done.set()
    with web.Server(env, args.workers, args.threads) as server:
        meter = web.CpuMeter(server.proc.pid, args.database_url.rsplit("/", 1)[1])
        ready = threading.Event()
        window: dict = {}

        def until() -> bool:
            return time.time() >= window.get("until", float("inf")) and batch_done.is_set()

        t_ramp = time.perf_counter()
        crowd = [Officer(n, server.port, officers[n % len(officers)], webdata.PASSWORD, cases, until, args.think,
                         results, lock, start_at=t_ramp + args.ramp * n / args.officers)
                 for n in range(args.officers)]
        for o in crowd:
            o.ready = ready
            o.start()
        # The measured window opens once every officer has signed in (or failed to).
        while len(results.get("sign in", ())) < args.officers:
            time.sleep(0.2)
        signins = results.pop("sign in")
        ramp_s = time.perf_counter() - t_ramp
        before = meter.snapshot()
        client_cpu = time.process_time()  # this process's officers share the machine with the server
        started = time.perf_counter()
        window["until"] = time.time() + args.minutes * 60
        ready.set()
        night = None
        if not args.no_batch:
            time.sleep(10)
            night = threading.Thread(target=nightly, daemon=True)
            night.start()
        for o in crowd:
            o.join()
        if night is not None:
            night.join()
        wall = time.perf_counter() - started
        used = meter.since(before)
        client_cpu = time.process_time() - client_cpu
    lines = []
    total = errors = 0
    for kind, rows in sorted(results.items()):
        times = sorted(r[0] for r in rows)
        bad = [r[2] for r in rows if not r[1]]
        total += len(rows)
        errors += len(bad)
        p = {q: web.percentile(times, q) * 1000 for q in (50, 95, 99)}
        lines.append(f"| {kind} | {len(rows):,} | {p[50]:.0f} | {p[95]:.0f} | {p[99]:.0f} | {len(bad)}"
                     + (f" ({bad[0]})" if bad else "") + " |")
    head = (f"{args.officers} officers, think time {args.think:.0f} s, {args.minutes:.1f} min: {total:,} requests, "
            f"{total / wall:.1f} a second, {errors} errors; CPU: server {used['app']:.0f} s, PostgreSQL "
            f"{used['db']:.0f} s, the officers' client {client_cpu:.0f} s over {wall:.0f} s")
    table = "| request | n | p50 ms | p95 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|---|\n" + "\n".join(lines)
    jobs_text = "\n".join(f"- alongside: {n}: {s:.1f} s, exit {rc}" + (f" ({err.strip()[:120]})" if rc else "")
                          + (f": {out[0]}" if out and not rc else "")
                          for n, s, rc, err, out in jobs_out) or "- alongside: no batch job"
    st = sorted(r[0] for r in signins)
    bad_in = [r[2] for r in signins if not r[1]]
    signin_text = (f"- before the window: {len(signins)} sign-ins over {ramp_s:.0f} s (ramp {args.ramp:g} s): "
                   f"p50 {web.percentile(st, 50) * 1000:.0f} ms, p95 {web.percentile(st, 95) * 1000:.0f} ms, "
                   f"{len(bad_in)} failed" + (f" ({bad_in[0]})" if bad_in else ""))
    errors_before = len(bad_in)
    print(head)
    print(table)
    print(jobs_text)
    print(signin_text)
    if args.record:
        m = web.machine()
        text = (f"\n### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\n- Machine: {m['nproc']} cores ({m['cpu']}), "
                f"{m['ram']}, {m['pg']}; gunicorn {args.workers} workers x {args.threads} threads; nightly jobs at nice "
                f"{args.batch_nice}\n- {head}\n"
                f"{signin_text}\n{jobs_text}\n- Command: `.venv/bin/python bench/load.py --officers {args.officers} "
                f"--minutes {args.minutes:g} --ramp {args.ramp:g} --workers {args.workers} --threads {args.threads} "
                f"--batch-nice {args.batch_nice} --record`\n\n{table}\n")
        results_md = BENCH / "RESULTS.md"
        body = results_md.read_text()
        heading = "## Load: officers at once with the nightly work (issue 15, bench/load.py)"
        if heading not in body:
            body += f"\n{heading}\n"
        results_md.write_text(body.replace(heading, heading + text, 1))
    return 0 if errors == 0 and errors_before == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
