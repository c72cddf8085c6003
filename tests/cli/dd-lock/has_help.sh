# Proves: `dd-lock --help` and `-h` exit 0, print a usage line on stdout, and document every
# flag the man page and the issue promise (a flag missing from --help fails this case).
source "$CLI_LIB"
dd-lock --help > help.txt; echo "--help rc=$?"
dd-lock -h > h.txt; echo "-h rc=$?"
echo "same text: $(yesno cmp -s help.txt h.txt)"
echo "usage line: $(yesno grep -q '^Usage: dd-lock' help.txt)"
for flag in -x -e -s -u -n -w -E -c -o --ttl --on-timeout --break-expired --journal --status \
            -v -q -V --version fail-open; do
  grep -q -- "$flag" help.txt || echo "missing from --help: $flag"
done
dd-lock --help >/dev/null 2>err.txt
echo "stderr empty: $(yesno test ! -s err.txt)"
