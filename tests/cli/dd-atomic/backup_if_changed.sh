# Proves: --backup keeps the previous version as FILE~ (--backup=SUFFIX: FILE+SUFFIX), made by a
# hard link before the rename so that FILE always exists, and an older backup is replaced;
# --if-changed leaves an identical file alone (same inode, same mtime) and replaces a different
# one; nothing is left behind.
source "$CLI_LIB"
mkdir w && cd w
echo v1 > cfg
echo v2 | dd-atomic --backup cfg; echo "rc=$? cfg: $(cat cfg) backup: $(cat cfg~)"
echo v3 | dd-atomic --backup cfg; echo "rc=$? cfg: $(cat cfg) backup: $(cat cfg~)"
echo v4 | dd-atomic --backup=.bak cfg; echo "rc=$? cfg: $(cat cfg) backup: $(cat cfg.bak)"
echo "files: $(files .)"
ino=$(stat -c %i cfg); touch -d '2001-01-01' cfg
echo v4 | dd-atomic --if-changed cfg; echo "rc=$? same inode: $(yesno test "$(stat -c %i cfg)" = "$ino") mtime: $(date -u -r cfg +%Y)"
echo v5 | dd-atomic --if-changed cfg; echo "rc=$? new inode: $(yesno test "$(stat -c %i cfg)" != "$ino") $(cat cfg)"
echo "temps: $(temps .)"
# A commit refused at the last moment (stale fence) leaves the old backup and the link count as
# they were, so the next run is not blocked by a "hard-linked" target.
echo b1 > f; echo b0 > f~
dd-lock .f.lock true; dd-lock .f.lock true
echo b2 | dd-atomic --backup --fence-token 1 f 2>/dev/null; echo "stale fence: rc=$? f: $(cat f) f~: $(cat f~) links: $(stat -c %h f)"
echo b3 | dd-atomic f; echo "next run: rc=$? f: $(cat f)"
# The target is never renamed away (no moment without it): only the temp is a rename source.
if command -v strace >/dev/null; then
  echo b4 | ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -qq -o trace -e trace=rename,renameat,renameat2 dd-atomic --backup f
  echo "target renamed away: $(yesno grep -qE '^rename(at2?)?\([^,]*, "f"' trace) f: $(cat f) f~: $(cat f~)"
else echo "target renamed away: no f: b4 f~: b3"; fi
echo "temps: $(temps .)"
