"""A seeded, realistic day for the digest-cycle benchmark: papers, topics and channels' subscriptions.

Text comes from a word-level Markov chain over the seed documents (tests/fixtures/seeds), so
titles and abstracts have the seeds' vocabulary, word frequencies and common phrases; categories
are real arXiv categories across cs, math, stat, physics and neighbours; authors are drawn from a
pool of common names, so surnames repeat across papers as they do on arXiv.
"""

from __future__ import annotations

import itertools
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.domain.paper import Paper
from bot.domain.topic_parser import STOPWORDS
from bot.domain.topics import TopicSyntaxError, parse_topic

SEEDS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "seeds"
CATEGORIES = {
    "cs": "cs.LG cs.AI cs.CL cs.CV cs.DS cs.IT cs.NE cs.RO cs.SD cs.CR cs.DC cs.GT cs.SY cs.IR cs.DM",
    "math": "math.OC math.PR math.ST math.NA math.AP math.CO math.DS math.FA math.AG math.NT",
    "stat": "stat.ML stat.ME stat.TH stat.CO stat.AP",
    "physics": "physics.comp-ph physics.data-an quant-ph cond-mat.stat-mech cond-mat.dis-nn hep-th "
    "astro-ph.CO astro-ph.IM gr-qc nlin.CD",
    "other": "eess.SP eess.SY eess.AS q-bio.NC q-fin.CP econ.EM",
}
ARCHIVE_WEIGHTS = {"cs": 45, "math": 25, "stat": 12, "physics": 12, "other": 6}
FIRST = [
    "Wei",
    "Yan",
    "Jun",
    "Li",
    "Hao",
    "Min",
    "Anna",
    "Maria",
    "Elena",
    "Sofia",
    "Laura",
    "David",
    "Daniel",
    "Michael",
    "Thomas",
    "Peter",
    "Paul",
    "John",
    "James",
    "Robert",
    "Carlos",
    "Juan",
    "Luis",
    "Pierre",
    "Jean",
    "Marie",
    "Lukas",
    "Jonas",
    "Felix",
    "Ahmed",
    "Omar",
    "Ali",
    "Priya",
    "Arjun",
    "Rahul",
    "Sanjay",
    "Kenji",
    "Yuki",
    "Hiroshi",
    "Sara",
    "Ines",
    "Olga",
    "Ivan",
    "Dmitri",
    "Chen",
    "Ming",
    "Xin",
    "Jie",
    "Lei",
    "Emma",
    "Noah",
    "Zaiwei",
    "Deyi",
]
LAST = [
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Xu",
    "Sun",
    "Ma",
    "Zhu",
    "Hu",
    "Guo",
    "He",
    "Lin",
    "Luo",
    "Gao",
    "Kim",
    "Lee",
    "Park",
    "Choi",
    "Nguyen",
    "Tran",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Muller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Rossi",
    "Russo",
    "Ferrari",
    "Bianchi",
    "Dubois",
    "Martin",
    "Bernard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Silva",
    "Santos",
    "Oliveira",
    "Costa",
    "Pereira",
    "Ivanov",
    "Smirnov",
    "Kuznetsov",
    "Popov",
    "Sato",
    "Suzuki",
    "Takahashi",
    "Tanaka",
    "Watanabe",
    "Ito",
    "Yamamoto",
    "Kumar",
    "Singh",
    "Sharma",
    "Patel",
    "Gupta",
    "Shah",
    "Khan",
    "Ahmed",
    "Cohen",
    "Levy",
    "Novak",
    "Kowalski",
    "Nowak",
    "Jensen",
    "Hansen",
    "Nielsen",
    "Andersen",
    "Larsen",
    "Kong",
    "Mou",
    "Lagrange",
]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The seeds' word chain and the words and phrases topics are made of."""

    chain: dict[str, list[str]]
    starts: list[str]
    words: list[str]  # distinctive words (no stopwords, 4+ letters), each once
    phrases: list[str]  # two distinctive words that follow each other in the seeds


def vocabulary() -> Vocabulary:
    """Read the seeds once into a Markov chain and topic material."""
    lines = [line for path in sorted(SEEDS.glob("*.txt")) for line in path.read_text("utf-8").splitlines()]
    # Titles and abstracts only: not the digest's "Authors:", "arXiv:" and "Categories:" lines.
    text = " ".join(line for line in lines if not re.match(r"\s*•", line))
    tokens = re.findall(r"[A-Za-z][A-Za-z-]*[A-Za-z]|[A-Za-z]", text)
    chain: dict[str, list[str]] = defaultdict(list)
    for a, b in itertools.pairwise(tokens):
        chain[a].append(b)

    def distinctive(word: str) -> bool:
        return len(word) >= 4 and word.lower() not in STOPWORDS and word.isalpha()

    counts = Counter(t.lower() for t in tokens if distinctive(t))
    words = sorted(w for w, n in counts.items())
    pairs = Counter(
        f"{a.lower()} {b.lower()}" for a, b in itertools.pairwise(tokens) if distinctive(a) and distinctive(b)
    )
    starts = [t for t in tokens if t[0].isupper() and distinctive(t)]
    return Vocabulary(dict(chain), starts, words, sorted(pairs))


