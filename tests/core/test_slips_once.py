"""Every mistake declared once, by its operation: one wording per slip, and every slip placed somewhere.

Two operations placed in the lessons that compute the same value from the same inputs, and declare
a slip of the same name that computes the same value too, must word it alike (up to the symbols
and numbers of the place): a second declaration of a slip is a second wording of it. And every slip
an operation of :mod:`nntutor.core.ops` declares is placed by some bundled lesson or the kinds'
test lessons; the few that are not are listed here, so a new one cannot go unnoticed.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np

from nntutor.core.catalog import load_catalog
from nntutor.core.graph import Problem, texts
from nntutor.core.lesson import load_lesson
from nntutor.core.ops import ACTIVATIONS, activation, linear
from nntutor.core.ops.record import Op
from nntutor.core.writer import Writer

ROOT = Path(__file__).resolve().parents[2]
OPS = ROOT / "core" / "ops"
TEST_LESSONS = sorted((ROOT / "tests" / "lessons" / "kinds").glob("*.toml"))


def _problems() -> list[tuple[str, Problem]]:
    bundled = [(e.id, e.lesson.problem) for e in load_catalog().entries() if e.lesson is not None]
    return bundled + [(f"tests/{p.stem}", load_lesson(p).problem) for p in TEST_LESSONS]


PROBLEMS = _problems()


# -- one wording per slip ------------------------------------------------------------------------


def _wording(text: str) -> str:
    """A message template as words: the symbols (``{W}``, ``{f}``) and numbers of a place left out."""
    return re.sub(r"\d+(?:\.\d+)?", "#", re.sub(r"\{[^{}]*\}", "{}", text))


def _computes(fn, args, want) -> bool:
    """``fn(*args)`` gives ``want`` (finite, same shape); False when it cannot take these inputs."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            got = np.asarray(fn(*args), dtype=float)
    except Exception:  # another operation's inputs: other shapes, other counts
        return False
    want = np.asarray(want, dtype=float)
    return got.shape == want.shape and bool(np.all(np.isfinite(got))) and np.allclose(got, want, 1e-9, 1e-12)


def duplicate_wordings(problems) -> list[tuple]:
    """Pairs of placed slips of one name that compute the same value, from operations that compute the
    same value, worded differently: (name, where, wording, other place, its wording)."""
    placed: dict[tuple, tuple] = {}  # (op, slip, en, ru) -> its first place, in numbers
    for where, problem in problems:
        values = problem.evaluate()
        for key, q in problem.quantities.items():
            if not q.op:
                continue
            op = (q.fn, [values[d] for d in q.deps], values[key])
            for m in q.mistakes:
                placed.setdefault((q.op, m.name, m.text["en"], m.text["ru"]),
                                  (f"{where}:{key}", op, m, [values[d] for d in m.deps]))
    by_name: dict[str, list] = {}
    for (_, name, en, ru), place in placed.items():
        by_name.setdefault(name, []).append(((_wording(en), _wording(ru)), place))
    found = []
    for name, places in by_name.items():
        for i, (words_a, (where_a, (fn_a, args_a, value_a), slip_a, in_a)) in enumerate(places):
            for words_b, (where_b, (fn_b, args_b, value_b), slip_b, in_b) in places[i + 1:]:
                if words_a == words_b:
                    continue
                same_op = _computes(fn_b, args_a, value_a) and _computes(fn_a, args_b, value_b)
                if same_op and _computes(slip_b.fn, in_a, slip_a.fn(*in_a)) \
                        and _computes(slip_a.fn, in_b, slip_b.fn(*in_b)):
                    found.append((name, where_a, slip_a.text["en"], where_b, slip_b.text["en"]))
    return found


def test_a_slip_of_the_same_operation_is_worded_once_in_every_lesson():
    assert duplicate_wordings(PROBLEMS) == []


def test_the_check_finds_a_slip_worded_twice():
    """The same linear map placed twice, one place's slip re-declared in other words, is found; a
    different slip of the same name (ReLU's and tanh's no_derivative: their backward differs) is not."""
    def problem(op: Op, act: str) -> tuple[str, Problem]:
        w = Writer("test")
        w.given("x", np.array([1.0, 2.0]), "x", texts("x", "x"))
        w.given("W", np.array([[1.0, -1.0], [0.5, 3.0]]), "W", texts("W", "W"))
        w.given("g", np.array([-1.0, 2.0]), "g", texts("g", "g"))
        w.apply(op, "z", "z", texts("z", "z"), "forward", a="x", W="W")
        w.apply(activation.forward(ACTIVATIONS[act]), "a", "a", texts("a", "a"), "forward", z="z")
        w.apply(activation.backward(ACTIVATIONS[act]), "dz", "dz", texts("dz", "dz"), "backward", g="g", z="z", a="a")
        return act, w.build()

    op = linear.affine(row=True, batch=False, bias=False, square=True)
    (right,) = op.slips
    reworded = replace(op, slips=(replace(right, en="You took {W} the other way round."),))
    found = duplicate_wordings([problem(op, "relu"), problem(reworded, "tanh")])
    assert [name for name, *_ in found] == ["transposed_W"]
    assert duplicate_wordings([problem(op, "relu"), problem(op, "tanh")]) == []


