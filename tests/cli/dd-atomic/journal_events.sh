# Proves: atomic_abort is journaled for every abort with path (absolute), reason and tool;
# atomic_commit only when asked (--journal PATH or --journal-commit), with path, bytes, durable
# and backup; a journal that cannot be written never changes the outcome (one warning).
source "$CLI_LIB"
mkdir w && cd w
echo '{}' > cfg
echo bad | dd-atomic --validate json cfg 2>/dev/null
echo "abort: $(jcount "$DD_JOURNAL" atomic_abort) tool: $(jfield "$DD_JOURNAL" atomic_abort tool) path: $(jfield "$DD_JOURNAL" atomic_abort path | grep -c '^/.*/w/cfg$')"
echo '{"a":1}' | dd-atomic cfg; echo "commit without asking: $(jcount "$DD_JOURNAL" atomic_commit)"
echo '{"a":2}' | dd-atomic --journal-commit --backup cfg
echo "commit: $(jcount "$DD_JOURNAL" atomic_commit) bytes: $(jfield "$DD_JOURNAL" atomic_commit bytes) durable: $(jfield "$DD_JOURNAL" atomic_commit durable) backup: $(jfield "$DD_JOURNAL" atomic_commit backup | grep -c 'cfg~$')"
echo '{"a":3}' | dd-atomic --journal ../other.jsonl cfg; echo "other: $(jcount ../other.jsonl atomic_commit)"
echo '{"a":4}' | dd-atomic --journal /proc/nope/j cfg 2>err; echo "rc=$? cfg: $(cat cfg) warned: $(grep -c 'cannot be written' err)"
