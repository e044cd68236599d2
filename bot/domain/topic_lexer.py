"""Lexing the topic language: what someone typed, cut into words, phrases, fields and operators."""

from __future__ import annotations

import re
from dataclasses import dataclass

FIELDS = {"ti": "ti", "title": "ti", "abs": "abs", "abstract": "abs", "au": "au", "author": "au"}
FIELDS |= {"cat": "cat", "category": "cat", "all": "any", "like": "like"}
KEYWORDS = {"and": "AND", "or": "OR", "not": "NOT"}
QUOTES = '"\u201c\u201d\u201e\u201f\u2033'  # phones turn " into curly quotes
FIELD = re.compile(r"([A-Za-z][A-Za-z_-]*):")
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")  # echoed as �
_EG_FIELD = {"any": "all:diffusion", "ti": "ti:diffusion", "abs": "abs:diffusion"}
_EG_FIELD |= {"au": 'au:"Yann LeCun"', "cat": "cat:cs.LG", "like": "like:2602.10905"}
EG_MEANING = '`~"graph neural networks"` or `~convergence`'


class TopicSyntaxError(ValueError):
    """A topic that can't be parsed; str() is a one-line message fit to post in the channel."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


def quote(text: str, position: int = 0, width: int = 40) -> str:
    """The user's text around `position`, safe inside backticks on one line."""
    if len(text) > width:
        start = max(0, min(position - 10, len(text) - width))
        end = start + width
        text = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    text = _UNPRINTABLE.sub("\ufffd", text.replace("`", "'"))
    return "`" + " ".join(text.split()) + "`"


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # ( ) AND OR NOT FIELD WORD PHRASE MEANING (the text after `~`)
    text: str
    pos: int


def lex(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch, after_field = text[i], bool(tokens) and tokens[-1].kind == "FIELD"
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(Token(ch, ch, i))
            i += 1
        elif ch in QUOTES:
            end = next((j for j in range(i + 1, n) if text[j] in QUOTES), -1)
            if end < 0:
                raise TopicSyntaxError(
                    f'Unbalanced quote in {quote(text, i)} — close the phrase, e.g. `"neural operator"`',
                    i,
                )
            tokens.append(Token("PHRASE", text[i + 1 : end], i))
            i = end + 1
        elif ch == "~" and not after_field:
            i = _meaning(text, i, tokens)
        elif (
            ch == "-"
            and not after_field
            and i + 1 < n
            and text[i + 1] not in "-)"
            and not (text[i + 1].isspace())
        ):
            tokens.append(Token("NOT", "-", i))
            i += 1
        elif not after_field and (m := FIELD.match(text, i)) and _is_field(text, m):
            tokens.append(Token("FIELD", FIELDS[m.group(1).lower()], i))
            i = m.end()
        else:
            end = i
            while end < n and not text[end].isspace() and text[end] not in QUOTES + "()":
                end += 1
            word = text[i:end]
            kind = "WORD" if after_field else KEYWORDS.get(word.lower(), "WORD")
            tokens.append(Token(kind, word, i))
            i = end
    return tokens


def _meaning(text: str, i: int, tokens: list[Token]) -> int:
    """`~"a phrase"` or `~word`: one MEANING token; returns where lexing goes on."""
    start, n = i + 1, len(text)
    if start < n and text[start] in QUOTES:
        end = next((j for j in range(start + 1, n) if text[j] in QUOTES), -1)
        if end < 0:
            raise TopicSyntaxError(f"Unbalanced quote in {quote(text, i)} — close it, e.g. {EG_MEANING}", i)
        tokens.append(Token("MEANING", text[start + 1 : end], i))
        return end + 1
    end = start
    while end < n and not text[end].isspace() and text[end] not in QUOTES + "()":
        end += 1
    if end == start:
        raise TopicSyntaxError(f"`~` needs words right after it — e.g. {EG_MEANING}", i)
    tokens.append(Token("MEANING", text[start:end], i))
    return end


def _is_field(text: str, m: re.Match[str]) -> bool:
    """`ti:x` is a field; so is a typo like `foo:x` (an error); `note: x` is just a word."""
    name, end = m.group(1), m.end()
    gap = end >= len(text) or text[end].isspace() or text[end] == ")"
    if name.lower() in FIELDS:
        if gap:
            raise TopicSyntaxError(
                f"{quote(name + ':')} needs a term right after it — e.g. `{_EG_FIELD[FIELDS[name.lower()]]}`",
                m.start(),
            )
        return True
    if gap:
        return False
    raise TopicSyntaxError(
        f"Unknown field {quote(name + ':')} in {quote(text, m.start())} — use ti:, abs:, au:"
        ' or cat:, e.g. `ti:diffusion`, `au:"Yann LeCun"`, `cat:cs.LG`',
        m.start(),
    )
