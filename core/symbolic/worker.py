"""The SymPy worker: a child process that answers "are these two trees equal?" within a time cap.

It is started with :mod:`subprocess` (``python -I -m nntutor.core.symbolic --worker MEM``, whose
``__main__`` runs :func:`serve`; isolated from the current directory and PYTHONPATH, in "/")
and speaks one JSON object per line on stdin/stdout. Why not multiprocessing: "spawn" and
"forkserver" re-import the parent's ``__main__`` (the Textual app or pytest) in the child and
pickle objects across; a plain child runs only this module, its protocol is explicit data, it
is killed with one call, and it exits by itself when the parent's end of the pipe closes. Only
trees travel, as a table of nodes (numbers as integer pairs, :func:`to_table`), so no text ever
reaches SymPy's parser; the child converts the table with SymPy constructors
(:func:`to_sympy`). In the child, RLIMIT_AS bounds memory (MEMORY_LIMIT). A SymPy call holds
the GIL and cannot be interrupted, so a call over the cap is ended by killing the child; a new
one starts at once in the background. The parent waits on a queue fed by a reader thread, so
it never blocks longer than the cap.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from typing import Mapping, Sequence

from .checking import CAP
from .reading import _SYMBOL
from .tree import Add, Const, Div, Mul, Neg, Node, Num, Pow, Sym, _children, _postorder

#: The module the worker process runs (its ``__main__``).
ENTRY = "nntutor.core.symbolic"

#: Address-space limit of the worker process, in bytes.
MEMORY_LIMIT = 1 << 30
#: How long a starting worker may take to import SymPy before it is replaced.
STARTUP_LIMIT = 30.0


def to_table(node: Node) -> list[list]:
    """The tree as JSON-ready data: distinct nodes children first, each referring to earlier rows.

    Rows: ["num", p, q], ["const", name], ["sym", name], ["neg", i], ["add", [i, …]],
    ["mul", [i, …]], ["div", i, j], ["pow", i, j], ["fn", name, i]; the root is the last row.
    """
    order, index = _postorder(node)
    rows: list[list] = []
    for n in order:
        ix = [index[id(c)] for c in _children(n)]
        if isinstance(n, Num):
            rows.append(["num", n.value.numerator, n.value.denominator])
        elif isinstance(n, Const):
            rows.append(["const", n.name])
        elif isinstance(n, Sym):
            rows.append(["sym", n.name])
        elif isinstance(n, Neg):
            rows.append(["neg", ix[0]])
        elif isinstance(n, Add):
            rows.append(["add", ix])
        elif isinstance(n, Mul):
            rows.append(["mul", ix])
        elif isinstance(n, Div):
            rows.append(["div", ix[0], ix[1]])
        elif isinstance(n, Pow):
            rows.append(["pow", ix[0], ix[1]])
        else:
            rows.append(["fn", n.name, ix[0]])
    return rows


def to_sympy(table: Sequence[Sequence], assumptions: Mapping[str, str] | None = None):
    """A SymPy expression from a node table (done only in the worker process).

    Built with SymPy constructors from data, never from text. assumptions: symbol name ->
    "positive" | "negative" | "real" (default "real"). σ(u) becomes 1/(1 + e^(−u)).
    """
    import sympy

    assumptions = assumptions or {}
    funcs = {"exp": sympy.exp, "ln": sympy.log, "sqrt": sympy.sqrt, "tanh": sympy.tanh,
             "sin": sympy.sin, "cos": sympy.cos, "abs": sympy.Abs,
             "sigmoid": lambda u: 1 / (1 + sympy.exp(-u))}
    out: list = []
    for row in table:
        op = row[0]
        if op == "num":
            v = sympy.Rational(int(row[1]), int(row[2]))
        elif op == "const":
            v = {"e": sympy.E, "pi": sympy.pi}[row[1]]
        elif op == "sym":
            name = str(row[1])
            if not _SYMBOL.match(name):
                raise ValueError(f"bad symbol name {name!r}")
            kind = assumptions.get(name, "real")
            v = sympy.Symbol(name, **{kind if kind in ("positive", "negative") else "real": True})
        elif op == "neg":
            v = -out[row[1]]
        elif op == "add":
            v = sympy.Add(*(out[i] for i in row[1]))
        elif op == "mul":
            v = sympy.Mul(*(out[i] for i in row[1]))
        elif op == "div":
            v = out[row[1]] / out[row[2]]
        elif op == "pow":
            v = sympy.Pow(out[row[1]], out[row[2]])
        elif op == "fn":
            v = funcs[row[1]](out[row[2]])
        else:
            raise ValueError(f"unknown row {op!r}")
        out.append(v)
    return out[-1]



class SymbolicWorker:
    """A child process that answers "are these two trees equal?" with SymPy, within a time cap.

    Lazily started (by ``warm()`` or the first check); ``close()`` ends it. Thread-safe; a
    call never blocks longer than its timeout: a worker still importing SymPy, a SymPy call
    over the cap or a crashed worker gives "timeout"/"unavailable"/"unknown" and the caller
    uses its numeric verdict. A worker over the cap is killed and a fresh one started.
    """

    def __init__(self, memory: int = MEMORY_LIMIT, startup_limit: float = STARTUP_LIMIT) -> None:
        self.memory = int(memory)
        self.startup_limit = float(startup_limit)
        self.restarts = 0  # workers killed (over the cap, crashed, or never ready)
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._inbox: queue.Queue | None = None
        self._ready = False
        self._started = 0.0
        self._next_id = 0

    # -- life cycle
    def warm(self, wait: float = 0.0) -> bool:
        """Start the worker (it imports SymPy and runs one simplify); with `wait`, wait up to
        that many seconds for it to be ready. True when ready. Call when a lesson with formula
        steps opens, so the first check is fast."""
        deadline = time.monotonic() + max(0.0, wait)
        if not self._lock.acquire(timeout=max(0.0, wait)):
            return False  # a check is running: the worker is up
        try:
            self._ensure()
            return self._await_ready(deadline)
        finally:
            self._lock.release()

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    def close(self) -> None:
        with self._lock:
            self._stop()

    def __enter__(self) -> "SymbolicWorker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:  # a forgotten worker is still ended (it also exits on EOF)
        try:
            self._stop()
        except Exception:
            pass

    def _ensure(self) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            if self._ready or time.monotonic() - self._started < self.startup_limit:
                return
            self.restarts += 1  # never got ready: replace it
        elif proc is not None:
            self.restarts += 1  # it died (crashed, or killed from outside)
        if proc is not None:
            self._stop()
        env = dict(os.environ)
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = "1"  # the worker does no linear algebra: no thread pools, less memory
        # -I: isolated mode, so neither the current directory nor PYTHONPATH comes first on the
        # child's sys.path (a `nntutor/` folder where the student starts the tutor must never
        # run); cwd="/" so nothing relative to where it started can matter either.
        self._proc = subprocess.Popen(
            [sys.executable, "-I", "-m", ENTRY, "--worker", str(self.memory)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=env, cwd=os.path.abspath(os.sep), close_fds=True, start_new_session=True)
        self._inbox = queue.Queue()
        self._ready = False
        self._started = time.monotonic()
        threading.Thread(target=_pump, args=(self._proc.stdout, self._inbox), daemon=True,
                         name="nntutor-sympy-reader").start()

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        self._ready = False
        if proc is None:
            return
        try:
            proc.kill()
        except OSError:
            pass
        for pipe in (proc.stdin, proc.stdout):
            try:
                pipe.close()
            except OSError:
                pass
        try:
            proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            pass

    def _restart(self) -> None:
        self.restarts += 1
        self._stop()
        self._ensure()

    def _await_ready(self, deadline: float) -> bool:
        while not self._ready:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                msg = self._inbox.get(timeout=remaining)
            except queue.Empty:
                return False
            if msg is None:  # the worker died while starting
                self._restart()
                return False
            if msg.get("ready"):
                self._ready = True
        return True

    # -- requests
    def equivalent(self, a: Node, b: Node, assumptions: Mapping[str, str] | None = None,
                   timeout: float = CAP, wait: float = 0.0) -> str:
        """"equal" | "different" | "unknown" (SymPy cannot tell, or failed) | "timeout" (over
        the cap: the worker was killed and restarted) | "unavailable" (still starting after
        ``wait`` more seconds than the cap)."""
        return self._call({"op": "equal", "a": to_table(a), "b": to_table(b),
                           "assume": dict(assumptions or {})}, timeout, wait)

    def _call(self, request: dict, timeout: float, wait: float = 0.0) -> str:
        timeout, wait = max(0.0, timeout), max(0.0, wait)
        if not self._lock.acquire(timeout=timeout + wait):
            return "unavailable"
        try:
            ready_by = time.monotonic() + timeout + wait
            for _attempt in range(2):  # a worker found dead (killed, crashed) is replaced once
                self._ensure()
                if not self._await_ready(ready_by):
                    return "unavailable"
                answer = self._ask(request, time.monotonic() + timeout)  # SymPy's own time starts now
                if answer != "died":
                    return answer
                self._restart()
            return "unknown"  # it died twice on this request: the request itself brings it down
        finally:
            self._lock.release()

    def _ask(self, request: dict, deadline: float) -> str:
        """Send one request to the ready worker and wait for its answer until ``deadline``:
        a verdict, "timeout" (the worker is killed and restarted) or "died"."""
        self._next_id += 1
        request = dict(request, id=self._next_id)
        try:
            self._proc.stdin.write((json.dumps(request) + "\n").encode())
            self._proc.stdin.flush()
        except (OSError, ValueError):
            return "died"
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._restart()  # SymPy holds the child's GIL: only a kill stops it
                return "timeout"
            try:
                msg = self._inbox.get(timeout=remaining)
            except queue.Empty:
                continue
            if msg is None:
                return "died"
            if msg.get("id") == request["id"]:
                result = msg.get("result")
                return result if result in ("equal", "different", "unknown") else "unknown"


def _pump(stream, inbox: queue.Queue) -> None:
    """Reader thread: the worker's lines as dicts, then None at end of file."""
    try:
        for line in stream:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if isinstance(msg, dict):
                inbox.put(msg)
    except (OSError, ValueError):
        pass
    inbox.put(None)


