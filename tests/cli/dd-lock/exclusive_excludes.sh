# Proves: while an exclusive holder runs, another exclusive request is refused: -n fails at once
# with 1, -E 7 turns that into 7, -w 0 behaves as -n, -w 0.2 gives up with 1 only after at least
# 0.2 s, and none of these runs its command. The refusal message names the holder's pid.
source "$CLI_LIB"
dd-lock f sh -c "$HOLD" & holder=$!
wait_for test -e held
rc dd-lock -n f touch ran-n 2>err-n
echo "message names holder pid: $(yesno has err-n "pid $holder")"
echo "message names lock file: $(yesno has err-n "'f'")"
rc dd-lock -n -E 7 f touch ran-E
rc dd-lock --nonblock --conflict-exit-code 9 f touch ran-E2
rc dd-lock -w 0 f touch ran-w0 2>/dev/null
t0=$(now_ms); rc dd-lock -w 0.2 f touch ran-w 2>/dev/null; t1=$(now_ms)
echo "waited at least 0.2s: $(yesno test $((t1 - t0)) -ge 200)"
echo "gave up well before 5s: $(yesno test $((t1 - t0)) -lt 5000)"
rc dd-lock -x -n f true 2>/dev/null
rc dd-lock -e -n f true 2>/dev/null
echo "commands run while held: $(ls ran-* 2>/dev/null | wc -l)"
touch release; wait $holder; echo "holder rc=$?"
rc dd-lock -n f true
