# Proves: bad command lines exit 64 with a message on stderr and create nothing: no
# subcommand, run without a command, a --name that is not a plain word, invalid --config-drop pointer, relative --bind, bad
# --setenv, a reserved variable, --timeout 0, --pids-max 0, an unknown engine, an invalid name.
source "$CLI_LIB"
r() { dd-launch "$@" > out.txt 2> err.txt; echo "rc=$? stderr: $(yesno test -s err.txt)"; }
r
r run --state-dir "$PWD/state"
r run --state-dir "$PWD/state" --
r run --state-dir "$PWD/state" --config-src x.json --config-drop 'no-slash' -- true
r run --state-dir "$PWD/state" --config-drop '' -- true
r run --state-dir "$PWD/state" --bind rel/path -- true
r run --state-dir "$PWD/state" --setenv '1X=2' -- true
r run --state-dir "$PWD/state" --setenv 'DD_SESSION_DIR=/x' -- true
r run --state-dir "$PWD/state" --timeout 0 -- true
r run --state-dir "$PWD/state" --pids-max 0 -- true
r run --state-dir "$PWD/state" --engine lxc -- true
r run --state-dir "$PWD/state" --name ../x -- true
r run --state-dir "$PWD/state" --name "$(printf 'x\ny')" -- true
r run --state-dir "$PWD/state" --contain --open -- true
r stop
echo "created: $(yesno test -e state)"
