"""Benchmark the at-risk screening of issue 4 (point 7): `cme screen` on a large authority.

    .venv/bin/python bench/screening.py              # everything; prints Markdown
    .venv/bin/python bench/screening.py --record     # the same, appended to bench/RESULTS.md
    .venv/bin/python bench/screening.py --skip-sql --skip-national   # the quick parts only

Parts, in one run:

1. Data: bench/data/reg-25k.csv, reg-100k.csv and reg-250k.csv from bench/make_registers.py
   (fixed seed; made once, reused after). One academic year, 1 Sep 2025 - 31 Jul 2026; as-of
   17 Jul 2026, so the last fortnight of marks is there but ignored.
2. End to end: `cme screen --registers REG.csv --as-of ... --out OUT.csv` as a separate process,
   `--repeat` times per size (the file is in the page cache after the first run; the program's
   start-up is included: `cme screen` runs without Django since issue 15). Wall time, CPU time (user + system) and peak resident memory of the process.
2b. Side by side (issue 15, point 6): on the largest file, `cme screen` and a plain reading of
   the same file with pyarrow's CSV reader and numpy (bench/plain_reading.py), each as its own
   process, taking turns; the ratio of the medians must be at most 1.2, and the findings must be
   the in-memory screen's.
3. In memory: the registers already parsed into one `Registers`; `screen_arrays` (the vectorised
   rules) and the full pupil screen with its output rows plus the providers' rows.
4. Plain SQL: the same rules written the obvious way in DuckDB (one row per pupil per day, the
   AM and PM codes joined to a code table, then aggregates and a window function per pupil) over
   the same REG.csv, in its own process; its findings must equal ours exactly before the times
   are compared.
5. National: 9 million pupils streamed through `regfile.screen_file` in a separate process, in
   blocks, generated on the fly: four 25,000-pupil chunks are generated first (their time is
   reported apart) and replayed 360 times with fresh LA codes, LAESTABs and UPNs, 2 chunks per LA.
   Peak memory is the whole process's, generator included.

The machine is shared with other work: each part records the load average before and after it,
and CPU time, which depends far less on the load than wall time does.

Exit status: 0 targets met, 1 a target missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from make_registers import AS_OF, chunk_to_csv, generate, make_chunk, school_day_mask  # noqa: E402

from cme.attendance import codes as C  # noqa: E402
from cme.attendance import regfile  # noqa: E402
from cme.attendance import screening as S  # noqa: E402

DATA = ROOT / "bench" / "data"
CME = ROOT / ".venv" / "bin" / "cme"
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Screening (issue 4)"
INTRO = ("`bench/screening.py` (data from `bench/make_registers.py`): `cme screen` end to end on a\n"
         "synthetic large authority, the same screen from marks already in memory, the same rules in\n"
         "plain DuckDB SQL for the ratio, growth from 25,000 to 250,000 pupils, and a 9-million-pupil\n"
         "national screen streamed in bounded memory. See the script's docstring for the method.")
TARGETS = {"plain_ratio": 1.2, "end_to_end_s": 1.5, "in_memory_s": 0.25, "memory_mb": 1024, "sql_ratio": 15,
           "national_s": 90, "national_memory_mb": 1024}


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def ensure(pupils: int) -> Path:
    path = DATA / f"reg-{pupils // 1000}k.csv"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:
            for part in generate(pupils):
                f.write(part)
    return path


def run_process(args: list[str], env: dict | None = None) -> dict:
    """Run a process; wall time, and CPU time and peak memory from the kernel's own accounting."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{stderr}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "memory_mb": usage.ru_maxrss / 1024, "stdout": stdout, "stderr": stderr}


def end_to_end(path: Path, repeat: int) -> dict:
    out = DATA / f"{path.stem}-findings.csv"
    runs = []
    for _ in range(repeat):
        runs.append(run_process([str(CME), "screen", "--registers", str(path), "--as-of",
                                 AS_OF.isoformat(), "--out", str(out)],
                                env={"CME_SECRET_KEY": "bench-only", "CME_DEBUG": "0"}))
    walls = [r["wall_s"] for r in runs]
    return {"wall_median_s": statistics.median(walls), "wall_best_s": min(walls),
            "cpu_median_s": statistics.median(r["cpu_s"] for r in runs),
            "memory_mb": max(r["memory_mb"] for r in runs), "out": str(out),
            "rows": sum(1 for _ in open(out)) - 1}


