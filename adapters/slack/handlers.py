"""What Paperboy does with each Slack request: acknowledge at once, then work in the background."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from adapters.failures import describe_failure
from adapters.slack import translate
from adapters.slack.blocks import item_thread_messages, render_reply
from adapters.slack.buttons import ACTION_PATTERN, reaction_vote
from adapters.slack.payloads import (
    ButtonRequest,
    MalformedPayload,
    MessageRequest,
    ReactionRequest,
    button_request,
    message_request,
    reaction_request,
    slash_request,
)
from adapters.slack.people import SlackDirectory
from adapters.slack.publisher import SlackPublisher, SlackPublishError
from bot.domain.audience import Audience
from bot.domain.channel import ChannelRef
from bot.domain.commands import Command, Mute, MuteChoices, Vote
from bot.domain.replies import DigestPosted, Notice, PaperCard, Reply, Tone
from bot.ports import SeenRequestLog
from bot.services.engine import Engine

log = logging.getLogger(__name__)
Spawn = Callable[[Coroutine[Any, Any, None], str], None]
Respond = Callable[..., Awaitable[Any]]


class SlackHandlers:
    """Turns Slack requests into engine commands and posts the answers where they belong."""

    def __init__(
        self,
        engine: Engine,
        publisher: SlackPublisher,
        directory: SlackDirectory,
        spawn: Spawn,
        seen: SeenRequestLog,
    ):
        self._engine = engine
        self._publisher = publisher
        self._directory = directory
        self._spawn = spawn
        self._seen = seen

    def register(self, app: AsyncApp) -> None:
        """Attach every listener to the bolt app."""

        @app.middleware
        async def drop_repeats(
            body: dict[str, Any], resp: BoltResponse, next: Callable[[], Awaitable[None]]
        ) -> BoltResponse:
            # Socket Mode delivers at least once and the Events API retries: answer each request once,
            # across restarts and processes (the ids are kept in the database for some minutes).
            if await self.is_repeat(body):
                log.info("slack: repeated delivery ignored")
                return BoltResponse(status=200, body="")
            await next()
            return resp

        @app.error
        async def on_error(
            error: Exception, request: AsyncBoltRequest, response: BoltResponse | None
        ) -> BoltResponse | None:
            # Bolt's matchers, middleware and listeners fail here on a payload they can't read:
            # logged without the payload (it holds response_url), and acknowledged so Slack drops it.
            log.warning(
                "slack: dropped %s bolt could not handle: %s", _kind(request.body), describe_failure(error)
            )
            return BoltResponse(status=200, body="") if response is not None else None

        @app.command(re.compile(r"^/"))
        async def on_command(ack: Any, command: dict[str, Any], respond: Respond) -> None:
            try:
                request = slash_request(command)
            except MalformedPayload as error:
                await ack()
                _dropped("slash command", error)
                return
            parsed = translate.slash_command(request.command, request.text)
            note = translate.progress_note(parsed)
            await ack(text=note) if note else await ack()
            work = self.run_command(request.channel, request.user_id, request.user_name, parsed, respond)
            self._spawn(work, f"{request.command} in {request.channel.key}")

        @app.event("app_mention")
        async def on_mention(body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
            try:
                request = message_request(body, event)
            except MalformedPayload as error:
                _dropped("mention", error)
                return
            self._spawn(self.run_mention(request, context.bot_user_id or ""), "mention")

        @app.event("message")
        async def on_message(body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
            if not _is_thread_reply_by_a_person(event):
                return
            try:
                request = message_request(body, event)
            except MalformedPayload as error:
                _dropped("thread reply", error)
                return
            if not translate.mentions(request.text, context.bot_user_id or ""):  # else on_mention answers
                self._spawn(self.run_thread_reply(request), "thread reply")

        @app.event("reaction_added")
        async def on_reaction(body: dict[str, Any], event: dict[str, Any]) -> None:
            try:
                request = reaction_request(body, event)
            except MalformedPayload as error:
                _dropped("reaction", error)
                return
            if reaction_vote(request.reaction) is not None:  # other emoji are no vote
                self._spawn(self.run_reaction(request), "reaction")

        @app.action(ACTION_PATTERN)
        async def on_button(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
            await ack()
            try:
                request = button_request(body, action)
            except MalformedPayload as error:
                _dropped("button press", error)
                return
            self._spawn(self.run_button(request), f"button {request.action_id}")

    async def is_repeat(self, body: Mapping[str, Any]) -> bool:
        """True when this event or interaction was handled already, by this process or another."""
        key = body.get("event_id") or body.get("trigger_id")
        if not isinstance(key, str) or not key:
            return False
        try:
            return not await self._seen.first_time(f"slack:{key}")
        except Exception as error:
            # Better a rare double answer than no answer while the database is unwell.
            log.warning("slack: could not check for a repeated delivery: %s", describe_failure(error))
            return False

    async def run_command(
        self, channel: ChannelRef, user_id: str, user_name: str, command: Command, respond: Respond
    ) -> None:
        """A slash command: answered through its response_url; a slow result for the channel is posted."""
        actor = await self._directory.actor(user_id, user_name)
        outcome = await self._engine.handle(channel, actor, command)
        reply = outcome.reply
        if isinstance(reply, DigestPosted):
            return  # the digest is in the channel already
        slow = translate.progress_note(command) is not None
        if outcome.audience is Audience.PERSON or not slow:
            await _respond(respond, reply, in_channel=outcome.audience is Audience.CHANNEL)
            return
        try:
            await self._publisher.post_reply(channel, reply)
        except SlackPublishError as error:
            # The channel can't take a bot post (not a member?): the command's response_url still works.
            await _respond(respond, reply, in_channel=True)
            await _respond(respond, Notice(str(error), Tone.WARNING), in_channel=False)

    async def run_mention(self, request: MessageRequest, bot_user_id: str) -> None:
        """`@Paperboy ...`: answered where it was said (in its thread if it was in one)."""
        channel = await self._named(request.channel)
        thread_ts = request.thread_ts
        paper = await self._publisher.threads.paper_for(channel, thread_ts) if thread_ts else None
        command = translate.mention_command(request.text, bot_user_id, paper)
        await self._answer(channel, request.user_id, command, thread_ts)

    async def run_thread_reply(self, request: MessageRequest) -> None:
        """A question in the thread of a paper Paperboy posted is answered in that thread."""
        thread_ts = request.thread_ts
        if thread_ts is None:
            return
        paper = await self._publisher.threads.paper_for(request.channel, thread_ts)
        if paper is None:
            return
        question = translate.thread_question(request.text, paper)
        if question is None:
            return
        await self._answer(await self._named(request.channel), request.user_id, question, thread_ts)

    async def run_button(self, request: ButtonRequest) -> None:
        """ "Explain" puts the explanation in the item's thread; votes are noted privately.

        "Mute…" offers its menu to the clicker below the channel, and the mute chosen there is
        confirmed to the whole channel, as `/paper mute` is: neither belongs in the item's thread.
        """
        command = translate.action_command(request.action_id, request.value)
        if command is None:
            return
        channel, thread_ts = request.channel, request.thread_ts
        if isinstance(command, Mute | MuteChoices):
            thread_ts = None
        actor = await self._directory.actor(request.user_id, request.user_name)
        outcome = await self._engine.handle(channel, actor, command)
        reply = outcome.reply
        if outcome.audience is Audience.PERSON:
            await self._publisher.post_ephemeral(channel, actor.user_id, reply, thread_ts=thread_ts)
        elif isinstance(reply, PaperCard) and thread_ts:
            messages = item_thread_messages(reply.paper, reply.explanation)
            await self._publisher.post_messages(channel, messages, thread_ts=thread_ts)
        else:
            await self._publisher.post_messages(channel, render_reply(reply), thread_ts=thread_ts)

    async def run_reaction(self, request: ReactionRequest) -> None:
        """👍 or 👎 on a digest item (found by the ts its delivery recorded) is a vote, noted privately."""
        up = reaction_vote(request.reaction)
        paper = await self._engine.repository.paper_for_message(request.channel, request.message_ts)
        if up is None or paper is None:
            return  # not one of our digest items
        channel = await self._named(request.channel)
        actor = await self._directory.actor(request.user_id)
        outcome = await self._engine.handle(channel, actor, Vote(paper, up))
        await self._publisher.post_ephemeral(channel, actor.user_id, outcome.reply)

    async def _answer(
        self, channel: ChannelRef, user_id: str, command: Command, thread_ts: str | None
    ) -> None:
        actor = await self._directory.actor(user_id)
        # A mention is said in the channel: what it asks is answered there too.
        outcome = await self._engine.handle(channel, actor, command, asked_in_channel=True)
        if isinstance(outcome.reply, DigestPosted):
            return
        if outcome.audience is Audience.PERSON:
            await self._publisher.post_ephemeral(channel, user_id, outcome.reply, thread_ts=thread_ts)
            return
        await self._publisher.post_messages(channel, render_reply(outcome.reply), thread_ts=thread_ts)

    async def _named(self, ref: ChannelRef) -> ChannelRef:
        """Events carry no channel name: ask Slack (cached) for settings and logs."""
        name = await self._directory.channel_name(ref.channel_id)
        return translate.channel_ref(ref.workspace, ref.channel_id, name)


def _is_thread_reply_by_a_person(event: Mapping[str, Any]) -> bool:
    """A person's message in a thread (not its parent); its fields are checked afterwards."""
    thread_ts = event.get("thread_ts")
    return (
        event.get("subtype") in (None, "thread_broadcast")
        and not event.get("bot_id")
        and bool(event.get("user"))
        and bool(thread_ts)
        and thread_ts != event.get("ts")
    )


def _dropped(what: str, error: MalformedPayload) -> None:
    log.warning("slack: dropped a malformed %s: %s", what, error)


def _kind(body: Any) -> str:
    """What sort of request failed, in words of our own (nothing copied from the payload)."""
    if not isinstance(body, Mapping):
        return "a request"
    if "command" in body:
        return "a slash command"
    if "event" in body:
        return "an event"
    if "actions" in body or body.get("type") == "block_actions":
        return "a button press"
    return "a request"


async def _respond(respond: Respond, reply: Reply, *, in_channel: bool) -> None:
    """Answer through the command's response_url (works even where the bot is not a member)."""
    for message in render_reply(reply):
        await respond(
            text=message.text,
            blocks=message.blocks,
            response_type="in_channel" if in_channel else "ephemeral",
            replace_original=False,
        )