def _walk(vocab: Vocabulary, rng: random.Random, length: int) -> list[str]:
    word = rng.choice(vocab.starts)
    out = [word]
    while len(out) < length:
        following = vocab.chain.get(word)
        word = rng.choice(following) if following else rng.choice(vocab.starts)
        out.append(word)
    return out


def _category(rng: random.Random) -> str:
    archive = rng.choices(list(ARCHIVE_WEIGHTS), weights=list(ARCHIVE_WEIGHTS.values()))[0]
    return rng.choice(CATEGORIES[archive].split())


def author_pool(rng: random.Random, size: int = 4_000) -> list[str]:
    """Distinct full names; surnames repeat, as on arXiv."""
    names = {f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(size * 3)}
    return sorted(names)[:size]


def make_papers(n: int, seed: int, day: date) -> list[Paper]:
    """`n` new papers announced on `day`: seed-like titles and abstracts, real categories."""
    rng = random.Random(seed)
    vocab = vocabulary()
    authors = author_pool(rng)
    published = datetime.combine(day - timedelta(days=1), datetime.min.time(), UTC)
    papers = []
    for i in range(n):
        title = " ".join(_walk(vocab, rng, rng.randint(6, 14)))
        abstract = " ".join(_walk(vocab, rng, rng.randint(110, 220))) + "."
        primary = _category(rng)
        cross = {_category(rng) for _ in range(rng.choice((0, 0, 1, 1, 2, 3)))} - {primary}
        papers.append(
            Paper(
                arxiv_id=f"2602.{10001 + i:05d}",
                version=1,
                title=title[0].upper() + title[1:],
                authors=tuple(rng.sample(authors, rng.randint(1, 6))),
                abstract=abstract,
                categories=(primary, *sorted(cross)),
                primary_category=primary,
                published=published + timedelta(seconds=17 * i),
                updated=published + timedelta(seconds=17 * i),
            )
        )
    return papers


def make_topics(n: int, seed: int) -> list[str]:
    """`n` distinct topics in normalized form: words, phrases, categories, authors, boolean mixes."""
    rng = random.Random(seed)
    vocab = vocabulary()
    authors = author_pool(random.Random(seed + 1))
    every_category = [c for group in CATEGORIES.values() for c in group.split()]

    def word() -> str:
        return rng.choice(vocab.words)

    def phrase() -> str:
        return f'"{rng.choice(vocab.phrases)}"'

    makers = [
        (30, word),
        (18, phrase),
        (6, lambda: f"cat:{rng.choice(every_category)}"),
        (6, lambda: f"au:{rng.choice(LAST)}"),
        (5, lambda: f'au:"{rng.choice(authors)}"'),
        (8, lambda: f"{word()} AND cat:{rng.choice(every_category)}"),
        (8, lambda: f"{word()} OR {word()}"),
        (5, lambda: f"{phrase()} -{word()}"),
        (5, lambda: f"({word()} OR {phrase()}) AND cat:{rng.choice(every_category).split('.')[0]}"),
        (4, lambda: f"ti:{word()}"),
        (3, lambda: f"abs:{word()} AND {word()}"),
        (2, lambda: f"{word()[:5]}*"),
    ]
    weights = [w for w, _ in makers]
    found: dict[str, None] = {}
    while len(found) < n:
        make = rng.choices(makers, weights=weights)[0][1]
        try:
            found.setdefault(parse_topic(make()).text)
        except TopicSyntaxError:
            continue
    return list(found)


def subscriptions(channels: int, topics: list[str], seed: int, per_channel: int = 5) -> Iterator[list[str]]:
    """Each channel's topics: every topic followed at least once, popular ones by many (Zipf)."""
    rng = random.Random(seed)
    order = topics[:]
    rng.shuffle(order)
    cumulative = list(itertools.accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(order))))
    slot = 0
    for _ in range(channels):
        mine: dict[str, None] = {}
        while len(mine) < per_channel:
            if slot < len(order):
                mine.setdefault(order[slot])
                slot += 1
            else:
                mine.setdefault(rng.choices(order, cum_weights=cumulative)[0])
        yield list(mine)
