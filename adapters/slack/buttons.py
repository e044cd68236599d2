"""The buttons under a paper (Explain, 👍, 👎, Not relevant) and the reactions that count as votes.

Each action id carries the paper's id, so a press on a months-old message still names its paper.
"""

from __future__ import annotations

import re
from typing import Any

EXPLAIN_ACTION = "paperboy_explain"
NOT_RELEVANT_ACTION = "paperboy_not_relevant"
VOTE_UP_ACTION = "paperboy_vote_up"
VOTE_DOWN_ACTION = "paperboy_vote_down"
ACTIONS = (EXPLAIN_ACTION, NOT_RELEVANT_ACTION, VOTE_UP_ACTION, VOTE_DOWN_ACTION)
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
    """Explain (on digest items), 👍, 👎 and "Not relevant"; the action ids carry the paper's id."""
    shown = [(EXPLAIN_ACTION, "Explain")] if explain else []
    shown += [(VOTE_UP_ACTION, "👍"), (VOTE_DOWN_ACTION, "👎"), (NOT_RELEVANT_ACTION, "Not relevant")]
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
