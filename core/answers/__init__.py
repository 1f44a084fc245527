"""Reading a student's typed answer: numbers, expressions, vectors and matrices.

``read_answer(text, shape)`` returns a :class:`Reading` (float64 values in the expected
shape plus the precision the student typed) or a :class:`FormatProblem` (a stable code
and a short EN/RU message saying what was wrong and what was expected, with an example).

A tokenizer and a recursive-descent parser read each element; the parser hands every
construct (number, name, + − × ÷, power, function) to an :class:`Algebra`. read_answer uses
:data:`FLOATS`, which evaluates in Python floats with ``math``; ``read_expression`` reads one
expression with any algebra (:mod:`nntutor.core.symbolic` builds formula trees with one,
:mod:`nntutor.core.expr` graph trees with another). Student text never reaches
eval/exec/compile/sympify. Every input is bounded (length, nesting, literal length, element
count) so hostile text ends in well under 10 ms.

One job per module, each using only those above it:

    shapes.py   values and shapes in words (format_value, describe_shape, example_for),
                FormatProblem and AnswerError
    lexer.py    characters mapped to ASCII and checked; tokens (decimal comma or separator)
    algebra.py  the Algebra interface, FLOATS, and the function and constant names
    parser.py   the grammar: tokens to arrays of elements, each built by an Algebra
    reading.py  read_answer (the typed array matched to the expected shape, the decimal comma
                asked about when it is ambiguous) and read_expression

Names with a leading underscore are shared inside this package only.
"""

from .algebra import CONSTANT_NAMES, FLOATS, FUNCTION_NAMES, RESERVED_NAMES, Algebra, FloatAlgebra, _unknown_name
from .lexer import EXACT_SIG_FIGS, MAX_LITERAL, MAX_TOKENS
from .parser import MAX_DEPTH, MAX_ELEMENTS
from .reading import MAX_CHARS, Reading, _read, _read_expression, read_answer, read_expression
from .shapes import AnswerError, FormatProblem, _Ctx, _where, describe_shape, example_for, format_value

__all__ = [
    "Reading", "FormatProblem", "read_answer", "describe_shape", "example_for",
    "format_value", "MAX_CHARS", "MAX_DEPTH", "MAX_ELEMENTS", "MAX_LITERAL", "MAX_TOKENS",
    "EXACT_SIG_FIGS", "Algebra", "FloatAlgebra", "FLOATS", "AnswerError", "read_expression",
    "FUNCTION_NAMES", "CONSTANT_NAMES", "RESERVED_NAMES",
]
