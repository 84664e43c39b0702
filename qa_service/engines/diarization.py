"""Two parties on one channel: find who spoke when, then which of the two is the agent.

Speech regions come from the Silero VAD that ships with faster-whisper. Speaker embeddings
come from the pretrained encoder that the ``resemblyzer`` package ships. The two voices are
found by clustering embeddings of up to 3 s chunks of the regions (more voice per embedding);
then every 10 ms frame takes the nearer voice, judged by short overlapping windows so that a
turn change inside a region lands between windows. Each word takes the speaker of its frames.
The agent is the speaker who greets and names the service in the opening turns, else the one
who speaks first, or the first or second speaker when a queue is configured that way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qa_service.config import Settings
from qa_service.domain.textmatch import Phrase, tokenize
from qa_service.domain.transcript import Word, join_words
from qa_service.engines.speaker_encoder import (
    SAMPLE_RATE,
    SpeakerEncoder,
    get_speaker_encoder,
)

FRAME_S = 0.01  # resolution of the speaker timeline
# Said by an agent opening a call, not by a customer: (phrase, weight). Greetings weigh little:
# customers greet too.
AGENT_CUES: tuple[tuple[str, float], ...] = (
    ("客服", 2.0),
    ("为您服务", 2.0),
    ("有什么可以帮您", 2.0),
    ("请问有什么可以帮", 2.0),
    ("工号", 2.0),
    ("感谢您的来电", 2.0),
    ("欢迎致电", 2.0),
    ("thank you for calling", 2.0),
    ("thanks for calling", 2.0),
    ("how can i help", 2.0),
    ("how may i help", 2.0),
    ("my name is", 1.0),
    ("您好", 0.5),
    ("你好", 0.25),
    ("hello", 0.25),
    ("good morning", 0.25),
    ("good afternoon", 0.25),
)
# The one who picks up usually speaks first: outweighs a greeting, not a service phrase (on an
# outbound call the customer answers "喂?" and the agent then names the company).
FIRST_SPEAKER_PRIOR = 1.0


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
    # Agent cues are looked for in each speaker's first turns within this opening stretch.
    cue_turns: int = 2
    cue_window_s: float = 30.0


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
    cue_scores: dict[int, float] = field(default_factory=dict)
    # Both parties share one channel: talk-over and who interrupted whom cannot be measured.
    overlap_reliable: bool = False

    def summary(self) -> dict[str, Any]:
        """What the result records about the separation (``source["diarization"]``)."""
        return {
            "method": "silero-vad + resemblyzer speaker embeddings + 2-way clustering",
            "speakers": self.speakers,
            "agent_speaker": self.agent_speaker,
            "agent_chosen_by": self.agent_chosen_by,
            "cue_scores": {str(k): round(v, 2) for k, v in self.cue_scores.items()},
            "overlap_reliable": self.overlap_reliable,
            "segments": [s.to_dict() for s in self.segments],
        }


# Voice detection runs on windows of at most this length (see speech_regions).
VAD_WINDOW_S = 20 * 60.0
VAD_RESTART_S = 0.5


def speech_regions(samples: np.ndarray, options: DiarizationOptions) -> list[tuple[float, float]]:
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
    embeddings: np.ndarray, clusterable: np.ndarray, same_speaker_similarity: float
) -> tuple[np.ndarray, np.ndarray]:
    """Two centres from the clusterable rows (k-means on the unit sphere); every row's label.

    Returns ``(labels, centres)``; a single centre when the two would be one voice.
    """
    from sklearn.cluster import KMeans

    pool = embeddings[clusterable] if clusterable.sum() >= 2 else embeddings
    if len(pool) < 2:
        return np.zeros(len(embeddings), dtype=int), _unit(pool.mean(axis=0, keepdims=True))
    found = KMeans(n_clusters=2, n_init=10, random_state=0).fit(pool)
    centres = _unit(found.cluster_centers_)
    if float(centres[0] @ centres[1]) >= same_speaker_similarity:
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


def opening_turns(
    words: Sequence[Word], speakers: Sequence[int], options: DiarizationOptions
) -> dict[int, list[list[Word]]]:
    """Each speaker's first turns (runs of consecutive words) inside the opening stretch."""
    turns: dict[int, list[list[Word]]] = {}
    previous = None
    for word, speaker in zip(words, speakers, strict=True):
        if word.start > options.cue_window_s:
            break
        own = turns.setdefault(speaker, [])
        if speaker != previous:
            own.append([])
        own[-1].append(word)
        previous = speaker
    return {s: t[: options.cue_turns] for s, t in turns.items()}


_CUE_PHRASES: list[tuple[Phrase, float]] = []


def cue_score(text: str) -> float:
    """How much a stretch of talk sounds like an agent opening a call."""
    if not _CUE_PHRASES:
        _CUE_PHRASES.extend((Phrase.compile(p, min_similarity=0.8), w) for p, w in AGENT_CUES)
    tokens = tokenize(text)
    return sum(weight for phrase, weight in _CUE_PHRASES if phrase.find(tokens, "ignore"))


