"""Who sees an answer: decided once in the core, so every platform shows it to the same people."""

from __future__ import annotations

from enum import StrEnum


class Audience(StrEnum):
    """Where an answer goes: to everyone in the channel, or only to the person who asked."""

    CHANNEL = "channel"
    PERSON = "person"


class Reach(StrEnum):
    """Who a command's answer is for when it succeeds (errors and refusals go to the person only)."""

    CHANNEL = "channel"  # digests, explanations, changes to the channel: everyone should see them
    PERSON = "person"  # acknowledgements of personal actions, such as a "Not relevant" vote
    AS_ASKED = "as asked"  # looking something up: whoever saw the question sees the answer

    def audience(self, *, asked_in_channel: bool) -> Audience:
        """The audience for a question asked privately (a slash command) or in the channel (a mention)."""
        if self is Reach.CHANNEL or (self is Reach.AS_ASKED and asked_in_channel):
            return Audience.CHANNEL
        return Audience.PERSON
