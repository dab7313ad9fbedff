"""Read a shell launch script without running it: what a command's flags are given.

Megatron-style blends live in launch scripts (``--data-path 0.3 /data/web 0.7 /data/code``),
often assembled in the shell: variables (``${B3}``), strings accumulated line by line
(``X="${X} 0.1 /data/books"``), arrays (``A=(...)``, ``A+=(...)``, ``"${A[@]}"``, one element a
line), backslash continuations, comments, commands run through ``bash -c "$CMD"``. This module interprets that much of the shell statically, and nothing
is ever executed. What cannot be known without running the script becomes an
:class:`Unresolved` on the words it touches, naming the construct and its line: a variable the
script never sets (``$DATA_PATH``), a command substitution (``$(ls ...)``), a value assigned
inside an ``if``/``case`` branch or a loop (which branch runs, or how often, is decided at run
time). A caller reports those only for the words it uses (``flag_values``): an unset ``$HOME``
in an unrelated command is no problem.
"""

from __future__ import annotations

import bisect
import fnmatch
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import NamedTuple

# Words that open and close compound commands: what is assigned inside may or may not happen.
_OPENERS = {"if": "fi", "for": "done", "while": "done", "until": "done", "case": "esac"}
_CLOSERS = {"fi", "done", "esac"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(\+?=)(.*)", re.DOTALL)
_DECLARERS = {"export", "declare", "local", "readonly", "typeset"}


@dataclass(frozen=True)
class Unresolved:
    """A part of a value that only running the script would give."""

    line: int
    construct: str  # "$DATA_PATH is never set in the script", "a command substitution $(...)"
    variable: str | None = None  # the variable whose value a user can declare instead (mixlint_variables)
    never_set: bool = False  # a variable the script never assigns (not one assigned in a branch)

    @property
    def hint(self) -> str:
        if self.variable:
            return (f"declare the value the run uses in the ini (mixlint_variables: {self.variable} = VALUE), or "
                    "write the blend in a mixture manifest")
        return ("assign it to a variable in the script and declare the variable's value in the ini "
                "(mixlint_variables), or write the blend in a mixture manifest")


Marks = tuple[tuple[int, int], ...]  # (offset in a word's text, the line the text from there is written on)

# What is unknown keeps its place in a string: a scalar's text holds a marker where an unknown
# expansion stood (CMD="... --data-path $UNSET --save $CKPT"), so that once the string is split or
# read as a command (bash -c "$CMD", eval), each unknown is on the word it stood in, and an unset
# $CKPT is no problem of the blend. Markers are indexes into this list, made per script.
_UNKNOWNS: list[tuple[Unresolved, ...]] = []
_MARKER = re.compile("\x00(\\d+)\x01")


def _marker(unknown: tuple[Unresolved, ...]) -> str:
    _UNKNOWNS.append(unknown)
    return f"\x00{len(_UNKNOWNS) - 1}\x01"


def _unmarked(unknown: tuple[Unresolved, ...], text: str) -> tuple[Unresolved, ...]:
    """The unknowns of a value that no marker in ``text`` places: they are about all of it (a value
    assigned in a branch). Compared by what and where, as an assignment names its variable on them."""
    marked = {(u.line, u.construct) for u in _located(text)[1]}
    return tuple(u for u in unknown if (u.line, u.construct) not in marked)


def _located(text: str) -> tuple[str, tuple[Unresolved, ...]]:
    """``text`` without its markers, and the unknowns that stood there."""
    found = tuple(u for match in _MARKER.finditer(text) for u in _UNKNOWNS[int(match.group(1))])
    return (_MARKER.sub("", text), found) if found or "\x00" in text else (text, ())


@dataclass(frozen=True)
class Word:
    text: str
    unresolved: tuple[Unresolved, ...] = ()
    line: int | None = None  # the physical line it is written on (a continued command spans several)
    # Where each part of it is written, when not all on ``line``: a blend accumulated line by line
    # (X="${X} 0.1 /data/books") keeps each path's own line through the variable.
    marks: Marks = ()

    def lines(self) -> Marks:
        return self.marks or (((0, self.line),) if self.line is not None else ())


def _slice(marks: Marks, start: int, end: int) -> Marks:
    """The marks of ``text[start:end]``: the line in effect at ``start``, then those inside."""
    before = [line for offset, line in marks if offset <= start]
    inside = tuple((offset - start, line) for offset, line in marks if start < offset < end)
    return ((0, before[-1]),) + inside if before else inside


def _joined(words: tuple[Word, ...] | list[Word], line: int, separator: str = " ") -> Word:
    """One word of ``words`` joined (a scalar assigned "${A[@]}", X+=...), keeping their marks."""
    marks: list[tuple[int, int]] = []
    offset = 0
    for n, word in enumerate(words):
        offset += len(separator) if n else 0
        marks += [(offset + o, at) for o, at in word.lines()]
        offset += len(word.text)
    return Word(separator.join(w.text for w in words), tuple(u for w in words for u in w.unresolved),
                marks[0][1] if marks else line, tuple(marks))


class _Token(NamedTuple):
    """A word as written (quotes kept), whether it is quoted as a whole, and its physical line."""

    text: str
    quoted: bool
    line: int


@dataclass(frozen=True)
class Command:
    words: tuple[Word, ...]
    line: int
    conditional: str | None = None  # "inside the if block at line 12": it may not run
    # What was unknown in the command string it was read from (bash -c "$CMD"), where it stood is lost.
    unknown: tuple[Unresolved, ...] = ()


@dataclass(frozen=True)
class FlagValue:
    """The words after one occurrence of a flag, up to the next ``--option``."""

    flag: str
    words: tuple[Word, ...]
    line: int  # the flag's own line
    conditional: str | None = None
    command: tuple[Word, ...] = ()  # the whole command the flag is given to
    inline: bool = False  # written --flag=VALUE with more words after it, which argparse gives no flag
    flag_unresolved: tuple[Unresolved, ...] = ()  # on the flag word itself (a string of options split)
    command_unknown: tuple[Unresolved, ...] = ()  # Command.unknown

    @property
    def unresolved(self) -> tuple[Unresolved, ...]:
        return tuple(dict.fromkeys(u for w in self.words for u in w.unresolved))


_PRINTERS = {"echo", "printf", ":", "log", "logger"}  # commands that print their words, running nothing


@dataclass
class Script:
    commands: list[Command] = field(default_factory=list)
    sourced: list[tuple[int, str]] = field(default_factory=list)  # (line, file) of `source FILE` / `. FILE`

    def flag_values(self, *flags: str) -> list[FlagValue]:
        """The occurrence of each of ``flags`` (``--data-path``, or ``--data-path=...``) that each
        command runs with (a flag given twice: the last, as argparse keeps it), with the words it
        is given. Commands that only print their words (``echo``) pass nothing."""
        found: list[FlagValue] = []
        for command in self.commands:
            words = command.words
            if not words or words[0].text in _PRINTERS:
                continue
            last: dict[str, FlagValue] = {}
            for i, word in enumerate(words):
                name, equals, inline = word.text.partition("=")
                if name not in flags:
                    continue
                end = next((j for j in range(i + 1, len(words)) if words[j].text.startswith("--")), len(words))
                if equals:  # --data-path=0.5: one value; what follows is no value of it
                    values: tuple[Word, ...] = (Word(inline, word.unresolved, word.line), *words[i + 1:end])
                    stray = words[i + 1:end]
                else:
                    values, stray = words[i + 1:end], ()
                last[name] = FlagValue(name, values, word.line or command.line, command.conditional, words,
                                       inline=bool(equals) and bool(stray), flag_unresolved=word.unresolved,
                                       command_unknown=command.unknown)
            found += last.values()
        return found


@dataclass
class _Variable:
    words: tuple[Word, ...]  # a scalar is one word (unsplit); an array, its elements
    is_array: bool
    line: int


def read_script(text: str, known: Mapping[str, str] | None = None) -> Script:
    """The commands of a script, their words expanded as far as the script says. ``known``:
    values the user declared (ini ``mixlint_variables``) for variables the script does not set,
    or sets in a way only running it would tell (in an ``if`` branch, from a command's output).
    The environment is never read: what a CI machine has set is not what the cluster has."""
    _UNKNOWNS.clear()
    known = dict(known or {})
    variables: dict[str, _Variable] = {name: _Variable((Word(value),), False, 0) for name, value in known.items()}
    script = Script()
    blocks: list[tuple[str, int]] = []  # open compound commands: (the keyword that closes it, line)
    for line, source, starts in _logical_lines(text):
        for tokens, logical in _statements(source, starts):
            if not tokens:
                continue
            first = tokens[0][0]
            if first in _OPENERS and not tokens[0][1]:
                blocks.append((_OPENERS[first], line))
                if first == "for" and len(tokens) > 1 and _NAME.fullmatch(tokens[1].text):  # for NAME in ...
                    loop = tokens[1].text
                    variables[loop] = _Variable((Word("", (Unresolved(tokens[1].line, f"${loop} is the variable of the "
                                                                      f"loop at line {line}"),)),), False, line)
            elif _function(tokens):  # name() { or function name {: its body runs if it is called
                blocks.append(("}", line))
                continue
            if blocks and blocks[-1][0] == "esac" and not tokens[0][1] and first.endswith(")"):
                tokens = tokens[1:]  # a case branch's pattern
                if not tokens:
                    continue
                first = tokens[0][0]
            conditional = f"inside the {_opener(blocks[0][0])} block at line {blocks[0][1]}" if blocks else None
            if logical and conditional is None:
                conditional = f"after && or || at line {line} (run or not as the command before says)"
            if first in (*_CLOSERS, "}") and not tokens[0][1]:
                if blocks and blocks[-1][0] == first:
                    blocks.pop()
                continue
            if first in _OPENERS or first in {"then", "else", "elif", "do"}:
                tokens = _after_keyword(tokens)
                if not tokens:
                    continue
            _run_statement(tokens, line, variables, script, conditional, known)
    return script


def _opener(closer: str) -> str:
    return {"fi": "if", "done": "loop", "esac": "case", "}": "function"}[closer]


def _function(tokens: list[_Token]) -> bool:
    """``name() {``, ``name () {`` or ``function name {``: a function definition's first line."""
    words = [t.text for t in tokens]
    if words[0] == "function":
        return True
    return len(words) >= 2 and (words[0].endswith("()") or words[1] in ("()", "(){")) and words[-1] in ("{", "(){")


def _after_keyword(tokens: list[_Token]) -> list[_Token]:
    """``then X=1`` or ``do echo``: the command after the keyword (a condition is not one)."""
    if tokens[0][0] in {"then", "else", "do"}:
        return tokens[1:]
    return []


def _run_statement(tokens: list[_Token], line: int, variables: dict[str, _Variable], script: Script,
                   conditional: str | None, known: Mapping[str, str], unknown: tuple[Unresolved, ...] = ()) -> None:
    """Assignments update the variables (or make them unknowable, inside a block); anything else is
    a command, recorded with its words expanded."""
    while tokens and tokens[0][0] in _DECLARERS and not tokens[0][1]:
        tokens = [t for t in tokens[1:] if not t[0].startswith("-")]
    while tokens:
        match = _ASSIGNMENT.fullmatch(tokens[0][0]) if not tokens[0][1] else None
        if match is None:
            break
        name, operator, raw = match.groups()
        at = tokens[0].line
        if raw == "(" or raw.startswith("("):  # an array, to the closing parenthesis
            elements, tokens = _array_elements(raw, at, tokens[1:])
            words = tuple(w for element, element_at in elements
                          for w in _expand(element, element_at, variables, split=True, assigned=name))
            value = _Variable(words, True, at)
        else:
            words = tuple(_expand(raw, at, variables, split=False, assigned=name))
            # Several words only from "${A[@]}": a scalar holds them joined by spaces, as bash does.
            value = _Variable((_joined(words, at),), False, at)
            tokens = tokens[1:]
        if conditional is not None:  # which branch runs, or how often, is decided at run time
            # That is the one thing to say: declaring this variable settles what is inside too.
            value = _Variable(tuple(replace(w, text=_located(w.text)[0],
                                            unresolved=(Unresolved(at, f"${name} is assigned {conditional}", name),))
                                    for w in value.words), value.is_array, at)
        if operator == "+=" and name in variables:
            old = variables[name]
            if value.is_array or old.is_array:
                value = _Variable(old.words + value.words, True, at)
            else:
                value = _Variable((_joined([old.words[0], value.words[0]], at, separator=""),), False, at)
        if name in known and any(w.unresolved for w in value.words):  # the user said what the run sets
            value = _Variable((Word(known[name], (), None),), False, at)  # from the ini: located where it is used
        # What only the run would tell about this value can be declared as this variable's.
        variables[name] = _Variable(tuple(replace(w, unresolved=tuple(u if u.variable else replace(u, variable=name)
                                                                      for u in w.unresolved)) for w in value.words),
                                    value.is_array, value.line)
    if tokens:
        words = tuple(w for token in tokens for w in _expand(token.text, token.line, variables, split=True))
        inner = _shell_string(words)
        if inner is not None:  # srun bash -c "python pretrain_gpt.py ...": the string is the command
            for inner_tokens, logical in _statements(inner.text, [(0, line)]):
                if inner_tokens:
                    _run_statement(inner_tokens, line, variables, script,
                                   conditional or (f"after && or || at line {line}" if logical else None), known,
                                   unknown + _unmarked(inner.unresolved, inner.text))
            return
        words = tuple(_command_word(w) for w in words)
        words = tuple(w for w in words if w.text or w.unresolved)
        if words and words[0].text in ("source", ".") and len(words) > 1:  # variables set there are not read
            script.sourced.append((line, words[1].text))
        script.commands.append(Command(words, line, conditional, unknown))


_SHELLS = ("bash", "sh", "zsh", "dash")


def _shell_string(words: tuple[Word, ...]) -> Word | None:
    """The command string of ``bash -c STRING`` (after ``srun``, ``ssh host``, ...), or of
    ``eval ${run_cmd}`` (Megatron-DeepSpeed's launch)."""
    if len(words) > 1 and words[0].text == "eval":
        return _joined(words[1:], words[0].line or 0)
    for i in range(1, len(words) - 1):
        if words[i].text == "-c" and words[i - 1].text.rsplit("/", 1)[-1] in _SHELLS:
            return words[i + 1]
    return None


def _array_elements(raw: str, line: int, rest: list[_Token]) -> tuple[list[tuple[str, int]], list[_Token]]:
    """``A=(a b "c d")``: the elements with their lines, and the tokens after the closing parenthesis."""
    elements: list[tuple[str, int]] = []
    first = raw[1:]
    pending = [_Token(first, False, line)] + rest if first else rest
    for i, (token, _, at) in enumerate(pending):
        if _closes_outside_quotes(token):
            if token[:-1]:
                elements.append((token[:-1], at))
            return elements, pending[i + 1:]
        elements.append((token, at))
    return elements, []


# --- lexing -------------------------------------------------------------------------------------

_Starts = list[tuple[int, int]]  # (offset in a logical line, the physical line that starts there)


def _logical_lines(text: str) -> Iterator[tuple[int, str, _Starts]]:
    """Lines joined where the statement goes on, with the line each starts on and where each of
    its physical lines starts: after a backslash, inside a quoted string, inside an array's
    parentheses (``A=(`` ... ``)``, one element a line)."""
    start, parts, starts = 0, list[str](), _Starts()
    for number, physical in enumerate(text.splitlines(), 1):
        if not parts:
            start = number
        starts.append((sum(map(len, parts)), number))
        if physical.rstrip().endswith("\\") and not physical.rstrip().endswith("\\\\"):
            parts.append(physical.rstrip()[:-1] + " ")
            continue
        parts.append(physical + "\n")  # a comment ends at its line
        if _unfinished("".join(parts)):
            continue
        yield start, "".join(parts), starts
        parts, starts = [], []
    if parts:
        yield start, "".join(parts), starts


def _unfinished(source: str) -> bool:
    """Does ``source`` end inside a quoted string or an open parenthesis (comments aside)?"""
    quote, depth, i = "", 0, 0
    while i < len(source):
        char = source[i]
        if quote:
            if char == quote:
                quote = ""
            elif char == "\\" and quote == '"':
                i += 1
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or source[i - 1].isspace()):
            while i < len(source) and source[i] != "\n":
                i += 1
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        i += 1
    return bool(quote) or depth > 0


