# Proves: verify counts good, torn and garbage lines per file of the rotated set and in total;
# exit 0 on a clean journal, 1 when damage is found (a torn last line, garbage, a NUL run), while
# query still returns every good record.
source "$CLI_LIB"
fx="$(dirname "$CLI_EXPECTED")/fixture.jsonl"
head -n 2 "$fx" > "$DD_JOURNAL.1"
tail -n 4 "$fx" > "$DD_JOURNAL"
dd-journal verify | sed "s|$PWD/||"; echo "rc=${PIPESTATUS[0]}"
printf 'garbage line\n\0\0\0\0' >> "$DD_JOURNAL"
head -n 1 "$fx" >> "$DD_JOURNAL"
head -c 50 "$fx" >> "$DD_JOURNAL"
dd-journal verify 2>err | sed "s|$PWD/||"; echo "rc=${PIPESTATUS[0]}"
echo "warns: $(yesno has err damaged)"
echo "query still finds: $(dd-journal query --count)"
