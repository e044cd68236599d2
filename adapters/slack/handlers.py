"""What Paperboy does with each Slack request: acknowledge at once, then work in the background."""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from adapters.slack import translate
from adapters.slack.blocks import EXPLAIN_ACTION, NOT_RELEVANT_ACTION, item_thread_messages, render_reply
from adapters.slack.people import SlackDirectory
from adapters.slack.publisher import SlackPublisher, SlackPublishError
from bot.domain.channel import ChannelRef
from bot.domain.commands import MANAGING_COMMANDS, Command
from bot.domain.replies import Notice, PaperCard, Reply, Tone
from bot.services.engine import Engine

log = logging.getLogger(__name__)
Spawn = Callable[[Coroutine[Any, Any, None], str], None]
Respond = Callable[..., Awaitable[Any]]
SEEN_REQUESTS = 5_000


class SlackHandlers:
    """Turns Slack requests into engine commands and posts the answers where they belong."""

    def __init__(self, engine: Engine, publisher: SlackPublisher, directory: SlackDirectory, spawn: Spawn):
        self._engine = engine
        self._publisher = publisher
        self._directory = directory
        self._spawn = spawn
        self._seen: OrderedDict[str, None] = OrderedDict()

    def register(self, app: AsyncApp) -> None:
        """Attach every listener to the bolt app."""

        @app.middleware
        async def drop_repeats(
            body: dict[str, Any], resp: BoltResponse, next: Callable[[], Awaitable[None]]
        ) -> BoltResponse:
            # Socket Mode delivers at least once and the Events API retries: answer each request once.
            if self.is_repeat(body):
                log.info("slack: repeated delivery ignored")
                return BoltResponse(status=200, body="")
            await next()
            return resp

        @app.command(re.compile(r"^/"))
        async def on_command(ack: Any, command: dict[str, Any], respond: Respond) -> None:
            parsed = translate.slash_command(command["command"], command.get("text", ""))
            note = translate.progress_note(parsed)
            await ack(text=note) if note else await ack()
            channel = translate.command_channel(command)
            user_id, user_name = command["user_id"], command.get("user_name", "")
            work = self.run_command(channel, user_id, user_name, parsed, respond)
            self._spawn(work, f"{command['command']} in {channel.key}")

        @app.event("app_mention")
        async def on_mention(body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
            self._spawn(self.run_mention(body, event, context.bot_user_id or ""), "mention")

        @app.event("message")
        async def on_message(body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
            if _is_thread_reply_by_a_person(event, context.bot_user_id or ""):
                self._spawn(self.run_thread_reply(body, event), "thread reply")

        @app.action(re.compile(rf"^({EXPLAIN_ACTION}|{NOT_RELEVANT_ACTION}):"))
        async def on_button(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
            await ack()
            self._spawn(self.run_button(body, action), f"button {action.get('action_id', '')}")

    def is_repeat(self, body: dict[str, Any]) -> bool:
        """True when this event or interaction was handled already."""
        key = body.get("event_id") or body.get("trigger_id")
        if not key:
            return False
        if key in self._seen:
            return True
        self._seen[key] = None
        while len(self._seen) > SEEN_REQUESTS:
            self._seen.popitem(last=False)
        return False

    async def run_command(
        self, channel: ChannelRef, user_id: str, user_name: str, command: Command, respond: Respond
    ) -> None:
        """A slash command: quick answers to the caller, slow results into the channel."""
        actor = await self._directory.actor(user_id, user_name)
        reply = await self._engine.handle(channel, actor, command)
        if reply is None:
            return  # a digest, already posted through the publisher
        slow = translate.progress_note(command) is not None
        if _is_problem(reply) or not slow:
            public = isinstance(command, MANAGING_COMMANDS) and not _is_problem(reply)
            await _respond(respond, reply, in_channel=public)
            return
        try:
            await self._publisher.post_reply(channel, reply)
        except SlackPublishError as error:
            # The channel can't take a bot post (not a member?): the command's response_url still works.
            await _respond(respond, reply, in_channel=True)
            await _respond(respond, Notice(str(error), Tone.WARNING), in_channel=False)

    async def run_mention(self, body: dict[str, Any], event: dict[str, Any], bot_user_id: str) -> None:
        """`@Paperboy ...`: answered where it was said (in its thread if it was in one)."""
        channel = await self._channel(body, event)
        thread_ts = event.get("thread_ts")
        paper = await self._publisher.threads.paper_for(channel, thread_ts) if thread_ts else None
        command = translate.mention_command(event.get("text", ""), bot_user_id, paper)
        await self._answer(channel, event["user"], command, thread_ts)

    async def run_thread_reply(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """A question in the thread of a paper Paperboy posted is answered in that thread."""
        channel = translate.event_channel(body, event)
        thread_ts = event["thread_ts"]
        paper = await self._publisher.threads.paper_for(channel, thread_ts)
        if paper is None:
            return
        question = translate.thread_question(event.get("text", ""), paper)
        if question is None:
            return
        await self._answer(await self._channel(body, event), event["user"], question, thread_ts)

    async def run_button(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        """ "Explain" puts the explanation in the item's thread; "Not relevant" is noted privately."""
        command = translate.action_command(action.get("action_id", ""), action.get("value", ""))
        if command is None:
            return
        channel = translate.action_channel(body)
        container = body.get("container") or {}
        thread_ts = container.get("thread_ts") or container.get("message_ts")
        user = body.get("user") or {}
        actor = await self._directory.actor(user.get("id", ""), user.get("username", ""))
        reply = await self._engine.handle(channel, actor, command)
        if isinstance(reply, PaperCard) and thread_ts:
            messages = item_thread_messages(reply.paper, reply.explanation)
            await self._publisher.post_messages(channel, messages, thread_ts=thread_ts)
        elif reply is not None:
            await self._publisher.post_ephemeral(channel, actor.user_id, reply, thread_ts=thread_ts)

    async def _answer(
        self, channel: ChannelRef, user_id: str, command: Command, thread_ts: str | None
    ) -> None:
        actor = await self._directory.actor(user_id)
        reply = await self._engine.handle(channel, actor, command)
        if reply is None:
            return
        if _is_problem(reply):
            await self._publisher.post_ephemeral(channel, user_id, reply, thread_ts=thread_ts)
            return
        await self._publisher.post_messages(channel, render_reply(reply), thread_ts=thread_ts)

    async def _channel(self, body: dict[str, Any], event: dict[str, Any]) -> ChannelRef:
        ref = translate.event_channel(body, event)
        name = await self._directory.channel_name(ref.channel_id)
        return translate.channel_ref(ref.workspace, ref.channel_id, name)


def _is_problem(reply: Reply) -> bool:
    return isinstance(reply, Notice) and reply.tone in (Tone.ERROR, Tone.WARNING)


def _is_thread_reply_by_a_person(event: dict[str, Any], bot_user_id: str) -> bool:
    thread_ts = event.get("thread_ts")
    return (
        event.get("subtype") in (None, "thread_broadcast")
        and not event.get("bot_id")
        and bool(event.get("user"))
        and bool(thread_ts)
        and thread_ts != event.get("ts")
        and not translate.mentions(event.get("text", ""), bot_user_id)
    )


async def _respond(respond: Respond, reply: Reply, *, in_channel: bool) -> None:
    """Answer through the command's response_url (works even where the bot is not a member)."""
    for message in render_reply(reply):
        await respond(
            text=message.text,
            blocks=message.blocks,
            response_type="in_channel" if in_channel else "ephemeral",
            replace_original=False,
        )
