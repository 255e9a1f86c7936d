#!/usr/bin/env bash
# Authenticated GET /api/v1/me (session lookup + account read + JSON) against nginx serving a static
# JSON file of the same size, both measured here, now, with the same wrk command.
# Both as shipped, access logs on. Target: ours ≥ 75 % of nginx's requests/s, p99 ≤ 5 ms.
source "$(dirname "$0")/lib.sh"
CONNECTIONS=${BENCH_CONNECTIONS:-64}

start_cordee http_me
TOKEN=$(bearer_token "$CORDEE_DATA" "$CORDEE_URL")
BODY=$WORK/www/api/v1/me
mkdir -p "$(dirname "$BODY")"
curl -sf -H "Authorization: Bearer $TOKEN" "$CORDEE_URL/api/v1/me" -o "$BODY"
SIZE=$(stat -c %s "$BODY")
chmod -R a+rX "$WORK/www"

cat >"$WORK/auth.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.headers["Accept"] = "application/json"
LUA

NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
    # nginx's default: one unbuffered write per request, like-for-like with our access log (on by default).
    access_log $WORK/nginx/access.log;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $WORK/www;
        location / { default_type application/json; }
    }
}
CONF
nginx -e "$WORK/nginx/error.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
PIDS+=($!)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$NGINX_PORT/api/v1/me" -o /dev/null && break; sleep 0.1; done
NGINX_SIZE=$(curl -sf "http://127.0.0.1:$NGINX_PORT/api/v1/me" | wc -c)

run_wrk() { # URL OUT
    wrk -t1 -c"$CONNECTIONS" -d2s -s "$WORK/auth.lua" "$1" >/dev/null   # warm-up
    wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/auth.lua" "$1" >"$2"
}
run_wrk "$CORDEE_URL/api/v1/me" "$WORK/ours.txt"
run_wrk "http://127.0.0.1:$NGINX_PORT/api/v1/me" "$WORK/nginx.txt"

read -r O_RPS O_P50 O_P99 O_BAD O_N < <(wrk_summary "$WORK/ours.txt")
read -r N_RPS N_P50 N_P99 N_BAD N_N < <(wrk_summary "$WORK/nginx.txt")
OURS_RSS=$(vm_hwm "$CORDEE_PID")
sleep 0.2  # our log lines reach the file within ~10 ms
O_LOGGED=$(grep -c '"msg":"request"' "$WORK/http_me.log" || true)
N_LOGGED=$(wc -l <"$WORK/nginx/access.log")

echo "== http_me: wrk -t1 -c$CONNECTIONS -d$DURATION GET /api/v1/me (Bearer), body $SIZE bytes (nginx file $NGINX_SIZE bytes), $(nproc) cores"
printf '%-22s %12s %10s %10s %10s\n' "" "requests/s" "p50 ms" "p99 ms" "non-2xx"
printf '%-22s %12s %10s %10s %10s\n' "cordee" "$O_RPS" "$O_P50" "$O_P99" "$O_BAD"
printf '%-22s %12s %10s %10s %10s\n' "nginx (static file)" "$N_RPS" "$N_P50" "$N_P99" "$N_BAD"
echo "ratio ours/nginx: $(ratio "$O_RPS" "$N_RPS") ($(pct "$O_RPS" "$N_RPS"); target ≥ 75 %)   p99 target ≤ 5 ms"
echo "access log lines (warm-ups included): cordee $O_LOGGED, nginx $N_LOGGED"
echo "cordee peak RSS (VmHWM): $OURS_RSS"
verdict=ok
awk -v r="$(ratio "$O_RPS" "$N_RPS")" 'BEGIN { exit !(r >= 0.75) }' || verdict=MISSED
awk -v p="$O_P99" 'BEGIN { exit !(p <= 5) }' || verdict=MISSED
[ "$O_BAD" -eq 0 ] || verdict="MISSED (non-2xx answers)"
echo "http_me: $verdict"
