"""What users wrote, made safe to show: in a terminal, and in Markdown meant for pull requests.

A source named ``"\\x1b]0;pwned\\x07"`` must not retitle a terminal, a right-to-left override
must not reverse the text around it, and ``"\\n## ALL CHECKS PASSED\\n<details>"`` must not add a
heading to a PR comment and fold the real results away.
"""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 controls but tab and newline, DEL, and the bidirectional overrides and isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Characters with a meaning in GitHub-flavoured Markdown (and HTML) inside a line or a table cell
# (parentheses only make a link after a bracket, which is escaped).
_MARKDOWN = re.compile(r"([\\`*_\[\]#|<>~&])")


def printable(text: str) -> str:
    """``text`` with control and bidi characters shown as ``\\x1b``-style escapes."""
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                       text)


def markdown(text: str) -> str:
    """``text`` as literal Markdown on one line: every special character escaped, line breaks
    folded, HTML tags inert."""
    one_line = " ".join(printable(unicodedata.normalize("NFC", text)).splitlines())
    return _MARKDOWN.sub(r"\\\1", one_line)
