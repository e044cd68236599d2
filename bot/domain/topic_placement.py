"""Where a `like:` seed or `~` meaning may stand in a topic, and its near part and filter apart."""

from __future__ import annotations

from typing import NoReturn

from bot.domain.topic_lexer import TopicSyntaxError, quote
from bot.domain.topic_near import MeaningTerm, NearTerm, SeedTerm
from bot.domain.topic_terms import And, Node, Not, Or

_EG_SEEDS = "e.g. `like:2602.10905 OR like:2601.00001`"
_EG_FILTER = 'e.g. `~"graph neural networks" cat:cs.LG -survey`'


def is_near(node: object) -> bool:
    """Whether `node` is a seed or a meaning."""
    return isinstance(node, SeedTerm | MeaningTerm)


def has_near(node: Node) -> bool:
    """Whether a seed or meaning is anywhere inside `node`."""
    if is_near(node):
        return True
    children = getattr(node, "children", None)
    if children is not None:
        return any(has_near(child) for child in children)
    child = getattr(node, "child", None)
    return child is not None and has_near(child)


def split_near(node: Node, text: str = "") -> tuple[tuple[NearTerm, ...], Node | None]:
    """A topic's near part (empty for a word topic) and its filter (None when there is none).

    Raises TopicSyntaxError, with an example of right, when a seed or meaning stands where it
    can't (see the module docstring); `text` is what was typed, to quote it.
    """
    if isinstance(node, SeedTerm | MeaningTerm):
        return (node,), None
    if not has_near(node):
        return (), node
    if isinstance(node, Or):
        if all(isinstance(c, SeedTerm | MeaningTerm) for c in node.children):
            return tuple(c for c in node.children if isinstance(c, SeedTerm | MeaningTerm)), None
        _refuse_or(text)
    if isinstance(node, Not):
        _refuse_not(text)
    assert isinstance(node, And)  # the only node left that can hold one
    near: list[tuple[NearTerm, ...]] = []
    rest: list[Node] = []
    for child in node.children:
        if has_near(child):  # a seed, a meaning, or an OR of them (AND is flattened): no filter
            near.append(split_near(child, text)[0])
        else:
            rest.append(child)
    if len(near) > 1:
        raise TopicSyntaxError(
            f"{quote(text)} asks for papers close to several things at once; join them with OR — {_EG_SEEDS}"
        )
    filter_ = None if not rest else rest[0] if len(rest) == 1 else And(tuple(rest))
    return near[0], filter_


def _refuse_not(text: str) -> NoReturn:
    raise TopicSyntaxError(
        f"{quote(text)} excludes a `like:` paper or a `~` meaning; `-` and NOT exclude only words,"
        f" authors and categories — {_EG_FILTER}"
    )


def _refuse_or(text: str) -> NoReturn:
    raise TopicSyntaxError(
        f"{quote(text)} puts a `like:` paper or `~` meaning in an OR with words; similarity brings its"
        " own papers, so follow the words as a topic of their own, e.g. `subscribe diffusion`, or"
        " group several papers in parentheses, e.g. `(like:2602.10905 OR like:2601.00001) cat:cs.LG`"
    )
