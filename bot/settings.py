"""One typed view of the configuration, read from the environment and `.env`."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("data")


class Settings(BaseSettings):
    """Everything Paperboy reads from its environment; every outside URL is configurable."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = ""

    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    arxiv_rss_url: str = "https://rss.arxiv.org/rss"
    # Seconds between arXiv requests, for every process on this database together (arXiv asks 3).
    arxiv_min_interval: float = Field(3.0, ge=3.0)
    arxiv_timeout: float = Field(30.0, gt=0)
    arxiv_retries: int = Field(4, ge=0)
    # After arXiv fails, no new listing request for this long: channels share the outcome.
    arxiv_failure_cooldown: float = Field(60.0, ge=0)
    # Seconds an id arXiv had no paper for is not asked about again (0: ask every time).
    arxiv_miss_memory: float = Field(3600.0, ge=0)
    # arXiv look-ups one person, and one channel, may have going at once (0: no limit); papers
    # already stored never count.
    arxiv_lookups_per_person: int = Field(2, ge=0)
    arxiv_lookups_per_channel: int = Field(4, ge=0)
    # Categories read by the daily ingest, besides those named in channels' topics.
    arxiv_categories: str = "cs.LG,stat.ML,math.OC"

    llm_provider: str = ""
    llm_model: str = Field("", validate_default=True)
    llm_api_key: SecretStr | None = None
    llm_api_base: str = ""
    llm_timeout: float = Field(60.0, gt=0)
    llm_max_retries: int = Field(3, ge=0)
    llm_concurrency: int = Field(4, ge=1)
    # Seconds a digest waits for its explanations; later ones are cached for `explain`.
    llm_digest_wait: float = Field(120.0, gt=0)
    # Tokens a day, per channel and for the whole bot; 0 means no limit.
    llm_daily_tokens_per_channel: int = Field(200_000, ge=0)
    llm_daily_tokens_total: int = Field(2_000_000, ge=0)
    # Tokens a day one person's `explain` and `ask` may spend, across every channel; 0 means no limit.
    llm_daily_tokens_per_user: int = Field(100_000, ge=0)
    # Seconds before the first retry of a 429 without Retry-After or a 5xx; doubles each try.
    llm_retry_wait: float = Field(2.0, ge=0)
    # Read the paper's full text (arXiv HTML, else PDF) for explanations, up to this many tokens.
    llm_full_text: bool = True
    llm_text_tokens: int = Field(12_000, ge=500)
    # Full text for explanations; `{id}` is the versioned arXiv id. export.arxiv.org is arXiv's host
    # for programs (arxiv.org's robots.txt asks crawlers for 15 s between requests).
    arxiv_html_url: str = "https://export.arxiv.org/html/{id}"
    arxiv_pdf_url: str = "https://export.arxiv.org/pdf/{id}"
    # A full-text download (HTML or PDF) stops reading past this many bytes, and is cut off this many
    # seconds after it starts, however slowly the server sends.
    arxiv_full_text_max_bytes: int = Field(40_000_000, ge=100_000)
    arxiv_full_text_deadline: float = Field(60.0, gt=0)

    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    # HTTP mode (Events API and slash commands over HTTPS) instead of Socket Mode.
    slack_http: bool = False
    slack_port: int = Field(3000, ge=1, le=65535)
    slack_http_host: str = "0.0.0.0"
    slack_http_path: str = "/slack/events"
    # Who may change subscriptions and schedules: "everyone", "admins", or Slack user ids "U1,U2".
    slack_managers: str = "everyone"
    # Seconds between two posts in one Slack channel (Slack asks for about one a second).
    slack_post_interval: float = Field(1.0, ge=0, le=10)

    discord_token: SecretStr | None = None
    discord_api_url: str = "https://discord.com/api/v10"
    # Guild ids whose slash commands sync at once (global sync, which takes up to an hour, if empty).
    discord_guild_ids: str = ""
    # Who may change subscriptions and schedules: "manage_channels" (default) or "everyone".
    discord_managers: str = "manage_channels"
    # Seconds between two posts across all channels, so a digest hour with many channels is paced
    # (discord.py also waits out every rate limit Discord reports).
    discord_post_interval: float = Field(0.1, ge=0, le=10)

    # A scheduled digest that cannot reach arXiv waits and retries (first wait, doubling, max 15 min);
    # past `digest_late_after` the channel is told why it is late; past `digest_give_up_after` it stops.
    digest_retry_seconds: float = Field(60.0, gt=0)
    digest_late_after: float = Field(1800.0, ge=0)
    digest_give_up_after: float = Field(12 * 3600.0, gt=0)

    # `paperboy run` serves /healthz and /metrics here; port 0 turns the server off. Loopback by
    # default: a container sets HEALTH_HOST=0.0.0.0 (the Dockerfile does) to publish it.
    health_host: str = "127.0.0.1"
    health_port: int = Field(8080, ge=0, le=65535)
    # "text" for people, "json" for log collectors (one JSON object a line).
    log_format: str = Field("text", pattern="^(text|json)$")
    # How often a follower process tries to become the scheduler leader (and the leader checks in).
    leader_retry_seconds: float = Field(5.0, gt=0, le=300)
    # How often the leader asks the database which channels' digests are due (a digest may start
    # up to this late).
    scheduler_tick_seconds: float = Field(60.0, gt=0, le=600)

    default_digest_time: time = time(9, 0)
    default_timezone: str = "UTC"
    default_max_papers: int = Field(10, ge=1, le=50)
    # How far back the first digest of a new channel looks.
    first_digest_days: int = Field(3, ge=1, le=14)

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError) as error:  # OSError: a folder of zones
            raise ValueError(f"unknown time zone {value!r}; try e.g. Europe/Berlin") from error
        return value

    @field_validator("llm_model")
    @classmethod
    def _model_for_provider(cls, value: str, info: ValidationInfo) -> str:
        from bot.infra.llm.config import DEFAULT_MODELS

        provider = str(info.data.get("llm_provider", "")).strip().lower()
        if provider and not value.strip() and provider not in DEFAULT_MODELS:
            raise ValueError(
                f"LLM_PROVIDER={provider} has no default model; set LLM_MODEL, e.g. {provider}/<name>"
            )
        return value

    @field_validator("default_digest_time", mode="before")
    @classmethod
    def _hh_mm(cls, value: object) -> object:
        if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
            hours, minutes = value.strip().split(":")
            return time(int(hours), int(minutes))
        return value

    @property
    def resolved_database_url(self) -> str:
        """The async SQLAlchemy URL: the configured one, or a SQLite file in the data dir."""
        url = self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'paperboy.db'}"
        if url.startswith("sqlite:///"):
            url = "sqlite+aiosqlite:///" + url.removeprefix("sqlite:///")
        elif url.startswith(("postgresql://", "postgres://")):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url

    @property
    def ingest_categories(self) -> tuple[str, ...]:
        """Categories the daily listing always covers."""
        return tuple(c.strip() for c in self.arxiv_categories.split(",") if c.strip())
