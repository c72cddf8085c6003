# Proves the circuit breakers: a pass that would remove more than --max-remove dirs, or every
# session while the live command lists none alive, is skipped (exit 0, gc_skipped journaled with
# the reason; 75 with --strict) unless --force.
source "$CLI_LIB"
mkdir -p root/a root/b root/c; touch -d '2 hours ago' root/a root/b root/c
rc dd-gc --max-remove 2 root 2>err
echo "warned: $(yesno has err 'more than --max-remove 2')"
echo "reason=$(jfield "$DD_JOURNAL" gc_skipped reason) would_remove=$(jfield "$DD_JOURNAL" gc_skipped would_remove)"
rc dd-gc -q --strict --max-remove 2 root
rc dd-gc --live-cmd true root 2>err
echo "warned: $(yesno has err 'listed no live session')"
echo "reason=$(jfield "$DD_JOURNAL" gc_skipped reason)"
echo "left: $(files root)"
rc dd-gc --live-cmd 'echo b' root
rc dd-gc --force --max-remove 0 root
echo "left: $(files root)"
