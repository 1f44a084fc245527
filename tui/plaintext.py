"""Text for plain output: lesson Markdown as wrapped plain text, and symbols spelt in ASCII.

Plain mode (and ``list``/``key``/``check``) writes to whatever the user has: a screen reader,
a dumb terminal, a pipe, a console whose encoding is ASCII or Latin-1. Two functions serve it:

- :func:`markdown_to_text` turns the lesson Markdown (emphasis, inline code, lists, fenced
  blocks, tables) into plain text wrapped to a width; :func:`wrap` wraps one plain message;
- :func:`ascii_symbols` spells what an encoding cannot show in ASCII (``∂L/∂z₁`` → ``dL/dz1``),
  installed on the output streams as an encoding error handler by :func:`install_fallback`,
  so the lesson data is never touched and only unrepresentable characters change.
"""

from __future__ import annotations

import codecs
import re
import shutil
import sys
import textwrap
import unicodedata

# -- width and wrapping -----------------------------------------------------------------

def terminal_width() -> int:
    """The width to wrap to: the terminal's columns less one (80 when unknown), at least 20."""
    return max(20, shutil.get_terminal_size((80, 24)).columns - 1)


def wrap(text: str, width: int | None = None, indent: str = "", hang: str | None = None) -> str:
    """``text`` wrapped line by line without splitting words; ``hang`` indents continuations.

    Inline Markdown (``**``, backticks) is removed first, as in the lesson text."""
    width = width or terminal_width()
    hang = indent if hang is None else hang
    out = []
    for line in text.splitlines() or [""]:
        out.extend(_fill(inline(line), width, indent, hang) or [indent.rstrip()])
    return "\n".join(out)


def _fill(text: str, width: int, first: str, rest: str) -> list[str]:
    return textwrap.wrap(text, width, initial_indent=first, subsequent_indent=rest,
                         break_long_words=False, break_on_hyphens=False)


# -- Markdown to plain text -------------------------------------------------------------

_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.S)
# a single * or _ opens only before a non-space and not inside a word (W* in ∂s/∂W* stays)
_EM = re.compile(r"(?<![\w*])([*_])(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*])", re.S)
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_FENCE = re.compile(r"^\s{0,3}(```+|~~~+)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)([-*+])\s+(.*)$")
_NUMBERED = re.compile(r"^(\s*)(\d{1,3}[.)])\s+(.*)$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")


def inline(text: str) -> str:
    """One line's inline Markdown removed: emphasis, code spans, links, backslash escapes."""
    parts = _CODE_SPAN.split(text)
    out = []
    # split() with two groups yields [text, ticks, code, text, ticks, code, ..., text]
    for i in range(0, len(parts), 3):
        plain = parts[i]
        plain = _LINK.sub(lambda m: m[1] if m[1] == m[2] else f"{m[1]} ({m[2]})", plain)
        plain = _STRONG.sub(r"\2", plain)
        plain = _EM.sub(r"\2", plain)
        out.append(_ESCAPE.sub(r"\1", plain))
        if i + 2 < len(parts):
            out.append(parts[i + 2])
    return "".join(out)


def markdown_to_text(md: str, width: int | None = None) -> str:
    """Lesson Markdown as plain text wrapped to ``width``.

    Paragraphs are joined and re-wrapped; list items keep their bullet (``- ``) or number,
    with continuation lines under the item's text; headings become their text; fenced and
    indented code blocks and tables are kept line for line (fences dropped, never re-wrapped)."""
    width = width or terminal_width()
    blocks: list[list[str]] = []      # output lines, block by block (joined by blank lines)
    para: list[str] = []              # the paragraph being gathered
    item: tuple[str, str, list[str]] | None = None  # (indent, marker, text lines) of a list item
    lines = md.strip("\n").splitlines()

    def flush() -> None:
        nonlocal item
        if para:
            blocks.append(_fill(inline(" ".join(s.strip() for s in para)), width, "", ""))
            para.clear()
        if item is not None:
            indent, marker, words = item
            lead = indent + marker + " "
            filled = _fill(inline(" ".join(words)), width, lead, " " * len(lead))
            if blocks and isinstance(blocks[-1], _ListBlock):  # the items of a list form one block
                blocks[-1].extend(filled or [lead.rstrip()])
            else:
                blocks.append(_ListBlock(filled or [lead.rstrip()]))
            item = None

    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            flush()
            mark = fence.group(1)
            body = []
            i += 1
            while i < len(lines) and not lines[i].lstrip().startswith(mark):
                body.append(lines[i].rstrip())
                i += 1
            blocks.append(body)
            i += 1  # the closing fence
            continue
        stripped = line.strip()
        if not stripped:
            flush()
            i += 1
            continue
        if stripped.startswith("|"):
            flush()
            table = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                table.append(lines[i].rstrip())
                i += 1
            blocks.append(table)
            continue
        if line.startswith(("    ", "\t")) and not para and item is None:
            flush()
            code = []
            while i < len(lines) and (lines[i].startswith(("    ", "\t")) or not lines[i].strip()):
                code.append(lines[i].rstrip())
                i += 1
            while code and not code[-1]:
                code.pop()
            blocks.append(code)
            continue
        heading = _HEADING.match(line)
        if heading and not para:
            flush()
            blocks.append(_fill(inline(heading.group(1)), width, "", ""))
            i += 1
            continue
        if _RULE.match(line) and not para:
            flush()
            blocks.append(["-" * min(width, 20)])
            i += 1
            continue
        listed = _BULLET.match(line) or _NUMBERED.match(line)
        if listed:
            indent = listed.group(1)
            flush()
            marker = "-" if listed.group(2) in "-*+" else listed.group(2)
            item = (indent, marker, [listed.group(3)])
            i += 1
            continue
        if item is not None:  # a continuation of the item (indented or lazy)
            item[2].append(stripped)
        else:
            para.append(line)
        i += 1
    flush()
    return "\n\n".join("\n".join(b) for b in blocks)


