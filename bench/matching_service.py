"""Matching in the service (issue 3): the index built from the database, single-referral latency
in-process and through the API against a real server.

    .venv/bin/python bench/matching_service.py [--database-url postgres://postgres@127.0.0.1:5432/cme_bench_match]
        [--roll bench/data/synthetic/roll.csv] [--referrals bench/data/synthetic/referrals.csv]
        [--queries 2000] [--api-queries 600] [--clients 3] [--workers 2] [--reload]

Makes the database if needed (its own: never the development one), migrates it, and fills it in
bulk from the synthetic roll of bench/make_roll.py: one authority, 250,000 children on the register,
each on the roll of one of 120 schools (1% on the home-education list, 1% on no roll), with current
addresses and former and preferred names as the roll gives them. Bulk inserts send no signals, so
the authority's index version is bumped once at the end, as a roll import's roll_changed would.

Then, with the model trained by `cme matching-train` (the script trains one first if none exists):
- index build from the database: wall time, RSS growth of the process;
- in-process: `adapter.match` for each referral of referrals.csv (a sample), p50/p95/p99; and the
  full selector (`selectors.child_matches`: index lookup, the children read through the scoped
  door, the audit event written) for a smaller sample;
- API: gunicorn (sync workers) on 127.0.0.1, `POST /api/v1/matches` with a bearer token from
  cme.accounts.tokens, a few concurrent clients, each a fresh connection per request; p50/p95.
Results go to bench/data/matching-service-results.json and a Markdown summary is printed.
"""

import argparse
import csv
import gc
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import date
from http.client import HTTPConnection
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT / "src"))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/cme_bench_match")
    p.add_argument("--roll", default=str(BENCH_DIR / "data" / "synthetic" / "roll.csv"))
    p.add_argument("--referrals", default=str(BENCH_DIR / "data" / "synthetic" / "referrals.csv"))
    p.add_argument("--queries", type=int, default=2000, help="in-process lookups (adapter)")
    p.add_argument("--selector-queries", type=int, default=300, help="in-process lookups through the selector")
    p.add_argument("--api-queries", type=int, default=600, help="API requests over all clients")
    p.add_argument("--clients", type=int, default=3)
    p.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    p.add_argument("--reload", action="store_true", help="empty the database's children and load the roll again")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--index-only", action="store_true", help=argparse.SUPPRESS)  # the fresh-process measurement
    return p.parse_args()


def environment(args) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=args.database_url,
        CME_SECRET_KEY=os.environ.get("CME_SECRET_KEY") or "bench-" + secrets.token_hex(24),
        CME_REQUIRE_2FA="0",
        CME_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        CME_SECURE_COOKIES="0",
        CME_HTTPS="0",  # plain HTTP on loopback
        CME_DEBUG="0",
        CME_LOG_LEVEL="ERROR",
        CME_DATA_DIR=str(ROOT / "var" / "bench-match"),
        DJANGO_SETTINGS_MODULE="cme.settings",
    )
    return env


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def percentiles(values: list[float]) -> dict:
    xs = sorted(values)

    def q(p):
        return xs[min(len(xs) - 1, round(p * (len(xs) - 1)))]

    return {"n": len(xs), "p50": q(0.5), "p95": q(0.95), "p99": q(0.99), "max": xs[-1],
            "mean": statistics.fmean(xs)}


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


# --- loading the roll ----------------------------------------------------------------------------


