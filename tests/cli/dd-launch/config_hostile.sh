# Proves: a config source that is not a plain, bounded JSON file is refused promptly (65, the
# message names the file and the cause) and the launch keeps the previous config: a FIFO nobody
# writes (would block for ever), /dev/zero (never ends), and a document nested 200 000 levels
# deep (a stack overflow when written back out).
source "$CLI_LIB"
skip_unless_root "privileged bwrap"
mkfifo fifo
python3 -c 'import sys; n = 200000; sys.stdout.write("[" * n + "]" * n)' > deep.json
for src in "$PWD/fifo" /dev/zero "$PWD/deep.json"; do
  timeout 20 dd-launch run --state-dir "$PWD/state" --name c --config-src "$src" -- echo ran \
    > out.txt 2> err.txt
  echo "rc=$? ran: $(yesno grep -q ran out.txt)"
  sed -n "s|.*config source '\\(.*\\)': \\([a-z ]*\\).*|\\1: \\2|p" err.txt | sed "s|$PWD|PWD|"
done
echo '{"v":1}' > good.json
launch --name c --config-src "$PWD/good.json" -- true
rc launch --name c --config-src "$PWD/deep.json" -- sh -c 'cat "$DD_SESSION_CONFIG"' 2> err.txt | tr -d ' \n'; echo
echo "kept: $(yesno grep -q 'keeping the previous config' err.txt)"