class _ListBlock(list):
    """Lines of consecutive list items: one block, no blank lines between the items."""


# -- symbols in ASCII -------------------------------------------------------------------

_SYMBOLS = {
    "∂": "d", "∇": "grad", "Σ": "sum", "∑": "sum", "Π": "prod", "∏": "prod", "∫": "int",
    "·": "*", "⋅": "*", "∙": "*", "×": "x", "÷": "/", "−": "-", "–": "-", "—": "--", "‐": "-",
    "→": "->", "←": "<-", "↦": "|->", "⇒": "=>", "⇔": "<=>", "↔": "<->", "↑": "^", "↓": "v",
    "≈": "~", "≠": "!=", "≤": "<=", "≥": ">=", "±": "+-", "∓": "-+", "≡": "==", "∝": "~",
    "√": "sqrt", "∞": "inf", "∈": " in ", "∉": " not in ", "⊂": " subset ", "∘": "o", "⊙": "(.)",
    "⊗": "(x)", "‖": "||", "′": "'", "″": "''", "‴": "'''", "…": "...", "°": " deg",
    "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "•": "-", "★": "*",
    "λ": "lambda", "Λ": "Lambda", "ϵ": "epsilon", "ϑ": "theta", "ϕ": "phi", "µ": "mu",
    "\u0302": "_hat", "\u0304": "_bar", "\u0305": "_bar", "\u0303": "_tilde", "\u0307": "_dot",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u200b": "",
    "⁺": "+", "⁻": "-", "⁼": "=", "⁽": "(", "⁾": ")", "ᵀ": "T", "ⁿ": "n", "ⁱ": "i",
    "ᵢ": "i", "ⱼ": "j", "ₖ": "k", "ₙ": "n", "ₜ": "t", "ₘ": "m", "ₓ": "x", "₊": "+", "₋": "-",
    "₍": "(", "₎": ")",
}
_SUPERSCRIPTS = set("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵀⁿⁱ")


def ascii_symbols(text: str) -> str:
    """``text`` with every non-ASCII character spelt in ASCII: ``∂L/∂z₁`` → ``dL/dz1``,
    ``σ`` → ``sigma``, ``ŷ`` → ``y_hat``, ``x²`` → ``x^2``, ``X⁻¹`` → ``X^-1``; ``?`` for
    anything without a spelling."""
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch < "\x80":
            out.append(ch)
        elif ch in _SUPERSCRIPTS:  # a run of superscripts is one exponent: ^-1, ^T
            j = i
            while j < len(text) and text[j] in _SUPERSCRIPTS:
                j += 1
            out.append("^" + "".join(_one(c) for c in text[i:j]))
            i = j
            continue
        else:
            out.append(_one(ch))
        i += 1
    return "".join(out)


def _one(ch: str) -> str:
    if ch in _SYMBOLS:
        return _SYMBOLS[ch]
    name = unicodedata.name(ch, "")
    if name.startswith("GREEK "):  # GREEK SMALL LETTER SIGMA -> sigma, CAPITAL -> Sigma
        word = name.split()[-1].lower().replace("lamda", "lambda")
        return word.capitalize() if "CAPITAL" in name else word
    # é -> e, ₁ -> 1, ² -> 2, ﬁ -> fi; combining marks spelt by _SYMBOLS or dropped
    decomposed = unicodedata.normalize("NFKD", ch)
    if decomposed != ch:
        spelt = "".join(c if c < "\x80" else _SYMBOLS.get(c, "" if unicodedata.combining(c) else "?")
                        for c in decomposed)
        return spelt or "?"
    return "?"


def _fallback(exc: UnicodeError):
    """Encoding error handler: spell the unencodable run in ASCII (superscript runs whole)."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    end = exc.end
    if exc.object[end - 1] in _SUPERSCRIPTS:  # X⁻¹ in Latin-1: ¹ fits, ⁻ does not; spell both
        while end < len(exc.object) and exc.object[end] in _SUPERSCRIPTS:
            end += 1
    start = exc.start
    return ascii_symbols(exc.object[start:end]), end


ERRORS = "nntutor-ascii"
codecs.register_error(ERRORS, _fallback)


def is_utf(encoding: str | None) -> bool:
    try:
        return codecs.lookup(encoding or "ascii").name.startswith("utf")
    except LookupError:
        return False


def install_fallback() -> None:
    """Where stdout and stderr are not UTF-8, spell what they cannot show in ASCII instead of
    failing; where stdin is not, read bytes it cannot decode as U+FFFD (the answer reader then
    says which character it cannot read)."""
    for stream, errors in ((sys.stdout, ERRORS), (sys.stderr, ERRORS), (sys.stdin, "replace")):
        if stream is not None and not is_utf(getattr(stream, "encoding", None)) \
                and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors=errors)


def as_shown(text: str, stream=None) -> str:
    """``text`` as ``stream`` (stdout) will show it: spelt in ASCII where its encoding falls short.

    Wrap what this returns, so that a line spelt longer (σ → sigma) still fits the width."""
    stream = stream or sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    if is_utf(encoding):
        return text
    try:
        return text.encode(encoding, ERRORS).decode(encoding)
    except LookupError:
        return ascii_symbols(text)


def can_show(text: str, stream=None) -> bool:
    """Whether ``stream`` (stdout) can write ``text`` as it is."""
    stream = stream or sys.stdout
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True
