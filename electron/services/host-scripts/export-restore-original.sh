# shellcheck shell=sh
# Restores one complete export OVER the domain it was taken of, with host-lib.sh in front of it
# (export-scripts.ts): `sh -c "$(cat host-lib.sh export-restore-original.sh)" sh HOSTDIR URI UUID
# EXPORTFOLDER TODIR check|apply STOPTIMEOUT ALLOWFORCE BEFOREB64 AFTERB64 [TARGET FILE IMAGE]...`.
# The app (electron/services/export/export-restore-original.ts) read the domain's persistent
# definition (BEFORE: `virsh dumpxml --inactive --security-info`, byte for byte) and wrote AFTER,
# the same definition with each TARGET's source pointed at IMAGE (name, UUID, devices kept).
#
# `check` only looks, and prints "state STATE", "chain TARGET FILE" (each layer, top first),
# "need BYTES", "free BYTES". `apply` takes the domain's lock (the runners' flock on
# HOSTDIR/locks/UUID.lock, fd 9) and does, in order, each step leaving the domain defined and
# pointing at files that exist:
#   copy    each chain into one standalone IMAGE (`qemu-img convert` to IMAGE.partial, renamed
#           once whole; the guest still runs: the export is not its disk) → "disk TARGET IMAGE"
#   stop    a running or paused guest: shutdown through the agent, else ACPI (ACPI again half way
#           through the wait), powered off after STOPTIMEOUT s when ALLOWFORCE=1 (stop_guest,
#           host-lib.sh, as the revert runner stops it) → "stopped HOW"
#   switch  the definition is still BEFORE: `virsh define AFTER` (the commit point) → "switched"
#   start   if it ran → "started"
# The domain's current images are never touched: the domain only stops using them. The export's
# files are only read.
# Refusals, before anything changes: 3 no complete export or a broken chain, 64 invalid
# arguments, 65 TODIR not a writable folder, 66 an IMAGE (or IMAGE.partial) exists, 67 too little
# room (`qemu-img measure` against `df`), 68 the domain has snapshots (their overlays and frozen
# images are its current chain: restoring over it would orphan them; names on stderr), 69 the
# definition is not BEFORE any more, 70 libvirt could not be asked or the domain's state is not
# one it can be stopped from, 75 another operation holds the lock.
# A failure after that (exit 1) is undone by the exit trap: the definition BEFORE put back if it
# was switched, the IMAGEs it made removed, the guest started again if it ran; exit 71 when the
# old definition could not be put back (stderr says what to do).
# With RESTORE_CANCEL in its environment (HOSTDIR/restores/ID), export-restore-cancel.sh ID stops
# an apply while it copies (exit 76: the images removed, the definition and the guest untouched);
# once copied, it completes (a cancel could otherwise land in the stop, the switch or the start).
set -u
set -f
# shellcheck disable=SC2034 # URI: read by virsh_ and list_in_use (host-lib.sh)
H=$1 URI=$2 UUID=$3 folder=$4 todir=$5 act=$6 stop_timeout=$7 allow_force=$8 before64=$9
shift 9
after64=${1:-}
[ $# -gt 0 ] && shift
case $H in /*) ;; *) H=$HOME/$H ;; esac
is_uuid "$UUID" || { echo "invalid uuid" >&2; exit 64; }
case $act in check | apply) ;; *) echo "invalid action" >&2; exit 64 ;; esac
in_range "$stop_timeout" 1 3600 || { echo "invalid stop timeout" >&2; exit 64; }
case $allow_force in 0 | 1) ;; *) echo "invalid allowForce" >&2; exit 64 ;; esac
restore_disk_list "$@"
[ -s "$folder/manifest.json" ] || { echo "no complete export in $folder" >&2; exit 3; }
if ! [ -d "$todir" ] || ! [ -w "$todir" ]; then
  echo "$todir is not a folder this user can write to" >&2
  exit 65
fi

tmp=$(mktemp -d) || exit 70
done=0 MADE='' switched=0 was_running=0
# shellcheck disable=SC2317 # run by the EXIT trap
undo() {
  st=$?
  trap '' HUP INT TERM
  restore_cancel_close
  if [ "$done" = 1 ] || [ "$act" = check ]; then rm -rf -- "$tmp"; exit "$st"; fi
  if [ "$switched" = 1 ]; then
    if out=$(virsh_ define "$tmp/before.xml" 2>&1); then
      echo "rolled back: the domain's definition is as it was, on its old disks" >&2
    else
      echo "the old definition could not be put back ($out): the domain may use the restored images; define $tmp/before.xml with virsh to go back" >&2
      exit 71 # keeps $tmp and the images: the admin needs both
    fi
  fi
  restore_copy_stop # a copy under way (restore-lib.sh)
  printf '%s' "$MADE" | while IFS= read -r p; do
    [ -n "$p" ] && rm -f -- "$p" "$p.partial"
  done
  if [ "$was_running" = 1 ]; then
    # a shutdown asked for and still under way (a stop that ran out of time) ends first, so the
    # guest is started again rather than found running now and off a moment later
    w=0
    while [ "$w" -lt "$stop_timeout" ]; do
      case $(virsh_ domstate "$UUID" 2>/dev/null) in "in shutdown"*) ;; *) break ;; esac
      sleep 1 9>&-
      w=$((w + 1))
    done
    case $(virsh_ domstate "$UUID" 2>/dev/null) in
      "shut off"*) virsh_ start "$UUID" >/dev/null 2>&1 && echo "started again on its old disks" >&2 ;;
    esac
  fi
  rm -rf -- "$tmp"
  exit "$st"
}
trap undo EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP
# A dropped link must not stop it half way: it finishes (or rolls back) on its own.
trap '' PIPE

if [ "$act" = apply ]; then
  mkdir -p "$H/locks"
  exec 9>>"$H/locks/$UUID.lock"
  flock -n 9 || { echo "another operation ($(cat "$H/locks/$UUID.lock.owner" 2>/dev/null)) is running on this domain" >&2; exit 75; }
  echo "export restore over the domain" >"$H/locks/$UUID.lock.owner"
fi

# ---------------------------------------------------------------- every check before anything changes
printf '%s' "$before64" | base64 -d >"$tmp/before.xml" 2>/dev/null || : >"$tmp/before.xml"
[ -s "$tmp/before.xml" ] || { echo "invalid definition" >&2; exit 64; }
printf '%s' "$after64" | base64 -d >"$tmp/after.xml" 2>/dev/null || : >"$tmp/after.xml"
[ -s "$tmp/after.xml" ] || { echo "invalid definition" >&2; exit 64; }
virsh_ dumpxml "$UUID" --inactive --security-info >"$tmp/now.xml" 2>"$tmp/err" ||
  { echo "libvirt did not give the domain's definition: $(cat "$tmp/err")" >&2; exit 70; }
cmp -s "$tmp/now.xml" "$tmp/before.xml" ||
  { echo "the domain's definition changed since the restore was planned: look at it again" >&2; exit 69; }
state=$(virsh_ domstate "$UUID" 2>"$tmp/err") || { echo "libvirt did not say the domain's state: $(cat "$tmp/err")" >&2; exit 70; }
case $state in
  running* | paused*) was_running=1 ;;
  "shut off"*) ;;
  *) echo "the domain is $state: it can be restored over only when running, paused or shut off" >&2; exit 70 ;;
esac
snaps=$(virsh_ snapshot-list "$UUID" --name 2>"$tmp/err") || { echo "libvirt did not list the domain's snapshots: $(cat "$tmp/err")" >&2; exit 70; }
snaps=$(printf '%s\n' "$snaps" | sed '/^$/d' | tr '\n' ' ')
if [ -n "$snaps" ]; then
  echo "the domain has snapshots (${snaps% }): their overlays and frozen images are its current disks' chain, and a restore over it would orphan them" >&2
  exit 68
fi
echo "state $state"
# check_disk TARGET FILE IMAGE: restore-lib.sh's checks, and the chain below FILE (printed)
# shellcheck disable=SC2317 # called by restore_each (restore-lib.sh)
check_disk() {
  case $1 in '' | *[!A-Za-z0-9]*) echo "invalid disk target" >&2; exit 64 ;; esac
  restore_disk_check "$1" "$2" "$3"
  chain=$(qemu-img info --backing-chain -- "$folder/$2" 2>"$tmp/err") ||
    { echo "the chain of disk $1 is broken: $(cat "$tmp/err")" >&2; exit 3; }
  printf '%s\n' "$chain" | sed -n "s/^image: /chain $1 /p"
}
# shellcheck disable=SC2034 # NEED is restore-lib.sh's (in front of this script)
NEED=0
restore_each check_disk "$@"
restore_room report
[ "$act" = check ] && exit 0

# ---------------------------------------------------------------- copy, while the guest still runs
# cancellable here and only here (restore-lib.sh): exit 76, the definition never touched
restore_cancel_open
restore_each restore_disk_copy "$@"
restore_copied

# ---------------------------------------------------------------- stop
# no progress lines: stdout is read as the steps' results, stderr as the failure
if [ "$was_running" = 1 ]; then
  stop_guest "$UUID" "$stop_timeout" "$allow_force" : || { echo "$STOP_ERR" >&2; exit 1; }
  echo "stopped ${STOPPED#stopped }" # "stopped HOW": by … shutdown in N s, powered off after N s
fi

# ---------------------------------------------------------------- switch: the commit point
virsh_ dumpxml "$UUID" --inactive --security-info >"$tmp/now.xml" 2>"$tmp/err" ||
  { echo "libvirt did not give the domain's definition: $(cat "$tmp/err")" >&2; exit 1; }
cmp -s "$tmp/now.xml" "$tmp/before.xml" ||
  { echo "the domain's definition changed while the guest stopped: nothing was switched" >&2; exit 1; }
switched=1 # from here the trap puts BEFORE back (a define that failed changed nothing: harmless)
out=$(virsh_ define "$tmp/after.xml" 2>&1) || { echo "libvirt refused the new definition: $out" >&2; exit 1; }
rows=$(virsh_ domblklist "$UUID" --details --inactive 2>&1) || { echo "libvirt did not list the disks: $rows" >&2; exit 1; }
# points_at TARGET FILE IMAGE: the new definition's disk TARGET is IMAGE; rows: "TYPE DEVICE
# TARGET SOURCE", the source may hold spaces
# shellcheck disable=SC2317 # called by restore_each (restore-lib.sh)
points_at() {
  printf '%s\n' "$rows" | awk -v t="$1" -v i="$3" '$3 == t { sub(/^ *[^ ]+ +[^ ]+ +[^ ]+ +/, ""); if ($0 == i) f = 1 } END { exit !f }' ||
    { echo "disk $1 does not point at $3 after the define" >&2; exit 1; }
}
restore_each points_at "$@"
echo switched

# ---------------------------------------------------------------- start again, if it ran
if [ "$was_running" = 1 ]; then
  out=$(virsh_ start "$UUID" 2>&1) || { echo "virsh start: $out" >&2; exit 1; }
  done=1
  echo started
fi
done=1
exit 0
