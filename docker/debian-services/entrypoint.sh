#!/bin/sh
# The part of the official images' entrypoints the compose file relies on: `postgres ...`
# initialises PGDATA once (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, password auth)
# and runs as postgres; `redis-server ...` runs as redis in /data.
set -eu
case "${1:-}" in
postgres)
    chown postgres:postgres "$PGDATA" && chmod 0700 "$PGDATA"
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
        : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
        user="${POSTGRES_USER:-postgres}"
        pwfile=$(mktemp) && printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile" && chown postgres "$pwfile"
        setpriv --reuid=postgres --regid=postgres --init-groups \
            initdb --username="$user" --pwfile="$pwfile" --auth=scram-sha-256 -E UTF8 >/dev/null
        rm -f "$pwfile"
        db="${POSTGRES_DB:-$user}"
        if [ "$db" != postgres ]; then
            setpriv --reuid=postgres --regid=postgres --init-groups \
                postgres --single -D "$PGDATA" -c listen_addresses= postgres \
                <<SQL >/dev/null
CREATE DATABASE "$db" OWNER "$user";
SQL
        fi
    fi
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$@"
    ;;
redis-server)
    cd /data && chown redis:redis /data
    exec setpriv --reuid=redis --regid=redis --init-groups "$@"
    ;;
*)
    exec "$@"
    ;;
esac
