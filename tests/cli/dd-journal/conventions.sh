# Proves: dd-journal follows the tools' conventions: `verify -o json` prints one JSON object with
# per-file and total counts (exit 1 and "damaged": true on damage; -o xml is a usage error), and
# -v/-q work after the subcommand as well as before it.
source "$CLI_LIB"
fx="$(dirname "$CLI_EXPECTED")/fixture.jsonl"
head -n 2 "$fx" > "$DD_JOURNAL.1"
tail -n 4 "$fx" > "$DD_JOURNAL"
dd-journal verify -o json | sed "s|$PWD/||g"; echo "rc=${PIPESTATUS[0]}"
printf 'garbage line\n' >> "$DD_JOURNAL"
dd-journal verify --output json 2>/dev/null | json 'j["total"]["garbage"], j["damaged"]'
echo "rc=${PIPESTATUS[0]}"
dd-journal verify -o xml 2>/dev/null; echo "-o xml rc=$?"
dd-journal query -q --count; echo "query -q rc=$?"
dd-journal -q query --count; echo "-q query rc=$?"
dd-journal query -v --count > /dev/null 2>err; echo "query -v says more: $(yesno grep -q 'read ' err)"
dd-journal verify > /dev/null 2>err; echo "verify warns of damage: $(yesno grep -q damaged err)"
dd-journal verify -q > /dev/null 2>err; echo "verify -q drops the warning: $(yesno test ! -s err)"
