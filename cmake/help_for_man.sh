#!/bin/sh
# What help2man reads as a tool's help: `TOOL --help`, then the options of every subcommand
# listed under "Subcommands:", each under a heading "<sub> options:" that help2man turns into a
# section of its own. Any other call (--version) goes to the tool unchanged.
# Usage: help_for_man.sh TOOL --help|--version
tool=$1
shift
[ "$1" = --help ] || exec "$tool" "$@"
help=$("$tool" --help) || exit
printf '%s\n' "$help"
for sub in $(printf '%s\n' "$help" | sed -n '/^Subcommands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'); do
  printf '\n%s options:\n' "$sub"
  "$tool" "$sub" --help | sed '1,/^Options:/d' || exit
done