def choose_agent(
    words: Sequence[Word],
    speakers: Sequence[int],
    language: str | None,
    setting: str,
    options: DiarizationOptions,
) -> tuple[int, str, dict[int, float]]:
    """``(agent speaker, how it was chosen, cue score per speaker)``."""
    order = list(dict.fromkeys(speakers))  # speakers in order of first word
    if not order:
        return 0, "no_speech", {}
    if len(order) == 1:
        return order[0], "single_speaker", {}
    if setting in ("first", "second"):
        return order[0 if setting == "first" else 1], f"setting:{setting}", {}
    turns = opening_turns(words, speakers, options)
    scores = {
        s: cue_score(" ".join(join_words(t, language) for t in turns.get(s, []))) for s in order
    }
    ranked = {s: v + (FIRST_SPEAKER_PRIOR if s == order[0] else 0.0) for s, v in scores.items()}
    agent = max(order, key=lambda s: ranked[s])
    others = max(v for s, v in scores.items() if s != agent)
    chosen_by = "cues" if scores[agent] > others else "first_speaker"
    return agent, chosen_by, scores


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


def separate_speakers(
    samples: np.ndarray,
    words: list[Word],
    language: str | None,
    settings: Settings,
    *,
    encoder: SpeakerEncoder | None = None,
    options: DiarizationOptions | None = None,
) -> SpeakerSplit:
    """Split a mono call's words between agent and customer."""
    options = options or DiarizationOptions()
    regions = speech_regions(samples, options)
    windows = sliding_windows(regions, options.window_s, options.hop_s)
    chunks = sliding_windows(regions, options.cluster_chunk_s, options.cluster_chunk_s)
    duration = len(samples) / SAMPLE_RATE
    if windows:
        encoder = encoder or get_speaker_encoder(settings)
        embeddings = encoder.embed(samples, windows + chunks)
        lengths = np.array([e - s for s, e in chunks])
        _, centres = cluster_two(
            embeddings[len(windows) :],
            lengths >= options.min_cluster_chunk_s,
            options.same_speaker_similarity,
        )
        frames = frame_speakers(windows, embeddings[: len(windows)], centres, duration)
    else:
        frames = np.full(int(np.ceil(duration / FRAME_S)) + 1, -1)
    ordered = sorted(words, key=lambda w: w.start)
    speakers = word_speakers(ordered, frames)
    agent, chosen_by, scores = choose_agent(
        ordered, speakers, language, settings.mono_agent_speaker, options
    )
    role_of = {agent: "agent", 1 - agent: "customer"}
    by_role: dict[str, list[Word]] = {"agent": [], "customer": []}
    for word, speaker in zip(ordered, speakers, strict=True):
        by_role[role_of[speaker]].append(word)
    return SpeakerSplit(
        words_by_role=by_role,
        segments=speaker_segments(frames, role_of, options.merge_gap_s),
        agent_speaker=agent,
        agent_chosen_by=chosen_by,
        speakers=len(np.unique(frames[frames >= 0])),
        cue_scores=scores,
    )


@dataclass(frozen=True, slots=True)
class DiarizationScore:
    """A split scored against reference turns, frame by frame (10 ms, no collar)."""

    agreement: float  # single-speaker reference speech whose predicted role is right
    word_agreement: float  # the same, over the time the recognised words cover
    der: float  # (missed + false alarm + confusion) / reference speech, overlaps included
    speech_s: float

    def to_dict(self) -> dict[str, float]:
        return {k: round(getattr(self, k), 4) for k in self.__slots__}


def _role_frames(spans: Sequence[tuple[float, float, str]], n: int) -> dict[str, np.ndarray]:
    frames = {role: np.zeros(n, dtype=bool) for role in ("agent", "customer")}
    for start, end, role in spans:
        frames[role][int(start / FRAME_S) : int(end / FRAME_S)] = True
    return frames


def score_split(split: SpeakerSplit, turns: Sequence[dict[str, Any]]) -> DiarizationScore:
    """Compare with reference ``turns`` (``role``, ``start``, ``end``), e.g. a call's JSON."""
    end = max([t["end"] for t in turns] + [s.end for s in split.segments] + [0.0])
    n = int(np.ceil(end / FRAME_S)) + 1
    ref = _role_frames([(t["start"], t["end"], t["role"]) for t in turns], n)
    hyp = _role_frames([(s.start, s.end, s.role) for s in split.segments], n)
    words = _role_frames(
        [(w.start, w.end, role) for role, ws in split.words_by_role.items() for w in ws], n
    )
    single = ref["agent"] ^ ref["customer"]
    ref_agent = ref["agent"][single]
    hyp_agent, hyp_customer = hyp["agent"][single], hyp["customer"][single]
    right = np.where(ref_agent, hyp_agent & ~hyp_customer, hyp_customer & ~hyp_agent)
    worded = words["agent"][single] | words["customer"][single]
    word_right = np.where(ref_agent, words["agent"][single], words["customer"][single])
    n_ref = ref["agent"].astype(int) + ref["customer"]
    n_hyp = hyp["agent"].astype(int) + hyp["customer"]
    n_correct = (ref["agent"] & hyp["agent"]).astype(int) + (ref["customer"] & hyp["customer"])
    errors = np.maximum(n_ref, n_hyp) - n_correct
    total = max(int(n_ref.sum()), 1)
    return DiarizationScore(
        agreement=float(right.mean()) if right.size else 0.0,
        word_agreement=float((word_right & worded).sum() / max(int(worded.sum()), 1)),
        der=float(errors.sum() / total),
        speech_s=float(n_ref.sum() * FRAME_S),
    )
