"""Two parties on one channel: find who spoke when, then which of the two is the agent.

Speech regions come from the Silero VAD that ships with faster-whisper. Speaker embeddings
come from the pretrained encoder that the ``resemblyzer`` package ships. The two voices are
found by clustering embeddings of up to 3 s chunks of the regions (more voice per embedding);
then every 10 ms frame takes the nearer voice, judged by short overlapping windows so that a
turn change inside a region lands between windows. Each word takes the speaker of its frames.
Before that, the speech regions (turns, cut at pauses) are grouped in two: only when the groups
are distinct voices and the smaller one is a real party (several turns, seconds of speech) is
the recording split; otherwise it is one voice. The agent is chosen from cues over the whole
call (``agent_cues``), or is the first or second speaker when a queue is configured that way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from qa_service.config import Settings
from qa_service.domain.transcript import Word
from qa_service.domain.vocabulary import Speaker
from qa_service.engines.agent_cues import AgentChoice, choose_agent
from qa_service.engines.speaker_encoder import (
    SAMPLE_RATE,
    SpeakerEncoder,
    load_speaker_encoder,
)

if TYPE_CHECKING:
    from qa_service.engines.pcm import Samples

FRAME_S = 0.01  # resolution of the speaker timeline


@dataclass(frozen=True, slots=True)
class DiarizationOptions:
    # Short overlapping windows place turn changes; longer chunks (more voice per embedding)
    # find the two voices.
    window_s: float = 1.5
    hop_s: float = 0.5
    cluster_chunk_s: float = 3.0
    # Shorter chunks (brief replies) carry too little voice to define a cluster.
    min_cluster_chunk_s: float = 1.0
    vad_threshold: float = 0.5
    vad_min_silence_ms: int = 150
    vad_pad_ms: int = 30
    # Pauses up to this long between one speaker's segments belong to the turn.
    merge_gap_s: float = 0.5
    # Two cluster centres this similar are one voice: a call where only one party talks.
    same_speaker_similarity: float = 0.9
    # A second voice must hold at least this many speech regions (turns) of at least
    # ``min_turn_s`` and this much speech: one odd sentence (a cough, a laugh, a shouted
    # word) of a single speaker is not a second party.
    min_second_voice_turns: int = 2
    min_second_voice_s: float = 2.0
    min_turn_s: float = 1.0


@dataclass(slots=True)
class SpeakerSegment:
    start: float
    end: float
    speaker: int
    role: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": round(self.start, 2),
            "end": round(self.end, 2),
            "speaker": self.speaker,
            "role": self.role,
        }


@dataclass(slots=True)
class SpeakerSplit:
    words_by_role: dict[str, list[Word]]
    segments: list[SpeakerSegment]
    agent_speaker: int
    agent_chosen_by: str  # "cues" | "first_speaker" | "setting:first" | "setting:second" | ...
    speakers: int
    agent_choice: AgentChoice | None = None
    voices: VoiceCount | None = None
    # Both parties share one channel: talk-over and who interrupted whom cannot be measured.
    overlap_reliable: bool = False

    def summary(self) -> dict[str, Any]:
        """What the result records about the separation (``source["diarization"]``)."""
        return {
            "method": "silero-vad + resemblyzer speaker embeddings + 2-way clustering",
            "speakers": self.speakers,
            "agent_speaker": self.agent_speaker,
            "agent_chosen_by": self.agent_chosen_by,
            "agent_choice": self.agent_choice.to_dict() if self.agent_choice else None,
            "voices": self.voices.to_dict() if self.voices else None,
            "overlap_reliable": self.overlap_reliable,
            "segments": [s.to_dict() for s in self.segments],
        }


# Voice detection runs on windows of at most this length (see speech_regions).
VAD_WINDOW_S = 20 * 60.0
VAD_RESTART_S = 0.5


def speech_regions(samples: Samples, options: DiarizationOptions) -> list[tuple[float, float]]:
    """Where anybody speaks, in seconds, cut at short pauses (turn changes are pauses too)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    vad = VadOptions(
        threshold=options.vad_threshold,
        min_silence_duration_ms=options.vad_min_silence_ms,
        speech_pad_ms=options.vad_pad_ms,
    )
    # Window by window: the detector copies its input a few times, so a window's worth of
    # memory, not an hours-long call's. A region cut by a window's end is joined again.
    size = int(VAD_WINDOW_S * SAMPLE_RATE)
    pad = options.vad_pad_ms / 1000
    # The detector needs a moment of a window to notice speech already going on.
    late = pad + VAD_RESTART_S
    regions: list[tuple[float, float]] = []
    for a in range(0, len(samples), size):
        edge = a / SAMPLE_RATE
        for r in get_speech_timestamps(samples[a : a + size], vad, sampling_rate=SAMPLE_RATE):
            start, end = (a + r["start"]) / SAMPLE_RATE, (a + r["end"]) / SAMPLE_RATE
            if a and regions and regions[-1][1] >= edge - pad and start <= edge + late:
                regions[-1] = (regions[-1][0], end)
            else:
                regions.append((start, end))
    return regions


