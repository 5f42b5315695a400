#!/usr/bin/env bash
# Builds what is missing and runs scenarios/quickstart.json on the embedded fake upstreams.
# The reports land in retrybench-out/quickstart/ unless an --out folder is given.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRETRYBENCH_TESTS=OFF -DRETRYBENCH_BENCH=OFF >/dev/null
cmake --build build -j2 --target retrybench
./build/retrybench run scenarios/quickstart.json --out retrybench-out/quickstart "$@"
