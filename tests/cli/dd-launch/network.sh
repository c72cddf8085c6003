# Proves: a contained session cannot reach a listener on the host's loopback (--open can: the
# control that shows the probe works), and has no interface but lo; a host daemon's Unix socket
# under /run is out of reach in both modes (the host itself can connect: the control).
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
sock=/run/ddsafe-cli-$$.sock
python3 -c '
import socket, sys
import os
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(16)
os.chmod(sys.argv[1], 0o777)  # as D-Bus and engine sockets often are
open("sock-up", "w").write("1")
while True:
    c, _ = s.accept(); c.sendall(b"host daemon\n"); c.close()
' "$sock" &
daemon=$!
trap 'kill -KILL $daemon 2>/dev/null; rm -f "$sock"' EXIT
wait_for test -s sock-up
probe='import socket,sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1]); print(s.recv(64).decode().strip())
except OSError as e:
    print("unix socket: unreachable")'
echo "host: $(python3 -c "$probe" "$sock")"
launch -- python3 -c "$probe" "$sock"
launch --open -- python3 -c "$probe" "$sock"
