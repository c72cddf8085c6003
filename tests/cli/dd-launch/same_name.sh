# Proves: 8 concurrent `run --name same` get 8 distinct sessions, each with a valid config, while
# a collector loops alongside (dd-launch gc and dd-gc, --min-age 0): no live session is ever
# removed (each command checks at its end that the witness it wrote is still there).
source "$CLI_LIB"
skip_unless_contained "privileged bwrap"
echo '{"v":1,"drop":"me"}' > src.json
mkdir -p state
( while [ ! -e stop-gc ]; do
    dd-launch gc --state-dir "$PWD/state" --min-age 0 -q
    dd-gc --min-age 0 -q "$PWD/state"
  done ) &
gcpid=$!
for i in $(seq 1 8); do
  launch --name same --config-src "$PWD/src.json" --config-drop /drop -- sh -c '
    echo "$DD_SESSION_ID" > "$DD_SESSION_DIR/witness"
    python3 -c "import json,os; assert json.load(open(os.environ[\"DD_SESSION_CONFIG\"])) == {\"v\": 1}"
    sleep 0.5
    test -f "$DD_SESSION_DIR/witness" && cat "$DD_SESSION_DIR/witness"' > out.$i 2>err.$i &
done
fails=0
for p in $(jobs -p); do [ "$p" = "$gcpid" ] && continue; wait "$p" || fails=$((fails+1)); done
touch stop-gc; wait $gcpid
echo "failed runs: $fails"
cat out.* | sort -u | wc -l
cat out.* | sed 's/-[0-9]*$//' | sort -u
echo "starts: $(jcount journal.jsonl session_start) ends: $(jcount journal.jsonl session_end)"
