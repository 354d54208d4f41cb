"""LaTeX in titles and abstracts as readable text (pylatexenc), for display: the stored text keeps
the original, so search, exports and the classifier read what the authors wrote."""

import logging
import re
from functools import cache

from pylatexenc import latexwalker
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from pylatexenc.macrospec import LatexContextDb, MacroSpec

MAX_CHARS = 5_000  # longer text is shown as it is: hostile LaTeX costs up to ~70 µs a character
_LATEX = re.compile(r"[$\\]")  # math or a macro; text without either is shown exactly as it is
_LITERAL = re.compile(r"(?<!\\)([%&#])")  # plain characters LaTeX would take for markup: "5%" is no comment
_TEXT_MACROS = ("texttt", "textsf", "textup", "textmd", "mbox")  # pylatexenc drops these with their text

logging.getLogger("pylatexenc").setLevel(logging.ERROR)  # it warns on every malformed macro


def _link(node, l2tobj) -> str:
    """``\\href{url}{text}`` as its text; ``\\href{url}`` (authors write that too) as the address
    followed by whatever LaTeX took for the second argument."""
    arguments = [argument for argument in node.nodeargd.argnlist if argument is not None]
    if len(arguments) == 2 and arguments[1].isNodeType(latexwalker.LatexGroupNode):
        return l2tobj.nodelist_to_text(arguments[1:])
    return l2tobj.nodelist_to_text(arguments)


@cache
def _contexts() -> tuple[LatexNodes2Text, LatexContextDb]:
    """The converter and how to parse: pylatexenc's defaults, with ``\\href`` and a few text macros
    it would drop."""
    parsing = latexwalker.get_default_latex_context_db()
    parsing.add_context_category("shelfmark", prepend=True, macros=[MacroSpec("href", "{{")])
    texts = get_default_latex_context_db()
    specs = [MacroTextSpec(name, simplify_repl="%s") for name in _TEXT_MACROS]
    texts.add_context_category("shelfmark", prepend=True, macros=[*specs, MacroTextSpec("href", _link)])
    return LatexNodes2Text(latex_context=texts, math_mode="text"), parsing


def latex_to_text(text: str) -> str:
    """``text`` with its LaTeX (math, accents, font macros) as Unicode text: ``$\\mathcal N=4$`` reads
    "𝒩=4". Text without LaTeX, longer than MAX_CHARS, or that pylatexenc cannot read (unbalanced,
    nested too deep) comes back unchanged; this never raises."""
    if not text or len(text) > MAX_CHARS or not _LATEX.search(text):
        return text
    try:
        converter, parsing = _contexts()
        return converter.latex_to_text(_LITERAL.sub(r"\\\1", text), latex_context=parsing).strip()
    except Exception:  # pylatexenc raises IndexError, RecursionError, ... on broken input
        return text
