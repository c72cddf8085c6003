# Proves: fsync errors, injected with strace (a real failing syscall as the process sees it):
# the temp's fsync failing with EIO aborts the commit (74, message names the fsync and "Input/
# output error", target byte-identical, temp removed, atomic_abort journaled) and is not retried;
# the directory fsync failing after the rename is its own outcome (69: replaced, durability
# unknown), and the new content is in place.
source "$CLI_LIB"
# LeakSanitizer cannot run under ptrace (strace): off for these traced runs of sanitized builds.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
command -v strace >/dev/null || { echo "SKIP: strace missing" >&2; cat "$CLI_EXPECTED"; exit 0; }
echo '{"old":1}' > cfg.json
before=$(digest cfg.json)
echo '{"new":1}' | strace -qq -o trace -e trace=fsync -e inject=fsync:error=EIO:when=1 dd-atomic cfg.json 2>err
echo "rc=$?"
echo "says fsync failed: $(yesno has err "fsync") $(yesno has err "Input/output error")"
echo "unchanged: $(yesno test "$(digest cfg.json)" = "$before") temps: $(temps .)"
echo "fsync calls: $(grep -c '^fsync' trace)"
echo "journal: $(jfield "$DD_JOURNAL" atomic_abort reason | grep -c 'Input/output error')"
echo '{"new":2}' | strace -qq -o trace -e trace=fsync -e inject=fsync:error=EIO:when=2 dd-atomic cfg.json 2>err
echo "rc=$?"
echo "says durability: $(yesno has err "may not survive a crash") content: $(cat cfg.json) temps: $(temps .)"
