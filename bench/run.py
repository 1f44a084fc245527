"""nntutor's benchmark: the figures DESIGN.md budgets, as medians and as ratios to a bare Textual app.

    /work/venv/bin/python bench/run.py [--runs 7] [--idle 3] [--calls 1000]

Every interactive figure is measured in a real 80×24 pseudo-terminal read back by pyte
(the driver is tests/e2e/ptyterm.py, shared with the end-to-end tests), against
bench/hello_app.py in the same run, apps interleaved so load drifts hit all of them.
Each launch gets a fresh temporary NNTUTOR_DATA_DIR. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))  # the one pty+pyte driver, shared with the e2e tests

from ptyterm import Terminal, console_script, cpu_seconds, peak_rss_mb, terminal_env  # noqa: E402

HELLO = ROOT / "bench" / "hello_app.py"
LESSON = "layer-by-layer"
HOME_TEXT = "Just a function"
PROMPT_TEXT = "hidden pre-activations"  # the z₁ prompt on the lesson screen
PLACEHOLDER = "your answer, then Enter"  # the empty answer box
TIMEOUT = 30.0


def _quit(term: Terminal) -> float:
    """Ctrl+Q → process exit, in seconds (the child is killed if it does not exit)."""
    sent = term.press("ctrl+q")
    code = term.wait_exit(TIMEOUT)
    took = time.perf_counter() - sent
    if code != 0:
        raise RuntimeError(f"{term.proc.args} exited with {code}")
    return took


def _first_screen(term: Terminal, text: str) -> dict:
    """Launch → ``text`` on screen (s), and the KB written until the screen then stays quiet."""
    seen = term.wait_for(text, TIMEOUT)
    term.settle(0.3)  # a frame may arrive in several writes: count all of the first screen
    return {"first_frame": seen - term.started, "first_kb": term.bytes_read / 1e3}


def _idle(term: Terminal, seconds: float) -> tuple[float, int]:
    """CPU % and bytes written to the terminal over ``seconds`` of doing nothing."""
    term.settle(0.3)
    cpu0, bytes0, t0 = cpu_seconds(term.pid), term.bytes_read, time.perf_counter()
    time.sleep(seconds)
    cpu1, bytes1, t1 = cpu_seconds(term.pid), term.bytes_read, time.perf_counter()
    return 100.0 * (cpu1 - cpu0) / (t1 - t0), bytes1 - bytes0


def _enter_latency(term: Terminal, typed: str, verdict: str) -> float:
    """Type ``typed``, wait for its echo, then time Enter → ``verdict`` on screen (seconds)."""
    before = term.text().count(typed)  # the text may already be on screen elsewhere
    term.send(typed)
    term.wait_for(lambda screen: screen.count(typed) > before, TIMEOUT)
    term.settle(0.1)
    sent = term.send("\r")
    return term.wait_for(verdict, TIMEOUT) - sent


def run_hello(idle: float) -> dict:
    with tempfile.TemporaryDirectory() as data, Terminal([sys.executable, HELLO], env=terminal_env(data)) as term:
        out = _first_screen(term, "hello")
        out["idle_cpu"], out["idle_bytes"] = _idle(term, idle)
        out["rss"] = peak_rss_mb(term.pid)
        out["quit"] = _quit(term)
    return out


def run_hello_echo() -> dict:
    with tempfile.TemporaryDirectory() as data, \
            Terminal([sys.executable, HELLO, "--echo"], env=terminal_env(data)) as term:
        term.wait_for("hello", TIMEOUT)
        term.settle(0.3)
        out = {"enter": _enter_latency(term, "42", "echo: 42")}
        _quit(term)
    return out


def _env(data: str, code: str | None = None) -> dict[str, str]:
    """The child's environment; ``code``: a folder whose ``nntutor`` package the child imports
    instead of the installed one (see ``--against``)."""
    env = terminal_env(data)
    if code is not None:
        env["PYTHONPATH"] = code
    return env


def shim(checkout: Path, where: str) -> str:
    """A folder (in ``where``) holding ``nntutor/{core,tui,lessons}`` linked to another checkout's
    folders: on PYTHONPATH it comes before the editable install, so the same console script runs
    that code."""
    folder = Path(where) / "against"
    (folder / "nntutor").mkdir(parents=True)
    for name in ("core", "tui", "lessons"):
        (folder / "nntutor" / name).symlink_to(checkout.resolve() / name)
    return str(folder)


def run_home(nntutor: Path, code: str | None = None) -> dict:
    with tempfile.TemporaryDirectory() as data, Terminal([nntutor], env=_env(data, code)) as term:
        out = _first_screen(term, HOME_TEXT)
        out["rss"] = peak_rss_mb(term.pid)
        out["quit"] = _quit(term)
    return out


def run_lesson(nntutor: Path, idle: float, code: str | None = None) -> dict:
    with tempfile.TemporaryDirectory() as data, Terminal([nntutor, LESSON], env=_env(data, code)) as term:
        out = _first_screen(term, PROMPT_TEXT)
        out["idle_cpu"], out["idle_bytes"] = _idle(term, idle)
        out["enter"] = _enter_latency(term, "3 -1", "Not quite.")
        term.press("ctrl+e")
        term.send("\x7f" * 10)
        # Wait for the empty box before typing on: Textual 8 runs bound keys (backspace) after
        # printable keys of the same burst (Textualize/textual#6605).
        term.wait_for(PLACEHOLDER, TIMEOUT)
        term.settle(0.1)
        out["enter_ok"] = _enter_latency(term, "2 -1", "Correct.")
        term.settle(0.3)
        out["rss"] = peak_rss_mb(term.pid)
        out["quit"] = _quit(term)
    return out


def wall(argv: list) -> float:
    """Wall time of one command run to completion (its output discarded)."""
    with tempfile.TemporaryDirectory() as data:
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=terminal_env(data))
        return time.perf_counter() - start


def submit_latency(calls: int, with_store: bool) -> float:
    """Median seconds of ``LessonRun.submit("3 -1")`` (a wrong number) in this process."""
    from nntutor.core.catalog import load_catalog
    from nntutor.core.progress import ProgressStore
    from nntutor.core.session import LessonRun

    lesson = load_catalog().find(LESSON).lesson
    with tempfile.TemporaryDirectory() as data:
        store = ProgressStore(Path(data) / "progress.sqlite3") if with_store else None
        try:
            run = LessonRun(lesson, store, "en")
            assert not run.submit("3 -1").ok
            times = []
            for _ in range(calls):
                start = time.perf_counter()
                run.submit("3 -1")
                times.append(time.perf_counter() - start)
        finally:
            if store is not None:
                store.close()
    return statistics.median(times)


def formula_latency(calls: int) -> tuple[float, float]:
    """Median seconds of a right and of a wrong formula answer through ``LessonRun.submit``,
    with a warmed SymPy worker (the symbolic Enter → verdict path, less the screen)."""
    from nntutor.core.lesson import load_lesson
    from nntutor.core.session import LessonRun
    from nntutor.core.symbolic import SymbolicWorker

    lesson = load_lesson(Path(__file__).resolve().parents[1] / "tests" / "lessons" / "kinds" / "formula.toml")
    right = ["s*(1-s)", "s - s^2", "s(1 - s)", "-(s^2 - s)", "s - s*s", "(1-s)*s"]
    with SymbolicWorker() as worker:
        worker.warm(wait=30)
        run = LessonRun(lesson, None, "en", worker)
        ok_times, wrong_times = [], []
        for n in range(calls):
            run.restart()
            assert run.submit("σ(t)(1 − σ(t))").ok  # step 1; step 2 asks σ′ in terms of s
            start = time.perf_counter()
            assert not run.submit("s*(1+s)").ok
            wrong_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            verdict = run.submit(right[n % len(right)])
            ok_times.append(time.perf_counter() - start)
            assert verdict.ok, verdict
    return statistics.median(ok_times), statistics.median(wrong_times)


def _reference_work() -> None:
    """A fixed piece of work shaped like a build (dicts, strings, small NumPy products), timed next
    to the builds: when it is slow, the machine is, and every figure of the table with it."""
    import numpy as np

    table = {}  # strings only: nothing for the collector, whose passes would make the time bimodal
    for i in range(300):
        table[f"k{i}@1"] = f"z{i} = x·W{i}: value {i}, значение {i}"
    a = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
    for _ in range(60):
        a = np.tanh(a @ a.T @ a * 0.5)


def build_latency(calls: int) -> tuple[list[tuple[str, str, float, float, float]], list[float]]:
    """Per kind's test lesson (and per bundled lesson), median seconds of:

    - open: build its problem from the lesson's data and work out every value (once per lesson
      opened), the same lesson ``calls/10`` times in a row, in ten bursts spread over the run --
      the usual micro-benchmark, made robust to a slow spell of the machine;
    - verdict: evaluate every quantity with the first derived one overridden (once per checked
      answer: a student's own value carried forward, so nearly everything is computed again);
    - open, round-robin: the same as open, but every round opens every lesson once, so each
      build finds the interpreter's and the CPU's caches full of other lessons' work (nearer a
      lesson opened once in a session; a slow spell of the machine falls on all rows alike).
    """
    import tomllib

    import numpy as np

    from nntutor.core.catalog import lessons_dir
    from nntutor.core.kinds import build_problem

    def open_and_judge(data) -> tuple[float, float]:
        start = time.perf_counter()
        problem = build_problem(data)  # a new Problem every time (only memoised wording is shared)
        base = problem.evaluate()
        middle = time.perf_counter()
        first = next(k for k, q in problem.quantities.items() if not q.is_given)
        over = {first: np.asarray(base[first]) + 0.25}
        middle2 = time.perf_counter()
        problem.evaluate(over)
        return middle - start, time.perf_counter() - middle2

    # What this process made before (pty screens of every launch, the SymPy client …) is set aside
    # as the app sets its start-up aside (tui/app.py): a full collection then walks only what the
    # builds make, not the bench's own leftovers.
    import gc

    gc.collect()
    gc.freeze()
    root = Path(__file__).resolve().parents[1]
    files = sorted((root / "tests" / "lessons" / "kinds").glob("*.toml")) + sorted(lessons_dir().glob("*/*.toml"))
    lessons = [(path, tomllib.loads(path.read_text(encoding="utf-8"))["problem"]) for path in files]
    mixed: dict[Path, list[float]] = {path: [] for path, _ in lessons}
    for _ in range(calls):
        for path, data in lessons:
            mixed[path].append(open_and_judge(data)[0])
    # the repeated figures in ten bursts spread over the run, every lesson in each: a slow spell of
    # the machine (seconds long on a shared VM) then spoils a tenth of a lesson's samples, not all
    runs: dict[Path, list[tuple[float, float]]] = {path: [] for path, _ in lessons}
    bursts = 10
    reference: list[float] = []  # per burst: the median time of the fixed reference work
    for _ in range(bursts):
        for path, data in lessons:
            runs[path] += [open_and_judge(data) for _ in range(max(1, calls // bursts))]
        times = []
        for _ in range(max(5, calls // bursts)):
            start = time.perf_counter()
            _reference_work()
            times.append(time.perf_counter() - start)
        reference.append(statistics.median(times))
    out = [(f"{path.parent.name}/{path.stem}", data["kind"], statistics.median(r[0] for r in runs[path]),
            statistics.median(r[1] for r in runs[path]), statistics.median(mixed[path])) for path, data in lessons]
    gc.unfreeze()
    return out, reference


def variant_latency(count: int) -> list[tuple[str, float]]:
    """Per bundled lesson with new numbers: the median seconds of loading variant n (n = 1..count),
    everything a student's "New numbers" costs -- the file read, the draws until the requirements
    hold, every value, the text filled in."""
    from nntutor.core.catalog import lessons_dir
    from nntutor.core.lesson import load_lesson

    out = []
    for path in sorted(lessons_dir().glob("*/*.toml")):
        lesson = load_lesson(path)
        if lesson.variants is None or not lesson.variants.varies:
            continue
        times = []
        for n in range(1, count + 1):
            start = time.perf_counter()
            load_lesson(path, n)
            times.append(time.perf_counter() - start)
        out.append((f"{path.parent.name}/{path.stem}", statistics.median(times)))
    return out


def print_engine(calls: int) -> None:
    """The engine's tables: every lesson's open and verdict, and every lesson's new numbers."""
    print(f"{'lesson (kind), medians of %d' % calls:<46} {'open ms':>8} {'verdict ms':>11} "
          f"{'round-robin':>12}  budget (open ≤ 10 ms, verdict ≤ 1 ms)")
    rows, reference = build_latency(calls)
    for label, kind, opened, verdict, mixed in rows:
        over = [what for what, v, cap in (("open", opened, 10e-3), ("verdict", verdict, 1e-3)) if v > cap]
        budget = f"OVER: {', '.join(over)}" if over else "ok"
        print(f"{label + ' (' + kind + ')':<46} {opened * 1e3:>8.3f} {verdict * 1e3:>11.3f} {mixed * 1e3:>12.3f}"
              f"  {budget}")
    print(f"{'reference work (fixed; see bench/README.md)':<46} {statistics.median(reference) * 1e3:>8.3f}"
          f"  quietest burst {min(reference) * 1e3:.3f}, slowest {max(reference) * 1e3:.3f}")
    print()
    print(f"{'new numbers: load variant n = 1..20, median':<46} {'ms':>8}  budget (≤ 20 ms)")
    for label, seconds in variant_latency(20):
        print(f"{label:<46} {seconds * 1e3:>8.3f}  {'ok' if seconds <= 20e-3 else 'OVER'}")