_SEPARATOR = ";"  # between statements
_LOGICAL = "&&"  # between statements, the second run or not by the first's status: && ||


def _statements(source: str, starts: _Starts) -> Iterator[tuple[list[_Token], bool]]:
    """The statements of a line (split at ``;``, ``&&``, ``||`` outside quotes), each as its words
    (``_words``) and whether it runs only as the one before says (after ``&&`` or ``||``)."""
    statement: list[_Token] = []
    logical = False
    for token in _words(source, starts):
        if isinstance(token, str):
            yield statement, logical
            statement, logical = [], token == _LOGICAL
        else:
            statement.append(token)
    yield statement, logical


def _words(source: str, starts: _Starts) -> Iterator[_Token | str]:
    """Words as the shell splits them, quotes kept for expansion (``_expand`` removes them), with
    whether each is quoted as a whole (``"fi"`` is no keyword, ``"X=1"`` no assignment) and the
    physical line it starts on; a statement separator is ``_SEPARATOR`` or ``_LOGICAL``; a comment
    ends the line."""
    offsets = [offset for offset, _ in starts]

    def token(word: list[str], end: int) -> _Token:
        at = starts[bisect.bisect_right(offsets, end - len("".join(word))) - 1][1]
        return _Token("".join(word), word[0] in "'\"", at)

    word: list[str] = []
    quote, i = "", 0
    while i < len(source):
        char = source[i]
        if quote:
            word.append(char)
            if char == quote:
                quote = ""
            elif char == "\\" and quote == '"' and i + 1 < len(source):
                word.append(source[i + 1])
                i += 1
        elif char in "'\"":
            quote = char
            word.append(char)
        elif char == "$" and source[i + 1:i + 2] == "(":  # a command substitution is one piece
            end = _closing(source, i + 1)
            word.append(source[i:end + 1])
            i = end + 1
            continue
        elif char == "$" and source[i + 1:i + 2] == "{" and (end := source.find("}", i)) > 0:  # ${L//,/ } too
            word.append(source[i:end + 1])
            i = end + 1
            continue
        elif char == "#" and not word:  # a comment, to the end of its line
            while i < len(source) and source[i] != "\n":
                i += 1
            continue
        elif char.isspace() or char == ";" or source[i:i + 2] in ("&&", "||"):
            if word:
                yield token(word, i)
                word = []
            if not char.isspace():
                yield _SEPARATOR if char == ";" else _LOGICAL
                i += 1 if char == ";" else 2
                continue
        else:
            word.append(char)
        i += 1
    if word:
        yield token(word, len(source))