def load_roll(path: str):
    """Fill the database in bulk: children, current addresses, other names, enrolments."""
    from django.db import transaction

    from cme.matching.services import index_changed
    from cme.people.models import Address, Child, ChildName, NameKind
    from cme.providers.models import Enrolment, Organisation, OrgKind

    la = Organisation.objects.filter(kind=OrgKind.LA, la_code="901").first()
    if la is None:
        la = Organisation.objects.create(kind=OrgKind.LA, name="Northmoor Council (bench)", la_code="901")
    schools = list(Organisation.objects.filter(la=la, kind=OrgKind.SCHOOL).order_by("pk"))
    if not schools:
        schools = Organisation.objects.bulk_create([
            Organisation(kind=OrgKind.SCHOOL, name=f"Northmoor School {i:03d}", la=la, la_code="901",
                         estab=f"{2000 + i:04d}", phase="primary" if i < 100 else "secondary")
            for i in range(120)
        ])
    home = Organisation.objects.filter(la=la, kind=OrgKind.HOME_EDUCATION).first() or Organisation.objects.create(
        kind=OrgKind.HOME_EDUCATION, name="Educated at home (Northmoor)", la=la, la_code="901")
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    started = time.perf_counter()
    rng = random.Random(1)
    with transaction.atomic():
        for start in range(0, len(rows), 5000):
            part = rows[start:start + 5000]
            children = Child.objects.bulk_create([
                Child(la=la, legal_forename=r["forename"], legal_middle_names=r["middle_names"],
                      legal_surname=r["surname"], date_of_birth=date.fromisoformat(r["dob"]) if r["dob"] else None,
                      sex=r["sex"], upn=r["upn"])
                for r in part
            ])
            addresses, names, enrolments = [], [], []
            for r, child in zip(part, children, strict=True):
                if r["address"] or r["postcode"]:
                    line1, _, town = r["address"].partition(", ")
                    addresses.append(Address(child=child, line1=line1 or r["postcode"], town=town, postcode=r["postcode"]))
                if r["former_surname"]:
                    names.append(ChildName(child=child, kind=NameKind.FORMER, surname=r["former_surname"]))
                if r.get("preferred_forename"):
                    names.append(ChildName(child=child, kind=NameKind.PREFERRED, forename=r["preferred_forename"]))
                roll = rng.random()
                if roll < 0.01:
                    continue  # on no roll: only on the register
                provider = home if roll < 0.02 else schools[hash(r["postcode"]) % len(schools)]
                enrolments.append(Enrolment(child=child, provider=provider, entry_date=date(2024, 9, 4), upn=r["upn"]))
            Address.objects.bulk_create(addresses)
            ChildName.objects.bulk_create(names)
            Enrolment.objects.bulk_create(enrolments)
            print(f"  loaded {start + len(part):,} children", end="\r", file=sys.stderr)
        # Bulk inserts send no signals: one bump, as a roll import's roll_changed would.
        index_changed(la_id=la.pk)
    print(file=sys.stderr)
    return la, time.perf_counter() - started