def sliding_windows(
    regions: Sequence[tuple[float, float]], window_s: float, hop_s: float
) -> list[tuple[float, float]]:
    """Windows of ``window_s`` every ``hop_s`` inside each region; the last one ends with it."""
    windows: list[tuple[float, float]] = []
    for start, end in regions:
        if end - start <= window_s:
            windows.append((start, end))
            continue
        t = start
        while t + window_s < end:
            windows.append((t, t + window_s))
            t += hop_s
        windows.append((end - window_s, end))
    return windows


def cluster_two(
    embeddings: np.ndarray, clusterable: np.ndarray, same_speaker_similarity: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Two centres from the clusterable rows (k-means on the unit sphere); every row's label.

    Returns ``(labels, centres)``; a single centre when the two would be one voice (centres
    at least ``same_speaker_similarity`` alike; None: the caller has decided there are two).
    """
    from sklearn.cluster import KMeans

    pool = embeddings[clusterable] if clusterable.sum() >= 2 else embeddings
    if len(pool) < 2:
        return np.zeros(len(embeddings), dtype=int), _unit(pool.mean(axis=0, keepdims=True))
    found = KMeans(n_clusters=2, n_init=10, random_state=0).fit(pool)
    centres = _unit(found.cluster_centers_)
    similar = same_speaker_similarity is not None
    if similar and float(centres[0] @ centres[1]) >= same_speaker_similarity:
        return np.zeros(len(embeddings), dtype=int), _unit(pool.mean(axis=0, keepdims=True))
    return np.argmax(embeddings @ centres.T, axis=1), centres


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)


def frame_speakers(
    windows: Sequence[tuple[float, float]],
    embeddings: np.ndarray,
    centres: np.ndarray,
    duration_s: float,
) -> np.ndarray:
    """Speaker per 10 ms frame (-1 where no window covers it).

    Each frame averages, over the windows covering it, how much closer each window is to one
    centre than to the other, so a turn change inside a region falls where the windows that
    straddle it tip over.
    """
    n = int(np.ceil(duration_s / FRAME_S)) + 1
    if len(centres) < 2:
        labels = np.full(n, -1)
        for start, end in windows:
            labels[int(start / FRAME_S) : int(end / FRAME_S)] = 0
        return labels
    margin = embeddings @ centres[1] - embeddings @ centres[0]
    total, count = np.zeros(n), np.zeros(n)
    for (start, end), m in zip(windows, margin, strict=True):
        a, b = int(start / FRAME_S), int(end / FRAME_S)
        total[a:b] += m
        count[a:b] += 1
    labels = np.where(total > 0, 1, 0)
    labels[count == 0] = -1
    return labels


def word_speakers(words: Sequence[Word], frames: np.ndarray) -> list[int]:
    """The majority speaker of each word's frames (the nearest labelled frame if none)."""
    labelled = np.flatnonzero(frames >= 0)
    speakers: list[int] = []
    for w in words:
        a = int(w.start / FRAME_S)
        b = max(int(w.end / FRAME_S), a + 1)
        inside = frames[a:b]
        inside = inside[inside >= 0]
        if inside.size:
            speakers.append(int(np.bincount(inside).argmax()))
        elif labelled.size:
            mid = (a + b) // 2
            speakers.append(int(frames[labelled[np.abs(labelled - mid).argmin()]]))
        else:
            speakers.append(0)
    return speakers


def speaker_segments(
    frames: np.ndarray, role_of: dict[int, str], merge_gap_s: float
) -> list[SpeakerSegment]:
    """Runs of one speaker; a pause shorter than ``merge_gap_s`` inside a turn stays in it."""
    segments: list[SpeakerSegment] = []
    labelled = np.flatnonzero(frames >= 0)
    if not labelled.size:
        return segments
    breaks = np.flatnonzero((np.diff(labelled) > 1) | (np.diff(frames[labelled]) != 0)) + 1
    for run in np.split(labelled, breaks):
        speaker = int(frames[run[0]])
        start, end = run[0] * FRAME_S, (run[-1] + 1) * FRAME_S
        last = segments[-1] if segments else None
        if last is not None and last.speaker == speaker and start - last.end <= merge_gap_s:
            last.end = end
        else:
            segments.append(SpeakerSegment(start, end, speaker, role_of[speaker]))
    return segments


@dataclass(frozen=True, slots=True)
class VoiceCount:
    """Whether a recording holds one voice or two, and the evidence for it."""

    count: int
    reason: str  # "two_voices" | "similar_voices" | "second_voice_too_small" | "too_few_turns"
    similarity: float | None = None  # cosine of the two voices' centres
    second_voice_turns: int = 0
    second_voice_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "reason": self.reason,
            "similarity": None if self.similarity is None else round(self.similarity, 3),
            "second_voice_turns": self.second_voice_turns,
            "second_voice_s": round(self.second_voice_s, 2),
        }


