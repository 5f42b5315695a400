#!/usr/bin/env bash
# Runs the retrybench load engine and wrk side by side against one nginx worker on loopback,
# one client thread each, and prints every figure as a ratio from the same run:
#   1. closed loop at maximum speed, 50 keep-alive connections: retrybench / wrk req/s;
#   2. open loop at RATE req/s: achieved rate / target and the scheduling-lag p99;
#   3. the same closed loop with a full strategy (retries, health-score selection, a token
#      bucket budget) and no faults: full / no-retry req/s;
#   4. memory: peak RSS of a long open-loop run / a short one, and peak RSS with
#      BIG_CONNECTIONS connections open at a low rate.
#
# Usage: bench/engine_vs_wrk.sh [RETRYBENCH_BINARY]
# Environment: DURATION (seconds of runs 1-3 and the short memory run, default 10),
# LONG_DURATION (default 60), RATE (default 20000), BIG_CONNECTIONS (default 10000),
# PAIRS (how many times checks 1 and 3 repeat, default 7; the median ratio is quoted).
# PIN: 1, the default on two or more CPUs, pins nginx to the last CPU and every client to
# CPU 0; 0 lets the scheduler place them.
# Everything listens on 127.0.0.1 only, every run has a fixed duration, and nginx stops when
# the script exits.
set -euo pipefail

binary=${1:-${RETRYBENCH_BINARY:-build/retrybench}}
duration=${DURATION:-10}
long_duration=${LONG_DURATION:-60}
rate=${RATE:-20000}
big_connections=${BIG_CONNECTIONS:-10000}
pairs=${PAIRS:-7}
cpus=$(nproc)
pin=${PIN:-$((cpus >= 2 ? 1 : 0))}
for tool in wrk nginx curl python3 /usr/bin/time taskset; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done
[[ -x $binary ]] || { echo "retrybench binary not found at $binary" >&2; exit 2; }
# The client and nginx each need a descriptor per connection; the hard limit caps both.
ulimit -n "$(ulimit -Hn)"
(( $(ulimit -n) > big_connections + 100 )) ||
  echo "warning: ulimit -n is $(ulimit -n), too low for $big_connections connections" >&2

work=$(mktemp -d)
nginx_pid=
cleanup() {
  [[ -n $nginx_pid ]] && kill "$nginx_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Prints one field of result.json: strategy index, then a Python expression over `s`.
result_field() {
  python3 -c "import json, sys; s = json.load(open(sys.argv[1]))['strategies'][$2]; print($3)" "$1"
}

# Prints the peak RSS in MB that /usr/bin/time -v wrote to a file.
peak_rss_mb() {
  awk '/Maximum resident set size/ {printf "%.1f", $6 / 1024}' "$1"
}

ratio() {
  python3 -c "print(f'{$1 / $2:.3f}')"
}

start_nginx() {
  mkdir -p "$work/www"
  chmod -R a+rX "$work"
  nginx_port=$(free_port)
  cat >"$work/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile $((big_connections * 2 + 1000));
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections $((big_connections * 2 + 1000)); }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  server {
    listen 127.0.0.1:$nginx_port backlog=16384;
    root $work/www;
    # The body comes from memory. Served from a file, it costs nginx six system calls per
    # request (open, stat, read, write, close, recv), so nginx's core, not the client, would
    # set the rate.
    location = /small { default_type text/plain; return 200 "hello from nginx\\n"; }
  }
}
CONF
  "${server_pin[@]}" nginx -p "$work" -c "$work/nginx.conf" &
  nginx_pid=$!
  for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$nginx_port/small" >/dev/null && return 0
    sleep 0.1
  done
  echo "nginx did not start: $(cat "$work/nginx-error.log")" >&2
  exit 3
}

# Writes a scenario against nginx: $1 file, $2 load object, $3 strategies array, $4 client.
write_scenario() {
  cat >"$1" <<JSON
{
  "name": "engine-vs-wrk",
  "seed": 1,
  "upstreams": [{"name": "nginx", "url": "http://127.0.0.1:$nginx_port"}],
  "request": {"method": "GET", "path": "/small"},
  "load": $2,
  "timeouts": {"connect": "5s", "first_byte": "10s", "total": "10s"},
  "client": $4,
  "strategies": $3
}
JSON
}

# Runs retrybench with arguments under /usr/bin/time -v; $1 names the output folder.
run_engine() {
  local name=$1
  shift
  "${client_pin[@]}" /usr/bin/time -v -o "$work/$name.time" "$binary" run "$@" --out "$work/$name" --no-progress \
    >"$work/$name.log" 2>&1 || { echo "retrybench run $name failed:" >&2; tail "$work/$name.log" >&2; exit 3; }
}

# Pinning keeps nginx and the client under test off each other's core, so a run measures
# the client rather than where the scheduler put it.
server_pin=()
client_pin=()
if ((pin)); then
  server_pin=(taskset -c "$((cpus - 1))")
  client_pin=(taskset -c 0)
fi

start_nginx
url=http://127.0.0.1:$nginx_port/small
echo "date: $(date -u +%F), host: $cpus cores, pinned: $pin, $(uptime)"
echo "nginx $(nginx -v 2>&1 | sed 's/.*\///'), body $(curl -s "$url" | wc -c) bytes, duration ${duration}s"

median() {
  python3 -c "import statistics, sys; print(f'{statistics.median(map(float, sys.argv[1:])):.3f}')" "$@"
}

