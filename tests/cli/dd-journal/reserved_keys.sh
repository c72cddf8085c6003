# Proves: the journal's own keys v, ts and event cannot be set by a caller: each is refused with 64
# and a message naming the key, and nothing is written (not even the other, valid fields).
source "$CLI_LIB"
for k in v ts event; do
  dd-journal emit my_event ok=1 "$k=1" 2>err; r=$?
  echo "$k: rc=$r names key: $(yesno has err "'$k'")"
done
echo "journal written: $(yesno test -s "$DD_JOURNAL")"
