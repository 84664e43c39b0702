#!/usr/bin/env bash
# The container smoke test (README "Containers"): build the image, start the compose
# deployment (PostgreSQL, Redis, the service, WORKERS Celery workers), wait for
# /api/health, upload one call through the API, wait until a worker has analysed it, print
# the result's figures, and take the deployment down again (volumes included).
#
#   scripts/compose-smoke.sh [CALL.wav]        (default: ../shared/data/calls/zh-rude-agent.wav)
#
# Environment: BASE_IMAGE (Dockerfile default when unset), DOCKER_BUILD_ARGS (e.g.
# "--network host"), BUILD=0 (use the images as they are), LOCAL_SERVICES=1 (PostgreSQL and
# Redis from docker/debian-services instead of the official images), WORKERS (2),
# HTTP_PORT/PG_PORT/REDIS_PORT (58000/55432/56379: away from servers already running here),
# KEEP=1 (leave it running), TIMEOUT_S (900: how long the analysis may take).
set -euo pipefail
cd "$(dirname "$0")/.."

CALL=${1:-../shared/data/calls/zh-rude-agent.wav}
WORKERS=${WORKERS:-2}
HTTP_PORT=${HTTP_PORT:-58000}
TIMEOUT_S=${TIMEOUT_S:-900}
PROJECT=qa-smoke
COMPOSE=${COMPOSE:-$(docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)}
BASE="http://127.0.0.1:$HTTP_PORT"
[ -f "$CALL" ] || { echo "no such call: $CALL" >&2; exit 2; }

stamp() { date +%s; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

if [ "${BUILD:-1}" != 0 ]; then
    t0=$(stamp)
    make image BASE_IMAGE="${BASE_IMAGE:-}" DOCKER_BUILD_ARGS="${DOCKER_BUILD_ARGS:-}"
    echo "smoke: qa-service:cpu built in $(($(stamp) - t0)) s"
    if [ "${LOCAL_SERVICES:-0}" = 1 ]; then
        make image-services BASE_IMAGE="${BASE_IMAGE:-}" DOCKER_BUILD_ARGS="${DOCKER_BUILD_ARGS:-}"
    fi
fi
if [ "${LOCAL_SERVICES:-0}" = 1 ]; then
    export PG_IMAGE=local/qa-services REDIS_IMAGE=local/qa-services
fi
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E '^(qa-service|local/qa-services)' || true

ENV_FILE=$(mktemp)
cat >"$ENV_FILE" <<EOF
PG_PASSWORD=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
PG_PORT=${PG_PORT:-55432}
REDIS_PORT=${REDIS_PORT:-56379}
HTTP_HOST=127.0.0.1
HTTP_PORT=$HTTP_PORT
EOF
compose() { $COMPOSE -p "$PROJECT" --env-file "$ENV_FILE" "$@"; }
cleanup() {
    if [ "${KEEP:-0}" = 1 ]; then
        echo "smoke: left running (project $PROJECT, env file $ENV_FILE)"
    else
        compose down -v --remove-orphans >/dev/null 2>&1 || true
        rm -f "$ENV_FILE"
    fi
}
trap cleanup EXIT

t0=$(stamp)
compose up -d --scale worker="$WORKERS"
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/health")" = 200 ]; do
    [ $(($(stamp) - t0)) -lt 300 ] || { compose logs --tail=50; echo "smoke: no health" >&2; exit 1; }
    sleep 2
done
echo "smoke: /api/health 200 after $(($(stamp) - t0)) s"

running=$(compose ps --services --filter status=running | sort | tr '\n' ' ')
workers=$(docker ps --filter "label=com.docker.compose.project=$PROJECT" \
    --filter label=com.docker.compose.service=worker --filter status=running -q | wc -l)
echo "smoke: running services: $running; worker containers: $workers"
[ "$workers" -eq "$WORKERS" ] || { echo "smoke: expected $WORKERS workers" >&2; exit 1; }

# The file holds the admin's user name, then the password.
ADMIN=$(compose exec -T qa cat /var/lib/qa-service/admin_password | tr -d '\r')
TOKEN=$(curl -sf --data-urlencode "username=$(sed -n 1p <<<"$ADMIN")" \
    --data-urlencode "password=$(sed -n 2p <<<"$ADMIN")" \
    "$BASE/api/auth/token" | json 'd["access_token"]')
AUTH=(-H "Authorization: Bearer $TOKEN")

t0=$(stamp)
CALL_ID=$(curl -sf "${AUTH[@]}" -F "files=@$CALL" -F 'metadata={"agent_id":"A001","team":"T1"}' \
    "$BASE/api/calls" | json 'd["calls"][0]["call"]["id"]')
echo "smoke: uploaded $CALL as call $CALL_ID"
while :; do
    status=$(curl -sf "${AUTH[@]}" "$BASE/api/calls/$CALL_ID" | json 'd["status"]')
    case $status in
    analysed) break ;;
    failed)
        curl -s "${AUTH[@]}" "$BASE/api/calls/$CALL_ID"
        echo
        compose logs --tail=80 worker
        exit 1
        ;;
    esac
    [ $(($(stamp) - t0)) -lt "$TIMEOUT_S" ] || { compose logs --tail=80 worker; exit 1; }
    sleep 3
done
echo "smoke: analysed in $(($(stamp) - t0)) s after upload"
curl -sf "${AUTH[@]}" "$BASE/api/calls/$CALL_ID" | json \
    '"call: duration_s=%s score_total=%s findings=%s job=%s attempts=%s" % (d["duration_s"], d["score_total"], d["findings_count"], d["job"]["status"], d["job"]["attempts"])'
curl -sf "${AUTH[@]}" "$BASE/api/calls/$CALL_ID/transcript" | json \
    '"transcript: %d utterances; first: %s" % (len(d["utterances"]), (d["utterances"] or [{}])[0].get("text"))'
# Which worker container ran the task (Celery logs the task's success there).
compose logs --no-color worker | grep -E "analyze_job.*succeeded" || {
    echo "smoke: no worker logged the task" >&2
    exit 1
}
echo "smoke: OK"
