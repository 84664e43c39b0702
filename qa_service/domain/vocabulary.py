"""The words of the result contract as enums: who speaks, how the conversation took place,
and which audio channel. Each is a ``StrEnum``: its members are the very strings the JSON
contract, the packs and the database use, so they compare and serialise as those strings."""

from __future__ import annotations

from enum import StrEnum


class Speaker(StrEnum):
    """A party of the call (``unknown``: a mono channel before the speakers are separated)."""

    agent = "agent"
    customer = "customer"
    unknown = "unknown"


class Channel(StrEnum):
    """How the conversation took place: spoken (a recording, a vendor's ASR) or written."""

    voice = "voice"
    chat = "chat"


class AudioChannel(StrEnum):
    """Where a party's voice is in the recording: its own side, or both on one (mono)."""

    left = "left"
    right = "right"
    mono = "mono"
