# shellcheck shell=sh
# Deletes a discarded branch's top files, with host-lib.sh in front of it (branch-scripts.ts):
# `sh -c "$(cat host-lib.sh branch-delete.sh)" sh HOSTDIR UUID URI ID FILE…`.
# Under the domain's lock (the runners' flock on HOSTDIR/locks/UUID.lock, fd 9), so it never runs
# beside a snapshot or a revert. A file is removed only if no domain uses it (every definition's
# disks and every running chain, as libvirt says now) and no revert that was not rolled back put
# an overlay on it (a branch reverted to is the backing file of that revert's overlay).
# Prints "removed B64" or "kept B64" a file; exit 75 when the lock is taken.
set -u
set -f
# shellcheck disable=SC2034 # URI: read by list_in_use (host-lib.sh)
H=$1 UUID=$2 URI=$3 ID=$4
shift 4
case $H in /*) ;; *) H=$HOME/$H ;; esac
is_uuid "$UUID" || exit 64
case $ID in '' | *[!0-9A-Za-z-]*) exit 64 ;; esac
mkdir -p "$H/locks" "$H/branches"
exec 9>>"$H/locks/$UUID.lock"
flock -n 9 || exit 75
# what every domain uses now (list_in_use, is_in_use: host-lib.sh)
list_in_use || { echo "${IN_USE:-libvirt did not list the domains}" >&2; exit 70; }
removed=
for f; do
  b=$(b64 "$f")
  keep=
  is_in_use "$f" && keep=1
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
now_rt
printf '{"ev":"deleted","id":"%s","rt":%s,"removed":[%s]}\n' "$ID" "$RT" "$removed" >>"$H/branches/$UUID.jsonl"
exit 0
