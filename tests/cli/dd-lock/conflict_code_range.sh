# Proves: -E accepts 0..255 (flock(1)'s range) and rejects other values with 64 before locking;
# a valid -E is what a busy lock exits with.
source "$CLI_LIB"
mkdir w && cd w
for v in 256 -1 1000 abc ''; do
  dd-lock -E "$v" -n f touch ran 2>err; r=$?
  echo "-E '$v': rc=$r names flag: $(yesno grep -q -- '--conflict-exit-code\|-E' err)"
done
rm -f err
echo "created: $(files .)"
dd-lock f sh -c "$HOLD" & h=$!
wait_for test -e held
rc dd-lock -E 255 -n f true 2>/dev/null
rc dd-lock -E 0 -n f touch ran 2>/dev/null
echo "command ran: $(yesno test -e ran)"
touch release; wait $h
