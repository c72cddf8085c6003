#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the whole suite on a normal build (as
# root, package.deb installs and removes the .deb with dpkg; otherwise it is reported skipped),
# then the unit, property and CLI suites again under AddressSanitizer + UndefinedBehaviorSanitizer.
# Soak runs: DDSAFE_SOAK=1 scripts/test.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/deps.sh
bash scripts/build.sh build -DDDSAFE_BUILD_TESTS=ON -DDDSAFE_BUILD_BENCH=ON -DDDSAFE_SANITIZE=
(cd build && ctest --output-on-failure -j "$(nproc)" --timeout 600)
bash scripts/build.sh build-asan -DDDSAFE_SANITIZE="address;undefined" -DDDSAFE_BUILD_TESTS=ON -DDDSAFE_BUILD_BENCH=OFF
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j "$(nproc)" \
   --timeout 600 -L 'unit|property|cli')
