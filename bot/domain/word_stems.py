"""Which words count as one: inflections of a word meet, different words with a shared stem don't.

The Snowball (Porter2) English stemmer brings `converges`, `convergence` and `convergent` to
`converg`, which is what a search wants; but it also brings `transformer` to `transform` and
`computer` to `comput`, so `ti:transformer` would find "Scattering Transform". Here a word's key
is its Snowball stem plus the suffixes that make a different word (an agent like -er, an adjective
like -al or -ive, a quality like -ity) which Snowball removed: inflections and the suffixes that
name the act or state of the same word (-s, -ed, -ing, -ly, -ence, -ent, -ion, -ment, -ness) are
dropped, so `converging` and `convergence` still meet.
"""

from __future__ import annotations

from functools import lru_cache

import snowballstemmer

_STEMMER = snowballstemmer.stemmer("english")

# Tried in this order at the end of the word, peeling one at a time until the Snowball stem is
# reached; each says which mark it leaves ("" for one that keeps the word the same word). The
# shortest come first, so an inflection is peeled before what it hides (`transformers` -> `-s`,
# then `-er`); `-ical` is the adjective of `-ic` (`statistical` meets `statistics`).
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("'s", ""),
    ("s", ""),
    ("e", ""),
    ("ed", ""),
    ("ing", ""),
    ("ly", ""),
    ("ical", "ic"),
    ("al", "al"),
    ("ic", "ic"),
    ("er", "er"),
    ("or", "or"),
    ("iv", "ive"),
    ("ity", "ity"),
    ("iti", "ity"),
    ("iz", "ize"),
    ("ism", "ism"),
    ("ist", "ist"),
    ("ous", "ous"),
    ("able", "able"),
    ("ible", "able"),
    ("ful", "ful"),
    ("less", "less"),
    ("ion", ""),
    ("at", ""),
    ("enc", ""),
    ("anc", ""),
    ("ency", ""),
    ("ancy", ""),
    ("ent", ""),
    ("ant", ""),
    ("ment", ""),
    ("ness", ""),
)
MARK = "~"  # joins a stem and its marks: never part of a token, so a key is never a word


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """The key a folded word is matched by: `convergent` -> `converg`, `computer` -> `comput~er`."""
    base = str(_STEMMER.stemWord(token))
    if base == token:
        return base
    rest, marks = token, []
    while len(rest) > len(base):
        for suffix, mark in _SUFFIXES:
            if rest.endswith(suffix) and len(rest) - len(suffix) >= 2:
                rest = rest[: -len(suffix)]
                if mark and mark not in marks:
                    marks.append(mark)
                break
        else:
            break
    return MARK.join((base, *sorted(marks)))
