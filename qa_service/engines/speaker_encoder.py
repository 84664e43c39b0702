"""Speaker embeddings: the pretrained GE2E encoder that the ``resemblyzer`` wheel ships.

Only its weights are used: importing resemblyzer pulls in webrtcvad, which needs the removed
``pkg_resources``. The network is small (3-layer LSTM over 40 mel bands, 256-d output), so it
is rebuilt here from plain torch layers.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from qa_service.config import Settings
from qa_service.errors import ModelError

if TYPE_CHECKING:
    from qa_service.engines.pcm import Samples

SAMPLE_RATE = 16000
MEL_HOP_S = 0.01
EMBEDDING_SIZE = 256
# The encoder was trained on speech normalised to this level; its mel input is not logarithmic.
ENCODER_LEVEL_DBFS = -30.0
# Spans embedded per group (a call of up to ~15 minutes of speech is one group).
SPANS_AT_ONCE = 2048


class SpeakerEncoder(Protocol):
    def embed(self, samples: Samples, spans: Sequence[tuple[float, float]]) -> np.ndarray:
        """One L2-normalised embedding row per ``(start_s, end_s)`` span of 16 kHz ``samples``."""
        ...


def resemblyzer_weights() -> Path:
    """The encoder inside the installed resemblyzer wheel, found without importing it."""
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or spec.origin is None:
        raise ModelError("speaker separation needs the 'resemblyzer' package (pip install it)")
    return Path(spec.origin).parent / "pretrained.pt"


class VoiceEncoder:
    """Resemblyzer's encoder behind the SpeakerEncoder protocol, on the chosen torch device."""

    def __init__(self, weights: Path, device: str) -> None:
        import torch

        state = torch.load(weights, map_location="cpu", weights_only=True)["model_state"]
        net = torch.nn.ModuleDict(
            {
                "lstm": torch.nn.LSTM(40, 256, 3, batch_first=True),
                "linear": torch.nn.Linear(256, EMBEDDING_SIZE),
            }
        )
        # The checkpoint also holds the training loss's parameters; they are not needed.
        net.load_state_dict({k: v for k, v in state.items() if k.startswith(("lstm.", "linear."))})
        self.net = net.to(device).eval()
        self.device = device
        self._lock = threading.Lock()

    def embed(self, samples: Samples, spans: Sequence[tuple[float, float]]) -> np.ndarray:
        gain = level_gain(samples, spans)
        out = np.zeros((len(spans), EMBEDDING_SIZE), dtype=np.float32)
        # A group of spans at a time: their mel frames are held together (24 KB for a 1.5 s
        # window), so hours of speech cost a group's frames, not the call's.
        for a in range(0, len(spans), SPANS_AT_ONCE):
            group = spans[a : a + SPANS_AT_ONCE]
            out[a : a + len(group)] = self._embed_mels(
                [span_mel(samples, s, e, gain) for s, e in group]
            )
        return out

    def _embed_mels(self, slices: list[np.ndarray]) -> np.ndarray:
        import torch

        out = np.zeros((len(slices), EMBEDDING_SIZE), dtype=np.float32)
        # One batch per window length: padding would change the state the LSTM ends in.
        by_length: dict[int, list[int]] = {}
        for i, m in enumerate(slices):
            by_length.setdefault(len(m), []).append(i)
        with self._lock, torch.inference_mode():
            for rows in by_length.values():
                batch = torch.from_numpy(np.stack([slices[i] for i in rows])).to(self.device)
                _, (hidden, _) = self.net["lstm"](batch)
                emb = torch.relu(self.net["linear"](hidden[-1]))
                emb = emb / emb.norm(dim=1, keepdim=True).clamp_min(1e-9)
                out[rows] = emb.float().cpu().numpy()
        return out


def _frame(seconds: float) -> int:
    return round(seconds / MEL_HOP_S)


def mel_frames(samples: np.ndarray) -> np.ndarray:
    """The encoder's input: a (not log) 40-band mel spectrogram, 25 ms windows, 10 ms hop."""
    import librosa

    mel = librosa.feature.melspectrogram(
        y=samples.astype(np.float32), sr=SAMPLE_RATE, n_fft=400, hop_length=160, n_mels=40
    )
    return mel.astype(np.float32).T


def level_gain(samples: Samples, spans: Sequence[tuple[float, float]]) -> float:
    """The factor that puts the speech in ``spans`` (not the silence) at the training level;
    summed span by span, so an hours-long call's speech is never copied whole."""
    total, count = 0.0, 0
    for s, e in spans or [(0.0, len(samples) / SAMPLE_RATE)]:
        piece = samples[int(s * SAMPLE_RATE) : int(e * SAMPLE_RATE)]
        total += float(np.square(piece, dtype=np.float64).sum())
        count += piece.size
    rms = float(np.sqrt(total / count)) if count else 0.0
    return 10 ** (ENCODER_LEVEL_DBFS / 20) / rms if rms > 0 else 1.0


# A span's mel frames come from its samples plus this many frames on each side (more than
# half an FFT window): the same frames as the whole channel's spectrogram would give.
_MEL_MARGIN_FRAMES = 8


def span_mel(samples: Samples, start_s: float, end_s: float, gain: float) -> np.ndarray:
    """The encoder's input frames of one span, from a slice of the channel only."""
    first = _frame(start_s)
    last = max(_frame(end_s), first + 1)
    a = max(0, first - _MEL_MARGIN_FRAMES)
    hop = round(MEL_HOP_S * SAMPLE_RATE)
    piece = samples[a * hop : (last + _MEL_MARGIN_FRAMES) * hop]
    scaled = piece if gain == 1.0 else (piece * gain).astype(np.float32)
    return mel_frames(scaled)[first - a : last - a]


def load_speaker_encoder(settings: Settings) -> VoiceEncoder:
    """The speaker encoder, on CUDA when torch sees a GPU; ``Engines`` keeps one per process."""
    from qa_service.engines.device import torch_device

    weights = Path(settings.speaker_encoder) if settings.speaker_encoder else resemblyzer_weights()
    # Checked before torch is imported (seconds): a missing file is a clear error at once.
    if not weights.is_file():
        raise ModelError(f"speaker encoder weights not found: {weights}")
    return VoiceEncoder(weights.resolve(), torch_device(settings.device))
