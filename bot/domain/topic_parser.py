"""The grammar of the topic language: lexing, parsing, and the one-line errors a channel sees."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NoReturn, cast

from bot.domain.paper_text import TextField, stem, tokenize
from bot.domain.topic_terms import And, AuthorTerm, CategoryTerm, Node, Not, Or, TextTerm

MAX_CHARS, MAX_TERMS, MAX_DEPTH, MIN_PREFIX = 300, 30, 8, 3

FIELDS = {"ti": "ti", "title": "ti", "abs": "abs", "abstract": "abs", "au": "au", "author": "au"}
FIELDS |= {"cat": "cat", "category": "cat", "all": "any"}
_ARCHIVE_NAMES = (
    "cs math stat eess econ physics astro-ph cond-mat gr-qc hep-ex hep-lat hep-ph hep-th math-ph"
    " nlin nucl-ex nucl-th quant-ph q-bio q-fin acc-phys adap-org alg-geom ao-sci atom-ph bayes-an"
    " chao-dyn chem-ph cmp-lg comp-gas dg-ga funct-an mtrl-th patt-sol plasm-ph q-alg solv-int"
    " supr-con"
)
ARCHIVES = frozenset(_ARCHIVE_NAMES.split())
_STOPWORD_TEXT = (
    "a about after all also an and any are as at be been but by can do does for from had has have"
    " he her his how i if in into is it its me more most my no nor not of on once only or other"
    " our out over own same she so some such than that the their them then there these they this"
    " those through to too under up very via was we were what when where which while who why will"
    " with would you your"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_KEYWORDS = {"and": "AND", "or": "OR", "not": "NOT"}
_QUOTES = '"\u201c\u201d\u201e\u201f\u2033'  # phones turn " into curly quotes
_FIELD = re.compile(r"([A-Za-z][A-Za-z_-]*):")
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
_CATEGORY = re.compile(r"([a-z]+(?:-[a-z]+)?)(?:\.(\*|[a-z]+(?:-[a-z]+)?))?", re.I | re.A)
_EG_CATEGORY = "e.g. `cat:cs.LG`, `cat:math` or `cat:physics.comp-ph`"
_EG_WORDS = "use words with AND, OR, NOT, e.g. `diffusion OR flow`"
_EG_PARENS = "e.g. `(diffusion OR flow) AND cat:cs.LG`"
_EG_FIELD = {"any": "all:diffusion", "ti": "ti:diffusion", "abs": "abs:diffusion"}
_EG_FIELD |= {"au": 'au:"Yann LeCun"', "cat": "cat:cs.LG"}


class TopicSyntaxError(ValueError):
    """A topic that can't be parsed; str() is a one-line message fit to post in the channel."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


def parse_expression(text: str) -> Node:
    """Parse what someone typed into an expression, or say in one line what to fix."""
    stripped = text.strip()
    if not stripped:
        raise TopicSyntaxError("Empty topic — type what to follow, e.g. `convergence`")
    if len(stripped) > MAX_CHARS:
        raise TopicSyntaxError(
            f"Topic is {len(stripped):,} characters; the limit is {MAX_CHARS} — keep it to a few"
            " terms, e.g. `diffusion AND cat:cs.LG`"
        )
    expression = _Parser(stripped).parse()
    if not _narrows(expression, common_too=True):
        raise TopicSyntaxError(
            f"{_quote(stripped)} only excludes papers, so it would match nearly everything — say"
            " what to look for too, e.g. `convergence -diffusion`"
        )
    if not _narrows(expression, common_too=False):
        raise TopicSyntaxError(
            f"{_quote(stripped)} has only common words, so it would match nearly everything — add"
            ' a distinctive one, e.g. `convergence` or `"the lottery ticket"`'
        )
    return expression


def _quote(text: str, position: int = 0, width: int = 40) -> str:
    """The user's text around `position`, safe inside backticks on one line."""
    if len(text) > width:
        start = max(0, min(position - 10, len(text) - width))
        end = start + width
        text = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    return "`" + " ".join(text.replace("`", "'").split()) + "`"


def _narrows(node: Node, *, common_too: bool) -> bool:
    """Whether every paper the node matches must have some term (not only lack some)."""
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_narrows(c, common_too=common_too) for c in node.children)
    if isinstance(node, Or):
        return all(_narrows(c, common_too=common_too) for c in node.children)
    return common_too or not (isinstance(node, TextTerm) and node.common)


