#!/usr/bin/env bash
# Builds the libFuzzer targets in build-fuzz with clang (ASan, UBSan and coverage on every
# library) and runs each one for SECONDS_PER_TARGET seconds (default 60), starting from the
# seed corpus in fuzz/corpus/TARGET. New inputs go to build-fuzz/corpus/TARGET, crashes to
# build-fuzz/artifacts. Exits non-zero when any target finds a crash, a leak or a timeout.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]
#   FUZZ_TARGETS="scenario_fuzz" scripts/fuzz.sh 600   # one target, longer
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || ((seconds < 1)); then
  echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET]  (a whole number above 0)" >&2
  exit 2
fi
if ! command -v clang++ >/dev/null || ! command -v clang >/dev/null; then
  echo "scripts/fuzz.sh: clang and clang++ are required (apt-get install clang libclang-rt-dev)" >&2
  exit 2
fi

build_dir=build-fuzz
targets=(${FUZZ_TARGETS:-response_parser_fuzz fakeserver_request_fuzz scenario_fuzz retry_after_fuzz})
instrument="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer"

cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_C_FLAGS="$instrument" -DCMAKE_CXX_FLAGS="$instrument" \
  -DRETRYBENCH_FUZZ=ON -DRETRYBENCH_TESTS=OFF -DRETRYBENCH_BENCH=OFF -DRETRYBENCH_WERROR=OFF \
  >/dev/null
cmake --build "$build_dir" -j2 --target "${targets[@]}"

mkdir -p "$build_dir/artifacts"
failed=0
for target in "${targets[@]}"; do
  corpus="$build_dir/corpus/$target"
  mkdir -p "$corpus"
  log="$build_dir/$target.log"
  echo "fuzzing $target for $seconds s (log: $log)"
  # -timeout: one input running over 10 s counts as a hang; -rss_limit_mb bounds memory.
  if ! "$build_dir/$target" "$corpus" "fuzz/corpus/$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build_dir/artifacts/$target-" >"$log" 2>&1; then
    echo "FAILED: $target; the input that failed is under $build_dir/artifacts/, see $log" >&2
    tail -n 40 "$log" >&2
    failed=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  echo "  $target: $runs executions in $seconds s, corpus $(ls "$corpus" | wc -l) files"
done
exit "$failed"