def _closing(text: str, open_at: int) -> int:
    """The index of the parenthesis closing the one at ``open_at`` (or the last index)."""
    depth = 0
    for j in range(open_at, len(text)):
        depth += {"(": 1, ")": -1}.get(text[j], 0)
        if depth == 0:
            return j
    return len(text) - 1


def _closes_outside_quotes(token: str) -> bool:
    """Does ``token`` end with a ``)`` that no quote encloses (the end of an array)?"""
    quote = ""
    for char in token[:-1]:
        if char in "'\"" and (not quote or quote == char):
            quote = "" if quote else char
    return token.endswith(")") and not quote


def _expand(token: str, line: int, variables: Mapping[str, _Variable], split: bool,
            assigned: str | None = None) -> list[Word]:
    """A token with its quotes removed and its variables expanded: one word, or several where an
    unquoted expansion (or ``"${A[@]}"``) makes several. Each word keeps where its parts are
    written (``Word.marks``): text written here at ``line``; a variable's words at their own lines
    when they are words of their own here (``$BLEND`` split into a blend, ``"$P"``), or when they
    are the value being accumulated (``assigned``: ``X="${X} 0.1 /data/books"``)."""
    words: list[list[str]] = [[]]
    marks: list[list[tuple[int, int]]] = [[]]
    unresolved: list[list[Unresolved]] = [[]]
    lengths = [0]
    i, quote = 0, ""

    def add(text: str, problems: tuple[Unresolved, ...] = (), origin: Marks | None = None) -> None:
        for offset, at in origin if origin is not None else ((0, line),):
            if not marks[-1] or marks[-1][-1][1] != at:
                marks[-1].append((lengths[-1] + offset, at))
        words[-1].append(text)
        lengths[-1] += len(text)
        unresolved[-1].extend(problems)

    def new_word() -> None:
        words.append([])
        marks.append([])
        unresolved.append([])
        lengths.append(0)

    while i < len(token):
        char = token[i]
        if char in "'\"" and (not quote or quote == char):
            quote = "" if quote else char
            i += 1
            continue
        if char == "\\" and quote != "'" and i + 1 < len(token):
            add(token[i + 1])
            i += 2
            continue
        if char == "`" and quote != "'":
            end = token.find("`", i + 1)
            add("", (Unresolved(line, "a command substitution `...`: its output is known only when the script runs"),))
            i = len(token) if end < 0 else end + 1
            continue
        if char == "$" and quote != "'":
            start = i
            expansion, i = _expansion(token, i, line, variables)
            if expansion is None:
                add("$")
                continue
            elements, problems, many = expansion
            reference = _reference(token[start:i], variables, len(elements))
            whole = token.replace('"', "").replace("'", "") == token[start:i]
            # "${DATASET_1} ${DATASET_2}": each a blend of its own in the string, not a path's prefix
            standalone = (start == 0 or token[start - 1] in " \t\"'") and (i >= len(token) or token[i] in " \t\"'")
            splits = many or (split and not quote)
            several = many or (splits and sum(len(e.split()) for e in elements) > 1)  # words of their own here
            keep = reference is not None and (whole or several or standalone or reference[0] == assigned)
            origins = [w.lines() for w in reference[1]] if keep and reference is not None else [None] * len(elements)
            if splits:
                # word splitting (unquoted) or one word per element ("${A[@]}"). What is unknown
                # of an array stays with its own element: ARGS=(--data-path $UNSET --vocab $V)
                # is a blend that cannot be read, not a --vocab that cannot be.
                own = [w.unresolved for w in reference[1]] if reference is not None else [problems] * len(elements)
                pieces: list[tuple[str, Marks | None, tuple[Unresolved, ...]]] = []
                for element, origin, unknown in zip(elements, origins, own, strict=True):
                    matches = [m for m in (re.finditer(r"\S+", element) if split and not quote
                                           else [re.match(r"(?s).*", element)]) if m is not None]
                    spread = _unmarked(unknown, element)  # the others stand in their own piece
                    pieces += [(m.group(), _slice(origin, m.start(), m.end()) if origin else None, spread)
                               for m in matches]
                    if not matches and unknown:  # an element that is nothing but what is unknown
                        pieces.append(("", None, unknown))
                for n, (piece, origin, unknown) in enumerate(pieces):
                    if n:
                        new_word()
                    add(piece, unknown, origin)
                if not pieces:
                    add("", problems)
            elif keep and len(elements) == 1:
                add(elements[0], problems, origins[0])
            elif problems and not "".join(elements):  # an unknown inside a string: mark its place
                add(_marker(problems), problems)
            else:
                add(" ".join(elements), problems)
            continue
        add(char)
        i += 1
    return [Word("".join(parts), tuple(problems), at[0][1] if at else line, tuple(at) if len(at) > 1 else ())
            for parts, at, problems in zip(words, marks, unresolved, strict=True) if "".join(parts) or problems]


