#!/usr/bin/env bash
# Runs wrk against retrybench's fake endpoint and against nginx (one worker) serving the same
# JSON body from a file, side by side, and prints requests per second of both and the ratio.
# A second round injects 10 % 429 and 5 % 503 into the fake endpoint.
#
# Usage: bench/fakeserver_vs_nginx.sh [RETRYBENCH_BINARY]
# Environment: DURATION (wrk seconds, default 10), CONNECTIONS (default 50), THREADS (wrk
# threads, default 1). Everything listens on 127.0.0.1 only and stops when the script exits.
set -euo pipefail

binary=${1:-${RETRYBENCH_BINARY:-build/retrybench}}
duration=${DURATION:-10}
connections=${CONNECTIONS:-50}
threads=${THREADS:-1}
for tool in wrk nginx curl python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done
[[ -x $binary ]] || { echo "retrybench binary not found at $binary" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts `retrybench serve` with the given flags; sets fake_port.
start_fake() {
  local log=$work/serve-$RANDOM.log
  "$binary" serve --port 0 "$@" >"$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do
    fake_port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$log" | grep -o '[0-9]*$' || true)
    [[ -n $fake_port ]] && return 0
    sleep 0.1
  done
  echo "retrybench serve did not start: $(cat "$log")" >&2
  exit 3
}

# Prints the Requests/sec figure of one wrk run against a URL.
requests_per_second() {
  wrk -t"$threads" -c"$connections" -d"${duration}s" "$1" | awk '/Requests\/sec/ {print $2}'
}

start_fake
body_url=http://127.0.0.1:$fake_port/v1/models
mkdir -p "$work/www/v1"
curl -s "$body_url" >"$work/www/v1/models"
# nginx workers started by root run as nobody, which must be able to read the body.
chmod -R a+rX "$work"

nginx_port=$(free_port)
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
    location = /v1/models { default_type application/json; }
  }
}
CONF
nginx -p "$work" -c "$work/nginx.conf" &
pids+=($!)
sleep 1
cmp -s <(curl -s "http://127.0.0.1:$nginx_port/v1/models") "$work/www/v1/models" ||
  { echo "nginx does not serve the same body: $(cat "$work/nginx-error.log")" >&2; exit 3; }

echo "wrk -t$threads -c$connections -d${duration}s, body $(wc -c <"$work/www/v1/models") bytes"
fake_rps=$(requests_per_second "$body_url")
nginx_rps=$(requests_per_second "http://127.0.0.1:$nginx_port/v1/models")
echo "no faults:        fake $fake_rps req/s, nginx $nginx_rps req/s, ratio $(
  python3 -c "print(f'{$fake_rps / $nginx_rps:.2f}')")"

start_fake --status-429 0.1 --status-503 0.05 --seed 7
faulty_rps=$(requests_per_second "http://127.0.0.1:$fake_port/v1/models")
echo "10% 429, 5% 503:  fake $faulty_rps req/s, ratio to nginx $(
  python3 -c "print(f'{$faulty_rps / $nginx_rps:.2f}')"), to fake without faults $(
  python3 -c "print(f'{$faulty_rps / $fake_rps:.2f}')")"
