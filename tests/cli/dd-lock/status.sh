# Proves: --status prints one JSON object describing the lock and exits 0 while it is held, 1 when
# free: state, holder count, mode, the owner (pid of the holding dd-lock, host, command), token,
# acquisition time, lease (ttl_ms, lease_left_ms within the TTL), liveness and staleness. A free
# lock keeps its last record (state free); a missing lock file is free with no record and is
# not created; a missing directory is 66.
source "$CLI_LIB"
dd-lock --ttl 30 f sh -c "$HOLD" & holder=$!
wait_for test -e held
dd-lock --status f > held.json; echo "held rc=$?"
json 'j["path"], j["state"], j["holders"], j["record"], j["mode"], j["last_state"]' < held.json
json 'j["owner_alive"], j["stale"], j["ttl_ms"]' < held.json
json 'j["owner"]["cmd"]' < held.json | grep -qxF "sh -c $HOLD" && echo "owner cmd is the command"
json 'j["owner"]["pid"]' < held.json | grep -qx "$holder" && echo "owner pid is the holder"
json 'j["owner"]["host"]' < held.json | grep -qx "$(uname -n)" && echo "owner host is this host"
json '0 < j["lease_left_ms"] <= 30000, 0 <= j["held_for_ms"] < 30000, j["token"] > 0' < held.json
json 'j["acquired_at"]' < held.json | grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$' && echo "acquired_at is RFC 3339"
touch release; wait $holder
dd-lock --status f > free.json; echo "free rc=$?"
json 'j["state"], j["holders"], j["record"], j["last_state"]' < free.json
dd-lock --status missing > missing.json; echo "missing rc=$?"
json 'j["state"], j["record"]' < missing.json
echo "missing file created: $(yesno test -e missing)"
rc dd-lock --status nodir/f 2>/dev/null