# --- the API -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(port: int, token: str, body: dict, timeout: float = 600) -> tuple[int, float, dict]:
    payload = json.dumps(body)
    started = time.perf_counter()
    conn = HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("POST", "/api/v1/matches", payload, {"Authorization": f"Bearer {token}",
                                                      "Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    return response.status, elapsed, json.loads(data) if data else {}


def api_body(p) -> dict:
    body = {"forename": p.forename, "surname": p.surname, "sex": p.sex, "upn": p.upn,
            "postcode": p.postcode, "address": p.address, "limit": 10}
    if p.dob:
        body["date_of_birth"] = p.dob.isoformat()
    return {k: v for k, v in body.items() if v not in ("", None)}


def run_api(args, env, token: str, people: list) -> dict:
    port = free_port()
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"cme-bench-match-gunicorn-{port}.log"
    cmd = [sys.executable, "-m", "gunicorn", "cme.wsgi:application", "--bind", f"127.0.0.1:{port}",
           "--workers", str(args.workers), "--worker-class", "sync", "--timeout", "900", "--log-level", "warning"]
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    c = HTTPConnection("127.0.0.1", port, timeout=5)
                    c.request("GET", "/healthz")
                    if c.getresponse().status == 200:
                        break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError(f"gunicorn did not start; see {log}") from None
                    time.sleep(0.3)
            # Warm-up: every worker builds its index on its first lookup. Send requests from as
            # many clients as workers until the first-lookup times are behind us.
            warm_started = time.perf_counter()
            warm: list[float] = []

            def warm_one(i):
                warm.append(post(port, token, api_body(people[i]))[1])

            for round_ in range(3):
                threads = [threading.Thread(target=warm_one, args=(round_ * args.workers + k,)) for k in range(args.workers * 2)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
            warm_seconds = time.perf_counter() - warm_started
            latencies: list[float] = []
            statuses: dict[int, int] = {}
            lock = threading.Lock()
            per_client = args.api_queries // args.clients
            load_before = os.getloadavg()

            def client(k):
                for i in range(per_client):
                    p = people[(k * per_client + i) % len(people)]
                    status, elapsed, _ = post(port, token, api_body(p))
                    with lock:
                        statuses[status] = statuses.get(status, 0) + 1
                        if status == 200:
                            latencies.append(elapsed)

            started = time.perf_counter()
            threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - started
            return {"server": " ".join(cmd[2:]), "clients": args.clients, "statuses": statuses,
                    "latency_ms": {k: (v * 1000 if k != "n" else v) for k, v in percentiles(latencies).items()},
                    "throughput_rps": len(latencies) / wall, "warm_up_seconds": warm_seconds,
                    "first_lookups_seconds": sorted(warm)[-args.workers:],
                    "load_before": load_before, "load_after": os.getloadavg()}
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


# --- main ----------------------------------------------------------------------------------------


def main():
    args = parse_args()
    env = environment(args)
    os.environ.update(env)
    ensure_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command

    from cme.accounts.models import Role
    from cme.accounts.tokens import api_token_create
    from cme.matching import adapter, selectors
    from cme.matching.batch import read_people
    from cme.matching.services import matching_model_train
    from cme.people.models import Child
    from cme.providers.models import Organisation, OrgKind
    from cme.testing import factories as f

    results: dict = {"started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cpus": os.cpu_count(),
                     "load_at_start": os.getloadavg()}
    if args.index_only:
        la = Organisation.objects.get(kind=OrgKind.LA, la_code="901")
        gc.collect()
        before = rss_mb()
        started = time.perf_counter()
        adapter.index_for(la.pk)
        seconds = time.perf_counter() - started
        gc.collect()
        print(json.dumps({"build_seconds": seconds, "rss_before_mb": before, "rss_after_mb": rss_mb(),
                          "rss_growth_mb": rss_mb() - before, **adapter.stats(la.pk)}))
        return
    call_command("migrate", verbosity=0)
    la = Organisation.objects.filter(kind=OrgKind.LA, la_code="901").first()
    if args.reload and la is not None:
        Child.objects.filter(la=la).delete()
    if la is None or not Child.objects.filter(la=la).exists():
        print("Loading the roll into the database…", file=sys.stderr)
        la, seconds = load_roll(args.roll)
        results["load_seconds"] = seconds
    results["children"] = Child.objects.filter(la=la).count()

    if adapter.newest_model_path(la) is None:
        print("Training the model (cme matching-train)…", file=sys.stderr)
        started = time.perf_counter()
        matching_model_train(la=la)
        results["train_seconds"] = time.perf_counter() - started
    results["model"] = str(adapter.newest_model_path(la))

    print("Building the index from the database, in a fresh process…", file=sys.stderr)
    # A fresh process: this one's allocator still holds what loading and training used.
    fresh = subprocess.run([sys.executable, __file__, "--index-only", "--database-url", args.database_url],
                           env=env, capture_output=True, text=True, check=True)
    results["index_fresh_process"] = json.loads(fresh.stdout.strip().splitlines()[-1])
    adapter.reset()
    started = time.perf_counter()
    adapter.index_for(la.pk)
    results["index_build_seconds"] = time.perf_counter() - started
    results["index"] = adapter.stats(la.pk)

    people = read_people(args.referrals)
    rng = random.Random(args.seed)
    rng.shuffle(people)
    sample = people[: args.queries]
    for p in sample[:50]:
        adapter.match(la_id=la.pk, person=p)  # warm caches (name similarity, numpy)
    print("In-process lookups…", file=sys.stderr)
    load_before = os.getloadavg()
    wall, cpu = [], []
    for p in sample:
        t0, c0 = time.perf_counter(), time.process_time()
        adapter.match(la_id=la.pk, person=p)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    results["in_process_adapter_ms"] = percentiles(wall)
    results["in_process_adapter_cpu_ms"] = percentiles(cpu)
    # The same lookups with the engine alone on the same index: what the adapter adds (the
    # version check, one indexed read of one row; a child counted once; where they are on roll).
    matcher = adapter.index_for(la.pk).matcher
    engine = []
    for p in sample:
        t0 = time.perf_counter()
        matcher.match(p, limit=10)
        engine.append((time.perf_counter() - t0) * 1000)
    results["in_process_engine_only_ms"] = percentiles(engine)
    results["in_process_load"] = [load_before, os.getloadavg()]

    officer = f.make_user(la, Role.CME_OFFICER, username=f"bench-{secrets.token_hex(4)}")
    full = []
    for p in sample[: args.selector_queries]:
        fields = {"forename": p.forename, "surname": p.surname, "date_of_birth": p.dob, "sex": p.sex,
                  "upn": p.upn, "postcode": p.postcode, "address": p.address}
        t0 = time.perf_counter()
        selectors.child_matches(user=officer, fields=fields)
        full.append((time.perf_counter() - t0) * 1000)
    results["in_process_selector_ms"] = percentiles(full)

    print("API against gunicorn…", file=sys.stderr)
    token = api_token_create(user=officer, name="bench")
    from django.db import connections

    connections.close_all()
    results["api"] = run_api(args, env, token, people[args.queries:])
    results["load_at_end"] = os.getloadavg()

    out = BENCH_DIR / "data" / "matching-service-results.json"
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    a, s, api = results["in_process_adapter_ms"], results["in_process_selector_ms"], results["api"]
    print(f"""
children on the register: {results['children']:,} (index records {results['index']['records']:,})
index build from PostgreSQL (fresh process): {results['index_fresh_process']['build_seconds']:.1f} s; RSS {results['index_fresh_process']['rss_before_mb']:.0f} → {results['index_fresh_process']['rss_after_mb']:.0f} MB, growth {results['index_fresh_process']['rss_growth_mb']:.0f} MB (numpy arrays {results['index']['index_nbytes'] / 2**20:.0f} MB); again in this process {results['index_build_seconds']:.1f} s
in-process, adapter.match (top 10 with explanations), {a['n']} referrals: p50 {a['p50']:.2f} / p95 {a['p95']:.2f} / p99 {a['p99']:.2f} / max {a['max']:.1f} ms (CPU p50 {results['in_process_adapter_cpu_ms']['p50']:.2f} / p95 {results['in_process_adapter_cpu_ms']['p95']:.2f} ms)
engine alone on the same index and referrals: p50 {results['in_process_engine_only_ms']['p50']:.2f} / p95 {results['in_process_engine_only_ms']['p95']:.2f} ms
in-process, selector (lookup + scoped read of the children + audit event), {s['n']}: p50 {s['p50']:.2f} / p95 {s['p95']:.2f} ms
API, {api['clients']} clients, {api['statuses']}: p50 {api['latency_ms']['p50']:.1f} / p95 {api['latency_ms']['p95']:.1f} / p99 {api['latency_ms']['p99']:.1f} ms, {api['throughput_rps']:.0f} req/s; first lookups per worker {', '.join(f'{x:.1f}' for x in api['first_lookups_seconds'])} s
load average: start {results['load_at_start']}, end {results['load_at_end']}
results: {out}""")


if __name__ == "__main__":
    main()
