#!/usr/bin/env bash
# scripts/compose-smoke.sh on a Debian bookworm machine that reaches Debian's and PyPI's
# mirrors but no image registry (how the images were checked while developing): Debian's
# container engine, a base image made with debootstrap, PostgreSQL and Redis from
# docker/debian-services, every container on the host's network (no bridge). Run as root.
#
#   scripts/registryless-smoke.sh [CALL.wav]
#
# TORCH_WHEEL_DIR: a folder holding the CPU torch wheel (torch-X+cpu-cp311-...whl), served
#   to the build on 127.0.0.1:8765 as a package index, where download.pytorch.org is not
#   reachable. PIP_TRUSTED_HOST: hosts pip may reach without verifying TLS, where a proxy
#   re-signs PyPI's certificates with a CA the base image does not know.
# What this script starts (dockerd, the wheel server) it stops again at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

MIRROR=${MIRROR:-$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
BASE=local/bookworm:minbase
started=()
stop_started() {
    for pid in "${started[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
}
trap stop_started EXIT

command -v dockerd >/dev/null && command -v debootstrap >/dev/null \
    && { docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null; } \
    || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends docker.io debootstrap docker-compose; }

if ! docker info >/dev/null 2>&1; then
    # No bridge, no iptables: containers use the host's network only.
    dockerd --bridge=none --iptables=false >/tmp/qa-dockerd.log 2>&1 &
    started+=($!)
    for _ in $(seq 30); do docker info >/dev/null 2>&1 && break; sleep 1; done
fi

if ! docker image inspect "$BASE" >/dev/null 2>&1; then
    rootfs=$(mktemp -d)
    debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . | docker import - "$BASE"
    rm -rf "$rootfs"
fi

args="--network host"
if [ -n "${TORCH_WHEEL_DIR:-}" ]; then
    index=$(mktemp -d) && mkdir "$index/torch"
    ln -s "$(realpath "$TORCH_WHEEL_DIR")"/torch-*.whl "$index/torch/"
    python3 -m http.server 8765 --bind 127.0.0.1 --directory "$index" >/dev/null 2>&1 &
    started+=($!)
    args+=" --build-arg TORCH_INDEX_URL=http://127.0.0.1:8765/"
fi
[ -z "${PIP_TRUSTED_HOST:-}" ] || args+=" --build-arg PIP_TRUSTED_HOST=\"$PIP_TRUSTED_HOST\""

BASE_IMAGE=$BASE LOCAL_SERVICES=1 DOCKER_BUILD_ARGS="$args" bash scripts/compose-smoke.sh "$@"