def region_embeddings(
    regions: Sequence[tuple[float, float]],
    windows: Sequence[tuple[float, float]],
    embeddings: np.ndarray,
    min_turn_s: float,
) -> tuple[np.ndarray, np.ndarray]:
    """One embedding per speech region of ``min_turn_s`` or more (its windows' mean), and the
    regions' lengths. A region is cut at pauses, so it is mostly one party's turn."""
    starts = np.array([start for start, _ in regions])
    owner = np.searchsorted(starts, [start + 1e-6 for start, _ in windows], side="right") - 1
    rows, lengths = [], []
    for k, (start, end) in enumerate(regions):
        mine = owner == k
        if end - start >= min_turn_s and mine.any():
            rows.append(embeddings[mine].mean(axis=0))
            lengths.append(end - start)
    if not rows:
        return np.zeros((0, embeddings.shape[1])), np.zeros(0)
    return _unit(np.array(rows)), np.array(lengths)


def count_voices(
    region_rows: np.ndarray, lengths: np.ndarray, options: DiarizationOptions
) -> VoiceCount:
    """Two voices only when the turns form two distinct groups and the smaller one is a real
    party (several turns, seconds of speech), not a single speaker's odd sentence."""
    from sklearn.cluster import KMeans

    if len(region_rows) < options.min_second_voice_turns + 1:
        return VoiceCount(1, "too_few_turns")
    found = KMeans(n_clusters=2, n_init=10, random_state=0).fit(region_rows)
    centres = _unit(found.cluster_centers_)
    similarity = float(centres[0] @ centres[1])
    seconds = [float(lengths[found.labels_ == k].sum()) for k in (0, 1)]
    minor = int(np.argmin(seconds))
    turns = int((found.labels_ == minor).sum())
    evidence = {"similarity": similarity, "second_voice_turns": turns}
    evidence["second_voice_s"] = seconds[minor]
    if similarity >= options.same_speaker_similarity:
        return VoiceCount(1, "similar_voices", **evidence)
    if turns < options.min_second_voice_turns or seconds[minor] < options.min_second_voice_s:
        return VoiceCount(1, "second_voice_too_small", **evidence)
    return VoiceCount(2, "two_voices", **evidence)


def separate_speakers(
    samples: Samples,
    words: list[Word],
    language: str | None,
    settings: Settings,
    *,
    encoder: SpeakerEncoder | None = None,
    options: DiarizationOptions | None = None,
) -> SpeakerSplit:
    """Split a mono call's words between agent and customer (one role if only one voice)."""
    options = options or DiarizationOptions()
    regions = speech_regions(samples, options)
    windows = sliding_windows(regions, options.window_s, options.hop_s)
    duration = len(samples) / SAMPLE_RATE
    frames, voices = _speaker_frames(
        samples, regions, windows, duration, settings, encoder, options
    )
    ordered = sorted(words, key=lambda w: w.start)
    speakers = word_speakers(ordered, frames)
    choice = choose_agent(ordered, speakers, language, settings.mono_agent_speaker)
    present = set(speakers) | set(np.unique(frames[frames >= 0]).tolist())
    if len(present) <= 1:
        # One voice: the agent unless its cues say customer.
        lone = next(iter(present), choice.speaker)
        role_of = {lone: Speaker.customer if choice.scores.get(lone, 0.0) < 0 else Speaker.agent}
    else:
        role_of = {choice.speaker: Speaker.agent, 1 - choice.speaker: Speaker.customer}
    by_role: dict[str, list[Word]] = {Speaker.agent: [], Speaker.customer: []}
    for word, speaker in zip(ordered, speakers, strict=True):
        by_role[role_of[speaker]].append(word)
    return SpeakerSplit(
        words_by_role=by_role,
        segments=speaker_segments(frames, role_of, options.merge_gap_s),
        agent_speaker=choice.speaker,
        agent_chosen_by=choice.chosen_by,
        speakers=len(present),
        agent_choice=choice,
        voices=voices,
    )


def _speaker_frames(
    samples: Samples,
    regions: list[tuple[float, float]],
    windows: list[tuple[float, float]],
    duration: float,
    settings: Settings,
    encoder: SpeakerEncoder | None,
    options: DiarizationOptions,
) -> tuple[np.ndarray, VoiceCount | None]:
    """The speaker of every frame, and how many voices were found."""
    if not windows:
        return np.full(int(np.ceil(duration / FRAME_S)) + 1, -1), None
    chunks = sliding_windows(regions, options.cluster_chunk_s, options.cluster_chunk_s)
    encoder = encoder or load_speaker_encoder(settings)
    embeddings = encoder.embed(samples, windows + chunks)
    window_rows = embeddings[: len(windows)]
    voices = count_voices(
        *region_embeddings(regions, windows, window_rows, options.min_turn_s), options
    )
    if voices.count == 1:
        centres = _unit(window_rows.mean(axis=0, keepdims=True))
    else:
        lengths = np.array([e - s for s, e in chunks])
        # Two voices were found in the turns: the chunks only place their centres.
        _, centres = cluster_two(
            embeddings[len(windows) :], lengths >= options.min_cluster_chunk_s, None
        )
    return frame_speakers(windows, window_rows, centres, duration), voices
