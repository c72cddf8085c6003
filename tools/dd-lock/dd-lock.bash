# bash completion for dd-lock (installed as share/bash-completion/completions/dd-lock).
_dd_lock() {
  local cur prev i nonopt=0
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  case $prev in
    --on-timeout) COMPREPLY=($(compgen -W "fail fail-open" -- "$cur")); return ;;
    --journal) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --backend) COMPREPLY=($(compgen -W "file etcd://" -- "$cur")); return ;;
    -c|--command) COMPREPLY=($(compgen -c -- "$cur")); return ;;
    -w|--wait|--timeout|-E|--conflict-exit-code|--ttl) return ;;
  esac
  # The first word that is not an option (or a value) is the lock file; the next the command.
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      --) nonopt=1 ;;
      -w|--wait|--timeout|-E|--conflict-exit-code|--ttl|--on-timeout|--journal|--backend|-c|--command) ((i++)) ;;
      -*) ;;
      *) ((nonopt++)) ;;
    esac
  done
  if ((nonopt >= 1)); then
    if ((nonopt == 1)) && [[ $cur != -* ]]; then COMPREPLY=($(compgen -c -- "$cur"))
    else COMPREPLY=($(compgen -f -- "$cur")); fi
    return
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "-x -e --exclusive -s --shared -u --unlock -n --nonblock -w --wait
      --timeout -E --conflict-exit-code -c --command -o --close --ttl --on-timeout
      --break-expired --journal --status --backend --break -v --verbose -q --quiet -h --help -V --version" \
      -- "$cur"))
    return
  fi
  COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _dd_lock dd-lock
