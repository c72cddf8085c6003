# bench/common.sh: helpers shared by the bench sections (bench/<section>.sh source it).
# Defines $repo (the checkout), $build (the Release tree: build-bench, or DDSAFE_BENCH_BUILD),
# $py and $peers.
# shellcheck shell=bash

export LC_ALL=C  # EPOCHREALTIME and printf use '.' as the decimal point
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${DDSAFE_BENCH_BUILD:-$repo/build-bench}
# Debian's python3, which has the python3-* peers (a pyenv python3 on PATH may not); the peer
# scripts. Both are used by the sections.
# shellcheck disable=SC2034
{
  py=/usr/bin/python3
  peers=$repo/bench/peers
}

say() { printf '%s\n' "$*" >&2; }
now_ns() { local t=$EPOCHREALTIME; echo "${t/./}000"; }

median() { sort -n | awk '{v[NR]=$1} END {if (NR) print v[int((NR+1)/2)]}'; }
ms() { awk -v ns="$1" 'BEGIN {printf "%.1f", ns / 1e6}'; }
ms2() { awk -v ns="$1" 'BEGIN {printf "%.2f", ns / 1e6}'; }
us() { awk -v ns="$1" 'BEGIN {printf "%.1f", ns / 1e3}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN {exit !(a <= b)}'; }
verdict() { if le "$1" "$2"; then echo pass; else echo FAIL; fi; }  # verdict VALUE MAX
verdict_ge() { if le "$2" "$1"; then echo pass; else echo FAIL; fi; }  # verdict_ge VALUE MIN

declare -a rows=()
row() { rows+=("$(printf '| %s | %s | %s | %s | %s | %s | %s |' "$@")"); }

# install_packages PKG...: apt-get install as root; otherwise says what the missing rows need.
install_packages() {
  (($# > 0)) || return 0
  if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
    say "bench: missing $*; install them (as root) for the peer rows; skipping those rows"
    return 0
  fi
  say "bench: installing $*"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "$@" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q "$@" >/dev/null; } ||
    say "bench: could not install $*; skipping those rows"
}

# npm_modules MODULE...: installs the missing ones into bench/.npm (git-ignored); true when all
# are there.
npm_modules() {
  local m missing=()
  command -v node >/dev/null && command -v npm >/dev/null || return 1
  for m in "$@"; do [[ -d $repo/bench/.npm/node_modules/$m ]] || missing+=("$m"); done
  ((${#missing[@]} == 0)) ||
    npm install --prefix "$repo/bench/.npm" --no-audit --no-fund --loglevel=error \
      "${missing[@]}" >/dev/null 2>&1 || say "bench: npm install ${missing[*]} failed"
  for m in "$@"; do [[ -d $repo/bench/.npm/node_modules/$m ]] || return 1; done
}

# build_bench TARGET...: builds the targets in the Release tree $build, warnings as errors. If
# that build fails (GCC 12 at -O3 reports false positives that the -O2 CI build does not), it
# says so with the first error and builds in $build-no-werror instead, setting $build to it.
build_bench() {
  local cfg=(-DCMAKE_BUILD_TYPE=Release -DDDSAFE_BUILD_TESTS=OFF -DDDSAFE_BUILD_BENCH=ON)
  say "bench: building (Release) in $build"
  mkdir -p "$build"
  if cmake -S "$repo" -B "$build" "${cfg[@]}" -DDDSAFE_WERROR=ON >/dev/null &&
    cmake --build "$build" -j "$(nproc)" --target "$@" >"$build/bench-build.log" 2>&1; then
    return 0
  fi
  say "bench: the Release build with -Werror failed; its first error:"
  { grep -m1 -B1 'error:' "$build/bench-build.log" || tail -n 5 "$build/bench-build.log"; } >&2
  build=$build-no-werror
  say "bench: building without -Werror in $build"
  cmake -S "$repo" -B "$build" "${cfg[@]}" -DDDSAFE_WERROR=OFF >/dev/null
  cmake --build "$build" -j "$(nproc)" --target "$@" >"$build/bench-build.log" 2>&1 ||
    { tail -n 30 "$build/bench-build.log" >&2; exit 1; }
}
