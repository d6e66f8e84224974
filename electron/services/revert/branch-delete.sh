# shellcheck shell=sh
# Deletes a discarded branch's top files: `sh -c "$(cat branch-delete.sh)" sh HOSTDIR UUID URI ID FILE…`.
# Under the domain's lock (the runners' flock on HOSTDIR/locks/UUID.lock, fd 9), so it never runs
# beside a snapshot or a revert. A file is removed only if no domain uses it (every definition's
# disks and every running chain, as libvirt says now) and no revert that was not rolled back put
# an overlay on it (a branch reverted to is the backing file of that revert's overlay).
# Prints "removed B64" or "kept B64" a file; exit 75 when the lock is taken.
set -u
set -f
H=$1 UUID=$2 URI=$3 ID=$4
shift 4
case $H in /*) ;; *) H=$HOME/$H ;; esac
case $UUID in *[!0-9a-fA-F-]*) exit 64 ;; esac
case $ID in '' | *[!0-9A-Za-z-]*) exit 64 ;; esac
mkdir -p "$H/locks" "$H/branches"
exec 9>>"$H/locks/$UUID.lock"
flock -n 9 || exit 75
NL='
'
uuids=$(virsh -c "$URI" list --all --uuid 9>&-) || exit 70
cmds=
for u in $uuids; do
  case $u in *[!0-9a-fA-F-]*) continue ;; esac
  cmds="${cmds}domblklist $u --details${NL}domblklist $u --details --inactive$NL"
done
cmds="${cmds}domstats --block --backing$NL"
IN_USE=$(printf '%s' "$cmds" | virsh -c "$URI" 2>&1 9>&-) || exit 70
case $IN_USE in *error:*) echo "$IN_USE" >&2; exit 70 ;; esac
in_use() {
  IFS=$NL
  for l in $IN_USE; do
    case $l in *" $1" | *"=$1") IFS=' '; return 0 ;; esac
  done
  IFS=' '
  return 1
}
TAB=$(printf '\t')
removed=
for f; do
  b=$(printf '%s' "$f" | base64 | tr -d '\n')
  keep=
  in_use "$f" && keep=1
  if [ -z "$keep" ] && [ -d "$H/reverts/ops" ]; then
    set +f
    for plan in "$H"/reverts/ops/*/plan; do
      set -f
      [ -f "$plan" ] || continue
      grep -q -F -e "$TAB$b$TAB" "$plan" || continue
      [ "$(cat "${plan%/plan}/settled" 2>/dev/null)" = rolled-back ] || keep=1
    done
    set -f
  fi
  if [ -z "$keep" ] && { [ ! -e "$f" ] || rm -f -- "$f" 9>&-; }; then
    echo "removed $b"
    removed="$removed${removed:+,}\"$b\""
  else
    echo "kept $b"
  fi
done
printf '{"ev":"deleted","id":"%s","rt":%s,"removed":[%s]}\n' "$ID" "$(date +%s)000000000" "$removed" >>"$H/branches/$UUID.jsonl"
exit 0
