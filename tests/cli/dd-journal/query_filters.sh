# Proves: every query filter of the issue on a fixed journal (fixture.jsonl, one record of a newer
# schema): --event (repeatable = any), --since/--until (half-open, RFC 3339 with offset), --path,
# --path-prefix (whole components), --pid, --host, --tool, --where, --count, --limit, --reverse
# (with --limit: the newest N), -o json (the lines as written) / tsv / table.
source "$CLI_LIB"
cp "$(dirname "$CLI_EXPECTED")/fixture.jsonl" "$DD_JOURNAL"
q() { echo "--- $*"; dd-journal query "$@"; echo "rc=$?"; }
q --count
q --event lock_fail_open -o tsv
q --event gc_reaped --event backup_done --count
q --since 2026-01-01T01:20:00Z --until 2026-01-01T04:50:00Z -o tsv
q --since 2026-01-01T03:00:00+01:00 --count
q --path /srv/app/a.lock --count
q --path-prefix /srv/app --count
q --path-prefix /srv/app/ --event lock_fail_open --host web2 -o tsv
q --pid 300 -o json
q --tool dd-journal --where status=ok -o json
q --where waited_ms=900 --count
q --where nosuchfield=1 --count
q --limit 2 -o tsv
q --reverse --limit 2 -o tsv
q -r --event lock_timeout
q --event lock_timeout
