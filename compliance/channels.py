"""Who is told elsewhere than by e-mail: a reminder reaches a person once, by one channel.

The e-mail reminders live in the apps that know what to remind of (chats' digest of missing
chats); a channel above them (the МАХ bot in ``messenger``) registers here which of those people it
reaches itself, and the e-mail leaves them out. Registered in the channel's ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

PersonIds = Callable[[set[int]], set[int]]

_channels: list[PersonIds] = []


def channel_register(reached: PersonIds) -> PersonIds:
    """``reached(person_ids)`` returns those of the people it delivers reminders to itself."""
    if reached not in _channels:
        _channels.append(reached)
    return reached


def persons_reached_elsewhere(person_ids: Iterable[int]) -> set[int]:
    """Of these people, those another channel reminds instead of e-mail."""
    ids = set(person_ids)
    reached: set[int] = set()
    for channel in _channels:
        if ids - reached:
            reached |= channel(ids - reached)
    return reached
