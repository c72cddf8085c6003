# Proves: the host is read-only to the session except its work dir: writes to /etc, /usr,
# /var/tmp and the session's own host-side dir fail; /tmp is private (a write there never
# reaches the host); the work dir keeps what the command wrote.
source "$CLI_LIB"
skip_unless_contained "privileged bwrap"
launch -- sh -c '
for p in /etc/ddsafe-probe /usr/ddsafe-probe /var/tmp/ddsafe-probe "$DD_SESSION_DIR/../probe"; do
  if echo x > "$p" 2>/dev/null; then echo "wrote $p"; else echo "refused"; fi
done
echo private > /tmp/ddsafe-private-probe && echo "tmp: ok"
echo kept > "$DD_SESSION_DIR/out" && echo "work: ok"'
echo "on host: $(yesno test -e /etc/ddsafe-probe -o -e /usr/ddsafe-probe -o -e /var/tmp/ddsafe-probe -o -e /tmp/ddsafe-private-probe -o -e state/session-1/probe)"
cat state/session-1/work/out
