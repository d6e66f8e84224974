# shellcheck shell=sh
# shellcheck disable=SC2154 # folder and todir are the caller's (see below)
# What the two restores from an export share (export-restore.sh as a new domain,
# export-restore-original.sh over the original), sent in front of each: their list of disks
# (checked, and walked disk by disk), checking a disk before the first byte is written, the room
# they need, and making a chain one standalone image. The caller sets `folder` (the export's
# folder), `todir` (where the images go), NEED=0 and MADE='' first.

RESTORE_NL='
'
# restore_disk_list TARGET FILE IMAGE...: the disks as the app lists them, whole triples and at
# least one, else exit 64
restore_disk_list() {
  case $(($# % 3)) in 0) ;; *) echo "invalid disk list" >&2; exit 64 ;; esac
  [ $# -gt 0 ] || { echo "no disk to restore" >&2; exit 64; }
}
# restore_each FUNCTION TARGET FILE IMAGE...: FUNCTION TARGET FILE IMAGE for each disk, in order
# (FUNCTION ends the script on a failure). A function has arguments of its own: the caller's
# list stays as it was, for its next pass.
restore_each() {
  re_fn=$1
  shift
  while [ $# -ge 3 ]; do
    "$re_fn" "$1" "$2" "$3"
    shift 3
  done
}
# restore_disk_check TARGET FILE IMAGE: FILE is a file of the export and IMAGE a new file in
# todir; adds what the standalone image takes (`qemu-img measure`) to NEED. Exits 64 (invalid),
# 3 (the export lacks it) or 66 (IMAGE exists already: a restore overwrites nothing).
restore_disk_check() {
  case $2 in */* | '') echo "invalid file name" >&2; exit 64 ;; esac
  case $3 in "$todir"/*) ;; *) echo "invalid image path" >&2; exit 64 ;; esac
  [ -f "$folder/$2" ] || { echo "the export lacks $2" >&2; exit 3; }
  if [ -e "$3" ] || [ -e "$3.partial" ]; then
    echo "$3 exists already: a restore overwrites nothing" >&2
    exit 66
  fi
  req=$(qemu-img measure -O qcow2 -- "$folder/$2" 2>/dev/null | sed -n 's/^required size: *\([0-9]*\).*/\1/p')
  NEED=$((NEED + ${req:-0}))
}

# restore_room [report]: FREE = the bytes free in todir ("" when df cannot say); with `report`,
# prints "need NEED" and "free FREE" first; exits 67 when NEED is more than FREE
restore_room() {
  FREE=$(df -Pk -- "$todir" | awk 'NR == 2 { print $4 * 1024 }')
  if [ "${1:-}" = report ]; then
    echo "need $NEED"
    echo "free ${FREE:-0}"
  fi
  if [ -n "$FREE" ] && [ "$NEED" -gt "$FREE" ]; then
    echo "$todir has $FREE bytes free; the restored images need $NEED" >&2
    exit 67
  fi
}

# restore_disk_copy TARGET FILE IMAGE: the chain below FILE as one standalone qcow2 IMAGE, written
# as IMAGE.partial and renamed once whole (noted in MADE first, so the caller's undo removes it);
# prints "disk TARGET IMAGE". Holds no fd 9 (a runner's lock).
restore_disk_copy() {
  MADE=$MADE$3$RESTORE_NL
  qemu-img convert -O qcow2 -- "$folder/$2" "$3.partial" 9>&- || { echo "qemu-img convert of $1 failed" >&2; exit 1; }
  mv -f -- "$3.partial" "$3" || exit 1
  echo "disk $1 $3"
}
