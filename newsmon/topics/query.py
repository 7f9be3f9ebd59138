"""The boolean query language of topic profiles.

    (KI OR "künstliche Intelligenz" OR Chip*) AND (China OR chines* OR Peking)
    NOT (Stargate NEAR/5 (Film OR Serie))

- words match their inflected forms (see ``patterns``); ``Chip*`` is a prefix wildcard;
- ``"…"`` is a phrase: its words in this order, next to each other;
- ``AND``, ``OR``, ``NOT`` (upper case; lower case they are ordinary words); words side by side
  are joined by AND; precedence from tightest: NEAR, NOT, AND, OR; parentheses group;
- ``A NEAR/n B``: A and B within n words of each other, in either order (neighbours are 1 apart);
  A and B are words, phrases, NEAR expressions or parenthesised OR groups of these.

A query that cannot be read raises QueryError naming the 1-based character position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from newsmon.topics.analysis import AnalysedText
from newsmon.topics.errors import PatternError, QueryError
from newsmon.topics.patterns import Phrase, Span, WordPattern, compile_phrase

_LEXEME = re.compile(r'\s*(?:(?P<paren>[()])|"(?P<phrase>[^"]*)(?P<closed>"?)|(?P<bare>[^\s()"]+))')
_NEAR = re.compile(r"NEAR(?:/(\d+))?")
_OPERATORS = ("AND", "OR", "NOT")


class Node(Protocol):
    def matches(self, text: AnalysedText) -> bool: ...


@dataclass(frozen=True)
class Term:
    phrase: Phrase

    def spans(self, text: AnalysedText) -> list[Span]:
        return self.phrase.spans(text)

    def matches(self, text: AnalysedText) -> bool:
        return self.phrase.occurs(text)


@dataclass(frozen=True)
class Near:
    left: Node
    right: Node
    distance: int

    def spans(self, text: AnalysedText) -> list[Span]:
        rights = _spans(self.right, text)
        found = {
            (min(left[0], right[0]), max(left[1], right[1]))
            for left in _spans(self.left, text)
            for right in rights
            if max(right[0] - left[1], left[0] - right[1]) <= self.distance
        }
        return sorted(found)

    def matches(self, text: AnalysedText) -> bool:
        return bool(self.spans(text))


@dataclass(frozen=True)
class AnyOf:
    """Alternatives. The keys of all one-word alternatives are merged into one set, so a long list
    of words costs a look-up per key instead of a call per word."""

    children: tuple[Node, ...]
    keys: frozenset[str]  # of the one-word children
    others: tuple[Node, ...]  # the remaining children

    def spans(self, text: AnalysedText) -> list[Span]:
        found: set[Span] = set()
        for child in self.children:
            found.update(_spans(child, text))
        return sorted(found)

    def matches(self, text: AnalysedText) -> bool:
        index = text.positions
        return any(key in index for key in self.keys) or any(child.matches(text) for child in self.others)


def _any_of(children: tuple[Node, ...]) -> AnyOf:
    keys: set[str] = set()
    others: list[Node] = []
    for child in children:
        word = child.phrase.words[0] if isinstance(child, Term) and len(child.phrase.words) == 1 else None
        if isinstance(word, WordPattern):
            keys |= word.keys
        else:
            others.append(child)
    return AnyOf(children, frozenset(keys), tuple(others))


@dataclass(frozen=True)
class AllOf:
    children: tuple[Node, ...]

    def matches(self, text: AnalysedText) -> bool:
        return all(child.matches(text) for child in self.children)


@dataclass(frozen=True)
class Not:
    child: Node

    def matches(self, text: AnalysedText) -> bool:
        return not self.child.matches(text)


def _positional(node: Node) -> bool:
    if isinstance(node, (Term, Near)):
        return True
    return isinstance(node, AnyOf) and all(_positional(child) for child in node.children)


def _spans(node: Node, text: AnalysedText) -> list[Span]:
    """Spans of a positional node (the parser lets only those into NEAR)."""
    if isinstance(node, (Term, Near, AnyOf)):
        return node.spans(text)
    raise TypeError(f"{type(node).__name__} has no positions")


@dataclass(frozen=True)
class Lexeme:
    kind: str  # ( ) word phrase AND OR NOT NEAR end
    text: str
    position: int  # 1-based
    distance: int = 0


def _lex(source: str) -> list[Lexeme]:
    lexemes: list[Lexeme] = []
    offset = 0
    while match := _LEXEME.match(source, offset):  # None when only blanks are left
        start = match.end() - len(match.group().lstrip()) + 1
        offset = match.end()
        if match["paren"]:
            lexemes.append(Lexeme(match["paren"], match["paren"], start))
        elif match["phrase"] is not None:
            if not match["closed"]:
                raise QueryError("unterminated quote", start)
            lexemes.append(Lexeme("phrase", match["phrase"], start))
        elif match["bare"] in _OPERATORS:
            lexemes.append(Lexeme(match["bare"], match["bare"], start))
        elif near := _NEAR.fullmatch(match["bare"]):
            if not near[1] or int(near[1]) < 1:
                raise QueryError("NEAR needs a distance of 1 or more, e.g. NEAR/5", start)
            lexemes.append(Lexeme("NEAR", match["bare"], start, int(near[1])))
        else:
            lexemes.append(Lexeme("word", match["bare"], start))
    lexemes.append(Lexeme("end", "", len(source.rstrip()) + 1))
    return lexemes


class _Parser:
    """Recursive descent over the lexemes; each method parses one precedence level."""

    def __init__(self, source: str) -> None:
        self.lexemes = _lex(source)
        self.index = 0

    @property
    def current(self) -> Lexeme:
        return self.lexemes[self.index]

    def advance(self) -> Lexeme:
        lexeme = self.lexemes[self.index]
        self.index += 1
        return lexeme

    def parse(self) -> Node:
        if self.current.kind == "end":
            raise QueryError("empty query", self.current.position)
        node = self.any_of()
        if self.current.kind != "end":
            raise QueryError(f"unexpected {self.current.text!r}", self.current.position)
        return node

    def any_of(self) -> Node:
        children = [self.all_of()]
        while self.current.kind == "OR":
            self.advance()
            children.append(self.all_of())
        return children[0] if len(children) == 1 else _any_of(tuple(children))

    def all_of(self) -> Node:
        children = [self.negation()]
        while self.current.kind in ("AND", "NOT", "word", "phrase", "("):
            if self.current.kind == "AND":
                self.advance()
            children.append(self.negation())
        return children[0] if len(children) == 1 else AllOf(tuple(children))

    def negation(self) -> Node:
        if self.current.kind == "NOT":
            self.advance()
            return Not(self.negation())
        return self.near()

    def near(self) -> Node:
        node = self.operand()
        while self.current.kind == "NEAR":
            operator = self.advance()
            right = self.operand()
            if not (_positional(node) and _positional(right)):
                raise QueryError(
                    "NEAR joins words, phrases or parenthesised OR groups of them", operator.position
                )
            node = Near(node, right, operator.distance)
        return node

    def operand(self) -> Node:
        lexeme = self.advance()
        if lexeme.kind == "(":
            node = self.any_of()
            if self.current.kind != ")":
                raise QueryError("'(' is never closed", lexeme.position)
            self.advance()
            return node
        if lexeme.kind in ("word", "phrase"):
            try:
                return Term(compile_phrase(lexeme.text))
            except PatternError as exc:
                raise QueryError(str(exc), lexeme.position) from None
        found = "the end of the query" if lexeme.kind == "end" else repr(lexeme.text)
        raise QueryError(f"expected a word, a phrase or '(' but found {found}", lexeme.position)


@dataclass(frozen=True)
class Query:
    """A parsed query: ``matches`` tells whether an analysed text satisfies it."""

    source: str
    root: Node

    def matches(self, text: AnalysedText) -> bool:
        return self.root.matches(text)


def parse_query(source: str) -> Query:
    """Parse ``source``; QueryError names the position of the first problem."""
    return Query(" ".join(source.split()), _Parser(source).parse())
