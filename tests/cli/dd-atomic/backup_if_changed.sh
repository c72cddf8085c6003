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