def versus_plain(path: Path, repeat: int) -> dict:
    """`cme screen` and a plain reading (bench/plain_reading.py: pyarrow's CSV reader and numpy)
    as separate processes, taking turns so that both see the same machine; the findings must be
    those of the in-memory screen of the same file."""
    out = DATA / f"{path.stem}-versus-findings.csv"
    ours, plain = [], []
    for _ in range(repeat):
        ours.append(run_process([str(CME), "screen", "--registers", str(path), "--as-of", AS_OF.isoformat(),
                                 "--out", str(out)], env={"CME_SECRET_KEY": "bench-only", "CME_DEBUG": "0"}))
        plain.append(run_process([sys.executable, str(ROOT / "bench" / "plain_reading.py"), str(path)]))
    rules = S.load_rules()
    regs = S.concat(list(regfile.read_registers(path, AS_OF)))
    expected = sorted(f"{f.upn},{f.laestab},{f.rule}" for f in S.screen(regs, AS_OF, rules))
    got = sorted(",".join(row.split(",", 3)[:3]) for row in out.read_text().splitlines()[1:])
    ours_wall = statistics.median(r["wall_s"] for r in ours)
    plain_wall = statistics.median(r["wall_s"] for r in plain)
    # This machine's speed drifts by a third from minute to minute (a shared host): beside the
    # ratio of the medians (the target's), the best of each (noise only adds) and the median of
    # each turn's own ratio (the two runs of a turn see the same minute).
    best_ours, best_plain = min(r["wall_s"] for r in ours), min(r["wall_s"] for r in plain)
    turns = statistics.median(o["wall_s"] / p["wall_s"] for o, p in zip(ours, plain, strict=True))
    return {"ours_wall_s": ours_wall, "ours_cpu_s": statistics.median(r["cpu_s"] for r in ours),
            "plain_wall_s": plain_wall, "plain_cpu_s": statistics.median(r["cpu_s"] for r in plain),
            "ratio": ours_wall / plain_wall, "findings_equal": got == expected, "findings": len(got),
            "plain_says": plain[0]["stdout"].strip(), "turns": len(ours), "best_ours_s": best_ours,
            "best_plain_s": best_plain, "best_ratio": best_ours / best_plain, "turn_ratio": turns}


def timed(fn, repeat: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus)


def in_memory(path: Path, repeat: int) -> dict:
    rules = S.load_rules()
    table = S.day_flag_table(rules)
    regs = S.concat(list(regfile.read_registers(path, AS_OF)))

    def full():
        result = S.screen_pupils(regs, AS_OF, rules, table=table, with_evidence=False)
        return result.findings + S.provider_findings(result.latest_marked, AS_OF, rules)

    core_wall, core_cpu = timed(lambda: S.screen_arrays(regs, AS_OF, rules, table=table), repeat)
    full_wall, full_cpu = timed(full, repeat)
    return {"pupils": len(regs), "sessions": int(regs.marks.size), "marks_mb": regs.marks.nbytes / 2**20,
            "core_wall_s": core_wall, "core_cpu_s": core_cpu, "full_wall_s": full_wall,
            "full_cpu_s": full_cpu, "findings": len(full())}


# -- the same rules, plainly, in DuckDB SQL -----------------------------------------------------


def _code_rows(rules: S.Rules) -> str:
    rows = []
    for code in C.CODES_2024.values():
        cat = code.category
        text = code.code.replace("'", "''")
        rows.append(f"('{text}', {str(cat.possible).lower()}, {str(cat.attended).lower()}, "
                    f"{str(code.code in rules.continuous_absence_codes).lower()}, "
                    f"{str(code.code in rules.leave_codes).lower()}, "
                    f"{str(code.code in rules.part_time_codes).lower()})")
    rows.append("('-', false, false, false, false, false)")
    return ",\n".join(rows)


