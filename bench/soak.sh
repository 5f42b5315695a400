#!/usr/bin/env bash
# Soak test: runs one live scenario for DURATION seconds (default 600) at a steady 200
# requests per second against two fake upstreams that inject 429s, 503s, resets,
# truncated bodies and never-answered requests all the time, and samples the process's
# resident memory (VmRSS from /proc/PID/status) and open file descriptors (entries of
# /proc/PID/fd) once a second into a CSV. At the end it prints the first, last and maximum
# of each and fails when either grew by more than the allowed slack between the middle of
# the run and its end.
#
#   bench/soak.sh [DURATION_SECONDS] [OUT_DIR]
#   RETRYBENCH=build-rel/retrybench bench/soak.sh 600 /tmp/soak
#
# Everything it starts listens on 127.0.0.1 only, and the run stops itself after
# DURATION seconds plus its grace period.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-600}
out=${2:-bench-out/soak}
binary=${RETRYBENCH:-build/retrybench}
rate=${SOAK_RATE:-200}
# Allowed growth from the middle sample to the last one.
rss_slack_kib=${SOAK_RSS_SLACK_KIB:-8192}
fd_slack=${SOAK_FD_SLACK:-16}

if ! [[ "$duration" =~ ^[0-9]+$ ]] || ((duration < 2)); then
  echo "usage: bench/soak.sh [DURATION_SECONDS (2 or more)] [OUT_DIR]" >&2
  exit 2
fi
if [[ ! -x "$binary" ]]; then
  echo "bench/soak.sh: $binary not found; build first or set RETRYBENCH=PATH" >&2
  exit 2
fi
mkdir -p "$out"
scenario="$out/soak-scenario.json"
csv="$out/soak.csv"

cat >"$scenario" <<JSON
{
  "name": "soak",
  "description": "Steady load against two faulty fake upstreams, for memory and descriptor leaks",
  "seed": 11,
  "upstreams": [
    {"name": "limited", "fake": {
      "latency": {"distribution": "uniform", "min": "1ms", "max": "10ms"},
      "rate_limit": {"rps": 120, "burst": 20, "retry_after": "50ms"},
      "errors": [{"status": 503, "probability": 0.05}],
      "timeout": {"probability": 0.01},
      "connection": {"reset_before_response": 0.02, "reset_mid_response": 0.02,
                     "truncated_body": 0.02, "close_without_response": 0.02}}},
    {"name": "flaky", "fake": {
      "latency": {"distribution": "constant", "value": "5ms"},
      "errors": [{"status": 500, "probability": 0.1}, {"status": 429, "probability": 0.05}],
      "connection": {"reset_before_response": 0.03, "malformed_status_line": 0.01}}}
  ],
  "load": {"kind": "constant", "rate": $rate, "duration": "${duration}s", "grace": "3s"},
  "request": {"method": "POST", "path": "/v1/chat/completions",
              "headers": {"Content-Type": "application/json"},
              "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}},
  "timeouts": {"connect": "500ms", "first_byte": "1s", "total": "1s"},
  "strategies": [
    {"name": "retry-round-robin", "selector": "round-robin",
     "retry": {"max_attempts": 3, "retry_non_idempotent": true, "backoff": {"kind": "full-jitter", "base": "20ms", "cap": "200ms"}}}
  ]
}
JSON

"$binary" run "$scenario" --out "$out/report" --no-progress >"$out/run.stdout" 2>"$out/run.stderr" &
pid=$!

echo "elapsed_s,rss_kib,fds" >"$csv"
start=$(date +%s)
# Bounded: the run ends by itself after duration + grace; the loop also stops 60 s later.
while kill -0 "$pid" 2>/dev/null && (($(date +%s) - start < duration + 60)); do
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l || true)
  if [[ -n "$rss" ]]; then
    echo "$(($(date +%s) - start)),$rss,$fds" >>"$csv"
  fi
  sleep 1
done
if kill -0 "$pid" 2>/dev/null; then
  echo "bench/soak.sh: the run did not end on time; stopping it" >&2
  kill -INT "$pid"
fi
status=0
wait "$pid" || status=$?

# Only samples from the load phase count; the first two seconds are start-up.
python3 - "$csv" "$duration" "$rss_slack_kib" "$fd_slack" "$status" <<'PY'
import csv, sys
path, duration, rss_slack, fd_slack, status = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rows = [r for r in csv.DictReader(open(path)) if 2 <= int(r["elapsed_s"]) <= duration]
if len(rows) < 2:
    sys.exit(f"bench/soak.sh: too few samples in {path}")
rss = [int(r["rss_kib"]) for r in rows]
fds = [int(r["fds"]) for r in rows]
mid = len(rows) // 2
print(f"samples {len(rows)}, run exit status {status}")
print(f"rss_kib: start {rss[0]}, middle {rss[mid]}, end {rss[-1]}, max {max(rss)}")
print(f"fds:     start {fds[0]}, middle {fds[mid]}, end {fds[-1]}, max {max(fds)}")
grew = []
if rss[-1] - rss[mid] > rss_slack:
    grew.append(f"RSS grew {rss[-1] - rss[mid]} KiB from the middle to the end (slack {rss_slack})")
if fds[-1] - fds[mid] > fd_slack:
    grew.append(f"open descriptors grew {fds[-1] - fds[mid]} (slack {fd_slack})")
for message in grew:
    print("FAILED: " + message)
sys.exit(1 if grew else 0)
PY
