#!/usr/bin/env python
"""What the plugin costs at start-up: nothing paid when off, little when on (issue 9, point 3).

Reproducible and assertion-free: it prints measurements, and whether each target is met.

In a temporary directory it writes two repositories (each with its own ``pytest.ini``, so that
nothing above them is read):

- ``trivial/``: one ``test_one.py`` holding ``def test_one(): assert True``;
- ``one-manifest/``: one mixture manifest (7 sources with declared weights, tokens, epochs and
  licences; no data files, so nothing is measured) checked by the default pack
  (``mixlint:recommended``): the declared rules only.

Then it runs, each as a fresh subprocess of the venv's Python (the installed ``pytest_mixlint``,
an editable install of this checkout), round-robin so that drift in the machine's speed hits
every configuration alike, one untimed warm-up each (it writes ``__pycache__``: the script unsets
``PYTHONDONTWRITEBYTECODE`` for its subprocesses), then ``--repeat`` (default 15) timed runs:

- ``python -m pytest -q`` in ``trivial/`` (the plugin installed, ``--mixlint`` not given);
- ``python -m pytest -q -p no:mixlint`` in ``trivial/`` (pytest's own start);
- ``python -m pytest -q --mixlint`` in ``one-manifest/``;
- ``mixlint check`` in ``one-manifest/`` (the command's wall time).

and prints the medians (and quartiles), the deltas with their targets:

- plugin installed, off: at most 20 ms more than ``-p no:mixlint``;
- ``--mixlint`` on one manifest: under 0.5 s more than pytest's own start (``-p no:mixlint`` on
  the trivial project);

and the ratios. Finally ``python -X importtime`` of ``import pytest_mixlint.plugin`` (what
every pytest run pays) and of ``import pytest_mixlint.pytest_session`` (what ``--mixlint``
adds, after pytest and the plugin are imported): the total, the top modules by their own import
time and the totals per top-level package.

Usage::

    python benchmarks/startup.py                 # 15 runs each
    python benchmarks/startup.py --repeat 5      # quick look
    python benchmarks/startup.py --keep          # keep the two repositories and print where they are
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

OFF_TARGET_MS = 20.0  # plugin installed, --mixlint not given, against -p no:mixlint
ON_TARGET_S = 0.5  # --mixlint on a repository of one manifest, above pytest's own start

PYTEST_INI = "[pytest]\n"
TRIVIAL_TEST = "def test_one():\n    assert True\n"
MANIFEST = """\
mixlint: 1
name: startup-bench
description: A seven-source mixture with declared numbers only (no data files), for benchmarks/startup.py.
basis: tokens
sources:
  - {name: common_crawl, domain: web, tokens: 878B, weight: 67.0, epochs: 1.0, license: ODC-By-1.0}
  - {name: c4, domain: web, tokens: 175B, weight: 15.0, epochs: 1.0, license: ODC-By-1.0}
  - {name: github, domain: code, tokens: 59B, weight: 4.5, epochs: 1.0, license: MIT OR Apache-2.0}
  - {name: book, domain: books, tokens: 26B, weight: 4.5, epochs: 2.0, license: PDDL-1.0}
  - {name: arxiv, domain: academic, tokens: 28B, weight: 2.5, epochs: 1.0, license: CC-BY-4.0}
  - {name: wikipedia, domain: encyclopedic, tokens: 24B, weight: 4.5, epochs: 2.0, license: CC-BY-SA-3.0}
  - {name: stackexchange, domain: qa, tokens: 20B, weight: 2.0, epochs: 1.0, license: CC-BY-SA-4.0}
"""


@dataclass
class Config:
    key: str
    label: str
    cwd: str  # "trivial" or "one-manifest"
    argv: list[str]
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system seconds of the process tree
    last: str = ""  # the last line of the last run's output
    returncodes: set[int] = field(default_factory=set)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def quartiles(self) -> tuple[float, float]:
        if len(self.times) < 4:
            return min(self.times), max(self.times)
        q = statistics.quantiles(self.times, n=4)
        return q[0], q[2]


def make_repositories(root: Path) -> None:
    trivial = root / "trivial"
    trivial.mkdir()
    (trivial / "pytest.ini").write_text(PYTEST_INI)
    (trivial / "test_one.py").write_text(TRIVIAL_TEST)
    repo = root / "one-manifest"
    repo.mkdir()
    (repo / "pytest.ini").write_text(PYTEST_INI)
    (repo / "startup-bench.mixture.yaml").write_text(MANIFEST)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a real install has its bytecode; the warm-up writes it
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("PYTEST_PLUGINS", None)
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    return env


def run_once(config: Config, root: Path, env: dict[str, str]) -> float:
    """Wall seconds of one run; its CPU seconds (user + system, from wait4) go to ``config.cpu``."""
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        p = subprocess.Popen(config.argv, cwd=root / config.cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(p.pid, 0)
        elapsed = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    config.cpu.append(usage.ru_utime + usage.ru_stime)
    config.returncodes.add(p.returncode)
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    config.last = lines[-1] if lines else f"(no output, exit {p.returncode})"
    return elapsed


def busy_fraction(seconds: float = 1.0) -> float:
    """Share of the machine's CPU time that was busy over ``seconds`` (/proc/stat)."""
    def sample() -> tuple[int, int]:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
        return sum(v), v[3] + v[4]
    try:
        t0, i0 = sample()
        time.sleep(seconds)
        t1, i1 = sample()
    except (OSError, ValueError):
        return float("nan")
    return 1 - (i1 - i0) / max(t1 - t0, 1)