# ---- lexing and parsing --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # ( ) AND OR NOT FIELD WORD PHRASE
    text: str
    pos: int


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch, after_field = text[i], bool(tokens) and tokens[-1].kind == "FIELD"
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(_Token(ch, ch, i))
            i += 1
        elif ch in _QUOTES:
            end = next((j for j in range(i + 1, n) if text[j] in _QUOTES), -1)
            if end < 0:
                raise TopicSyntaxError(
                    f'Unbalanced quote in {_quote(text, i)} — close the phrase, e.g. `"neural operator"`',
                    i,
                )
            tokens.append(_Token("PHRASE", text[i + 1 : end], i))
            i = end + 1
        elif (
            ch == "-"
            and not after_field
            and i + 1 < n
            and text[i + 1] not in "-)"
            and not (text[i + 1].isspace())
        ):
            tokens.append(_Token("NOT", "-", i))
            i += 1
        elif not after_field and (m := _FIELD.match(text, i)) and _is_field(text, m):
            tokens.append(_Token("FIELD", FIELDS[m.group(1).lower()], i))
            i = m.end()
        else:
            end = i
            while end < n and not text[end].isspace() and text[end] not in _QUOTES + "()":
                end += 1
            word = text[i:end]
            kind = "WORD" if after_field else _KEYWORDS.get(word.lower(), "WORD")
            tokens.append(_Token(kind, word, i))
            i = end
    return tokens


def _is_field(text: str, m: re.Match[str]) -> bool:
    """`ti:x` is a field; so is a typo like `foo:x` (an error); `note: x` is just a word."""
    name, end = m.group(1), m.end()
    gap = end >= len(text) or text[end].isspace() or text[end] == ")"
    if name.lower() in FIELDS:
        if gap:
            raise TopicSyntaxError(
                f"{_quote(name + ':')} needs a term right after it — e.g."
                f" `{_EG_FIELD[FIELDS[name.lower()]]}`",
                m.start(),
            )
        return True
    if gap:
        return False
    raise TopicSyntaxError(
        f"Unknown field {_quote(name + ':')} in {_quote(text, m.start())} — use ti:, abs:, au:"
        ' or cat:, e.g. `ti:diffusion`, `au:"Yann LeCun"`, `cat:cs.LG`',
        m.start(),
    )


