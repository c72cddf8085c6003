# bash completion for dd-launch (installed as share/bash-completion/completions/dd-launch).
_dd_launch() {
  local cur prev sub i
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  sub=
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      --) [[ $sub == run ]] && { COMPREPLY=($(compgen -c -- "$cur" | sort -u)); return; } ;;
      run|ls|stop|gc) [[ -z $sub ]] && sub=${COMP_WORDS[i]} ;;
    esac
  done
  case $prev in
    -o|--output) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
    --engine) COMPREPLY=($(compgen -W "bwrap podman docker" -- "$cur")); return ;;
    --state-dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --config-src|--env-file|--journal|--bind|--ro-bind) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --user) COMPREPLY=($(compgen -u -- "$cur")); return ;;
    --name|--config-drop|--pids-max|--timeout|--setenv|--image|--min-age) return ;;
  esac
  local common="--state-dir --journal -v --verbose -q --quiet -h --help"
  case $sub in
    "") COMPREPLY=($(compgen -W "run ls stop gc -h --help -V --version -v -q" -- "$cur")) ;;
    run) COMPREPLY=($(compgen -W "$common --name --config-src --config-drop --contain --open
           --pids-max --timeout --engine --image --user --rm --bind --ro-bind --setenv
           --env-file -n --dry-run -o --output --" -- "$cur")) ;;
    ls) COMPREPLY=($(compgen -W "$common -o --output" -- "$cur")) ;;
    stop)
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$common --timeout" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "$(dd-launch ls -o json 2>/dev/null |
          python3 -c 'import json,sys; print(" ".join(s["id"] for s in json.load(sys.stdin) if s["state"] == "live"))' 2>/dev/null)" -- "$cur"))
      fi ;;
    gc) COMPREPLY=($(compgen -W "$common -o --output --min-age -n --dry-run --force" -- "$cur")) ;;
  esac
}
complete -F _dd_launch dd-launch
