# Proves mutual exclusion by its effect, not by timing: 4 processes x 15 read-modify-write
# increments of a counter under `dd-lock f` lose no update — the counter equals the number of
# successful runs (60). Without the lock, increments overlap (each sleeps between its read and
# its write) and updates are lost. (A failed run is reported separately: it is not an exclusion
# failure, see contended_waiters.)
source "$CLI_LIB"
echo 0 > counter
worker() {
  local i
  for i in $(seq 1 15); do
    if dd-lock f sh -c 'n=$(cat counter); sleep 0.002; echo $((n + 1)) > counter'; then
      echo ok >> "ok.$1"
    else
      echo "dd-lock failed: rc=$?"
    fi
  done
}
for w in 1 2 3 4; do worker $w & done
wait
runs=$(cat ok.* | wc -l)
echo "no update lost: $(yesno test "$(cat counter)" -eq "$runs")"
echo "successful runs: $runs"
