# Proves the flock(1)-compatible spellings work as documented: -o is accepted (no-op), -x/-e/
# --exclusive are exclusive, -s/--shared shared, -n/--nonblock and -w/--wait/--timeout limit
# the wait, -E/--conflict-exit-code set the busy status.
source "$CLI_LIB"
rc dd-lock -o f true
rc dd-lock --close -x f true
for m in -x -e --exclusive -s --shared; do
  dd-lock $m f sh -c 'dd-lock --status "$DD_LOCK_FILE"' | json 'j["mode"]' | sed "s/^/$m: /"
done
dd-lock f sh -c "$HOLD" & h=$!
wait_for test -e held
rc dd-lock --nonblock f true 2>/dev/null
rc dd-lock --wait 0.05 f true 2>/dev/null
rc dd-lock --timeout 0.05 --conflict-exit-code 3 f true 2>/dev/null
rc dd-lock -o -s -n -E 4 f true 2>/dev/null
touch release; wait $h
