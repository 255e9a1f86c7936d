#!/usr/bin/env bash
# Throw-away PostgreSQL 15 cluster for tests and benchmarks (DESIGN.md §7).
#   tests/pg/cluster.sh start DIR PORT   initdb into DIR (owned by postgres), listen on 127.0.0.1:PORT
#   tests/pg/cluster.sh stop DIR         fast shutdown
# Then: postgresql://postgres@127.0.0.1:PORT/postgres (trust auth, fsync and synchronous_commit on).
# PostgreSQL refuses to run as root, so when we are root every pg command goes through runuser.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

usage() {
    echo "usage: $0 start DIR PORT | stop DIR" >&2
    exit 2
}

cmd=${1:-}
case "$cmd" in
start)
    [ $# -eq 3 ] || usage
    dir=$2
    port=$3
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$dir"
        # postgres must traverse the parents: a `mktemp -d` parent is 0700 root, so open it (x only).
        parent=$(dirname "$dir")
        if ! runuser -u postgres -- test -x "$parent"; then
            chmod o+x "$parent"
        fi
        runuser -u postgres -- test -w "$dir" || { echo "postgres cannot reach $dir" >&2; exit 1; }
    fi
    chmod 700 "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
        if ! out=$(as_postgres "$PGBIN/initdb" -D "$dir" --auth=trust -U postgres --encoding=UTF8 \
            --locale=C.UTF-8 2>&1); then
            echo "$out" >&2
            exit 1
        fi
        cat >>"$dir/postgresql.conf" <<CONF
# cordee test cluster
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = on
synchronous_commit = on
max_connections = 200
shared_buffers = 128MB
logging_collector = off
CONF
    fi
    as_postgres "$PGBIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir" start >/dev/null
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
stop)
    [ $# -eq 2 ] || usage
    dir=$2
    if [ -f "$dir/postmaster.pid" ]; then
        as_postgres "$PGBIN/pg_ctl" -D "$dir" -m fast -w -t 60 stop >/dev/null
    fi
    ;;
*)
    usage
    ;;
esac
