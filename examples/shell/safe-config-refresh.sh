#!/usr/bin/env bash
# Recipe: refresh a JSON config in place while other writers may do the same.
#
#   jq '.refresh += 1' cfg.json > cfg.json      # truncates cfg.json before jq even starts
#   jq '.refresh += 1' cfg.json | sponge cfg.json   # loses jq's exit status, no fsync
#
# The safe form reads and rewrites cfg.json under its sidecar lock .cfg.json.lock, and commits
# jq's output only when jq exits 0 and the result is valid JSON; owner and mode are kept:
#
#   dd-atomic --lock --validate json cfg.json -- jq '.refresh += 1' cfg.json
#
# Run it in an empty directory: `bash safe-config-refresh.sh` prints what happened.
set -euo pipefail
cfg=config.json

refresh() {  # refresh FILTER: one locked read-modify-write of $cfg
  dd-atomic --lock -w 30 --validate json "$cfg" -- jq "$1" "$cfg"
}

printf '{"refresh": 0, "debug": false}\n' > "$cfg"
chmod 640 "$cfg"

# Eight concurrent refreshes: none is lost, because each reads under the lock.
for _ in 1 2 3 4 5 6 7 8; do refresh '.refresh += 1' & done
wait
echo "after 8 concurrent refreshes: refresh=$(jq .refresh "$cfg")"

# A broken filter (jq fails): nothing is committed, the config keeps its content.
before=$(cat "$cfg")
if refresh '.refresh +' 2> /dev/null; then echo "a failing jq was committed"; exit 1; fi
[ "$(cat "$cfg")" = "$before" ] && echo "a failing jq left $cfg untouched"

# A filter that produces something that is not JSON is refused too (exit 65).
set +e
dd-atomic --lock --validate json "$cfg" -- jq -r '"refresh is \(.refresh)"' "$cfg" 2> /dev/null
status=$?
set -e
echo "a non-JSON result is refused: exit $status, refresh=$(jq .refresh "$cfg")"
echo "mode kept: $(stat -c %a "$cfg")"
