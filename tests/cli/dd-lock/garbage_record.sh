# Proves: a lock file holding garbage instead of an owner record (binary noise, a truncated JSON
# record, an empty file) never blocks or crashes acquisition: dd-lock takes the lock and runs the
# command, and afterwards the file holds a readable record. --status reports "unreadable" for
# the garbage (free: exit 1; held by flock(1), which writes no record: exit 0) and "none" for an
# empty file.
source "$CLI_LIB"
python3 -c 'import random,sys; random.seed(7); sys.stdout.buffer.write(bytes(random.randrange(256) for _ in range(700)))' > g
printf '{"v":1,"state":"held","pid":' > partial
: > empty
for f in g partial empty; do
  dd-lock --status $f > st.json; r=$?
  echo "$f: status rc=$r $(json 'j["state"], j["record"]' < st.json)"
done
flock g sh -c "$HOLD" & fl=$!
wait_for test -e held
dd-lock --status g > st.json; echo "g held by flock(1): status rc=$? $(json 'j["state"], j["record"]' < st.json)"
touch release; wait $fl
for f in g partial empty; do
  dd-lock -w 2 $f sh -c 'echo "'$f': ran held=$DD_LOCK_HELD"'; echo "rc=$?"
  dd-lock --status $f | json 'j["record"], j["last_state"]'
done
