# Proves: `dd-launch --help` and each subcommand's --help exit 0 on stdout and document every
# flag the issue names; --version prints the project version.
source "$CLI_LIB"
dd-launch --help > help.txt; echo "--help rc=$?"
for w in run ls stop gc; do grep -q "^  $w" help.txt || echo "missing subcommand: $w"; done
dd-launch run --help > run.txt; echo "run --help rc=$?"
for flag in --state-dir --name --config-src --config-drop --contain --open --pids-max --timeout \
            --engine --user --rm --image --bind --ro-bind --setenv --env-file --dry-run --journal; do
  grep -q -- "$flag" run.txt || echo "missing from run --help: $flag"
done
dd-launch ls --help | grep -q -- '--output' || echo "ls lacks -o"
dd-launch stop --help | grep -q -- 'ID' || echo "stop lacks ID"
dd-launch gc --help | grep -q -- '--dry-run' || echo "gc lacks --dry-run"
dd-launch --version | grep -qE '^dd-launch (version )?[0-9]+\.[0-9]+\.[0-9]+' && echo "version: yes"
