# Proves: the command gets DD_LOCK_FILE (absolute and normalized, even for a relative path with
# ".."), DD_LOCK_HELD=1 and DD_LOCK_TOKEN (a positive integer that grows with every acquisition),
# and keeps the rest of its environment.
source "$CLI_LIB"
mkdir sub
export TOKENS=$PWD/tokens
show='echo "file=$DD_LOCK_FILE held=$DD_LOCK_HELD mine=$MINE"; echo "$DD_LOCK_TOKEN" >> "$TOKENS"'
MINE=kept dd-lock sub/../f sh -c "$show" | sed "s|$PWD|<dir>|"
MINE=kept dd-lock -s f sh -c "$show" | sed "s|$PWD|<dir>|"
(cd sub && dd-lock ../f sh -c "$show") | sed "s|$PWD|<dir>|"
python3 - <<'PY'
t = [int(x) for x in open("tokens").read().split()]
print("tokens positive:", all(x > 0 for x in t))
print("tokens strictly increasing:", all(a < b for a, b in zip(t, t[1:])), len(t))
PY
echo "not set outside: ${DD_LOCK_FILE:-unset} ${DD_LOCK_TOKEN:-unset} ${DD_LOCK_HELD:-unset}"
