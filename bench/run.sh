#!/usr/bin/env bash
# bench/run.sh: the one command for ddsafe's benchmarks (docs/benchmarks.md).
# Usage: bash bench/run.sh [SECTION...]   (no section: every bench/<section>.sh, in turn)
# Each section installs what its peers need, builds a Release tree in build-bench (override with
# DDSAFE_BENCH_BUILD) and prints one markdown table: workload, ddsafe, peer, ratio, target.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sections=("$@")
if ((${#sections[@]} == 0)); then
  for f in "$here"/*.sh; do
    name=$(basename "$f" .sh)
    [[ $name == run ]] || sections+=("$name")
  done
fi
for s in "${sections[@]}"; do
  [[ -f $here/$s.sh ]] || { echo "bench: no section '$s' (see bench/*.sh)" >&2; exit 64; }
  printf '\n## %s\n\n' "$s"
  bash "$here/$s.sh"
done
