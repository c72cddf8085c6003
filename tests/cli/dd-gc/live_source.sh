# Proves: --live-cmd failures of every kind skip the whole pass (exit 0, nothing removed,
# gc_skipped with the reason): a timeout (--live-timeout, its background children killed too),
# death by signal, a line --live-regex does not match, an id that would leave the root.
# --live-regex takes the first capture group; a line it matches with the group unset names no
# session.
source "$CLI_LIB"
mkdir -p root/s1 root/s2 root/s3; touch -d '2 hours ago' root/s1 root/s2 root/s3
skipped() { "$@" 2>err; echo "rc=$? $(sed -n 's/.*pass skipped, nothing removed: //p' err | cut -c1-75)"; }
skipped dd-gc --live-cmd 'sleep 30 & echo $! > bg.pid; sleep 30' --live-timeout 0.3 root
echo "background child killed: $(yesno wait_for dead "$(cat bg.pid)")"
skipped dd-gc --live-cmd 'kill -9 $$' root
skipped dd-gc --live-cmd 'echo "Error: daemon down"' --live-regex '^sess-(.+)$' root
skipped dd-gc --live-cmd 'echo ../../etc' root
echo "skips journaled: $(jcount "$DD_JOURNAL" gc_skipped) reason=$(jfield "$DD_JOURNAL" gc_skipped reason)"
echo "left: $(files root)"
rc dd-gc --live-cmd 'printf "sess-s1\nother-container\nsess-s3\n"' --live-regex '^sess-(.+)$|^other-' root
echo "left: $(files root)"
