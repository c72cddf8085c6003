# Proves: --lock serializes read-modify-write through the sidecar .FILE.lock (never the file
# itself): 4 concurrent loops of 25 `dd-atomic --lock cfg.json -- jq '.n += 1' cfg.json` end at
# exactly 100. -w gives up on a held sidecar lock with 75, naming the holder; nothing changes.
# --fence-token N commits only while the lock's token is still N: after another grant the token
# is stale (68, file untouched); under dd-lock, $DD_LOCK_TOKEN of dd-lock's own lock file works.
source "$CLI_LIB"
echo '{"n":0}' > cfg.json
for w in 1 2 3 4; do
  ( for i in $(seq 25); do dd-atomic --lock cfg.json -- jq -c '.n += 1' cfg.json || echo "fail $w $i"; done ) &
done
wait
echo "n: $(jq .n cfg.json) lock file: $(yesno test -f .cfg.json.lock) temps: $(temps .)"
dd-lock .cfg.json.lock sh -c "$HOLD" & wait_for test -e held
echo '{"n":-1}' | dd-atomic --lock -w 0.2 cfg.json 2>err; echo "rc=$? n: $(jq .n cfg.json)"
echo "names lock and holder: $(yesno has err ".cfg.json.lock") $(yesno has err "holder: pid")"
touch release; wait; rm -f held release
dd-lock cfg.lock sh -c 'echo "$DD_LOCK_TOKEN" > token'
dd-lock cfg.lock true
echo '{"n":-2}' | dd-atomic --lock-file cfg.lock --fence-token "$(cat token)" cfg.json 2>err
echo "rc=$? says stale: $(yesno has err "fencing token is stale") n: $(jq .n cfg.json)"
dd-lock cfg.lock sh -c 'echo "{\"n\":7}" | dd-atomic --fence-token "$DD_LOCK_TOKEN" cfg.json'
echo "rc=$? n: $(jq .n cfg.json)"
echo '{"n":8}' | dd-atomic --fence-token abc cfg.json 2>/dev/null; echo "rc=$?"
# --lock-file naming the file to replace would turn the data into a lock record: refused (64).
echo '{"n":1}' > data.json
dd-atomic --lock --lock-file data.json data.json -- jq -c '.n += 1' data.json 2>err; echo "rc=$? data: $(cat data.json) says: $(yesno has err "is the file to replace")"
ln -s data.json alias.json
dd-atomic --lock --lock-file alias.json data.json -- jq -c '.n += 1' data.json 2>/dev/null; echo "via a link: rc=$? data: $(cat data.json)"
echo '{}' | dd-atomic --lock --fence-token 5 data.json 2>/dev/null; echo "--lock with --fence-token: rc=$?"
