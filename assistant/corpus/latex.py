"""LaTeX left in abstracts by arXiv-style listings: `$\\sim$13`, `Erd\\H{o}s`, `\\textbf{x}`.

Only recognisable LaTeX spans are decoded (with pylatexenc, which bibtexparser already
brings): inline math that holds a macro, a brace or a script mark; accent macros; text
formatting macros; escaped specials. Everything else is left as written, so that "$5 and
$10", "100%", "R&D" or a Windows path "C:\\Users" are never touched.
"""

from __future__ import annotations

import functools
import re

_SPAN = re.compile(
    r"(?<!\\)\$(?=[^$\n]*[\\^_{])[^$\n]{1,120}(?<!\\)\$"  # inline math: a macro, brace, ^ or _
    r"|\{?\\[`'^\"~=.][ ]?(?:\{\\?[A-Za-z]\}|\\?[A-Za-z])\}?"  # accents: \'e {\"o} \'{\i}
    r"|\\[cvuHrkd]\{\\?[A-Za-z]\}"  # \c{c} \v{s} \H{o}
    r"|\\(?:textbf|textit|textsl|textsc|textrm|textsf|texttt|emph|underline)\{[^{}\\]*\}"
)
_ESCAPED = re.compile(r"\\([%&_#$])")
# Links: "\href{URL}{text}" is the text and its address; "\url{URL}" the address.
_HREF = re.compile(r"\\href\{([^{}\s]*)\}\{([^{}]*)\}")
_URL = re.compile(r"\\url\{([^{}\s]*)\}")
_ONE_LETTER_MATH = re.compile(r"(?<!\\)\$([A-Za-z])\$")  # "$k$-NN" -> "k-NN"


def decode_latex(text: str) -> str:
    """The text with its LaTeX spans written as Unicode ("$\\sim$13" -> "∼13")."""
    if "\\" not in text and "$" not in text:
        return text
    text = _URL.sub(r"\1", _HREF.sub(r"\2 (\1)", text))
    text = _ONE_LETTER_MATH.sub(r"\1", _SPAN.sub(_decode_span, text))
    return _ESCAPED.sub(r"\1", text)


# A web address in a field, whose "~" is a character, not a tie ("https://x.org/~me").
_ADDRESS = re.compile(r"\S*://\S*")


def decode_bibtex(text: str) -> str:
    """A BibTeX field as text. A field is LaTeX through and through ("{\\L}ukasz",
    "\\emph{...}", "--", "Fig.~2"), so all of it is decoded, as bibtexparser's decoder did;
    links first, as text and address (that decoder failed whole entries on "\\href"). A
    field pylatexenc cannot read gets the spans every reader decodes (decode_latex)."""
    text = _URL.sub(r"\1", _HREF.sub(r"\2 (\1)", text))
    text = _ADDRESS.sub(lambda match: match[0].replace("~", r"\textasciitilde{}"), text)
    try:
        decoded = _converter().latex_to_text(text)
    except Exception:  # pylatexenc raises its own parse errors on odd input
        return decode_latex(text)
    return decoded.replace("\xa0", " ")


def _decode_span(match: re.Match) -> str:
    span = match.group(0)
    try:
        decoded = _converter().latex_to_text(span).strip()
    except Exception:  # pylatexenc raises its own parse errors on odd input: keep the text
        return span
    return decoded if decoded and "\\" not in decoded else span


@functools.cache
def _converter():
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text")
