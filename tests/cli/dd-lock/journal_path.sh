# Proves where dd-lock journals: --journal PATH beats $DD_JOURNAL, which beats
# $XDG_STATE_HOME/ddsafe/journal.jsonl, which beats ~/.local/state/ddsafe/journal.jsonl; and that
# an unwritable journal never fails the lock tool: the command still runs and its status is
# returned, with a warning naming the journal path.
source "$CLI_LIB"
dd-lock f sh -c "$HOLD" & h=$!
wait_for test -e held
timeout_once() { dd-lock -w 0.01 --on-timeout fail-open "$@" f true 2>/dev/null; }
timeout_once --journal "$PWD/flag.jsonl"
DD_JOURNAL=$PWD/env.jsonl timeout_once
DD_JOURNAL=$PWD/env.jsonl timeout_once --journal "$PWD/flag.jsonl"
(unset DD_JOURNAL; timeout_once)
(unset DD_JOURNAL XDG_STATE_HOME; timeout_once)
echo "flag: $(jcount flag.jsonl lock_fail_open) env: $(jcount env.jsonl lock_fail_open)" \
     "xdg: $(jcount "$XDG_STATE_HOME/ddsafe/journal.jsonl" lock_fail_open)" \
     "home: $(jcount "$HOME/.local/state/ddsafe/journal.jsonl" lock_fail_open)" \
     "DD_JOURNAL: $(jcount "$DD_JOURNAL" lock_fail_open)"
mkdir jdir
rc dd-lock -w 0.01 --on-timeout fail-open --journal "$PWD/jdir" f sh -c 'exit 5' 2>err
echo "warning names the journal: $(yesno has err "$PWD/jdir")"
rc dd-lock -w 0.01 --journal /dev/full f true 2>err
echo "warning names the journal: $(yesno has err "/dev/full")"
touch release; wait $h
