# shellcheck shell=sh
# The discarded branches of one domain: `sh -c "$(cat branches-list.sh)" sh HOSTDIR UUID`.
# Prints HOSTDIR/branches/UUID.jsonl (what revert-runner.sh and branch-delete.sh appended), then
# `@@size` and one line per top file of every branch: "BLOCKS BLOCKSIZE" from stat, or "missing".
# stat reads only the folder entry: the SSH user may not read the images (libvirt makes them 0600).
set -u
set -f
d=$1
case $d in /*) ;; *) d=$HOME/$d ;; esac
f=$d/branches/$2.jsonl
[ -f "$f" ] || exit 0
cat "$f"
echo
echo "@@size"
# the files, one base64 path a line, from each branch line's "top" values
sed -n 's/.*"disks":\[\([^]]*\)\].*/\1/p' "$f" | tr ',' '\n' | sed -n 's/.*"top":"\([A-Za-z0-9+\/=]*\)".*/\1/p' |
  while IFS= read -r t; do
    p=$(printf '%s' "$t" | base64 -d 2>/dev/null)
    if [ -n "$p" ] && [ -e "$p" ]; then
      printf '%s %s\n' "$t" "$(stat -L -c '%b %B' -- "$p" 2>/dev/null || echo unknown)"
    else
      printf '%s missing\n' "$t"
    fi
  done
exit 0
