"""The publishers of the running adapters, by platform: delivery posts through them."""

from __future__ import annotations

from bot.ports import Publisher


class Publishers:
    """Each adapter registers its publisher when it starts; a platform without one is not running."""

    def __init__(self) -> None:
        self._by_platform: dict[str, Publisher] = {}

    def register(self, publisher: Publisher) -> None:
        """An adapter announces how to post on its platform."""
        self._by_platform[publisher.platform] = publisher

    def get(self, platform: str) -> Publisher | None:
        """The platform's publisher, if its adapter is running."""
        return self._by_platform.get(platform)

    @property
    def platforms(self) -> set[str]:
        """The platforms that can be posted to now."""
        return set(self._by_platform)
