"""Symbolic answers: formulas read into small trees, compared at random points and with SymPy.

One job per module, each depending only on those above it:

    tree.py       the immutable nodes (Num, Const, Sym, Neg, Add, Mul, Div, Pow, Fn), walks,
                  sizes, and the builders that keep sums and products flat
    printing.py   show(): canonical ASCII and text for people; Formula (a tree with its texts)
    calculus.py   evaluate() at points with NumPy, derivative(), substitute()
    reading.py    read_formula(): the answer parser of core.answers with a tree algebra
    diagnosis.py  how a wrong formula differs from the expected one (a factor, a term, a sign,
                  the inner derivative, the transpose), found on the trees, confirmed by numbers
    checking.py   FormulaSpec, screen_formula (NumPy), prove_formula (SymPy), check_formula
    worker.py     SymbolicWorker, the child process where SymPy runs, and its side of the pipe

Reading, printing, calculus, diagnosis and screening never import SymPy (a test proves it);
only the worker process does, and it receives trees as data, never text.

Why two expression trees in core (the one place this is explained; :mod:`nntutor.core.expr`
points here). Both read text with the one parser of :mod:`nntutor.core.answers`, each through
its own Algebra, so the grammar, the character mapping and the bounds are written once; the
trees they build answer different questions.

- :mod:`nntutor.core.expr` (Num, Var, Op) is for computational-graph lessons: it keeps the
  expression *as the student will draw it*. Operations stay binary and in the order written
  (``a - b`` is a ``sub`` node, ``a + -b`` an ``add`` over a ``neg``), numbers are floats as
  typed, every product is written with ``*``, any ASCII name is a variable, and each node
  becomes a box of the graph with its local derivative (``expr.apply``, ``expr.partial``).
- This package's tree (tree.py) is for formula *answers*: exact rational numbers, flat sums
  and products with signs folded (``a - b`` is Add(a, Neg(b))), declared symbols only,
  juxtaposition allowed (``2x``), and on it exact folding, calculus and a term-by-term
  comparison with the expected formula (diagnosis.py).

Either tree in the other's job would lie: the folded tree cannot draw the boxes a graph lesson
asks about (which subtraction did the student write?), and a tree of binary float operations
cannot fold exactly or be compared term by term. Merging them would need one set of nodes that
holds both forms (binary operations as written, and flat folded sums and products) with exact
numbers, a normalising pass from the written form to the folded one that every check,
derivative and diagnosis here runs first, and the graph builder and its local derivatives
working on the written form. That would save expr's own printing and evaluation (about 100
lines) at the cost of touching every formula check, so the trees stay two.
"""

# Everything callers imported from the single module this package replaced stays importable from
# here (the limits, definitions, _TreeAlgebra for a test); __all__ is the public part.
from .calculus import derivative, evaluate, substitute
from .checking import (
    CAP, KEY_POINTS, MIN_POINTS, READY_WAIT, SAMPLES, FormulaResult, FormulaSpec, check_formula, draw_points,
    formula_value, key_points, prove_formula, screen_formula,
)
from .printing import MAX_SHOWN, Formula, definitions, show
from .reading import _TreeAlgebra, check_symbols, describe_formula, read_formula
from .tree import (
    FUNCTIONS, MAX_BITS, MAX_EXPONENT, MAX_NODES, MAX_TREE_DEPTH, Add, Const, Div, Fn, Mul, Neg, Node, Num, Pow,
    Sym, add, div, fn, free_symbols, mul, neg, power, size, sub, tree_size,
)
from .worker import MEMORY_LIMIT, STARTUP_LIMIT, SymbolicWorker, to_sympy, to_table

__all__ = [
    "Num", "Const", "Sym", "Neg", "Add", "Mul", "Div", "Pow", "Fn", "Node", "Formula",
    "add", "mul", "neg", "sub", "div", "power", "fn", "check_symbols", "describe_formula",
    "read_formula", "evaluate", "derivative", "substitute", "free_symbols", "size", "tree_size", "show",
    "to_table", "to_sympy", "draw_points", "key_points", "FormulaSpec", "FormulaResult", "check_formula",
    "screen_formula", "prove_formula", "formula_value",
    "SymbolicWorker", "CAP", "KEY_POINTS", "MAX_NODES",
]
