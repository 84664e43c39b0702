# CPU image. For GPU workers build FROM an nvidia/cuda runtime image with Python 3.11 instead;
# CTranslate2 picks CUDA at load when it is present.
FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md Makefile ./
COPY qa_service ./qa_service
COPY rules ./rules
COPY samples ./samples
COPY models ./models

# Point PIP_INDEX_URL/PIP_EXTRA_INDEX_URL at a CPU-only torch index to keep the image small.
RUN pip install --no-cache-dir torch==2.13.0 \
    && pip install --no-cache-dir . \
    && qa-service models fetch base

ENV QA_MODELS_DIR=/app/models
EXPOSE 8000
CMD ["qa-service", "serve", "--host", "0.0.0.0", "--port", "8000"]
