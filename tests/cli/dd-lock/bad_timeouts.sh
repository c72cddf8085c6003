# Proves: negative, NaN, infinite, huge, empty and non-numeric values for -w and --ttl are usage
# errors (64) with a message naming the flag and the value, checked before anything happens: the
# lock file is not created and the command is not run. Valid fractional values are accepted.
source "$CLI_LIB"
mkdir w && cd w
for v in -1 -0.5 nan NaN inf 1e99 abc 2s ''; do
  dd-lock -w "$v" f touch ran 2>err; r=$?
  echo "-w '$v': rc=$r names flag: $(yesno grep -q -- "for -w" err) names value: $(yesno has err "'$v'")"
done
for v in -1 nan inf 1e99 abc 0 ''; do
  dd-lock --ttl "$v" f touch ran 2>err; r=$?
  echo "--ttl '$v': rc=$r names flag: $(yesno grep -q -- "for --ttl" err) names value: $(yesno has err "'$v'")"
done
rm -f err
echo "created: $(files .)"
rc dd-lock -w 0.25 f true
rc dd-lock --timeout 1e-3 --ttl 0.5 f true
