# Paperboy: a slim image running `paperboy run` as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    LITELLM_LOCAL_MODEL_COST_MAP=True \
    DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /data --create-home paperboy

USER paperboy
VOLUME ["/data"]
CMD ["paperboy", "run"]
