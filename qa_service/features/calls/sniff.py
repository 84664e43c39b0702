"""What an uploaded file's first bytes must be: a known audio container or stream. Checked
before anything else of the file is written, so a wrong file costs no disk."""

from __future__ import annotations

from pathlib import Path

from qa_service.config import Settings
from qa_service.errors import UnsupportedMediaError


def audio_kind(head: bytes) -> str | None:
    """The kind of audio the first bytes announce, or None. Twelve bytes are enough for
    every signature (RIFF, size, WAVE; a box size before ``ftyp``)."""
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return "wav"
    if head[:3] == b"ID3":  # an ID3 tag ahead of MPEG or AAC frames
        return "id3"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"OggS":
        return "ogg"
    if head[4:8] == b"ftyp":  # ISO base media: m4a, mp4
        return "mp4"
    if head[:4] == b"ADIF":
        return "aac"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "mpeg"  # an MPEG audio or AAC ADTS frame sync
    return None


def check_extension(filename: str, settings: Settings) -> str:
    """The accepted format a file name ends with; refuses any other."""
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in settings.upload_formats:
        raise UnsupportedMediaError(
            f"{filename}: .{suffix or '(none)'} is not an accepted format "
            f"({', '.join(settings.upload_formats)})"
        )
    return suffix


def check_head(filename: str, head: bytes, settings: Settings) -> None:
    """Refuse an upload from its name and first bytes (an empty file is judged later)."""
    if Path(filename).suffix.lower() == ".json":
        # A transcript (chat log): JSON text, checked whole once it is received.
        if head and not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
            raise UnsupportedMediaError(f"{filename}: not a transcript (JSON expected)")
        return
    check_extension(filename, settings)
    if head and audio_kind(head) is None:
        raise UnsupportedMediaError(
            f"{filename}: not a readable audio file (its first bytes are no accepted "
            "audio format: WAV, MP3, AAC, FLAC, Ogg/Opus, M4A/MP4)"
        )