def screening_sql(registers: Path, as_of: dt.date, rules: S.Rules) -> str:
    """Issue 4's rules as an analyst would write them: one row per pupil per day (AM and PM
    codes joined to the code table), then aggregates and a window function per pupil. 2024 codes
    only (the data is 2025/26)."""
    t = rules.default
    sev, per = t.severe_percent, t.persistent_percent
    return f"""
WITH codes(code, possible, attended, absence_code, leave_code, part_time_code) AS (VALUES
{_code_rows(rules)}
),
reg AS (
  SELECT row_number() OVER () AS pid, upn, laestab, start_date, string_split(marks, ' ') AS m
  FROM read_csv('{registers}', header = true, delim = ',', quote = '"',
                columns = {{'upn': 'VARCHAR', 'laestab': 'VARCHAR', 'start_date': 'DATE', 'marks': 'VARCHAR'}})
),
pairs AS (
  SELECT pid, upn, laestab, start_date + CAST(i AS INTEGER) AS day, m[2 * i + 1] AS am, m[2 * i + 2] AS pm
  FROM (SELECT pid, upn, laestab, start_date, m,
               unnest(range(least(len(m) // 2, date_diff('day', start_date, DATE '{as_of.isoformat()}') + 1))) AS i
        FROM reg)
),
days AS (
  SELECT p.pid, p.upn, p.laestab, p.day,
         a.possible::INT + b.possible::INT AS possible,
         a.attended::INT + b.attended::INT AS attended,
         (a.possible OR b.possible) AND (a.absence_code OR NOT a.possible) AND (b.absence_code OR NOT b.possible) AS absent,
         a.leave_code OR b.leave_code AS has_leave,
         a.part_time_code OR b.part_time_code AS has_part_time
  FROM pairs p JOIN codes a ON a.code = p.am JOIN codes b ON b.code = p.pm
  WHERE p.am <> '-' OR p.pm <> '-'
),
counted AS (SELECT * FROM days WHERE possible > 0),
pupils AS (SELECT pid, any_value(upn) AS upn, any_value(laestab) AS laestab FROM days GROUP BY pid),
absence_break AS (SELECT pid, max(day) FILTER (WHERE NOT absent) AS brk FROM counted GROUP BY pid),
absence_run AS (
  SELECT c.pid, count(*) AS run, any_value(b.brk) AS brk
  FROM counted c JOIN absence_break b USING (pid)
  WHERE b.brk IS NULL OR c.day > b.brk
  GROUP BY c.pid
),
part_time_break AS (SELECT pid, max(day) FILTER (WHERE NOT has_part_time) AS brk FROM counted GROUP BY pid),
part_time_run AS (
  SELECT c.pid, count(*) AS run
  FROM counted c JOIN part_time_break b USING (pid)
  WHERE b.brk IS NULL OR c.day > b.brk
  GROUP BY c.pid
),
last_days AS (SELECT *, row_number() OVER (PARTITION BY pid ORDER BY day DESC) AS back FROM days),
windows AS (
  SELECT pid,
         sum(possible) FILTER (WHERE back <= {t.severe_window}) AS possible_s,
         sum(attended) FILTER (WHERE back <= {t.severe_window}) AS attended_s,
         sum(possible) FILTER (WHERE back <= {t.persistent_window}) AS possible_p,
         sum(attended) FILTER (WHERE back <= {t.persistent_window}) AS attended_p
  FROM last_days GROUP BY pid
),
findings AS (
  SELECT p.upn, p.laestab, 'continuous_absence_10' AS rule
  FROM pupils p JOIN absence_run r USING (pid) WHERE r.run >= {t.continuous_absence_10}
  UNION ALL
  SELECT p.upn, p.laestab, 'continuous_absence_20'
  FROM pupils p JOIN absence_run r USING (pid) WHERE r.run >= {t.continuous_absence_20}
  UNION ALL
  SELECT p.upn, p.laestab, 'severe_absence'
  FROM pupils p JOIN windows w USING (pid)
  WHERE w.possible_s >= {t.severe_min_possible}
    AND (w.possible_s - w.attended_s) * 100 * {sev.denominator} >= w.possible_s * {sev.numerator}
  UNION ALL
  SELECT p.upn, p.laestab, 'persistent_absence'
  FROM pupils p JOIN windows w USING (pid)
  WHERE w.possible_p >= {t.persistent_min_possible}
    AND (w.possible_p - w.attended_p) * 100 * {per.denominator} >= w.possible_p * {per.numerator}
  UNION ALL
  SELECT p.upn, p.laestab, 'not_returned_after_leave'
  FROM pupils p JOIN absence_run r USING (pid) JOIN days d ON d.pid = r.pid AND d.day = r.brk
  WHERE r.run >= {t.not_returned_after_leave} AND d.has_leave
  UNION ALL
  SELECT p.upn, p.laestab, 'part_time_timetable'
  FROM pupils p JOIN part_time_run r USING (pid) WHERE r.run >= {t.part_time_timetable}
),
latest AS (
  SELECT pr.laestab, max(d.day) AS latest
  FROM (SELECT DISTINCT laestab FROM reg) pr LEFT JOIN days d USING (laestab) GROUP BY pr.laestab
)
SELECT upn, laestab, rule FROM findings
UNION ALL
SELECT '' AS upn, laestab, 'registers_missing' FROM latest
WHERE latest IS NULL OR (
  SELECT count(*) FROM range(latest + INTERVAL 1 DAY, DATE '{as_of.isoformat()}' + INTERVAL 1 DAY,
                             INTERVAL 1 DAY) g(d)
  WHERE dayofweek(g.d) BETWEEN 1 AND 5) > {t.registers_missing_weekdays}
"""


