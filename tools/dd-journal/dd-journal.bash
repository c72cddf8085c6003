# bash completion for dd-journal (installed as share/bash-completion/completions/dd-journal).
_dd_journal() {
  local cur prev sub i
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in emit|query|stats|tail|verify) sub=${COMP_WORDS[i]}; break ;; esac
  done
  case $prev in
    --journal) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    -o|--output)
      if [ "$sub" = verify ]; then COMPREPLY=($(compgen -W "text json" -- "$cur"))
      else COMPREPLY=($(compgen -W "json table tsv" -- "$cur")); fi
      return ;;
    --by) COMPREPLY=($(compgen -W "event path host tool hour" -- "$cur")); return ;;
    --event) COMPREPLY=($(compgen -W "lock_fail_open lock_timeout lock_stale_break lock_lost
      atomic_commit atomic_abort gc_reaped gc_skipped gc_error session_start session_end" \
      -- "$cur")); return ;;
    --since|--until) COMPREPLY=($(compgen -W "today yesterday now 1h 2d" -- "$cur")); return ;;
    --path|--path-prefix|--pid|--host|--tool|--where|--limit|-n|--lines) return ;;
  esac
  local filters="--journal --event --since --until --path --path-prefix --pid --host --tool --where -o --output"
  case $sub in
    "") COMPREPLY=($(compgen -W "emit query stats tail verify --help --version -v -q" -- "$cur")) ;;
    emit) COMPREPLY=($(compgen -W "--journal --strict --help" -- "$cur")) ;;
    query) COMPREPLY=($(compgen -W "$filters --count --limit --reverse --help" -- "$cur")) ;;
    stats) COMPREPLY=($(compgen -W "$filters --by --limit --help" -- "$cur")) ;;
    tail) COMPREPLY=($(compgen -W "$filters -n --lines -f --follow --help" -- "$cur")) ;;
    verify) COMPREPLY=($(compgen -W "--journal -o --output --help" -- "$cur")) ;;
  esac
}
complete -F _dd_journal dd-journal
