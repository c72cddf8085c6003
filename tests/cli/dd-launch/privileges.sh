# Proves: the command runs as an unprivileged host uid with no capabilities: chown fails with
# EPERM, /etc/shadow is unreadable, a setuid-root binary does not elevate (while the same binary
# does elevate outside: the control), and files it makes belong to that uid on the host.
source "$CLI_LIB"
skip_unless_contained "setuid binaries and privileged bwrap"
umask 022
launch -- sh -c 'id -u; grep -E "^(CapEff|CapBnd|NoNewPrivs)" /proc/self/status; touch f;
  chown 0:0 f 2>&1 | sed "s/.*: //"; cat /etc/shadow >/dev/null 2>&1 || echo "shadow: unreadable"'
mkdir suid && cp /usr/bin/id suid/id && chmod 4755 suid/id
echo "outside: $(setpriv --reuid=65534 --regid=65534 --clear-groups suid/id -u)"
echo "inside: $(launch --ro-bind "$PWD/suid" -- "$PWD/suid/id" -u)"
stat -c '%U %a' state/session-1/work/f
