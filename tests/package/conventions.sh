#!/usr/bin/env bash
# Proves: every tool of the build follows the shared conventions: --help and -h print the same
# usage on stdout and exit 0 (each subcommand's --help too), --version and -V print
# "TOOL VERSION", -v/--verbose and -q/--quiet exist, and an unknown option exits 64 (EX_USAGE),
# never one of CLI11's own codes. The tool list comes from the build (ddsafe_tool()).
# Usage: conventions.sh TOOLS_DIR VERSION TOOL...
set -u
dir=$1 version=$2
shift 2
[ $# -gt 0 ] || { echo "conventions: no tools given" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/ddsafe-conventions-XXXXXX")
trap 'rm -rf "$work"' EXIT
problems=0
bad() { echo "conventions: $t: $*"; problems=$((problems + 1)); }

for t in "$@"; do
  tool=$dir/$t
  "$tool" --help > "$work/help" 2> "$work/err" || bad "--help exits $?"
  [ -s "$work/err" ] && bad "--help writes to stderr: $(head -n 1 "$work/err")"
  grep -q "^Usage: $t " "$work/help" || bad "--help has no 'Usage: $t' line"
  "$tool" -h > "$work/h" 2>&1 || bad "-h exits $?"
  cmp -s "$work/help" "$work/h" || bad "-h prints something else than --help"
  for f in -v,--verbose -q,--quiet -V,--version; do
    grep -q -- "$f" "$work/help" || bad "--help lists no $f"
  done
  for f in --version -V; do
    out=$("$tool" "$f" 2>&1); rc=$?
    [ "$out" = "$t $version" ] && [ $rc -eq 0 ] || bad "$f printed '$out' (exit $rc), want '$t $version' (exit 0)"
  done
  "$tool" --no-such-option > /dev/null 2>&1
  rc=$?
  [ $rc -eq 64 ] || bad "an unknown option exits $rc, want 64"
  subs=$(sed -n '/^Subcommands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' "$work/help")
  for s in $subs; do
    "$tool" "$s" --help > "$work/sub" 2>&1 || bad "'$s --help' exits $?"
    grep -q "^Usage: $t $s " "$work/sub" || bad "'$s --help' has no 'Usage: $t $s' line"
  done
  echo "$t: checked$([ -n "$subs" ] && echo " with subcommands" $subs)"
done
[ $problems -eq 0 ] || { echo "conventions: $problems problems"; exit 1; }
