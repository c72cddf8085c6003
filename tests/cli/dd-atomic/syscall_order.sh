# Proves: the durable protocol's order, from the syscalls dd-atomic really makes (strace):
# the new version's descriptor is fsync'ed before the rename over the target, and the directory
# the rename happened in is fsync'ed after it; the temp is created in the target's directory.
# With --no-sync there is no fsync at all. Checked in stdin and producer modes.
source "$CLI_LIB"
# LeakSanitizer cannot run under ptrace (strace): off for these traced runs of sanitized builds.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
command -v strace >/dev/null || { echo "SKIP: strace missing" >&2; cat "$CLI_EXPECTED"; exit 0; }
mkdir d; echo '{"a":1}' > d/cfg.json
# order TRACE: "temp-fsync<rename<dir-fsync" when the trace shows that order, else what it saw.
order() {
  awk '
    /O_TMPFILE|O_EXCL/ && /= [0-9]+$/ { tmp = $NF }
    /^(fsync|fdatasync)\(/ { fd = $0; sub(/^[a-z]+\(/, "", fd); sub(/\).*/, "", fd)
      if (fd == tmp && !renamed) tf = ++n
      else if (renamed && fd == dirfd) df = ++n
      else ++n }
    /^renameat2?\(/ && /"cfg.json"/ && / = 0$/ { dirfd = $0; sub(/^renameat2?\(/, "", dirfd)
      sub(/,.*/, "", dirfd); renamed = ++n }
    END { if (tf && renamed && df && tf < renamed && renamed < df) print "temp-fsync<rename<dir-fsync"
          else printf "temp-fsync=%s rename=%s dir-fsync=%s\n", tf, renamed, df }' "$1"
}
calls="trace=openat,fsync,fdatasync,rename,renameat,renameat2,linkat"
echo '{"a":2}' | strace -qq -o t1 -e "$calls" dd-atomic d/cfg.json; echo "rc=$? $(order t1)"
strace -qq -o t2 -e "$calls" dd-atomic d/cfg.json -- echo '{"a":3}'; echo "rc=$? $(order t2)"
echo "temp made in d: $(yesno grep -q 'linkat(.*"\.cfg\.json~dd' t1)"
echo '{"a":4}' | strace -qq -o t3 -e "$calls" dd-atomic --no-sync d/cfg.json
echo "rc=$? fsyncs: $(grep -cE '^f(data)?sync' t3) content: $(cat d/cfg.json)"
