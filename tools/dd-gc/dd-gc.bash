# bash completion for dd-gc (installed as share/bash-completion/completions/dd-gc).
_dd_gc() {
  local cur prev
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  case $prev in
    -o|--output) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
    --root) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --journal) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --live-cmd) COMPREPLY=($(compgen -c -- "$cur")); return ;;
    --live-regex|--live-timeout|--min-age|--max-remove) return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "--root --live-cmd --live-regex --live-timeout --min-age --max-remove
      --force -n --dry-run --strict -o --output --journal -v --verbose -q --quiet -h --help
      -V --version" -- "$cur"))
    return
  fi
  COMPREPLY=($(compgen -d -- "$cur"))
}
complete -F _dd_gc dd-gc
