# bash completion for dd-atomic (installed as share/bash-completion/completions/dd-atomic).
_dd_atomic() {
  local cur prev i
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  # After `--` comes the producer command: complete commands, then files.
  for ((i = 1; i < COMP_CWORD; i++)); do
    if [ "${COMP_WORDS[i]}" = -- ]; then
      if ((i + 1 == COMP_CWORD)); then COMPREPLY=($(compgen -c -- "$cur"))
      else COMPREPLY=($(compgen -f -- "$cur")); fi
      return
    fi
  done
  case $prev in
    --symlink) COMPREPLY=($(compgen -W "follow replace refuse" -- "$cur")); return ;;
    --hardlink) COMPREPLY=($(compgen -W "refuse break" -- "$cur")); return ;;
    --validate) COMPREPLY=($(compgen -W "json" -- "$cur")); return ;;
    --lock-file|--journal) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --check) COMPREPLY=($(compgen -c -- "$cur")); return ;;
    --mode|-w|--wait|--timeout|--fence-token) return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "--mode --no-sync --lock -w --wait --timeout --lock-file --fence-token
      --backup --symlink --hardlink --if-changed --allow-empty --validate --check --journal
      --journal-commit -v --verbose -q --quiet -h --help -V --version" -- "$cur"))
    return
  fi
  COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _dd_atomic dd-atomic
