# Proves: `dd-gc --help` and `-h` exit 0, print a usage line on stdout, and document every flag
# the man page and the issue promise (a flag missing from --help fails this case).
source "$CLI_LIB"
dd-gc --help > help.txt; echo "--help rc=$?"
dd-gc -h > h.txt; echo "-h rc=$?"
echo "same text: $(yesno cmp -s help.txt h.txt)"
echo "usage line: $(yesno grep -q '^Usage: dd-gc' help.txt)"
for flag in ROOT --root --live-cmd --live-regex --live-timeout --min-age --max-remove --force \
            --dry-run -n --strict -o --output json --journal -v -q -V --version; do
  grep -q -- "$flag" help.txt || echo "missing from --help: $flag"
done
dd-gc --help >/dev/null 2>err.txt
echo "stderr empty: $(yesno test ! -s err.txt)"