# -- every slip placed somewhere -----------------------------------------------------------------

#: Slips declared by an operation that no bundled lesson or test lesson places (module, name as
#: written, which of that module's declarations of the name): reported; a lesson that places the
#: operation with these settings would reach them.
UNPLACED = {
    ("batchnorm.py", '"running_variance"', 1),        # a running variance fed the biased σ² by convention
    ("conv.py", '"flip_rows_only"', 0),               # turning a kernel by 180°: no lesson asks for W̃
    ("conv.py", '"flip_cols_only"', 0),
    ("optimizer.py", '"momentum_form"', 1),           # PyTorch's momentum buffer
    ("optimizer.py", '"nesterov_form"', 1),           # PyTorch's Nesterov
    ("optimizer.py", 'f"{state}_adam_form"', 0),      # Adam fed back its corrected moments
    ("optimizer.py", '"clip_each_parameter"', 0),     # a dense net clipped by the norm of all its gradients
}


def _pattern(node: ast.expr) -> str:
    """A regular expression for the text an expression gives: f-strings and concatenations as far as
    they are written out, anything else any text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value)
    if isinstance(node, ast.JoinedStr):
        return "".join(re.escape(v.value) if isinstance(v, ast.Constant) else ".*?" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _pattern(node.left) + _pattern(node.right)
    return ".*?"


def _declaration(node: ast.expr) -> tuple[ast.expr, ast.expr | None] | None:
    """The name and the English words of a slip written at ``node``: a call ``slip(name, uses, fn, en,
    ru)``, or a row ``(name, fn, …, en, …)`` of a table a module makes its slips from (the name
    a string, the row holding a lambda). None for anything else."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "slip":
        en = node.args[3] if len(node.args) > 3 and not isinstance(node.args[3], ast.Starred) else None
        return node.args[0], en
    if isinstance(node, ast.Tuple) and node.elts and isinstance(node.elts[0], ast.Constant) \
            and isinstance(node.elts[0].value, str) and node.elts[0].value.isidentifier() \
            and any(isinstance(e, ast.Lambda) for e in node.elts):
        words = [e for e in node.elts[1:] if isinstance(e, (ast.Constant, ast.JoinedStr, ast.BinOp))
                 and " " in ast.unparse(e)]
        return node.elts[0], (words[0] if words else None)
    return None


def declared_slips() -> list[tuple[tuple[str, str, int], str, str]]:
    """Each slip written in the operations' modules by its name (a string or an f-string): its key
    (module, name as written, which of that module's declarations of the name), and patterns of its
    name and English words. A ``slip(name, …)`` whose name is a variable is its table's rows."""
    out = []
    for path in sorted(OPS.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        seen: dict[str, int] = {}
        found = [(n, d) for n in ast.walk(ast.parse(source)) if (d := _declaration(n)) is not None]
        for node, (name, en) in sorted(found, key=lambda f: (f[0].lineno, f[0].col_offset)):
            if not isinstance(name, (ast.Constant, ast.JoinedStr)):
                continue  # named from a table: its rows are declarations of their own
            written = ast.get_source_segment(source, name)
            key = (path.name, written, seen.get(written, 0))
            seen[written] = key[2] + 1
            out.append((key, _pattern(name), ".*?" if en is None else _pattern(en)))
    return out


def test_every_slip_of_an_operation_is_placed_by_some_lesson():
    placed = {(m.name, m.text["en"]) for _, problem in PROBLEMS for q in problem.quantities.values()
              for m in q.mistakes}
    declared = declared_slips()
    assert len(declared) > 100
    unplaced = set()
    for key, name, en in declared:
        name_re, en_re = re.compile(name + r"\Z", re.S), re.compile(en + r"\Z", re.S)
        if not any(name_re.match(n) and en_re.match(t) for n, t in placed):
            unplaced.add(key)
    assert unplaced == UNPLACED
