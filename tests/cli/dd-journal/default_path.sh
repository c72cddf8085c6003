# Proves where dd-journal writes: --journal PATH beats $DD_JOURNAL, which beats
# $XDG_STATE_HOME/ddsafe/journal.jsonl, which beats ~/.local/state/ddsafe/journal.jsonl; missing
# parent directories of the default path are created.
source "$CLI_LIB"
dd-journal emit e1 --journal "$PWD/flag.jsonl"
DD_JOURNAL=$PWD/env.jsonl dd-journal emit e2 --journal "$PWD/flag.jsonl"
DD_JOURNAL=$PWD/env.jsonl dd-journal emit e3
(unset DD_JOURNAL; dd-journal emit e4)
(unset DD_JOURNAL XDG_STATE_HOME; dd-journal emit e5)
for f in flag.jsonl env.jsonl "$XDG_STATE_HOME/ddsafe/journal.jsonl" "$HOME/.local/state/ddsafe/journal.jsonl"; do
  echo "${f#$PWD/}: $(python3 -c 'import json,sys; print(" ".join(json.loads(l)["event"] for l in open(sys.argv[1])))' "$f")"
done | sed "s|$PWD/||"
echo "DD_JOURNAL written: $(yesno test -e "$DD_JOURNAL")"
