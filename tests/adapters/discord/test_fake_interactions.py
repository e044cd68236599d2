"""The fake Discord decides who sees an interaction's answers as Discord does, so tests can trust it."""

from __future__ import annotations

from tests.fakes import discord_payloads as p
from tests.fakes.discord_world import EPHEMERAL, DiscordWorld, Interaction

DEFERRED = 5


def _slash(world: DiscordWorld) -> Interaction:
    payload = p.interaction(
        2,
        {"id": "1", "name": "paper", "type": 1},
        app_id=world.app_id,
        guild_id=world.guild_id,
        channel=world.papers_channel,
        member_payload=world.moderator,
    )
    handle = Interaction(payload, 0.0)
    world.interactions[handle.id] = handle
    return handle


def _defer(world: DiscordWorld, handle: Interaction, *, ephemeral: bool) -> None:
    body = {"type": DEFERRED, "data": {"flags": EPHEMERAL} if ephemeral else {}}
    world.answer("POST", f"/interactions/{handle.id}/{handle.token}/callback", body)


def _webhook(world: DiscordWorld, handle: Interaction, method: str, suffix: str = "", **body: object) -> int:
    status, _ = world.answer(method, f"/webhooks/{world.app_id}/{handle.token}{suffix}", body)
    return status


def test_the_first_follow_up_after_a_public_deferral_stays_public_whatever_its_flags() -> None:
    world = DiscordWorld()
    handle = _slash(world)
    _defer(world, handle, ephemeral=False)
    _webhook(world, handle, "POST", content="oops", flags=EPHEMERAL)  # edits the loading message
    _webhook(world, handle, "POST", content="for you", flags=EPHEMERAL)  # a new message: its own flags
    assert handle.visible(to_everyone=True) == [{"content": "oops", "flags": EPHEMERAL}]
    assert handle.visible(to_everyone=False) == [{"content": "for you", "flags": EPHEMERAL}]


def test_deleting_the_deferred_message_lets_the_next_follow_up_be_private() -> None:
    world = DiscordWorld()
    handle = _slash(world)
    _defer(world, handle, ephemeral=False)
    assert _webhook(world, handle, "DELETE", "/messages/@original") == 204
    _webhook(world, handle, "POST", content="only you", flags=EPHEMERAL)
    assert handle.visible(to_everyone=True) == []
    assert handle.visible(to_everyone=False) == [{"content": "only you", "flags": EPHEMERAL}]
    assert _webhook(world, handle, "DELETE", "/messages/@original") == 404  # Unknown Message


def test_a_private_deferral_keeps_its_first_follow_up_private() -> None:
    world = DiscordWorld()
    handle = _slash(world)
    _defer(world, handle, ephemeral=True)
    _webhook(world, handle, "POST", content="hello")
    assert handle.visible(to_everyone=True) == []
    assert [m["content"] for m in handle.visible(to_everyone=False)] == ["hello"]