class _Parser:
    """Recursive descent; precedence NOT > AND (or a space) > OR."""

    def __init__(self, text: str) -> None:
        self.text, self.tokens, self.i, self.terms = text, _lex(text), 0, 0

    def parse(self) -> Node:
        node = self._or(0, "any")
        if self.i < len(self.tokens):  # only a stray ")" stops the top level early
            self._fail(self.tokens[self.i], "Unbalanced parenthesis: this `)` has no `(`")
        return node

    def _peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _fail(self, token: _Token | None, problem: str, example: str = _EG_PARENS) -> NoReturn:
        pos = len(self.text) if token is None else token.pos
        where = _quote(self.text, pos)
        problem = problem if where in problem else f"{problem} in {where}"
        raise TopicSyntaxError(f"{problem} — {example}", pos)

    def _operand_after(self, op: _Token) -> None:
        nxt = self._peek()
        if nxt is None or nxt.kind in ("AND", "OR", ")"):
            self._dangling(op)

    def _dangling(self, op: _Token) -> NoReturn:
        if op.kind == "NOT":
            self._fail(op, f"`{op.text}` needs a term after it", "e.g. `convergence -diffusion`")
        self._fail(op, f"`{op.kind}` needs a term on both sides", f"e.g. `diffusion {op.kind} flow`")

    def _unclosed(self, paren: _Token) -> NoReturn:
        self._fail(paren, "Unbalanced parenthesis", f"close it, {_EG_PARENS}")

    def _or(self, depth: int, field: str) -> Node:
        children = [self._and(depth, field)]
        while (token := self._peek()) is not None and token.kind == "OR":
            self.i += 1
            self._operand_after(token)
            children.append(self._and(depth, field))
        return _combine(Or, children)

    def _and(self, depth: int, field: str) -> Node:
        children = [self._unary(depth, field)]
        while (token := self._peek()) is not None and token.kind not in ("OR", ")"):
            if token.kind == "AND":
                self.i += 1
                self._operand_after(token)
            children.append(self._unary(depth, field))
        return _combine(And, children)

    def _unary(self, depth: int, field: str) -> Node:
        token = self._peek()
        if token is None or token.kind != "NOT":
            return self._primary(depth, field)
        self.i += 1
        self._operand_after(token)
        child = self._unary(depth, field)
        return child.child if isinstance(child, Not) else Not(child)

    def _primary(self, depth: int, field: str) -> Node:
        token = self.tokens[self.i]  # callers have checked there is one
        self.i += 1
        if token.kind in ("AND", "OR"):
            self._dangling(token)
        if token.kind == ")":
            self._fail(token, "Unbalanced parenthesis: this `)` has no `(`")
        if token.kind == "FIELD":
            if field != "any":
                self._fail(token, "A field can't go inside another", "e.g. `ti:diffusion OR abs:flow`")
            return self._primary(depth, token.text)
        if token.kind == "(":
            if depth >= MAX_DEPTH:
                self._fail(token, f"Parentheses nest deeper than the limit of {MAX_DEPTH}")
            if (nxt := self._peek()) is not None and nxt.kind == ")":
                self._fail(token, "Empty parentheses", "put terms inside, e.g. `(diffusion OR flow)`")
            if nxt is None:
                self._unclosed(token)
            node = self._or(depth + 1, field)
            if (close := self._peek()) is None or close.kind != ")":
                self._unclosed(token)
            self.i += 1
            return node
        self.terms += 1
        if self.terms > MAX_TERMS:
            self._fail(
                token,
                f"Too many terms; the limit is {MAX_TERMS}",
                "split it into smaller topics, e.g. `diffusion cat:cs.LG`",
            )
        return self._term(field, token)

    def _term(self, field: str, token: _Token) -> TextTerm | AuthorTerm | CategoryTerm:
        if field == "cat":
            return self._category(token)
        raw = token.text if field == "au" else token.text.lower()
        if token.kind == "PHRASE":
            value, prefix = " ".join(raw.split()), False
        else:
            value, prefix = _EDGES.sub("", raw), raw.endswith("*")
        words = tokenize(value)
        if not words and token.kind == "WORD" and set(token.text) == {"-"}:
            self._fail(token, "`-` needs a term right after it", "e.g. `convergence -diffusion`")
        if not words:
            what = _quote(f'"{token.text}"' if token.kind == "PHRASE" else token.text)
            self._fail(token, f"{what} has no letters or digits to search for", _EG_WORDS)
        if prefix and (len(words) > 1 or len(words[0]) < MIN_PREFIX):
            self._fail(token, f"`*` needs one word of {MIN_PREFIX}+ letters before it", "e.g. `diffus*`")
        shown = f"{value}*" if prefix else value if _bare(value) else f'"{value}"'
        if field == "au":
            return AuthorTerm(tuple(words), prefix, f"au:{shown}")
        stems = (words[0],) if prefix else tuple(stem(w) for w in words)
        common = not prefix and all(w in STOPWORDS for w in words)
        label = shown if field == "any" else f"{field}:{shown}"
        return TextTerm(cast(TextField, field), stems, prefix, common, label)

    def _category(self, token: _Token) -> CategoryTerm:
        m = _CATEGORY.fullmatch(token.text.strip())
        if m is None:
            self._fail(token, f"{_quote('cat:' + token.text)} isn't an arXiv category", _EG_CATEGORY)
        archive, subject = m.group(1).lower(), m.group(2)
        if archive not in ARCHIVES:
            self._fail(token, f"Unknown arXiv archive `{archive}`", _EG_CATEGORY)
        if subject is None or subject == "*":
            return CategoryTerm(archive, True, f"cat:{archive}")
        shown = subject.upper() if len(subject) == 2 else subject.lower()
        return CategoryTerm(f"{archive}.{subject.lower()}", False, f"cat:{archive}.{shown}")


def _bare(value: str) -> bool:
    """Whether a term prints without quotes and still parses back to itself."""
    return (
        value == _EDGES.sub("", value)
        and not any(c.isspace() or c in _QUOTES or c in "()" for c in value)
        and value.lower() not in _KEYWORDS
        and _FIELD.match(value) is None
    )


def _combine(kind: type[And] | type[Or], children: list[Node]) -> Node:
    flat: list[Node] = []
    for child in children:
        flat.extend(child.children if isinstance(child, kind) else (child,))
    return flat[0] if len(flat) == 1 else kind(tuple(flat))
