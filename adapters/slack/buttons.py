"""The buttons under a paper (Explain, 👍, 👎, Not relevant, Mute…), the mute menu, and the reactions
that count as votes.

Each action id carries the paper's id, so a press on a months-old message still names its paper.
"""

from __future__ import annotations

import re
from typing import Any

from bot.domain.mute_choices import MuteChoice

EXPLAIN_ACTION = "paperboy_explain"
NOT_RELEVANT_ACTION = "paperboy_not_relevant"
VOTE_UP_ACTION = "paperboy_vote_up"
VOTE_DOWN_ACTION = "paperboy_vote_down"
MUTE_CHOICES_ACTION = "paperboy_mute"  # "Mute…" on a digest item: the choices, to the clicker alone
MUTE_TERM_ACTION = "paperboy_mute_term"  # a choice in that menu: the real `mute`
ACTIONS = (
    EXPLAIN_ACTION,
    NOT_RELEVANT_ACTION,
    VOTE_UP_ACTION,
    VOTE_DOWN_ACTION,
    MUTE_CHOICES_ACTION,
    MUTE_TERM_ACTION,
)
ACTION_PATTERN = re.compile(rf"^({'|'.join(ACTIONS)}):")
# Slack names 👍 `+1` (alias `thumbsup`) and 👎 `-1` (alias `thumbsdown`); a skin tone is a suffix
# such as `+1::skin-tone-2` (https://docs.slack.dev/reference/events/reaction_added/).
UP_REACTIONS = frozenset({"+1", "thumbsup"})
DOWN_REACTIONS = frozenset({"-1", "thumbsdown"})


def reaction_vote(reaction: str) -> bool | None:
    """True for a 👍 reaction, False for a 👎, None for any other emoji."""
    name = reaction.split("::", 1)[0]
    if name in UP_REACTIONS:
        return True
    if name in DOWN_REACTIONS:
        return False
    return None


def action_buttons(arxiv_id: str, *, explain: bool = True) -> dict[str, Any]:
    """Explain and Mute… (on digest items), 👍, 👎 and "Not relevant"; the action ids carry the paper's id."""
    shown = [(EXPLAIN_ACTION, "Explain")] if explain else []
    shown += [(VOTE_UP_ACTION, "👍"), (VOTE_DOWN_ACTION, "👎"), (NOT_RELEVANT_ACTION, "Not relevant")]
    shown += [(MUTE_CHOICES_ACTION, "Mute…")] if explain else []
    return {
        "type": "actions",
        "block_id": f"paper:{arxiv_id}",
        "elements": [
            {
                "type": "button",
                "action_id": f"{action}:{arxiv_id}",
                "text": {"type": "plain_text", "text": label, "emoji": True},
                "value": arxiv_id,
            }
            for action, label in shown
        ],
    }


# Block Kit's limits for a menu (https://docs.slack.dev/reference/block-kit/block-elements/
# select-menu-element and .../composition-objects/option-object): 100 options, option text and
# description 75 characters, value 150, placeholder 150.
MAX_OPTIONS, MAX_OPTION_TEXT, MAX_OPTION_VALUE = 100, 75, 150


def mute_menu(arxiv_id: str, choices: tuple[MuteChoice, ...]) -> dict[str, Any]:
    """A menu of what an item offers to mute; each option's value is the exact `mute` text.

    A choice whose text a menu can't carry whole is left out: a cut mute would mute something else.
    """
    options = [
        {
            "text": {"type": "plain_text", "text": choice.text, "emoji": False},
            "description": {"type": "plain_text", "text": choice.kind.describe, "emoji": False},
            "value": choice.text,
        }
        for choice in choices
        if len(choice.text) <= min(MAX_OPTION_TEXT, MAX_OPTION_VALUE)
    ][:MAX_OPTIONS]
    return {
        "type": "actions",
        "block_id": f"mute:{arxiv_id}",
        "elements": [
            {
                "type": "static_select",
                "action_id": f"{MUTE_TERM_ACTION}:{arxiv_id}",
                "placeholder": {"type": "plain_text", "text": "Mute a word, author or category…"},
                "options": options,
            }
        ],
    }