def _command_word(word: Word) -> Word:
    """A word as the command gets it: without markers, with the unknowns that stood in it."""
    text, stood = _located(word.text)
    return replace(word, text=text, unresolved=tuple(dict.fromkeys((*word.unresolved, *stood)))) if stood or \
        text != word.text else word


def _reference(text: str, variables: Mapping[str, _Variable], count: int) -> tuple[str, tuple[Word, ...]] | None:
    """``$X``, ``${X}``, ``${A[@]}``, ``${A[2]}``: the variable and the words it gives, when the
    expansion is a plain reference (no default, no edit) that gave ``count`` elements."""
    match = re.fullmatch(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)(?:\[(@|\*|\d+)\])?\}?", text)
    variable = variables.get(match.group(1)) if match else None
    if match is None or variable is None:
        return None
    subscript = match.group(2)
    if subscript in ("@", "*"):
        words = variable.words
    elif subscript is not None:
        words = variable.words[int(subscript):int(subscript) + 1]
    else:
        words = variable.words[:1] if variable.is_array else variable.words
    return (match.group(1), words) if len(words) == count else None


def _expansion(token: str, i: int, line: int, variables: Mapping[str, _Variable]
               ) -> tuple[tuple[list[str], tuple[Unresolved, ...], bool] | None, int]:
    """The ``$...`` at ``i``: (its words, what is unknown, whether it is several words), and where
    the token goes on."""
    rest = token[i + 1:]
    if rest.startswith("("):
        j = _closing(token, i + 1)
        return ([""], (Unresolved(line, f"a command substitution {token[i:j + 1]}: its output is known only when "
                                        "the script runs"),), False), j + 1
    if rest.startswith("{"):
        end = token.find("}", i)
        if end < 0:
            return None, i + 1
        inside = token[i + 2:end]
        braced = _BRACED.match(inside)
        if braced is None:  # ${#X}, ${!X}, ${1}: lengths, indirection, arguments
            what = (f"${{{inside}}}, an argument of the script, is known only when it runs" if inside[:1].isdigit()
                    else f"the expansion ${{{inside}}} is not read (only ${{X}}, ${{X:-default}}, ${{X#pattern}}, "
                         "${X%pattern}, ${X/pattern/text} are)")
            return ([""], (Unresolved(line, what),), False), end + 1
        name, subscript, operation = braced.group(1), braced.group(2), inside[braced.end():]
        many = subscript in ("[@]", "[*]")
        index = int(subscript[1:-1]) if subscript and not many else None
        default = None
        assigns = operation[:2] == ":=" or operation[:1] == "="
        if operation[:2] in (":+",) or operation[:1] == "+":  # ${X:+word}: word when X is set (:+ non-empty)
            variable = variables.get(name)
            unknown = tuple(u for w in variable.words for u in w.unresolved) if variable else ()
            if variable is None or (operation[:1] == ":" and not unknown and not "".join(w.text for w in variable.words)):
                return ([""], (), False), end + 1
            alternate = _expand(operation[2 if operation[:1] == ":" else 1:], line, variables, split=False)
            return ([" ".join(w.text for w in alternate)], unknown + tuple(u for w in alternate for u in w.unresolved),
                    False), end + 1
        if operation[:2] in (":-", ":=") or operation[:1] in ("-", "="):
            default = operation[2:] if operation[:1] == ":" else operation[1:]
            operation = ""
        unset = name not in variables
        words, problems, several = _value(name, default, many, index, line, variables)
        if assigns and unset and isinstance(variables, dict):  # ${X:=default} sets X for what follows
            variables[name] = _Variable((Word(" ".join(words), problems, line),), False, line)
        if operation:
            if not _EDITS.match(operation):
                return ([""], problems + (Unresolved(line, f"the expansion ${{{inside}}} is not read"),),
                        several), end + 1
            if problems:  # an edit of what is unknown is unknown too
                return ([""], problems, several), end + 1
            words = [_edited(word, operation) for word in words]
        return (words, problems, several), end + 1
    match = _NAME.match(rest)
    if match is None:
        if rest[:1].isdigit() or rest[:1] in ("@", "*", "#"):  # $1, $@: given when the script runs
            return ([""], (Unresolved(line, f"${rest[0]}, an argument of the script, is known only when it runs"),),
                    False), i + 2
        return None, i + 1
    return _value(match.group(), None, False, None, line, variables), i + 1 + match.end()


