"""A decoded channel kept on disk, read window by window.

An hours-long call decoded to 16 kHz float32 is GBs (1.76 GB for 4 hours of stereo), yet
every stage works on a window of it (ASR on 20-minute windows, word timing and acoustic cues
on blocks and utterances, speaker separation on windows and spans). So the decoder writes
each channel as 16-bit PCM to an unnamed temporary file (``O_TMPFILE``: owner-only, no name
that could leak or be left behind, its space freed when the file is closed or the process
dies), and a stage slices the channel like an array: ``channel[a:b]`` reads just those
samples with ``pread`` and converts them to float32. Pages read this way sit in the kernel's
page cache, not in the process: a mapped file (``np.memmap``) would count every page touched
in the worker's resident memory.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

import numpy as np

# int16 full scale: the decoder's samples are divided by this (as 16-bit PCM always is).
_SCALE = 1 / 32768.0
_ITEM = 2  # bytes per int16 sample
# Samples converted at a time: a window's read costs its float32 result plus this much.
_READ_BLOCK = 1 << 20


class Samples(Protocol):
    """A channel of float32 samples: a numpy array, or a ``PcmChannel`` on disk.

    Stages only take its length and slices (``samples[a:b]`` is an ndarray)."""

    def __len__(self) -> int: ...

    def __getitem__(self, key: slice, /) -> np.ndarray: ...


class PcmChannel:
    """One channel as int16 in an unnamed temporary file; slicing reads a window as float32."""

    def __init__(self, directory: Path) -> None:
        # Closed by close() (DecodedAudio's context), or with the object.
        self._file = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115
        self._n = 0

    def append(self, plane: np.ndarray) -> None:
        """Add int16 samples at the end (while decoding)."""
        self._file.write(np.ascontiguousarray(plane, dtype="<i2").data)
        self._n += len(plane)

    def finish(self) -> None:
        """Written: make every sample visible to reads."""
        self._file.flush()

    def close(self) -> None:
        self._file.close()

    @property
    def closed(self) -> bool:
        return self._file.closed

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, key: slice, /) -> np.ndarray:
        if not isinstance(key, slice):
            raise TypeError("a decoded channel is read by windows: channel[start:stop]")
        start, stop, step = key.indices(self._n)
        if step != 1:
            raise ValueError("a decoded channel is read by contiguous windows (no step)")
        return self._read(start, max(start, stop))

    def __array__(self, *args, **kwargs):
        # np.asarray(channel) would silently bring the whole call into memory.
        raise TypeError("a decoded channel is read by windows: channel[start:stop]")

    def _read(self, start: int, stop: int) -> np.ndarray:
        out = np.empty(stop - start, dtype=np.float32)
        raw = np.empty(min(_READ_BLOCK, stop - start), dtype="<i2")
        fd = self._file.fileno()
        for a in range(start, stop, _READ_BLOCK):
            n = min(_READ_BLOCK, stop - a)
            _pread_into(fd, raw[:n], a * _ITEM)
            # As the decoder used to convert: the same float32 values, to the bit.
            np.multiply(raw[:n], _SCALE, out=out[a - start : a - start + n])
        return out


def _pread_into(fd: int, buffer: np.ndarray, offset: int) -> None:
    """Fill ``buffer`` from ``offset`` (no shared file position: safe across threads)."""
    view = memoryview(buffer).cast("B")
    done = 0
    while done < len(view):
        got = os.preadv(fd, [view[done:]], offset + done)
        if got <= 0:
            raise OSError(f"the decoded audio file ended {len(view) - done} bytes early")
        done += got
