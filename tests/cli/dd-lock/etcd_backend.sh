# Proves, on a throwaway one-member etcd (127.0.0.1, free ports, SIGKILLed at the end):
# --backend etcd://HOST:PORT/PREFIX runs the command under PREFIX/NAME with DD_LOCK_KEY,
# DD_LOCK_TOKEN=CLUSTER_ID:REVISION and DD_LOCK_HELD=1 and passes its status through; --status
# shows the holder (exit 0 held, 1 free); -n and -E give the conflict code while it is held;
# fail-open runs without a token and journals lock_fail_open; a waiter gets the lock when the
# holder releases, with a larger token; --break revokes the holder's lease, is journaled, and
# the holder's command is stopped with exit 75 and lock_lost journaled; DD_ETCD_ENDPOINTS selects
# the backend; an unreachable etcd fails with the conflict code and a message naming the
# endpoint; bad backends, -s and --break without etcd are usage errors (64).
source "$CLI_LIB"
source "$CLI_SRC_ROOT/tests/support/etcd.sh"
trap 'touch "$CLI_WORK/release" 2>/dev/null; kill $(jobs -p) 2>/dev/null; etcd_stop_all' EXIT
etcd_cluster 1 "$PWD/etcd" || exit 3
B=etcd://$ETCD_ENDPOINTS/cli
dd-lock --backend "$B" --status job > st.json; echo "status rc=$?"; json 'j["state"]' < st.json
rc dd-lock --backend "$B" job -- sh -c 'echo "key=$DD_LOCK_KEY held=$DD_LOCK_HELD"; echo "$DD_LOCK_TOKEN" > tok1; exit 7'
echo "token is CLUSTER:REVISION: $(yesno grep -qE '^[0-9]+:[0-9]+$' tok1)"
dd-lock --backend "$B" --ttl 2 job -c "$HOLD" & holder=$!
wait_for test -e held
dd-lock --backend "$B" --status job > st.json; echo "status rc=$?"
json 'j["state"], j["owner"]["pid"] > 0, j["ttl_ms"], j["token"] > int(open("tok1").read().split(":")[1])' < st.json
rc dd-lock --backend "$B" -n job -- true 2>err
echo "message names the holder: $(yesno has err 'holder: pid')"
rc dd-lock --backend "$B" -n -E 9 job -- true 2>/dev/null
rc dd-lock --backend "$B" -w 0.3 --on-timeout fail-open job -- sh -c 'echo "held=$DD_LOCK_HELD token=[$DD_LOCK_TOKEN]"' 2>/dev/null
echo "fail-open events: $(jcount "$DD_JOURNAL" lock_fail_open) path=$(jfield "$DD_JOURNAL" lock_fail_open path)"
dd-lock --backend "$B" -w 10 job -- sh -c 'echo "$DD_LOCK_TOKEN" > tok2' & waiter=$!
sleep 0.3; touch release; wait $holder; echo "holder rc=$?"
wait $waiter; echo "waiter rc=$?"
echo "waiter's token larger: $(yesno test "$(cut -d: -f2 tok2)" -gt "$(cut -d: -f2 tok1)")"
rm -f held release
dd-lock --backend "$B" --ttl 2 job -c "$HOLD" 2>lost.err & holder=$!
wait_for test -e held
rc dd-lock --backend "$B" --break job 2>/dev/null
wait $holder; echo "broken holder rc=$?"
echo "says lost: $(yesno has lost.err 'lock was lost; command stopped')"
echo "break journaled: $(jfield "$DD_JOURNAL" lock_stale_break reason) lost journaled: $(jfield "$DD_JOURNAL" lock_lost stopped)"
rc dd-lock --backend "$B" --break job 2>/dev/null
DD_ETCD_ENDPOINTS=$B dd-lock job -- sh -c 'echo "env selects etcd: key=$DD_LOCK_KEY"'
rc dd-lock --backend "etcd://127.0.0.1:$(free_port)/x" -w 0.5 job -- true 2>err
echo "names the endpoint: $(yesno grep -q 'no etcd member answered at 127.0.0.1:' err)"
rc dd-lock --backend etcd://nohost job -- true 2>/dev/null
rc dd-lock --backend "$B" -s job -- true 2>/dev/null
rc dd-lock --break f 2>/dev/null
