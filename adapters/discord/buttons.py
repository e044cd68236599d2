"""The "Explain", 👍, 👎, "Not relevant" and "Mute…" buttons under each paper, and the mute menu,
working across restarts.

Their custom_ids carry the arXiv id (and the digest thread's id), and the classes are registered
with `client.add_dynamic_items`, discord.py's persistent-view mechanism for custom_ids that carry
data: a press on a months-old digest still reaches us after any number of restarts.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.mute_choices import MuteChoice

if TYPE_CHECKING:
    from adapters.discord.bridge import CommandBridge

PAPER_ID = r"(?P<paper>[A-Za-z0-9./-]{4,40})"
EXPLAIN_TEMPLATE = rf"paperboy:explain:{PAPER_ID}:(?P<thread>\d{{1,20}})"
NOT_RELEVANT_TEMPLATE = rf"paperboy:not-relevant:{PAPER_ID}"
VOTE_TEMPLATE = rf"paperboy:vote:(?P<way>up|down):{PAPER_ID}"
MUTE_CHOICES_TEMPLATE = rf"paperboy:mute-choices:{PAPER_ID}"
MUTE_MENU_TEMPLATE = rf"paperboy:mute:{PAPER_ID}"
# A string select (discord-api-docs, components reference): 25 options; label, value and
# description 100 characters each; placeholder 150.
MAX_MENU_OPTIONS, MAX_OPTION_TEXT = 25, 100


def _bridge(interaction: discord.Interaction) -> CommandBridge:
    bridge: CommandBridge = interaction.client.bridge  # type: ignore[attr-defined]
    return bridge


class ExplainButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=EXPLAIN_TEMPLATE):
    """Explains the paper in the digest's thread."""

    def __init__(self, paper: str, thread_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Explain",
                emoji="🔎",
                style=discord.ButtonStyle.primary,
                custom_id=f"paperboy:explain:{paper}:{thread_id}",
            )
        )
        self.paper = paper
        self.thread_id = thread_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ExplainButton:
        """Rebuild the button from a pressed custom_id."""
        return cls(match["paper"], int(match["thread"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Explain the paper."""
        await _bridge(interaction).explain_in_thread(interaction, self.paper, self.thread_id)


class NotRelevantButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=NOT_RELEVANT_TEMPLATE):
    """Records that the paper did not belong in this channel's digest."""

    def __init__(self, paper: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Not relevant",
                style=discord.ButtonStyle.secondary,
                custom_id=f"paperboy:not-relevant:{paper}",
            )
        )
        self.paper = paper

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> NotRelevantButton:
        """Rebuild the button from a pressed custom_id."""
        return cls(match["paper"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Record the verdict."""
        await _bridge(interaction).not_relevant(interaction, self.paper)


class VoteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=VOTE_TEMPLATE):
    """A member's 👍 or 👎 on the paper for this channel (changeable: the last press counts)."""

    def __init__(self, paper: str, up: bool) -> None:
        super().__init__(
            discord.ui.Button(
                emoji="👍" if up else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=f"paperboy:vote:{'up' if up else 'down'}:{paper}",
            )
        )
        self.paper = paper
        self.up = up

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VoteButton:
        """Rebuild the button from a pressed custom_id."""
        return cls(match["paper"], match["way"] == "up")

    async def callback(self, interaction: discord.Interaction) -> None:
        """Record the vote."""
        await _bridge(interaction).vote(interaction, self.paper, self.up)


class MuteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=MUTE_CHOICES_TEMPLATE):
    """ "Mute…": offers the clicker what of this paper the channel could mute."""

    def __init__(self, paper: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Mute…",
                style=discord.ButtonStyle.secondary,
                custom_id=f"paperboy:mute-choices:{paper}",
            )
        )
        self.paper = paper

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> MuteButton:
        """Rebuild the button from a pressed custom_id."""
        return cls(match["paper"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Offer the choices, to the clicker alone."""
        await _bridge(interaction).mute_choices(interaction, self.paper)


class MuteMenu(discord.ui.DynamicItem[discord.ui.Select[Any]], template=MUTE_MENU_TEMPLATE):
    """The choices "Mute…" offers; each option's value is the exact text `mute` takes."""

    def __init__(self, paper: str, choices: tuple[MuteChoice, ...] = ()) -> None:
        options = [
            discord.SelectOption(label=c.text, value=c.text, description=c.kind.describe)
            for c in choices
            if len(c.text) <= MAX_OPTION_TEXT  # a cut mute would mute something else: left out
        ][:MAX_MENU_OPTIONS]
        super().__init__(
            discord.ui.Select(
                custom_id=f"paperboy:mute:{paper}",
                placeholder="Mute a word, author or category…",
                options=options,
            )
        )
        self.paper = paper

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> MuteMenu:
        """Rebuild the menu from a chosen custom_id (the choice itself arrives in the interaction)."""
        return cls(match["paper"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Mute the chosen term, as `/paper mute` would, with the chooser as the one who asks."""
        if self.item.values:
            await _bridge(interaction).mute(interaction, self.item.values[0])


def paper_buttons(paper: str, thread_id: int) -> discord.ui.View:
    """The buttons under one digest paper (`thread_id` 0 when the digest has no thread)."""
    view = discord.ui.View(timeout=None)
    view.add_item(ExplainButton(paper, thread_id))
    _with_votes(view, paper)
    view.add_item(MuteButton(paper))
    return view


def mute_menu(paper: str, choices: tuple[MuteChoice, ...]) -> discord.ui.View:
    """The menu of what an item offers to mute."""
    view = discord.ui.View(timeout=None)
    view.add_item(MuteMenu(paper, choices))
    return view


def card_buttons(paper: str) -> discord.ui.View:
    """The buttons under an `/explain` card: the votes and "Not relevant"."""
    return _with_votes(discord.ui.View(timeout=None), paper)


def _with_votes(view: discord.ui.View, paper: str) -> discord.ui.View:
    view.add_item(VoteButton(paper, True))
    view.add_item(VoteButton(paper, False))
    view.add_item(NotRelevantButton(paper))
    return view