# -- the table ---------------------------------------------------------------------------

def _med(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "ms":
        return f"{value * 1e3:.1f}"
    if unit == "s":
        return f"{value:.3f}"
    if unit in ("MB", "KB"):
        return f"{value:.1f}"
    if unit == "%":
        return f"{value:.2f}"
    if unit == "B":
        return f"{value:.0f}"
    return f"{value:g}"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a is not None and b else "–"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="launches per app (default 7); medians are shown")
    parser.add_argument("--idle", type=float, default=3.0, help="seconds of idle measurement (default 3)")
    parser.add_argument("--calls", type=int, default=1000, help="in-process submit() calls (default 1000)")
    parser.add_argument("--nntutor", type=Path, default=console_script("nntutor"),
                        help="the nntutor command (default: the console script next to this Python)")
    parser.add_argument("--against", type=Path, default=None, metavar="CHECKOUT",
                        help="also run home and lesson from another checkout (git worktree add /tmp/base REV), "
                             "interleaved in the same rounds, and print both side by side")
    parser.add_argument("--engine", action="store_true",
                        help="only the engine's tables (open, verdict, new numbers), in-process: seconds, no pty")
    args = parser.parse_args(argv)
    if args.engine:
        print_engine(max(20, args.calls // 10))
        return 0
    if not args.nntutor.exists():
        parser.error(f"{args.nntutor} not found: install the project (pip install -e .) or pass --nntutor")

    # Byte-code as an installed package has it: pip compiles .pyc at install time, but an
    # editable checkout under PYTHONDONTWRITEBYTECODE=1 would recompile nntutor's own modules
    # on every launch (and not Textual's). So: children write .pyc into a private tree, and a
    # warm-up round fills it before anything is timed.
    cache = tempfile.mkdtemp(prefix="nntutor-bench-pycache-")
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = cache
    nntutor = str(args.nntutor)
    try:
        print("warm-up …", file=sys.stderr, flush=True)
        run_hello(0.1), run_home(args.nntutor), run_lesson(args.nntutor, 0.1), run_hello_echo()
        wall([nntutor, "check"]), wall([nntutor, "key", LESSON, "--json"])
        other = shim(args.against, cache) if args.against else None
        if other:
            run_home(args.nntutor, other), run_lesson(args.nntutor, 0.1, other)
        hello, echo, home, lesson, home_b, lesson_b = [], [], [], [], [], []
        for n in range(args.runs):
            print(f"run {n + 1}/{args.runs} …", file=sys.stderr, flush=True)
            hello.append(run_hello(args.idle))
            home.append(run_home(args.nntutor))
            lesson.append(run_lesson(args.nntutor, args.idle))
            echo.append(run_hello_echo())
            if other:
                home_b.append(run_home(args.nntutor, other))
                lesson_b.append(run_lesson(args.nntutor, args.idle, other))
        check = statistics.median(wall([nntutor, "check"]) for _ in range(args.runs))
        key = statistics.median(wall([nntutor, "key", LESSON, "--json"]) for _ in range(args.runs))
        bare = statistics.median(wall([sys.executable, "-c", "pass"]) for _ in range(args.runs))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    core_none = submit_latency(args.calls, with_store=False)
    core_store = submit_latency(args.calls, with_store=True)

    def med(runs, k):
        return _med(runs, k) if runs and k in runs[0] else None

    rows = [
        # label, unit, hello, home, lesson, budget
        ("launch → first frame", "s", med(hello, "first_frame"), med(home, "first_frame"),
         med(lesson, "first_frame"), "home ≤ 1.2×, lesson ≤ 1.5×"),
        ("peak memory (VmHWM)", "MB", med(hello, "rss"), med(home, "rss"), med(lesson, "rss"), "lesson ≤ 1.6×"),
        ("bytes written for the first screen", "KB", med(hello, "first_kb"), med(home, "first_kb"),
         med(lesson, "first_kb"), ""),
        (f"idle CPU over {args.idle:g} s", "%", med(hello, "idle_cpu"), None, med(lesson, "idle_cpu"), "near zero"),
        (f"bytes written while idle {args.idle:g} s", "B", med(hello, "idle_bytes"), None,
         med(lesson, "idle_bytes"), "0"),
        ("Enter → on screen (echo / Not quite.)", "ms", med(echo, "enter"), None, med(lesson, "enter"),
         "verdict < 16 ms"),
        ("Enter → on screen (Correct., saved)", "ms", med(echo, "enter"), None, med(lesson, "enter_ok"), ""),
        ("Ctrl+Q → process exit", "s", med(hello, "quit"), med(home, "quit"), med(lesson, "quit"), ""),
    ]
    head = f"{'measure (median of %d)' % args.runs:<40} {'unit':>4} {'hello':>8} {'home':>8} {'lesson':>8} " \
           f"{'home/h':>7} {'less/h':>7}  budget"
    print(f"\nnntutor bench — {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}, 80×24 pty, medians of {args.runs}")
    print(head)
    print("-" * len(head))
    for label, unit, h, hm, ls, budget in rows:
        ratios = unit not in ("%", "B")  # a ratio of near-zero idle figures means nothing
        print(f"{label:<40} {unit:>4} {_fmt(h, unit):>8} {_fmt(hm, unit):>8} {_fmt(ls, unit):>8} "
              f"{_ratio(hm, h) if ratios else '–':>7} {_ratio(ls, h) if ratios else '–':>7}  {budget}")
    extra = med(lesson, "enter") - med(echo, "enter")
    print(f"{'  Not quite. minus echo (nntutor’s share)':<40} {'ms':>4} {'':>8} {'':>8} {extra * 1e3:>8.1f}"
          f" {'':>7} {'':>7}  < 16 ms")
    if args.against:
        print(f"\nagainst {args.against} (same rounds, interleaved)")
        print(f"{'measure':<40} {'unit':>4} {'that':>8} {'this':>8} {'this/that':>10}")
        for label, unit, field, runs_this, runs_that in (
                ("home: launch → first frame", "s", "first_frame", home, home_b),
                ("lesson: launch → first frame", "s", "first_frame", lesson, lesson_b),
                ("lesson: peak memory", "MB", "rss", lesson, lesson_b),
                ("lesson: Enter → Not quite.", "ms", "enter", lesson, lesson_b),
                ("lesson: Enter → Correct.", "ms", "enter_ok", lesson, lesson_b)):
            that, this = med(runs_that, field), med(runs_this, field)
            print(f"{label:<40} {unit:>4} {_fmt(that, unit):>8} {_fmt(this, unit):>8} {_ratio(this, that):>10}")
    print()
    singles = [
        (f'LessonRun.submit("3 -1"), no store ({args.calls}×)', "ms", core_none, "< 16 ms"),
        (f'LessonRun.submit("3 -1"), with store ({args.calls}×)', "ms", core_store, "< 16 ms"),
        ("nntutor check (all bundled lessons)", "s", check, "well under 1 s"),
        (f"nntutor key {LESSON} --json", "s", key, ""),
        ("python -c pass (reference)", "s", bare, ""),
    ]
    for label, unit, value, budget in singles:
        print(f"{label:<50} {unit:>4} {_fmt(value, unit):>8}  {budget}")
    ok_ms, wrong_ms = formula_latency(30)
    print(f"{'formula answer, right (SymPy worker, 30×)':<50} {'ms':>4} {ok_ms * 1e3:>8.1f}  < 150 ms")
    print(f"{'formula answer, wrong (random points, 30×)':<50} {'ms':>4} {wrong_ms * 1e3:>8.1f}  < 150 ms")
    print()
    print_engine(max(20, args.calls // 10))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