# 1. Closed loop at maximum speed, PAIRS pairs of runs. Odd pairs run wrk first, even pairs
# retrybench first, so a drift in the machine's speed during a pair favours neither. The
# median of the pairwise ratios is quoted. The script also compares client CPU time per
# request, which does not depend on which side is the limit.
run_wrk_closed() {
  "${client_pin[@]}" /usr/bin/time -f '%U %S' -o "$work/wrk.time" wrk -t1 -c50 -d"${duration}s" "$url" >"$work/wrk.out"
}
closed_ratios=()
cpu_ratios=()
for pair in $(seq "$pairs"); do
  if ((pair % 2 == 1)); then
    run_wrk_closed
    run_engine closed --url "$url" --connections 50 --duration "$duration"
  else
    run_engine closed --url "$url" --connections 50 --duration "$duration"
    run_wrk_closed
  fi
  wrk_rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
  wrk_requests=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  wrk_cpu=$(awk '{print $1 + $2}' "$work/wrk.time")
  engine_rps=$(result_field "$work/closed/result.json" 0 "s['requests'] / s['load_seconds']")
  engine_requests=$(result_field "$work/closed/result.json" 0 "s['requests']")
  engine_cpu=$(awk '/User time/ {u = $4} /System time/ {s = $4} END {print u + s}' "$work/closed.time")
  closed_ratios+=("$(ratio "$engine_rps" "$wrk_rps")")
  cpu_ratios+=("$(ratio "($engine_cpu * $wrk_requests)" "($wrk_cpu * $engine_requests)")")
  echo "closed loop, 50 connections, pair $pair: wrk $wrk_rps req/s, retrybench $engine_rps req/s," \
    "ratio retrybench / wrk ${closed_ratios[-1]}; client CPU per request retrybench / wrk ${cpu_ratios[-1]}"
done
echo "closed loop: median ratio retrybench / wrk $(median "${closed_ratios[@]}")," \
  "median CPU per request retrybench / wrk $(median "${cpu_ratios[@]}")"

# 2. Open loop at a fixed rate.
run_engine open --url "$url" --rate "$rate" --duration "$duration"
achieved=$(result_field "$work/open/result.json" 0 "s['requests'] / $duration")
lag_p99=$(result_field "$work/open/result.json" 0 "s['scheduling_lag_ms']['p99']")
lag_p999=$(result_field "$work/open/result.json" 0 "s['scheduling_lag_ms']['p999']")
succeeded=$(result_field "$work/open/result.json" 0 "s['succeeded'] / s['requests']")
echo "open loop at $rate req/s: achieved / target $(ratio "$achieved" "$rate")," \
  "lag p99 $lag_p99 ms, p99.9 $lag_p999 ms, succeeded / requests $succeeded"

# 3. A full strategy against the no-retry path, in one run, on the same connections. The two
# strategies run one after the other; odd runs put no-retry first, even runs the full one.
full_strategy='{"name": "full", "preset": "full-jitter-token-bucket", "selector": "health-score"}'
full_load="{\"kind\": \"users\", \"users\": 50, \"duration\": \"${duration}s\"}"
write_scenario "$work/full-odd.json" "$full_load" "[\"no-retry\", $full_strategy]" '{"max_connections": 50}'
write_scenario "$work/full-even.json" "$full_load" "[$full_strategy, \"no-retry\"]" '{"max_connections": 50}'
# Prints a field of the strategy named $2 in result file $1: a Python expression over `s`.
named_field() {
  python3 -c "import json, sys; s = next(x for x in json.load(open(sys.argv[1]))['strategies'] if x['name'] == sys.argv[2]); print($3)" "$1" "$2"
}
full_ratios=()
for pair in $(seq "$pairs"); do
  order=$((pair % 2 == 1 ? 1 : 0))
  run_engine full "$work/full-$( ((order)) && echo odd || echo even).json"
  plain_rps=$(named_field "$work/full/result.json" no-retry "s['requests'] / s['load_seconds']")
  full_rps=$(named_field "$work/full/result.json" full "s['requests'] / s['load_seconds']")
  full_amplification=$(named_field "$work/full/result.json" full "s['amplification']")
  full_ratios+=("$(ratio "$full_rps" "$plain_rps")")
  echo "full strategy, run $pair ($( ((order)) && echo no-retry || echo full) first):" \
    "no-retry $plain_rps req/s, full $full_rps req/s," \
    "ratio full / no-retry ${full_ratios[-1]}, amplification $full_amplification"
done
echo "full strategy: median ratio full / no-retry $(median "${full_ratios[@]}")"

# 4. Memory: long run against short run, then many open connections at a low rate.
run_engine short --url "$url" --rate 2000 --duration "$duration"
run_engine long --url "$url" --rate 2000 --duration "$long_duration"
short_rss=$(peak_rss_mb "$work/short.time")
long_rss=$(peak_rss_mb "$work/long.time")
echo "memory: ${duration}s run $short_rss MB, ${long_duration}s run $long_rss MB," \
  "ratio long / short $(ratio "$long_rss" "$short_rss")"

# Each user sends one request every 5 s, so all connections stay open at a low rate.
write_scenario "$work/big.json" \
  "{\"kind\": \"users\", \"users\": $big_connections, \"think_time\": \"5s\", \"duration\": \"${duration}s\", \"max_in_flight\": $((big_connections * 2))}" \
  '["no-retry"]' "{\"max_connections\": $big_connections}"
run_engine big "$work/big.json"
big_rss=$(peak_rss_mb "$work/big.time")
big_connections_opened=$(result_field "$work/big/result.json" 0 "s['requests']")
big_failed=$(result_field "$work/big/result.json" 0 "s['failed']")
echo "memory: $big_connections connections: peak RSS $big_rss MB, $big_connections_opened requests," \
  "$big_failed failed, ratio to 200 MB $(ratio "$big_rss" 200)"
echo "load after the runs: $(uptime)"
