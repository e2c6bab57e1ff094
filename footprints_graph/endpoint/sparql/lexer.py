"""The one reading of a query's text that the endpoint does itself, below the engine: SPARQL 1.1's terminals
(https://www.w3.org/TR/sparql11-query/#terminals) as the installed Oxigraph reads them. Everything the endpoint
decides before the engine parses a query comes from these tokens: whether it is an update, its form, its FROM and
SERVICE IRIs (guard.py), how deeply it nests. A variable `?from` is a variable, `"SERVICE"` a string and `ex:a\\#`
a prefixed name, never a keyword.

Two readings of \\u escapes exist, and a guard that takes the other one than its engine is blind (issue 13).
SPARQL 1.1 (§19.2) and older Oxigraphs expand them everywhere before reading; pyoxigraph 0.5 reads them only
inside IRIs and strings, where `'\\u0027'` is a string holding a quote: read expanded, the `'''` it makes would
open a long string that swallows a SERVICE the engine calls. ENGINE_EXPANDS_ESCAPES asks the installed engine
which reading it does, and the tokens follow it. A comment runs to the next CR or LF in both.

One ambiguity is left to the grammar: `<` opens an IRI in a triple pattern and compares in an expression, so
`FILTER(?a<(1)&&?b>0)` reads here as holding the IRI `<(1)&&?b>`. No SERVICE or FROM can hide that way (an IRI
holds no space, `{` or `<`, which both need), and `nesting` counts what such an IRI might hide.
"""

import re
from dataclasses import dataclass
from functools import cached_property

import pyoxigraph as ox

_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
ECHAR = r"""\\[tbnrf\\"']"""  # with UCHAR, every escape a string may hold: `"a\q"` is no string

# The character classes of the grammar's productions (§19.8), named as there.
PN_CHARS_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
                 "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
PN_CHARS_U = PN_CHARS_BASE + "_"
PN_CHARS = PN_CHARS_U + "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
PN_PREFIX = f"[{PN_CHARS_BASE}](?:[{PN_CHARS}.]*[{PN_CHARS}])?"
PN_LOCAL = f"(?:[{PN_CHARS_U}:0-9]|{PLX})(?:(?:[{PN_CHARS}.:]|{PLX})*(?:[{PN_CHARS}:]|{PLX}))?"
EXPONENT = "[eE][+-]?[0-9]+"

