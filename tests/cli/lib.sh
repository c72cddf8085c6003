# Helpers for CLI cases (source "$CLI_LIB").
# rc CMD...: runs CMD, prints "rc=N".
rc() { "$@"; echo "rc=$?"; }
# wait_for CMD...: retries CMD until it succeeds (10 s at most); fails the case otherwise.
wait_for() {
  local i
  for i in $(seq 1 1000); do "$@" && return 0; sleep 0.01; done
  echo "wait_for timed out: $*" >&2; exit 3
}
# jfield FILE EVENT KEY: value of KEY in the last EVENT record of journal FILE.
jfield() { grep "\"event\":\"$2\"" "$1" | tail -n 1 | python3 -c "import json,sys; print(json.loads(sys.stdin.read())['$3'])"; }