def sql_run(path: Path, ours_csv: str) -> dict:
    import duckdb

    rules = S.load_rules()
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute("SET memory_limit = '8GB'")
    con.execute(f"SET temp_directory = '{DATA / 'duckdb-tmp'}'")
    con.execute("SET preserve_insertion_order = false")
    w, c = time.perf_counter(), time.process_time()
    rows = con.execute(screening_sql(path, AS_OF, rules)).fetchall()
    wall, cpu = time.perf_counter() - w, time.process_time() - c
    con.close()
    theirs = {tuple(r) for r in rows}
    with open(ours_csv) as f:
        next(f)
        ours = {tuple(line.split(",", 3)[:3]) for line in f}
    if theirs != ours:
        raise SystemExit(f"SQL and cme screen disagree: {len(ours - theirs)} rows only ours, "
                         f"{len(theirs - ours)} only SQL, e.g. {sorted(ours ^ theirs)[:3]}")
    return {"wall_s": wall, "cpu_s": cpu, "rows": len(rows), "duckdb": duckdb.__version__}


# -- national: 9 million pupils streamed -------------------------------------------------------


class ChunkStream(io.RawIOBase):
    """A binary stream over generated chunks; time spent generating is kept apart."""

    def __init__(self, chunks):
        self.chunks, self.buf, self.pos, self.generating_s = chunks, memoryview(b""), 0, 0.0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while self.pos >= len(self.buf):
            started = time.perf_counter()
            nxt = next(self.chunks, None)
            self.generating_s += time.perf_counter() - started
            if nxt is None:
                return 0
            self.buf, self.pos = memoryview(nxt), 0
        n = min(len(b), len(self.buf) - self.pos)
        b[:n] = self.buf[self.pos:self.pos + n]
        self.pos += n
        return n