# ----------------------------------------------------------------------------- worker side

def _limit_memory(limit: int) -> None:
    try:
        import resource
    except ImportError:  # not POSIX: no limit, the time cap still holds
        return
    try:
        with open("/proc/self/statm") as f:
            used = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        used = 0
    limit = max(limit, 2 * used)  # never below what is already mapped
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass


def _equal(a, b) -> str:
    """SymPy's verdict on a = b: "equal", "different" or "unknown"."""
    import sympy

    d = a - b
    if d == 0:
        return "equal"
    if sympy.simplify(d) == 0:
        return "equal"
    if d.has(sympy.tanh) and sympy.simplify(d.rewrite(sympy.exp)) == 0:
        return "equal"
    same = d.equals(0)
    return "equal" if same is True else "different" if same is False else "unknown"


def _warm_up() -> None:
    import sympy

    t = sympy.Symbol("t", real=True)
    s = 1 / (1 + sympy.exp(-t))
    _equal(s * (1 - s), sympy.exp(-t) / (1 + sympy.exp(-t)) ** 2)
    _equal((t + 1) ** 2, t ** 2 + 2 * t + 1)
    _equal(sympy.tanh(t) ** 2, 1 - 1 / sympy.cosh(t) ** 2)


def _serve(memory: int) -> None:
    """The worker's loop: one JSON request per line in, one JSON answer per line out."""
    out = sys.stdout
    sys.stdout = sys.stderr  # stray prints must not corrupt the protocol
    _limit_memory(memory)
    import sympy  # noqa: F401  (the import is the slow part of starting)

    _warm_up()
    out.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    out.flush()
    for line in sys.stdin:
        try:
            req = json.loads(line)
            rid = req.get("id")
        except (ValueError, AttributeError):
            continue
        try:
            if req.get("op") == "equal":
                assume = req.get("assume") or {}
                result = _equal(to_sympy(req["a"], assume), to_sympy(req["b"], assume))
            else:
                result = "unknown"
            answer = {"id": rid, "result": result}
        except (Exception, MemoryError, RecursionError) as exc:
            answer = {"id": rid, "result": "unknown", "error": type(exc).__name__}
        out.write(json.dumps(answer) + "\n")
        out.flush()
