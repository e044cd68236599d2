"""The grammar of the topic language: parsing, and the one-line errors a channel sees."""

from __future__ import annotations

import re
from typing import NoReturn, cast

from bot.domain import taxonomy
from bot.domain.ids import InvalidArxivId, parse_arxiv_id
from bot.domain.paper_text import TextField, stem, tokenize
from bot.domain.topic_checks import unfit_text, unknown_archive, unknown_category
from bot.domain.topic_lexer import (
    EG_MEANING,
    FIELD,
    KEYWORDS,
    QUOTES,
    Token,
    TopicSyntaxError,
    lex,
    quote,
)
from bot.domain.topic_near import MeaningTerm, SeedTerm
from bot.domain.topic_placement import split_near
from bot.domain.topic_terms import And, AuthorTerm, CategoryTerm, Node, Not, Or, TextTerm, match_key

MAX_CHARS, MAX_TERMS, MAX_DEPTH, MIN_PREFIX = 300, 30, 8, 3

_STOPWORD_TEXT = (
    "a about after all also an and any are as at be been but by can do does for from had has have"
    " he her his how i if in into is it its me more most my no nor not of on once only or other"
    " our out over own same she so some such than that the their them then there these they this"
    " those through to too under up very via was we were what when where which while who why will"
    " with would you your"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
_CATEGORY = re.compile(r"([a-z]+(?:-[a-z]+)?)(?:\.(\*|[a-z]+(?:-[a-z]+)?))?", re.I | re.A)
_EG_CATEGORY = "e.g. `cat:cs.LG`, `cat:math` or `cat:physics.comp-ph`"
_EG_WORDS = "use words with AND, OR, NOT, e.g. `diffusion OR flow`"
_EG_PARENS = "e.g. `(diffusion OR flow) AND cat:cs.LG`"


def parse_expression(text: str, *, new: bool = True) -> tuple[Node, tuple[str, ...]]:
    """Parse a topic into an expression and the terms dropped as repeats, or say what to fix.

    `new` is for what someone just typed: it must also be plain text without mentions, name real
    arXiv categories and fit the limit once written out in full. A topic read back from storage
    skips those checks, so one an older version accepted keeps working.
    """
    stripped = text.strip()
    if not stripped:
        raise TopicSyntaxError("Empty topic — type what to follow, e.g. `convergence`")
    if new and len(stripped) > MAX_CHARS:
        raise TopicSyntaxError(_too_long(len(stripped)))
    if new and (unfit := unfit_text(stripped)) is not None:
        raise TopicSyntaxError(*unfit)
    parser = _Parser(stripped, new)
    expression = parser.parse()
    near, _ = split_near(expression, stripped)  # a seed or meaning only where it can stand
    if not near:
        _check_narrows(expression, stripped)
    if new:  # what is stored must pass what was typed had to: lowercasing can change it
        if len(written := str(expression)) > MAX_CHARS:
            raise TopicSyntaxError(_too_long(len(written), written))
        if (unfit := unfit_text(written)) is not None:
            raise TopicSyntaxError(*unfit)
    return expression, tuple(parser.repeats)


def _check_narrows(expression: Node, stripped: str) -> None:
    """A word topic must select papers by something, and by more than common words."""
    if not _narrows(expression, common_too=True):
        raise TopicSyntaxError(
            f"{quote(stripped)} only excludes papers, so it would match nearly everything — say"
            " what to look for too, e.g. `convergence -diffusion`"
        )
    if not _narrows(expression, common_too=False):
        raise TopicSyntaxError(
            f"{quote(stripped)} has only common words, so it would match nearly everything — add"
            ' a distinctive one, e.g. `convergence` or `"the lottery ticket"`'
        )


def _too_long(length: int, written: str = "") -> str:
    how = f"Written out in full ({quote(written)}), the topic is" if written else "Topic is"
    return (
        f"{how} {length:,} characters; the limit is {MAX_CHARS} — keep it to a few terms, e.g."
        " `diffusion AND cat:cs.LG`"
    )


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


class _Parser:
    """Recursive descent; precedence NOT > AND (or a space) > OR."""

    def __init__(self, text: str, new: bool) -> None:
        self.text, self.tokens, self.i, self.terms = text, lex(text), 0, 0
        self.new = new  # check categories against arXiv's taxonomy
        self.repeats: list[str] = []  # terms given twice, dropped from the topic

    def parse(self) -> Node:
        node = self._or(0, "any")
        if self.i < len(self.tokens):  # only a stray ")" stops the top level early
            self._fail(self.tokens[self.i], "Unbalanced parenthesis: this `)` has no `(`")
        return node

    def _peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _fail(self, token: Token | None, problem: str, example: str = _EG_PARENS) -> NoReturn:
        pos = len(self.text) if token is None else token.pos
        where = quote(self.text, pos)
        problem = problem if where in problem else f"{problem} in {where}"
        raise TopicSyntaxError(f"{problem} — {example}", pos)

    def _operand_after(self, op: Token) -> None:
        nxt = self._peek()
        if nxt is None or nxt.kind in ("AND", "OR", ")"):
            self._dangling(op)

    def _dangling(self, op: Token) -> NoReturn:
        if op.kind == "NOT":
            self._fail(op, f"`{op.text}` needs a term after it", "e.g. `convergence -diffusion`")
        self._fail(op, f"`{op.kind}` needs a term on both sides", f"e.g. `diffusion {op.kind} flow`")

    def _unclosed(self, paren: Token) -> NoReturn:
        self._fail(paren, "Unbalanced parenthesis", f"close it, {_EG_PARENS}")

    def _or(self, depth: int, field: str) -> Node:
        children = [self._and(depth, field)]
        while (token := self._peek()) is not None and token.kind == "OR":
            self.i += 1
            self._operand_after(token)
            children.append(self._and(depth, field))
        return _combine(Or, children, self.repeats)

    def _and(self, depth: int, field: str) -> Node:
        children = [self._unary(depth, field)]
        while (token := self._peek()) is not None and token.kind not in ("OR", ")"):
            if token.kind == "AND":
                self.i += 1
                self._operand_after(token)
            children.append(self._unary(depth, field))
        return _combine(And, children, self.repeats)

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
        if token.kind == "MEANING" and field != "any":
            self._fail(token, "A `~` meaning can't go inside a field", f"e.g. {EG_MEANING}")
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

    def _term(self, field: str, token: Token) -> Node:
        if field == "cat":
            return self._category(token)
        if field == "like":
            return self._seed(token)
        if token.kind == "MEANING":
            return self._meaning(token)
        raw = token.text if field == "au" else token.text.lower()
        if token.kind == "PHRASE":
            value, prefix = " ".join(raw.split()), False
        else:
            value, prefix = _EDGES.sub("", raw), raw.endswith("*")
        words = tokenize(value)
        if not words and token.kind == "WORD" and set(token.text) == {"-"}:
            self._fail(token, "`-` needs a term right after it", "e.g. `convergence -diffusion`")
        if not words:
            what = quote(f'"{token.text}"' if token.kind == "PHRASE" else token.text)
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

    def _seed(self, token: Token) -> SeedTerm:
        try:
            arxiv_id = parse_arxiv_id(token.text)
        except InvalidArxivId as error:
            what = f"`like:` needs an arXiv id, and {quote(token.text)} is not one ({error.reason})"
            raise TopicSyntaxError(f"{what} — e.g. `like:2602.10905`", token.pos) from None
        return SeedTerm(arxiv_id.base, f"like:{arxiv_id.base}")

    def _meaning(self, token: Token) -> MeaningTerm:
        value = " ".join(_EDGES.sub("", token.text.lower()).split())
        if not tokenize(value):
            what = f"{quote(self.text, token.pos)} has no letters or digits after `~` to take a meaning from"
            raise TopicSyntaxError(f"{what} — e.g. {EG_MEANING}", token.pos)
        return MeaningTerm(value, f"~{value}" if _bare(value) else f'~"{value}"')

    def _category(self, token: Token) -> CategoryTerm:
        m = _CATEGORY.fullmatch(token.text.strip())
        if m is None:
            self._fail(token, f"{quote('cat:' + token.text)} isn't an arXiv category", _EG_CATEGORY)
        archive, subject = m.group(1).lower(), m.group(2)
        if taxonomy.archive(archive) is None:
            raise TopicSyntaxError(unknown_archive(archive, m.group()), token.pos)
        if subject is None or subject == "*":
            return CategoryTerm(archive, True, f"cat:{archive}")
        known = taxonomy.category(f"{archive}.{subject}")
        if known is not None:
            return CategoryTerm(known.id.lower(), False, f"cat:{known.id}")
        if self.new:
            raise TopicSyntaxError(unknown_category(archive, subject), token.pos)
        shown = subject.upper() if len(subject) == 2 else subject.lower()
        return CategoryTerm(f"{archive}.{subject.lower()}", False, f"cat:{archive}.{shown}")


def _bare(value: str) -> bool:
    """Whether a term prints without quotes and still parses back to itself."""
    return (
        value == _EDGES.sub("", value)
        and not any(c.isspace() or c in QUOTES or c in "()" for c in value)
        and value.lower() not in KEYWORDS
        and FIELD.match(value) is None
    )


def _combine(kind: type[And] | type[Or], children: list[Node], repeats: list[str]) -> Node:
    """One node of `kind` over the children, flattened, each distinct child once."""
    flat: dict[str, Node] = {}
    for child in children:
        for part in child.children if isinstance(child, kind) else (child,):
            if flat.setdefault(match_key(part), part) is not part:
                repeats.append(str(part))
    nodes = list(flat.values())
    return nodes[0] if len(nodes) == 1 else kind(tuple(nodes))
