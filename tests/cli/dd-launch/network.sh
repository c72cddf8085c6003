# Proves: a contained session cannot reach a listener on the host's loopback (--open can: the
# control that shows the probe works), and has no interface but lo.
source "$CLI_LIB"
skip_unless_contained "privileged bwrap"
python3 -c '
import socket, sys, os
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
open("port", "w").write(str(s.getsockname()[1]))
while True:
    c, _ = s.accept(); c.close()
' &
server=$!
wait_for test -s port
port=$(cat port)
probe="exec 3<>/dev/tcp/127.0.0.1/$port && echo connected"
rc launch -- bash -c "$probe" 2>err.txt
echo "refused: $(yesno grep -q -e 'Connection refused' -e 'unreachable' err.txt)"
rc launch --open -- bash -c "$probe"
launch -- sh -c 'ls /sys/class/net >/dev/null; cat /proc/net/dev' | sed 1,2d | cut -d: -f1 | tr -d ' '
kill -KILL $server; wait $server 2>/dev/null || true
