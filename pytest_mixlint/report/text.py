"""What users wrote, made safe to show: in a terminal, and in Markdown meant for pull requests.

A source named ``"\\x1b]0;pwned\\x07"`` must not retitle a terminal, a right-to-left override
must not reverse the text around it, and ``"\\n## ALL CHECKS PASSED\\n<details>"`` must not add a
heading to a PR comment and fold the real results away.
"""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 controls but tab and newline, DEL, the bidirectional marks, overrides and isolates,
# and invisible characters (zero-width, word joiner, byte-order mark) that make two names look alike.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# Characters with a meaning in GitHub-flavoured Markdown (and HTML) inside a line or a table cell
# (parentheses only make a link after a bracket, which is escaped).
_MARKDOWN = re.compile(r"([\\`*_\[\]#|<>~&])")
# What GitHub turns into a mention or a link without any markup: a word joiner (U+2060) breaks it.
_AUTOLINK = re.compile(r"(@|:(?=//)|\bwww(?=\.))", re.IGNORECASE)


def printable(text: str) -> str:
    """``text`` with control and bidi characters shown as ``\\x1b``-style escapes."""
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                       text)


def one_line(text: str) -> str:
    """``text`` as one printable line: a line break a name holds is shown as ``\\n``, so that no
    value can start a line of its own (in GitHub Actions' log, a line starting ``::`` is a
    workflow command)."""
    return printable(text).replace("\n", "\\n")


def markdown(text: str) -> str:
    """``text`` as literal Markdown on one line: every special character escaped, line breaks
    folded, HTML tags inert."""
    one_line = " ".join(printable(unicodedata.normalize("NFC", text)).splitlines())
    return _AUTOLINK.sub("\\1\u2060", _MARKDOWN.sub(r"\\\1", one_line))
