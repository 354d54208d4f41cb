"""Titles and abstracts found in running text: PDF pages, plain-text documents, Annif TSV lines.

The rules are simple and predictable rather than clever:
- a title is the first non-blank line, or for one-line texts the first sentence, at most 200 characters;
- an abstract is the text after an "Abstract" (or "Summary") heading, up to the next heading
  ("1 Introduction", "Keywords", "Index Terms", ...) or a blank line, at most ~2000 characters
  cut at a sentence end; lines are joined with spaces and words hyphenated across lines rejoined.
"""

import re

TITLE_CHARS = 200
ABSTRACT_CHARS = 2000
MIN_SENTENCE_CHARS = 10  # a shorter "sentence" is an abbreviation such as "Dr." or "Vol. 3."
HEADING_SEARCH_CHARS = 20_000  # the abstract heading is looked for near the start only

_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
_ABSTRACT_HEADING = re.compile(  # "Abstract" alone or followed by punctuation, or "ABSTRACT" and text
    r"^\s*(?:(?i:abstract|summary)\s*(?:[.:\u2014\u2013-]+\s*(.*))?|(?:ABSTRACT|SUMMARY)\s+(.*))$"
)
_NEXT_HEADING = re.compile(
    r"^\s*(?:(?:\d+(?:\.\d+)*|[IVX]+)\.?\s+[A-Z][A-Za-z]"
    r"|(?i:keywords|key words|index terms|introduction|background|references|acknowledg)\b)"
)


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters of ``text``, cut at a space when there is one."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit + 1)
    return text[: cut if cut > 0 else limit].rstrip()


def first_line(text: str) -> str:
    """The first non-blank line, at most TITLE_CHARS characters."""
    for line in text.splitlines():
        if line.strip():
            return clip(" ".join(line.split()), TITLE_CHARS)
    return ""


def split_first_sentence(text: str) -> tuple[str, str]:
    """``(title, rest)`` of a one-line text: its first sentence (a final "." dropped), else its
    first TITLE_CHARS characters."""
    text = " ".join(text.split())
    for end in _SENTENCE_END.finditer(text, 0, TITLE_CHARS + 1):
        if end.start() >= MIN_SENTENCE_CHARS:
            title = text[: end.end()] if end.group() in "!?" else text[: end.start()]
            return title, text[end.end() :].strip()
    title = clip(text, TITLE_CHARS)
    return title, text[len(title) :].strip()


def abstract_after_heading(text: str) -> str:
    """The abstract that follows an "Abstract" heading, or "" when there is none."""
    lines = text[:HEADING_SEARCH_CHARS].splitlines()
    for number, line in enumerate(lines):
        heading = _ABSTRACT_HEADING.match(line)
        if heading:
            same_line = heading.group(1) or heading.group(2) or ""
            return _paragraph([same_line, *lines[number + 1 :]])
    return ""


def paragraph_after_title(text: str) -> str:
    """The first paragraph after the first non-blank line, at most ~ABSTRACT_CHARS characters."""
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if line.strip()), len(lines))
    return _paragraph(lines[start + 1 :])


def _paragraph(lines: list[str]) -> str:
    """Lines up to a blank line or the next heading (leading blanks skipped), joined and clipped."""
    kept: list[str] = []
    for line in lines:
        stripped = line.strip()
        if not stripped:
            if kept:
                break
            continue
        if kept and _NEXT_HEADING.match(stripped):
            break
        kept.append(stripped)
        if sum(map(len, kept)) > ABSTRACT_CHARS:
            break
    return _clip_at_sentence(_join_lines(kept), ABSTRACT_CHARS)


def _join_lines(lines: list[str]) -> str:
    joined = ""
    for line in lines:
        if joined.endswith("-") and joined[-2:-1].isalpha() and line[:1].islower():
            joined = joined[:-1] + line
        else:
            joined = f"{joined} {line}" if joined else line
    return joined


def _clip_at_sentence(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    ends = [end.end() for end in _SENTENCE_END.finditer(text, 0, limit + 1)]
    return text[: ends[-1]] if ends else clip(text, limit)
