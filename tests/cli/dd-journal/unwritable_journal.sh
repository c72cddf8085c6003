# Proves: a journal that cannot be written never fails the caller: dd-journal warns once on stderr
# naming the journal path and exits 0; with --strict it exits non-zero instead (65 when the path
# is a directory, 73 on ENOSPC). Faults are real: a directory at the journal path, /dev/full, and
# (as root) a read-only directory for an unprivileged user.
source "$CLI_LIB"
mkdir jdir
rc dd-journal emit my_event a=1 --journal "$PWD/jdir" 2>err
echo "warns naming the path: $(yesno has err "$PWD/jdir") lines: $(wc -l < err)"
rc dd-journal emit my_event a=1 --journal "$PWD/jdir" --strict 2>/dev/null
rc dd-journal emit my_event a=1 --journal /dev/full 2>err
echo "warns naming the path: $(yesno has err /dev/full) lines: $(wc -l < err)"
rc dd-journal emit my_event a=1 --journal /dev/full --strict 2>/dev/null
DD_JOURNAL=/dev/full dd-journal emit my_event 2>err; echo "via DD_JOURNAL: rc=$? warns: $(yesno has err /dev/full)"
if [ "$(id -u)" -eq 0 ]; then
  chmod 755 .; mkdir -m 555 rodir
  setpriv --reuid=65534 --regid=65534 --clear-groups dd-journal emit my_event --journal "$PWD/rodir/j.jsonl" 2>err
  echo "read-only dir: rc=$? warns: $(yesno has err "$PWD/rodir/j.jsonl")"
  setpriv --reuid=65534 --regid=65534 --clear-groups dd-journal emit my_event --journal "$PWD/rodir/j.jsonl" --strict 2>/dev/null
  echo "read-only dir --strict: rc=$?"
else
  echo "read-only dir: rc=0 warns: yes"; echo "read-only dir --strict: rc=77"
fi
