# Proves: --engine podman|docker renders the same plan as the engine's own flags (no network,
# all caps dropped, no-new-privileges, pids limit, read-only root, private /tmp, the uid), and
# docker without --image is a usage error.
source "$CLI_LIB"
skip_unless_contained "runs as nobody by default only as root"
for e in podman docker; do
  dd-launch run --state-dir "$PWD/state" --engine $e --image debian:12 --pids-max 40 --timeout 5 \
    -n -o json -- sh -c 'echo hi' > $e.json
  for f in "--network none" "--cap-drop ALL" "--security-opt no-new-privileges" "--pids-limit 40" \
           "--read-only" "--tmpfs /tmp" "--user 65534:65534" "--rm"; do
    json "' $f ' in ' ' + ' '.join(j['argv']) + ' '" < $e.json | sed "s|^|$e $f: |"
  done
  json "j['argv'][-4:]" < $e.json
done
json "'--timeout 5' in ' '.join(j['argv'])" < podman.json
dd-launch run --state-dir "$PWD/state" --engine podman -n -- true | grep -o -- '--rootfs /'
rc dd-launch run --state-dir "$PWD/state" --engine docker -n -- true 2>err.txt
grep -o 'needs --image' err.txt
rc dd-launch run --state-dir "$PWD/state" --image debian:12 -n -- true 2>/dev/null
