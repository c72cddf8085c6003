# Proves: INT, TERM and HUP sent to dd-atomic reach the producer; a producer killed that way is
# never committed (dd-atomic exits 128+N like a shell, the file byte-identical, no temp left,
# atomic_abort journaled). In stdin mode a TERM while reading aborts the same way and dd-atomic
# dies of that signal. A SIGKILLed dd-atomic takes its producer with it (parent-death signal).
source "$CLI_LIB"
echo old > cfg
for sig in INT TERM HUP; do
  rm -f held
  # Background jobs of a script start with INT ignored (and nohup ignores HUP): restore them.
  env --default-signal=INT,TERM,HUP dd-atomic cfg -- sh -c "echo partial; $HOLD" & pid=$!
  wait_for test -e held
  kill -s "$sig" "$pid"; wait "$pid"; echo "$sig: rc=$? cfg: $(cat cfg) temps: $(temps .)"
done
echo "aborts journaled: $(jcount "$DD_JOURNAL" atomic_abort)"
rm -f held
mkfifo fifo
(exec 3>fifo; echo partial >&3; touch held; sleep 20) & writer=$!
dd-atomic cfg <fifo & pid=$!
wait_for test -e held; sleep 0.1
kill -TERM "$pid"; wait "$pid"; echo "stdin TERM: rc=$? cfg: $(cat cfg) temps: $(temps .)"
kill "$writer" 2>/dev/null; wait "$writer" 2>/dev/null
rm -f held
dd-atomic cfg -- sh -c "echo \$\$ > producer; $HOLD" & pid=$!
wait_for test -e held
kill -KILL "$pid"; wait "$pid" 2>/dev/null
wait_for dead "$(cat producer)"
echo "KILL: producer gone: yes cfg: $(cat cfg)"
echo new | dd-atomic cfg; echo "rc=$? cfg: $(cat cfg) temps after a later run: $(temps .)"
# A signal the caller ignores stays ignored (nohup): the producer finishes and is committed.
rm -f held
nohup dd-atomic cfg -- sh -c "echo from-nohup; $HOLD" >/dev/null 2>&1 & pid=$!
wait_for test -e held
kill -HUP "$pid"; sleep 0.2; touch release; wait "$pid"; echo "nohup HUP: rc=$? cfg: $(cat cfg)"
rm -f held release
# TERM while the --check command runs: dd-atomic dies of it (143), nothing committed, even if
# the check itself survives the signal.
echo newer | dd-atomic --check "trap '' TERM; $HOLD; test -s {}" cfg & pid=$!
wait_for test -e held
kill -TERM "$pid"; sleep 0.2; touch release; wait "$pid"; echo "TERM during check: rc=$? cfg: $(cat cfg) temps: $(temps .)"