# One alternative per kind of token; the first that matches at a place is taken, so longer forms come first.
_TOKEN = re.compile("|".join((
    r"(?P<space>[\x20\t\r\n]+|#[^\r\n]*)",  # a comment ends at CR or LF, as in the grammar and in Oxigraph
    rf'(?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{UCHAR})*>)',
    rf'(?P<string>"""(?:"{{0,2}}(?:[^"\\]|{ECHAR}|{UCHAR}))*"""|\'\'\'(?:\'{{0,2}}(?:[^\'\\]|{ECHAR}|{UCHAR}))*\'\'\''
    rf'|"(?:[^"\\\n\r]|{ECHAR}|{UCHAR})*"|\'(?:[^\'\\\n\r]|{ECHAR}|{UCHAR})*\')',
    f"(?P<variable>[?$][{PN_CHARS_U}0-9][{PN_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*)",
    f"(?P<blank>_:[{PN_CHARS_U}0-9](?:[{PN_CHARS}.]*[{PN_CHARS}])?)",
    r"(?P<language>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?)",  # and a base direction: @ar--rtl
    f"(?P<number>[0-9]+\\.[0-9]*{EXPONENT}|\\.?[0-9]+{EXPONENT}|[0-9]*\\.[0-9]+|[0-9]+)",
    f"(?P<name>(?:{PN_PREFIX})?:(?:{PN_LOCAL})?)",
    r"(?P<word>[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*)",  # keywords, built-in functions, `a`, true and false
    r"(?P<operator>\^\^|&&|\|\||!=|<=|>=|[-+*/!=<>^|])",
    r"(?P<punctuation>[{}()\[\],;.?])",
)))
OPENING, CLOSING = "{([", "})]"
# Operators and keywords that add a level to the engine's tree of a query (a chain of n `+` is n levels deep).
LEVELLING_OPERATORS = frozenset({"&&", "||", "=", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "!", "^", "|"})
LEVELLING_WORDS = frozenset({"UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "SERVICE", "GRAPH", "VALUES"})
HIDDEN_LEVELS = re.compile(r"[(\[+\-*/!&|=]")  # what an IRI that is really a comparison may hide
FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")


@dataclass(frozen=True)
class Reference:
    """An IRI or variable a keyword names: `phrase` is the keyword as written with its modifier (FROM NAMED)."""

    phrase: str
    target: str
    variable: bool


class QuerySyntaxError(ValueError):
    """A SERVICE or FROM without an IRI the endpoint can read (an undeclared prefix, a relative IRI and no
    base), or a declaration that cannot be read; says where."""


@dataclass(frozen=True)
class Token:
    kind: str  # the name of the alternative in _TOKEN that matched
    text: str
    offset: int  # in the text as the engine reads it (QueryText.text)

    @property
    def keyword(self) -> str | None:
        return self.text.upper() if self.kind == "word" else None


def _engine_expands_escapes() -> bool:
    """Whether the installed Oxigraph expands \\u escapes before it reads a query (`\\u0041SK {}` is then ASK)."""
    try:
        ox.Store().query(r"\u0041SK {}")
    except SyntaxError:
        return False
    return True


ENGINE_EXPANDS_ESCAPES = _engine_expands_escapes()


def unescaped(text: str) -> str:
    """`text` with every \\uXXXX and \\UXXXXXXXX replaced by the character it stands for, as an engine that expands
    them everywhere reads it."""
    def character(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code < 0x110000 else match.group(0)
    return _UNICODE_ESCAPE.sub(character, text)


def tokens(text: str) -> list[Token]:
    """The tokens of `text` as the engine reads it (spaces and comments left out). A character that
    begins no token is one `unreadable` token: the engine refuses the query, and says where and why."""
    found, offset = [], 0
    while offset < len(text):
        match = _TOKEN.match(text, offset)
        if match is None:
            found.append(Token("unreadable", text[offset], offset))
            offset += 1
            continue
        if match.lastgroup != "space":
            found.append(Token(match.lastgroup, match.group(), offset))
        offset = match.end()
    return found


def _place(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    return f"line {line}, column {offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


@dataclass(frozen=True)
class Nesting:
    """The deepest a query goes: levels of brackets plus levelling operators and keywords in the open groups."""

    depth: int
    offset: int  # where it is reached


def nesting(found: list[Token]) -> Nesting:
    """How deep the engine's parser and evaluator will recurse for these tokens, counted generously: every open
    bracket is a level and so is every levelling operator or keyword within an open group (chains parse into
    trees as deep as they are long). An IRI adds, for itself only, what it might hide if it were a comparison."""
    levels, deepest = [0], Nesting(0, 0)
    for token in found:
        hidden = len(HIDDEN_LEVELS.findall(token.text)) if token.kind == "iri" else 0
        if token.text in OPENING and token.kind == "punctuation":
            levels.append(1)
        elif token.text in CLOSING and token.kind == "punctuation" and len(levels) > 1:
            levels.pop()
        elif token.text in LEVELLING_OPERATORS or token.keyword in LEVELLING_WORDS:
            levels[-1] += 1
        if (depth := sum(levels) + hidden) > deepest.depth:
            deepest = Nesting(depth, token.offset)
    return deepest


# ----------------------------------------------------------------------------- what the prologue says


class QueryText:
    """A query's tokens and what the endpoint reads from them, with relative IRIs resolved against `base` (the
    endpoint's URL; None: the query must use absolute IRIs) and the query's own BASE and PREFIX."""

    def __init__(self, text: str, base: str | None = None):
        self.text = unescaped(text) if ENGINE_EXPANDS_ESCAPES else text
        self.tokens = tokens(self.text)
        self.base = base
        self.prefixes: dict[str, str] = {}
        self.body_start = self._read_prologue()

    @cached_property
    def keywords(self) -> frozenset[str]:
        return frozenset(t.keyword for t in self.tokens if t.keyword)

    @property
    def form(self) -> str | None:
        """SELECT, CONSTRUCT, DESCRIBE or ASK: the first keyword after the prologue, if it is one of them."""
        keyword = self.tokens[self.body_start].keyword if self.body_start < len(self.tokens) else None
        return keyword if keyword in FORMS else None

    def references(self, keyword: str, modifier: str) -> list["Reference"]:
        """What each `keyword` names (`SERVICE SILENT <…>`, `FROM NAMED ex:g`, `SERVICE ?e`), its IRI resolved."""
        found = []
        for index, token in enumerate(self.tokens):
            if token.keyword == keyword:
                modified = index + 1 < len(self.tokens) and self.tokens[index + 1].keyword == modifier
                target, variable = self._iri_at(index + 1 + modified, keyword)
                found.append(Reference(f"{keyword} {modifier}" if modified else keyword, target, variable))
        return found

    def _iri_at(self, index: int, after: str) -> tuple[str, bool]:
        """The IRI (or variable, flagged True) at token `index`, which follows `after`."""
        token = self.tokens[index] if index < len(self.tokens) else None
        if token is not None and token.kind == "variable":
            return token.text, True
        if token is not None and token.kind in ("iri", "name"):
            return self._iri(token), False
        raise QuerySyntaxError(f"{self.place(self.tokens[index - 1].offset)}: {after} must be followed by an IRI")

    def place(self, offset: int) -> str:
        """`offset` in the query as line and column."""
        return _place(self.text, offset)

    def _read_prologue(self) -> int:
        """Read BASE and PREFIX; the index of the first token after them. A declaration that cannot be read ends
        the prologue there: the engine refuses the query, and its message says where and why."""
        index = 0
        while index < len(self.tokens) and self.tokens[index].keyword in ("BASE", "PREFIX"):
            try:
                index = self._declare(index)
            except QuerySyntaxError:
                break
        return index

    def _declare(self, index: int) -> int:
        """Read the BASE or PREFIX declaration at `index`; the index after it."""
        if self.tokens[index].keyword == "BASE":
            self.base = self._iri_only(index + 1, "BASE")
            return index + 2
        name = self.tokens[index + 1] if index + 1 < len(self.tokens) else None
        if name is None or name.kind != "name" or not name.text.endswith(":"):
            raise QuerySyntaxError("PREFIX must be followed by a prefix such as ex:")
        self.prefixes[name.text[:-1]] = self._iri_only(index + 2, "PREFIX")
        return index + 3

    def _iri_only(self, index: int, after: str) -> str:
        target, variable = self._iri_at(index, after)
        if variable:
            raise QuerySyntaxError(f"{self.place(self.tokens[index].offset)}: {after} takes an IRI, not a variable")
        return target

    def _iri(self, token: Token) -> str:
        if token.kind == "iri":
            return resolved(token.text[1:-1], self.base)
        prefix, local = token.text.split(":", 1)
        if prefix not in self.prefixes:
            raise QuerySyntaxError(f"{self.place(token.offset)}: the prefix {prefix}: of {token.text} is not "
                                   f"declared (PREFIX {prefix}: <…>)")
        return self.prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)  # PN_LOCAL_ESC stands for the character


def resolved(iri: str, base: str | None) -> str:
    """`iri` resolved against `base` by Oxigraph's own resolver (read through a one-triple Turtle document), so
    that the guard and the engine agree on every IRI."""
    document = f"<{iri}> <{iri}> <{iri}> .".encode()
    try:
        return next(iter(ox.parse(document, ox.RdfFormat.TURTLE, base_iri=base))).subject.value
    except (SyntaxError, ValueError) as error:
        raise QuerySyntaxError(f"<{iri}> is not an IRI{' relative to ' + base if base else ''}: {error}") from None
