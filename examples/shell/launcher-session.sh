#!/usr/bin/env bash
# Recipe: start an untrusted job (an agent, a build) in its own session with its config
# refreshed from the host, contained, and cleaned up. The classic launcher does
#
#   jq 'del(.token)' /etc/agent.json > "$dir/config.json"; echo "Sync done"
#   timeout 600 sudo -u nobody "$@"
#
# which truncates the config when jq fails, claims "Sync done" anyway, leaves setsid'd children
# alive after the timeout and gives the job the host's network. dd-launch refreshes the config
# atomically (a broken source keeps the last good one), runs the job as an unprivileged uid
# under bubblewrap with no network and a pids limit, kills every process of the session at the
# timeout, and journals session_start/session_end:
#
#   dd-launch run --name agent --config-src /etc/agent.json --config-drop /token \
#     --timeout 600 --pids-max 256 -- agent-cli
#
# Needs root (pids cgroup, privileged bubblewrap). Run it in an empty directory:
# `bash launcher-session.sh` prints what happened.
set -euo pipefail
export DD_JOURNAL=$PWD/journal.jsonl
state=$PWD/state
echo '{"model":"m1","token":"s3cret"}' > agent.json
run() { dd-launch run --state-dir "$state" --name agent --config-src "$PWD/agent.json" \
          --config-drop /token --timeout 5 "$@"; }

# The job sees its config without the token, runs as nobody, and cannot reach the network.
run -- sh -c 'echo "config: $(tr -d " \n" < "$DD_SESSION_CONFIG")"; echo "user: $(id -un)";
  (exec 3<>/dev/tcp/127.0.0.1/22) 2>/dev/null && echo "network: yes" || echo "network: none"'

# The host's config is caught half-written: the session keeps the last good one, with a warning.
echo '{"model":"m2","tok' > agent.json
run -- sh -c 'echo "config after a broken refresh: $(tr -d " \n" < "$DD_SESSION_CONFIG")"' 2>warn.txt
echo "warned: $(grep -c 'keeping the previous config' warn.txt)"

# A job that outlives its timeout, with a detached child: everything in the session dies.
rc=0
run --timeout 1 -- sh -c 'setsid sleep 3017 & sleep 3017' 2>/dev/null || rc=$?
echo "timeout: exit $rc, left running: $(pgrep -c -f 'sleep 3017' || true)"

dd-launch ls --state-dir "$state" -o json | jq -r '.[] | "\(.id) \(.state)"'
dd-journal query --event session_end -o json | jq -r '"\(.id) status \(.status) \(.reason)"'
