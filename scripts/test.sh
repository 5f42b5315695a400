#!/usr/bin/env bash
# Builds everything, tests included, and runs the whole test suite with ctest.
# Set RETRYBENCH_SANITIZE=1 to build and test under AddressSanitizer and UBSan instead.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --with-tests
build_dir=build
options=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DRETRYBENCH_TESTS=ON -DRETRYBENCH_BENCH=ON)
if [[ "${RETRYBENCH_SANITIZE:-0}" == "1" ]]; then
  build_dir=build-asan
  options+=(-DRETRYBENCH_SANITIZE=ON -DRETRYBENCH_BENCH=OFF)
fi
cmake -S . -B "$build_dir" "${options[@]}" >/dev/null
cmake --build "$build_dir" -j2
ctest --test-dir "$build_dir" --output-on-failure -j2 --timeout 300

# A short run of every libFuzzer target (20 s each) when clang is installed; scripts/fuzz.sh
# runs them longer. RETRYBENCH_FUZZ_SECONDS=0 skips it.
fuzz_seconds=${RETRYBENCH_FUZZ_SECONDS:-20}
if [[ "$fuzz_seconds" != "0" ]] && command -v clang++ >/dev/null; then
  scripts/fuzz.sh "$fuzz_seconds"
fi