# --- python -X importtime -------------------------------------------------------------------------

IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S.*)$")


@dataclass
class Imported:
    module: str
    self_us: int
    cumulative_us: int
    depth: int


def importtime(statement_before: str, statement: str, env: dict[str, str], runs: int = 5) -> list[list[Imported]]:
    """The modules ``statement`` imports after ``statement_before`` ran (one list per run)."""
    probe = subprocess.run([sys.executable, "-X", "importtime", "-c", statement_before], env=env,
                           capture_output=True, text=True)
    before = {m.group(4).strip() for line in probe.stderr.splitlines() if (m := IMPORT_LINE.match(line))}
    out = []
    for _ in range(runs):
        p = subprocess.run([sys.executable, "-X", "importtime", "-c", f"{statement_before}\n{statement}"],
                           env=env, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(p.stderr.strip()[-500:])
        rows = []
        for line in p.stderr.splitlines():
            m = IMPORT_LINE.match(line)
            if m:
                rows.append(Imported(m.group(4).strip(), int(m.group(1)), int(m.group(2)), len(m.group(3)) // 2))
        # Completion order: a top-level (depth 0) line closes its tree. Keep the trees after the
        # last top-level module that statement_before imported.
        cut = 0
        for i, r in enumerate(rows):
            if r.depth == 0 and r.module in before:
                cut = i + 1
        out.append(rows[cut:])
    return out


def report_importtime(label: str, runs: list[list[Imported]], top: int) -> None:
    totals = [sum(r.cumulative_us for r in rows if r.depth == 0) for rows in runs]
    print(f"\n### `{label}`: {statistics.median(totals) / 1000:.1f} ms (median of {len(runs)}; "
          f"{len(runs[0])} modules imported)\n")
    if not runs[0]:
        return
    # Median self time per module over the runs.
    per_module: dict[str, list[int]] = defaultdict(list)
    for rows in runs:
        for r in rows:
            per_module[r.module].append(r.self_us)
    own = {m: statistics.median(v) for m, v in per_module.items()}
    by_package: dict[str, float] = defaultdict(float)
    for m, us in own.items():
        by_package[m.split(".")[0]] += us
    whole = sum(own.values())
    print("| top-level package | self ms (all its modules) | share |")
    print("|---|---:|---:|")
    for pkg, us in sorted(by_package.items(), key=lambda kv: -kv[1])[:top]:
        print(f"| {pkg} | {us / 1000:.1f} | {us / max(whole, 1):.0%} |")
    print("\n| module | self ms | cumulative ms |")
    print("|---|---:|---:|")
    cumulative: dict[str, list[int]] = defaultdict(list)
    for rows in runs:
        for r in rows:
            cumulative[r.module].append(r.cumulative_us)
    for m, us in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        print(f"| {m} | {us / 1000:.1f} | {statistics.median(cumulative[m]) / 1000:.1f} |")


# --- main -----------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per configuration (median; default 15)")
    parser.add_argument("--top", type=int, default=12, help="rows of the import-time tables (default 12)")
    parser.add_argument("--importtime-runs", type=int, default=5, help="python -X importtime runs (median; default 5)")
    parser.add_argument("--no-importtime", action="store_true", help="skip the import-time tables")
    parser.add_argument("--keep", action="store_true", help="keep the temporary repositories")
    args = parser.parse_args(argv)

    import pytest

    import pytest_mixlint

    mixlint_exe = shutil.which("mixlint", path=str(Path(sys.executable).parent)) or shutil.which("mixlint")
    mixlint_cmd = [mixlint_exe] if mixlint_exe else [sys.executable, "-m", "pytest_mixlint"]
    print(f"# pytest-mixlint start-up benchmark: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"pytest {pytest.__version__}, pytest_mixlint from {Path(pytest_mixlint.__file__).parent}")
    print(f"# {' '.join([Path(sys.argv[0]).name] + (argv if argv is not None else sys.argv[1:]))}")
    try:
        load = os.getloadavg()
        print(f"# load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; CPU busy over 1 s: {busy_fraction():.0%}")
    except OSError:
        pass

    root = Path(tempfile.mkdtemp(prefix="mixlint-startup-"))
    env = child_env()
    py = [sys.executable, "-m", "pytest", "-q"]
    configs = [
        Config("off", "pytest, plugin installed (no --mixlint)", "trivial", py),
        Config("none", "pytest -p no:mixlint (pytest's own start)", "trivial", py + ["-p", "no:mixlint"]),
        Config("on", "pytest --mixlint, one manifest", "one-manifest", py + ["--mixlint"]),
        Config("cli", "mixlint check, one manifest", "one-manifest", mixlint_cmd + ["check"]),
    ]
    try:
        make_repositories(root)
        busy0, ours0 = _busy_cpu(), _children_cpu()
        t_start = time.perf_counter()
        for c in configs:  # warm-up: bytecode, the page cache
            run_once(c, root, env)
        for c in configs:
            c.returncodes.clear()
            c.cpu.clear()
        for _ in range(args.repeat):
            for c in configs:
                c.times.append(run_once(c, root, env))
        elapsed = time.perf_counter() - t_start
        busy = _busy_cpu() - busy0

        print(f"\n## Wall time of a fresh process, median of {args.repeat} (interleaved, after one warm-up each)\n")
        print("| run | median ms | quartiles ms | CPU ms (median) | exit | last line of output |")
        print("|---|---:|---:|---:|---:|---|")
        for c in configs:
            q1, q3 = c.quartiles()
            print(f"| {c.label} | {c.median * 1000:.0f} | {q1 * 1000:.0f}-{q3 * 1000:.0f} | "
                  f"{statistics.median(c.cpu) * 1000:.0f} | {','.join(map(str, sorted(c.returncodes)))} | {c.last[:70]} |")
        by = {c.key: c for c in configs}
        off, none, on, cli = by["off"], by["none"], by["on"], by["cli"]
        # Paired differences (the runs are interleaved): robust to slow drift of the machine.
        off_d = statistics.median(a - b for a, b in zip(off.times, none.times, strict=True)) * 1000
        on_d = statistics.median(a - b for a, b in zip(on.times, none.times, strict=True))
        cli_d = statistics.median(a - b for a, b in zip(cli.times, none.times, strict=True))
        def cpu_d(a: Config, b: Config) -> float:
            return statistics.median(x - y for x, y in zip(a.cpu, b.cpu, strict=True))

        print("\n## Deltas (wall: median of the paired differences; CPU: the same for user + system time) and targets\n")
        print("| comparison | wall delta | CPU delta | ratio of wall medians | target (wall) | met |")
        print("|---|---:|---:|---:|---:|---|")
        print(f"| plugin installed, off - `-p no:mixlint` | {off_d:+.1f} ms | {cpu_d(off, none) * 1000:+.1f} ms | "
              f"{off.median / none.median:.3f}x | <= {OFF_TARGET_MS:g} ms | {'yes' if off_d <= OFF_TARGET_MS else 'NO'} |")
        print(f"| `--mixlint` one manifest - pytest's own start | {on_d * 1000:+.0f} ms | {cpu_d(on, none) * 1000:+.0f} ms | "
              f"{on.median / none.median:.2f}x | < {ON_TARGET_S * 1000:g} ms | {'yes' if on_d < ON_TARGET_S else 'NO'} |")
        print(f"| `mixlint check` one manifest - pytest's own start | {cli_d * 1000:+.0f} ms | {cpu_d(cli, none) * 1000:+.0f} ms | "
              f"{cli.median / none.median:.2f}x | | |")
        print(f"| `mixlint check` - `pytest --mixlint` | {(cli.median - on.median) * 1000:+.0f} ms | "
              f"{cpu_d(cli, on) * 1000:+.0f} ms | {cli.median / on.median:.2f}x | | |")
        cpus = os.cpu_count() or 1
        ours = _children_cpu() - ours0
        other = max(0.0, busy - ours)
        print(f"\nMeasured in {elapsed:.0f} s; other processes used {other:.1f} CPU s of {elapsed * cpus:.0f} "
              f"({other / max(elapsed * cpus, 1e-9):.0%} of the machine)")
        try:
            load = os.getloadavg()
            print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        except OSError:
            pass
        bad = [c.label for c in configs if c.returncodes - ({0, 1} if c.key in ("on", "cli") else {0})]
        if bad:
            print(f"!!! unexpected exit codes: {', '.join(bad)}")

        if not args.no_importtime:
            print(f"\n## python -X importtime (median self time per module of {args.importtime_runs} runs)")
            try:
                report_importtime("import pytest_mixlint.plugin (after import pytest)",
                                  importtime("import pytest", "import pytest_mixlint.plugin", env, args.importtime_runs),
                                  args.top)
                report_importtime("import pytest_mixlint.pytest_session (after import pytest, pytest_mixlint.plugin)",
                                  importtime("import pytest, pytest_mixlint.plugin", "import pytest_mixlint.pytest_session",
                                             env, args.importtime_runs), args.top)
            except RuntimeError as exc:
                print(f"importtime failed: {exc}")
    finally:
        if args.keep:
            print(f"\nKept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


def _busy_cpu() -> float:
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0.0
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / os.sysconf("SC_CLK_TCK")


def _children_cpu() -> float:
    import resource
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    s = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime + s.ru_utime + s.ru_stime


if __name__ == "__main__":
    sys.exit(main())
