# Proves: at --timeout everything in the session dies, setsid grandchildren and busy loops
# included, and the status is 124 with a message (also for a timeout shorter than the launcher's
# 50 ms check interval); a command that ends in time keeps its status.
source "$CLI_LIB"
skip_unless_contained "pids cgroups"
mark="loop-$$-$RANDOM"
start=$(now_ms)
rc launch --timeout 1 -- sh -c ": $mark; setsid sh -c 'while :; do :; done; : $mark' & while :; do :; done" 2>err.txt
took=$(( $(now_ms) - start ))
echo "killed after the timeout: $(yesno test "$took" -ge 1000)"
echo "message: $(yesno grep -q 'timed out' err.txt)"
echo "survivors: $(marked "$mark")"
echo "journal reason: $(jfield journal.jsonl session_end reason) status $(jfield journal.jsonl session_end status)"
rc launch --timeout 0.001 -- sleep 5 2>/dev/null
rc launch --timeout 30 -- sh -c 'exit 7'
rc launch -- sh -c 'kill -TERM $$'
