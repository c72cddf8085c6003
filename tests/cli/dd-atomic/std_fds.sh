# Proves: dd-atomic started with stdin, stdout or stderr closed never writes into the wrong file:
# descriptors it opens (the directory, the temp) cannot become a standard stream, so a --check
# command's output or a message never lands in the committed file.
source "$CLI_LIB"
mkdir w && cd w
echo '{"new":2}' > input
dd-atomic --validate json --check 'echo CHECK SAYS OK' f <input 1>&- 2>&-; echo "rc=$? f: $(cat f)"
dd-atomic g -- echo '{"g":1}' <&- ; echo "stdin closed: rc=$? g: $(cat g)"
dd-atomic h <&- 2>err; echo "stdin closed, stdin mode: rc=$? h: $(cat h 2>/dev/null) msg: $(grep -c 'Is a directory' err)"
