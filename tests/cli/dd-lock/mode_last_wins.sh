# Proves: when -s and -x/-e are both given, the last one wins, as with flock(1): `-s -x` takes an
# exclusive (WRITE) flock, `-x -s` a shared (READ) one (/proc/locks shows which).
source "$CLI_LIB"
kind() { dd-lock "$@" f sh -c 'grep " FLOCK .*:$(stat -c %i f) " /proc/locks | awk "{print \$4}" | head -n 1'; }
echo "-s -x: $(kind -s -x)"
echo "-x -s: $(kind -x -s)"
echo "-sx: $(kind -sx)"
echo "-e -s: $(kind -e -s)"