_BRACED = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(\[(?:@|\*|\d+)\])?")
_EDITS = re.compile(r"(##?|%%?|//?)")


def _edited(value: str, operation: str) -> str:
    """``value`` after ``#pattern``, ``##``, ``%``, ``%%`` (remove the shortest or longest matching
    prefix or suffix) or ``/pattern/text``, ``//`` (replace the first or every longest match;
    ``/#`` and ``/%`` only at the start or the end), as bash does; patterns are shell globs."""
    for op in ("##", "#", "%%", "%"):
        if operation.startswith(op):
            glob = _glob(operation[len(op):])
            cuts = range(len(value) + 1) if op in ("#", "%") else range(len(value), -1, -1)
            for k in cuts:  # the shortest match first for # and %, the longest for ## and %%
                if op.startswith("#") and glob.fullmatch(value, 0, k):
                    return value[k:]
                if op.startswith("%") and glob.fullmatch(value, len(value) - k):
                    return value[:len(value) - k]
            return value
    every = operation.startswith("//")
    pattern, _, text = operation[2 if every else 1:].partition("/")
    anchor = pattern[:1] if not every and pattern[:1] in ("#", "%") else ""
    pattern = pattern[len(anchor):]
    if not pattern:  # ${X/#/prefix}, ${X/%/suffix}: the empty match at the start or the end
        return text + value if anchor == "#" else value + text if anchor == "%" else value
    body = _glob(pattern).pattern
    regex = re.compile(("^" if anchor == "#" else "") + f"(?:{body})" + ("$" if anchor == "%" else ""), re.DOTALL)
    # An empty match (after a match that took the rest: ${P//*/x}) replaces nothing, as in bash.
    return regex.sub(lambda match: text if match.group() or not value else "", value, count=0 if every else 1)


@functools.lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str]:
    """A shell glob as a regular expression (unanchored: callers anchor it)."""
    translated = fnmatch.translate(pattern)  # (?s:BODY)\Z
    return re.compile(translated.removesuffix(r"\Z"), re.DOTALL)


def _value(name: str, default: str | None, many: bool, index: int | None, line: int,
           variables: Mapping[str, _Variable]) -> tuple[list[str], tuple[Unresolved, ...], bool]:
    variable = variables.get(name)
    if variable is None:
        if default is not None:  # ${X:-$ROOT/d}: the default is expanded too
            words = _expand(default, line, variables, split=False)
            return [" ".join(w.text for w in words)], tuple(u for w in words for u in w.unresolved), False
        return [""], (Unresolved(line, f"${name} is never set in the script", name, never_set=True),), False
    problems = tuple(u for w in variable.words for u in w.unresolved)
    if index is not None:
        return ([variable.words[index].text] if index < len(variable.words) else [""]), problems, False
    if variable.is_array and not many:  # $A is its first element, as in bash
        return [variable.words[0].text if variable.words else ""], problems, False
    return [w.text for w in variable.words], problems, many
