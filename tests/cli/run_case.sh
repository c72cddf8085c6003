#!/usr/bin/env bash
# Runs one CLI case in a fresh directory and compares its stdout with <case>.expected.
# Usage: run_case.sh CASE.sh TOOLS_BUILD_DIR [EXPECTED]   (EXPECTED defaults to CASE.expected)
# The case sees: PATH with every built tool first, DD_JOURNAL=$PWD/journal.jsonl, a clean
# XDG_STATE_HOME, and helpers from lib.sh.
set -u
case_file=$1
tools_dir=$(cd "$2" && pwd)
expected=${3:-${case_file%.sh}.expected}
work=$(mktemp -d "${TMPDIR:-/tmp}/ddsafe-cli-XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
PATH="$tools_dir:$PATH"
export PATH DD_JOURNAL="$work/journal.jsonl" XDG_STATE_HOME="$work/state" HOME="$work/home"
export CLI_LIB="$(dirname "$0")/lib.sh"
mkdir -p "$work/home"
actual="$work/.actual"
(cd "$work" && bash "$case_file") > "$actual" 2> "$work/.stderr"
rc=$?
if [ $rc -ne 0 ]; then
  echo "case exited $rc; stderr:"; cat "$work/.stderr"; echo "stdout:"; cat "$actual"; exit 1
fi
if ! diff -u "$expected" "$actual"; then
  echo "stderr of the case:"; cat "$work/.stderr"; exit 1
fi
