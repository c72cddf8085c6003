# Proves: -c runs its argument through a shell — $SHELL when set, else /bin/sh, as flock(1) does —
# so pipes, && and variables work; the shell's exit status is passed through; -c may come before
# or after LOCKFILE; and the command runs with the lock held.
source "$CLI_LIB"
rc dd-lock f -c 'echo a && echo b | tr b c; x=5; exit $x'
rc env SHELL=/bin/bash dd-lock f -c 'echo "$0 ${BASH_VERSION:+is-bash}"'
rc env -u SHELL dd-lock f -c 'echo $0'
rc dd-lock -c 'echo before-lockfile' f
rc dd-lock f --command 'echo long-form'
rc dd-lock f -c 'dd-lock -n "$DD_LOCK_FILE" true 2>/dev/null; echo "nested -n rc=$?"'
