"""The interfaces between the core's services and the world: sources, LLMs, chat platforms, storage.

Services import these names from here (`from bot.ports import ChannelStore, Publisher`); infrastructure
and adapters implement them, and `bot/app.py` wires the concrete classes in.
"""

from __future__ import annotations

from bot.ports.channels import (
    ChannelBook,
    ChannelStore,
    Subscriptions,
    TopicAdded,
    TopicLookup,
)
from bot.ports.chat import (
    AdapterStartError,
    ChannelUnavailable,
    ChatAdapter,
    Publisher,
)
from bot.ports.deliveries import (
    Claim,
    Confirmation,
    DeliveryBatchStore,
    DeliveryLedger,
    PendingClaim,
    StoredChannel,
    ThreadLookup,
)
from bot.ports.llm import (
    CachedExplanations,
    Completion,
    Explainer,
    LanguageModel,
    LlmKeyRejected,
    LlmTimedOut,
    LlmUnavailable,
    Prefetching,
)
from bot.ports.llm_stores import (
    ChannelUsage,
    ExplanationCache,
    ExplanationKey,
    PersonUsage,
    StoredExplanation,
    UsageLine,
    UserUsageLine,
)
from bot.ports.mutes import MuteAdded, Mutes
from bot.ports.papers import (
    ListedPapers,
    ListingFetch,
    ListingLog,
    MissLog,
    PaperArchive,
    PaperStore,
)
from bot.ports.platform import (
    PlatformStateStore,
    SeenRequestLog,
)
from bot.ports.ranking import RankedPaper, Relevance
from bot.ports.schedule import (
    DigestTimetable,
    DueDigest,
)
from bot.ports.sources import (
    FullText,
    FullTextSource,
    PaperSource,
    Section,
    SourceUnavailable,
)
from bot.ports.storage import (
    Storage,
)
from bot.ports.votes import VoteStore

__all__ = [
    "AdapterStartError",
    "CachedExplanations",
    "ChannelBook",
    "ChannelStore",
    "ChannelUnavailable",
    "ChannelUsage",
    "ChatAdapter",
    "Claim",
    "Completion",
    "Confirmation",
    "DeliveryBatchStore",
    "DeliveryLedger",
    "DigestTimetable",
    "DueDigest",
    "Explainer",
    "ExplanationCache",
    "ExplanationKey",
    "FullText",
    "FullTextSource",
    "LanguageModel",
    "ListedPapers",
    "ListingFetch",
    "ListingLog",
    "LlmKeyRejected",
    "LlmTimedOut",
    "LlmUnavailable",
    "MissLog",
    "MuteAdded",
    "Mutes",
    "PaperArchive",
    "PaperSource",
    "PaperStore",
    "PendingClaim",
    "PersonUsage",
    "PlatformStateStore",
    "Prefetching",
    "Publisher",
    "RankedPaper",
    "Relevance",
    "Section",
    "SeenRequestLog",
    "SourceUnavailable",
    "Storage",
    "StoredChannel",
    "StoredExplanation",
    "Subscriptions",
    "ThreadLookup",
    "TopicAdded",
    "TopicLookup",
    "UsageLine",
    "UserUsageLine",
    "VoteStore",
]
