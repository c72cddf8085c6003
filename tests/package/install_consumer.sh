#!/usr/bin/env bash
# Proves: `cmake --install` installs every tool of the build with its man page and bash
# completion and public headers that each compile alone, and gives a tree that a consumer can
# build against, both with find_package(ddsafe) (examples/consumer/CMakeLists.txt) and with
# pkg-config on a plain g++ command line (the static libraries' private dependencies come from
# Libs.private and Requires.private), and that both programs run.
# Usage: install_consumer.sh BUILD_DIR SOURCE_DIR TOOL...
set -euo pipefail
build=$1 src=$2
shift 2
work=$(mktemp -d "${TMPDIR:-/tmp}/ddsafe-install-XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "install_consumer: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$work/prefix" > "$work/install.log" ||
  { cat "$work/install.log"; fail "cmake --install of '$build' failed"; }
[ $# -gt 0 ] || fail "no tools given"
for t in "$@"; do
  for f in "bin/$t" "share/man/man1/$t.1" "share/bash-completion/completions/$t"; do
    [ -f "$work/prefix/$f" ] || fail "'$f' not installed (tools/$t/$t.bash, docs/man/$t.h2m?)"
  done
done
pc=$(find "$work/prefix" -name ddsafe.pc -path '*/pkgconfig/*')
[ -n "$pc" ] || fail "no ddsafe.pc installed under the prefix"
[ -n "$(find "$work/prefix" -name ddsafeConfigVersion.cmake)" ] ||
  fail "no ddsafeConfigVersion.cmake installed"

# Every installed public header compiles on its own with only the installed include directory
# (no header reaching into lib/src or a header that is not installed, none missing an include).
hdrs=$(cd "$work/prefix/include" && find ddsafe -name '*.hpp' | sort)
[ -n "$hdrs" ] || fail "no public headers installed under include/ddsafe"
for h in $hdrs; do
  printf '#include <%s>\n#include <%s>\n' "$h" "$h" |
    g++ -std=c++20 -fsyntax-only -I "$work/prefix/include" -x c++ - 2> "$work/header.log" ||
    { cat "$work/header.log"; fail "installed header <$h> does not compile on its own"; }
done

# find_package: a separate CMake project that only knows the install prefix.
cmake -S "$src/examples/consumer" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$work/prefix" \
  > "$work/configure.log" 2>&1 || { cat "$work/configure.log"; fail "configure with find_package failed"; }
cmake --build "$work/cmake-build" > "$work/build.log" 2>&1 ||
  { cat "$work/build.log"; fail "build with find_package failed"; }

# pkg-config: a static link needs --static for the private dependencies.
flags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags --libs --static ddsafe) ||
  fail "pkg-config cannot read '$pc'"
g++ -std=c++20 "$src/examples/consumer/main.cpp" $flags -o "$work/counter-pc" ||
  fail "g++ with \`pkg-config --static ddsafe\` ($flags) failed"

# A version the package cannot satisfy must be refused (the version file works).
mkdir -p "$work/too-new"
printf 'cmake_minimum_required(VERSION 3.25)\nproject(p LANGUAGES CXX)\nfind_package(ddsafe 99 REQUIRED)\n' \
  > "$work/too-new/CMakeLists.txt"
if cmake -S "$work/too-new" -B "$work/too-new/b" -DCMAKE_PREFIX_PATH="$work/prefix" > /dev/null 2>&1; then
  fail "find_package(ddsafe 99) succeeded against version $(pkg-config --modversion ddsafe 2>/dev/null)"
fi

mkdir "$work/data"
"$work/cmake-build/counter" "$work/data"
"$work/counter-pc" "$work/data"
[ "$(cat "$work/data/count")" = 2 ] || fail "count is '$(cat "$work/data/count")' after two runs, want 2"
echo "install_consumer: $# tools with man pages and completions installed; find_package and pkg-config consumers built and ran"
