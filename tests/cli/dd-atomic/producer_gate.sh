# Proves: in producer mode the new content is committed only when the producer exits 0 and was
# not killed: a failing producer's status is dd-atomic's (the file byte-identical, no temp left,
# atomic_abort journaled with the reason); a producer killed by a signal gives 128+N; a command
# that cannot be found gives 127. The producer may read the old file while it writes the new one.
source "$CLI_LIB"
echo '{"n":1}' > cfg.json
before=$(digest cfg.json)
rc dd-atomic cfg.json -- jq '.b=' cfg.json 2>err
echo "names producer and file: $(yesno has err "'jq' exited with status 3; 'cfg.json' left unchanged")"
echo "unchanged: $(yesno test "$(digest cfg.json)" = "$before") temps: $(temps .)"
echo "journaled: $(jcount "$DD_JOURNAL" atomic_abort) reason: $(jfield "$DD_JOURNAL" atomic_abort reason)"
rc dd-atomic cfg.json -- sh -c 'echo partial; kill -9 $$' 2>err
echo "says killed: $(yesno has err "killed by signal 9")"
echo "unchanged: $(yesno test "$(digest cfg.json)" = "$before") temps: $(temps .)"
rc dd-atomic cfg.json -- no-such-producer 2>err
echo "says not found: $(yesno has err "cannot run 'no-such-producer'")"
rc dd-atomic cfg.json -- sh -c 'exit 42' 2>/dev/null
echo "unchanged: $(yesno test "$(digest cfg.json)" = "$before")"
rc dd-atomic cfg.json -- jq -c '.n += 1' cfg.json
echo "content: $(cat cfg.json) temps: $(temps .)"
rc dd-atomic cfg.json -- sh -c 'jq -c ".n += 1" cfg.json; exit 1' 2>/dev/null
echo "content: $(cat cfg.json)"
