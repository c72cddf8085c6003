# Proves: the host is read-only to the session except its work dir: writes to /etc, /usr,
# /var/tmp and the session's own host-side dir fail; /tmp is private (a write there never
# reaches the host); the work dir keeps what the command wrote. With a state root outside /tmp,
# a session sees none of the other sessions (their work dirs, configs) nor the config cache.
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
vt=$(mktemp -d /var/tmp/ddsafe-cli-XXXXXX)
trap 'rm -rf "$vt"; kill $(jobs -p) 2>/dev/null' EXIT
echo '{"token":"other"}' > other.json
dd-launch run --state-dir "$vt" --name other --config-src "$PWD/other.json" -- sh -c 'echo mine > "$DD_SESSION_DIR/secret"'
dd-launch run --state-dir "$vt" --name peek -- sh -c "
  cat '$vt/other-1/work/secret' 2>/dev/null || echo 'other work dir: hidden'
  cat '$vt/other-1/config.json' 2>/dev/null || echo 'other config: hidden'
  cat '$vt/.config/other.json' 2>/dev/null || echo 'config cache: hidden'
  ls '$vt' 2>/dev/null | grep -q other || echo 'state root listing: hidden'
  echo ok > \"\$DD_SESSION_DIR/x\" && echo 'own work dir: writable'"
