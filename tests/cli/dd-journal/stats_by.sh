# Proves: stats --by event|path|host|tool|hour counts records with first and last seen, largest
# group first (hours in time order), honours the query filters and --limit, and prints json/tsv.
source "$CLI_LIB"
cp "$(dirname "$CLI_EXPECTED")/fixture.jsonl" "$DD_JOURNAL"
s() { echo "--- $*"; dd-journal stats "$@"; echo "rc=$?"; }
s
s --by path --event lock_fail_open
s --by host -o tsv
s --by tool -o json
s --by hour --since 2026-01-01T01:00:00Z --until 2026-01-01T04:00:00Z -o tsv
s --by path --limit 1 -o tsv
s --by nosuch