def national_chunks(pupils: int, chunk: int = 25_000, bases: int = 4, seed: int = 2026):
    """Header, then `pupils` rows: a few generated chunks replayed with fresh identities."""
    school = school_day_mask()
    base = []
    for k in range(bases):
        data = chunk_to_csv(*make_chunk(np.random.default_rng([seed, 9, k]), 0, chunk, school))
        arr = np.frombuffer(data, np.uint8)
        starts = np.concatenate([[0], np.flatnonzero(arr == 10)[:-1] + 1])
        base.append((data, starts))
    yield b"upn,laestab,start_date,marks\n"
    digits = 10 ** np.arange(3, -1, -1)
    for k in range(-(-pupils // chunk)):
        data, starts = base[k % bases]
        n = min(chunk, pupils - k * chunk)
        arr = np.frombuffer(bytearray(data), np.uint8)
        la = np.frombuffer(f"{300 + k // 2:03d}".encode(), np.uint8)
        estab = (arr[starts[:, None] + 17 + np.arange(4)] - 48).astype(np.int64) @ digits + 100 * (k % 2)
        estab_digits = ((estab[:, None] // digits) % 10 + 48).astype(np.uint8)
        for offset in (1, 14):  # UPN's LA and estab digits, then the LAESTAB field
            arr[starts[:, None] + offset + np.arange(3)] = la
            arr[starts[:, None] + offset + 3 + np.arange(4)] = estab_digits
        end = len(arr) if n == len(starts) else int(starts[n])
        yield memoryview(arr)[:end]


def national(pupils: int) -> dict:
    """Run in its own process (see main): the kernel then reports this run's peak memory alone."""
    out = DATA / "national-findings.csv"
    setup = time.perf_counter()
    chunks = national_chunks(pupils)
    next(chunks)  # builds the base chunks
    setup_s = time.perf_counter() - setup

    def with_header():
        yield b"upn,laestab,start_date,marks\n"
        yield from chunks

    stream = ChunkStream(with_header())
    w, c = time.perf_counter(), time.process_time()
    summary = regfile.screen_file(io.BufferedReader(stream, 1 << 20), AS_OF, out)
    wall, cpu = time.perf_counter() - w, time.process_time() - c
    size = out.stat().st_size
    out.unlink()
    return {**summary, "wall_s": wall, "cpu_s": cpu, "generating_s": stream.generating_s,
            "setup_s": setup_s, "findings_mb": size / 1e6}


# -- report -------------------------------------------------------------------------------------


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
                 platform.processor())
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    return f"{os.cpu_count()} cores ({model}), {mem / 2**20:.1f} GiB RAM, Python {platform.python_version()}, numpy {np.__version__}"


def report(r: dict) -> tuple[str, list[str]]:
    missed = []
    big = r["end_to_end"][str(max(int(k) for k in r["end_to_end"]))]
    lines = [f"### {r['when']}", "",
             f"- Machine: {r['machine']}",
             f"- Command: `{r['command']}`",
             f"- Data: `bench/make_registers.py`, seed 2026, 1 Sep 2025 - 31 Jul 2026, as-of {AS_OF}; "
             f"{r['data']}",
             "",
             "End to end, `cme screen` as its own process (its start-up included; file in the page cache):",
             "",
             "| pupils | MB | wall median s | wall best s | CPU median s | peak memory MB | rows out | load before → after |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for n, e in sorted(r["end_to_end"].items(), key=lambda kv: int(kv[0])):
        lines.append(f"| {int(n):,} | {e['file_mb']:.0f} | {e['wall_median_s']:.2f} | {e['wall_best_s']:.2f} | "
                     f"{e['cpu_median_s']:.2f} | {e['memory_mb']:.0f} | {e['rows']:,} | {e['load'][0]} → {e['load'][1]} |")
    lines += ["", "In memory (marks already parsed into one uint8 array, one byte per session):", "",
              "| pupils | marks MB | vectorised rules s (wall / CPU) | rules + output rows s (wall / CPU) | findings |",
              "| ---: | ---: | --- | --- | ---: |"]
    for n, m in sorted(r["in_memory"].items(), key=lambda kv: int(kv[0])):
        lines.append(f"| {int(n):,} | {m['marks_mb']:.0f} | {m['core_wall_s']:.3f} / {m['core_cpu_s']:.3f} | "
                     f"{m['full_wall_s']:.3f} / {m['full_cpu_s']:.3f} | {m['findings']:,} |")
    sizes = sorted(int(k) for k in r["end_to_end"])
    if len(sizes) > 1:
        a, b = r["end_to_end"][str(sizes[0])], r["end_to_end"][str(sizes[-1])]
        ma, mb = r["in_memory"][str(sizes[0])], r["in_memory"][str(sizes[-1])]
        lines += ["", f"Growth from {sizes[0]:,} to {sizes[-1]:,} pupils (x{sizes[-1] / sizes[0]:.0f}): "
                      f"end to end CPU x{b['cpu_median_s'] / a['cpu_median_s']:.1f} "
                      f"(start-up is a fixed cost), in-memory rules x{mb['core_cpu_s'] / ma['core_cpu_s']:.1f}, "
                      f"rules + rows x{mb['full_cpu_s'] / ma['full_cpu_s']:.1f}."]
    if "sql" in r:
        s = r["sql"]
        ratio = s["wall_s"] / big["wall_median_s"]
        lines += ["", f"Plain DuckDB SQL ({s['duckdb']}, 2 threads) over the same {s['pupils']:,}-pupil REG.csv, "
                      f"same {s['rows']:,} findings (checked equal): **{s['wall_s']:.1f} s** wall, "
                      f"{s['cpu_s']:.1f} s CPU, peak memory {s['memory_mb']:.0f} MB (load {s['load'][0]} → {s['load'][1]}). "
                      f"`cme screen` end to end is **{ratio:.0f}x** faster (wall, median), "
                      f"{s['wall_s'] / r['in_memory'][str(s['pupils'])]['full_wall_s']:.0f}x for the in-memory screen."]
        if ratio < TARGETS["sql_ratio"]:
            missed.append(f"SQL ratio {ratio:.1f}x is under {TARGETS['sql_ratio']}x")
    if "national" in r:
        nat = r["national"]
        lines += ["", f"National, streamed: {nat['pupils']:,} pupils at {nat['providers']:,} providers, "
                      f"{nat['findings']:,} findings ({nat['findings_mb']:.0f} MB): **{nat['wall_s']:.1f} s** wall "
                      f"({nat['cpu_s']:.1f} s CPU), of which {nat['generating_s']:.1f} s generating the data on the fly; "
                      f"peak memory **{nat['memory_mb']:.0f} MB** for the whole process, generator included "
                      f"(setup: four 25,000-pupil chunks generated in {nat['setup_s']:.1f} s, then replayed with new "
                      f"LA codes, LAESTABs and UPNs). Load {nat['load'][0]} → {nat['load'][1]}."]
        if nat["wall_s"] > TARGETS["national_s"]:
            missed.append(f"national screen {nat['wall_s']:.0f} s is over {TARGETS['national_s']} s")
        if nat["memory_mb"] > TARGETS["national_memory_mb"]:
            missed.append(f"national peak memory {nat['memory_mb']:.0f} MB is over 1 GB")
    if "versus" in r:
        v = r["versus"]
        lines += ["", f"Side by side, taking turns ({v['pupils']:,} pupils): `cme screen` end to end "
                      f"**{v['ours_wall_s']:.2f} s** wall ({v['ours_cpu_s']:.2f} s CPU) against a plain reading with "
                      f"pyarrow's CSV reader and numpy (`bench/plain_reading.py`, {v['plain_says']}) "
                      f"**{v['plain_wall_s']:.2f} s** wall ({v['plain_cpu_s']:.2f} s CPU): **{v['ratio']:.2f}x**; "
                      f"findings {'identical to the in-memory screen' if v['findings_equal'] else 'DIFFERENT'} "
                      f"({v['findings']:,}). Medians of {v.get('turns', '?')} turns"
                      + (f"; best of each {v['best_ours_s']:.2f} s against {v['best_plain_s']:.2f} s "
                         f"({v['best_ratio']:.2f}x), median of each turn's ratio {v['turn_ratio']:.2f}x."
                         if "best_ratio" in v else ".")]
        if v["ratio"] > TARGETS["plain_ratio"]:
            missed.append(f"cme screen is {v['ratio']:.2f}x a plain reading, over {TARGETS['plain_ratio']}x")
        if not v["findings_equal"]:
            missed.append("the findings differ from the in-memory screen's")
    if big["wall_median_s"] > TARGETS["end_to_end_s"]:
        missed.append(f"end to end {big['wall_median_s']:.2f} s is over {TARGETS['end_to_end_s']} s")
    if big["memory_mb"] > TARGETS["memory_mb"]:
        missed.append(f"peak memory {big['memory_mb']:.0f} MB is over 1 GB")
    m = r["in_memory"][str(max(int(k) for k in r["in_memory"]))]
    if m["full_wall_s"] > TARGETS["in_memory_s"]:
        missed.append(f"in-memory screen {m['full_wall_s']:.3f} s is over {TARGETS['in_memory_s']} s")
    lines += ["", f"- Load average at start {r['load_start']}, at end {r['load_end']} (1/5/15 min; 2 cores).",
              "- Targets (250,000 pupils: end to end ≤ 1.5 s and ≤ 1.2x a plain pyarrow reading, in memory "
              "≤ 0.25 s, ≤ 1 GB; SQL ≥ 15x slower; national ≤ 90 s, ≤ 1 GB): " + ("**met**" if not missed else "**missed: " + "; ".join(missed) + "**"),
              ""]
    return "\n".join(lines), missed


def record(text: str) -> None:
    body = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if SECTION not in body:
        body = body.rstrip("\n") + f"\n\n{SECTION}\n\n{INTRO}\n"
    start = body.index(SECTION)
    nxt = body.find("\n## ", start + len(SECTION))
    end = len(body) if nxt < 0 else nxt + 1
    section = body[start:end].rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n"
    RESULTS.write_text(body[:start] + section + ("\n" + body[end:] if nxt >= 0 else ""))


def byte_compiled() -> None:
    """Compile the service's modules to bytecode once, as installing a package does (pip writes
    the .pyc files, as it has for numpy and pyarrow). Where PYTHONDONTWRITEBYTECODE is set (these
    machines), every `cme screen` would otherwise compile its own modules afresh: ~30 ms."""
    import compileall

    compileall.compile_dir(ROOT / "src" / "cme", quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25000,100000,250000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-sql", action="store_true")
    parser.add_argument("--skip-national", action="store_true")
    parser.add_argument("--national-pupils", type=int, default=9_000_000)
    parser.add_argument("--record", action="store_true", help="append the run to bench/RESULTS.md")
    parser.add_argument("--national-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--sql-only", nargs=2, metavar=("REG", "OURS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.national_only:
        print(json.dumps(national(args.national_pupils)))
        return 0
    if args.sql_only:
        print(json.dumps(sql_run(Path(args.sql_only[0]), args.sql_only[1])))
        return 0

    sizes = [int(s) for s in args.sizes.split(",")]
    r = {"when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
         "command": "python bench/screening.py " + " ".join(sys.argv[1:]), "load_start": load(),
         "end_to_end": {}, "in_memory": {}}
    paths = {n: ensure(n) for n in sizes}
    byte_compiled()
    r["data"] = ", ".join(f"{n:,} pupils {p.stat().st_size / 1e6:.0f} MB" for n, p in paths.items())
    # Separate processes first, while this one is small: a child's peak memory as the kernel
    # reports it can include the parent's pages at the fork.
    for n in sizes:
        before = load()
        e = end_to_end(paths[n], args.repeat)
        e["file_mb"] = paths[n].stat().st_size / 1e6
        e["load"] = [before[0], load()[0]]
        r["end_to_end"][str(n)] = e
        print(f"{n:,} pupils: end to end {e['wall_median_s']:.2f} s (CPU {e['cpu_median_s']:.2f} s, "
              f"{e['memory_mb']:.0f} MB); load {e['load']}", file=sys.stderr)
    n = max(sizes)
    before = load()
    r["versus"] = {**versus_plain(paths[n], max(args.repeat, 9)), "pupils": n}
    r["versus"]["load"] = [before[0], load()[0]]
    print(f"versus a plain reading: {r['versus']['ratio']:.2f}x", file=sys.stderr)
    if not args.skip_national:
        before = load()
        run = run_process([sys.executable, __file__, "--national-only", "--national-pupils",
                           str(args.national_pupils)])
        r["national"] = {**json.loads(run["stdout"]), "memory_mb": run["memory_mb"],
                         "load": [before[0], load()[0]]}
        print(f"national: {r['national']['wall_s']:.1f} s, {run['memory_mb']:.0f} MB", file=sys.stderr)
    if not args.skip_sql:
        n = max(sizes)
        before = load()
        run = run_process([sys.executable, __file__, "--sql-only", str(paths[n]),
                           r["end_to_end"][str(n)]["out"]])
        r["sql"] = {**json.loads(run["stdout"]), "pupils": n, "load": [before[0], load()[0]],
                    "memory_mb": run["memory_mb"]}
        print(f"SQL: {r['sql']['wall_s']:.1f} s", file=sys.stderr)
    for n in sizes:
        m = in_memory(paths[n], args.repeat)
        r["in_memory"][str(n)] = m
        print(f"{n:,} pupils in memory: {m['core_wall_s']:.3f} s rules, {m['full_wall_s']:.3f} s with rows",
              file=sys.stderr)
    r["load_end"] = load()
    text, missed = report(r)
    print(text)
    (DATA / "screening-results.json").write_text(json.dumps(r, indent=1, default=str))
    if args.record:
        record(text)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
