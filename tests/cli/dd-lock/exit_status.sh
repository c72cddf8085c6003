# Proves: dd-lock exits with its command's status (0, 3, 255), and with 128+N when the command
# is killed by signal N (USR1 -> 138, KILL -> 137), as flock(1) and shells do; the lock is
# released afterwards in every case.
source "$CLI_LIB"
rc dd-lock f true
rc dd-lock f sh -c 'exit 3'
rc dd-lock f sh -c 'exit 255'
rc dd-lock f sh -c 'kill -USR1 $$'
rc dd-lock f sh -c 'kill -KILL $$'
rc dd-lock -n f true
