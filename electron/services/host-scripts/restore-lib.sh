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
  restore_measure "$2"
  NEED=$((NEED + REQ))
}
# restore_measure FILE: REQ = the bytes the standalone image of FILE's chain takes (`qemu-img
# measure`; 0 when it cannot say)
restore_measure() {
  REQ=$(qemu-img measure -O qcow2 -- "$folder/$1" 2>/dev/null | sed -n 's/^required size: *\([0-9]*\).*/\1/p')
  is_uint "$REQ" || REQ=0
}

# restore_room [report]: FREE = the bytes free in todir ("" when df cannot say); with `report`,
# prints "need NEED" and "free FREE" first; exits 67 when NEED is more than FREE
restore_room() {
  # %.0f: mawk (Debian's awk) prints a product past 2^31 as 7.8e+10, which `[ -gt ]` refuses,
  # and the check then let any restore through
  FREE=$(df -Pk -- "$todir" | awk 'NR == 2 { printf "%.0f\n", $4 * 1024 }')
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
# While it copies, every 0.5 s it prints "progress TARGET DONE TOTAL RATE ETA" when the
# percentage moved (and at least every 5 s): TOTAL is `qemu-img measure`'s size of the image, DONE
# that times qemu-img's own percentage (`-p`: of the chain's allocated data, so a disk with large
# zero or unallocated parts does not stall the count), RATE bytes/s since this disk began, ETA
# seconds left at that rate, rounded up (-1 unknown). qemu-img's percentage goes to a file read
# with one `sed` (the records end in CR, not LF: a `read` loop under dash or busybox would not see
# them until the end). qemu-img runs in the background so a signal is handled within 0.5 s, not
# after the copy; the caller's undo calls restore_copy_stop. Needs host-lib.sh (is_uint,
# now_mono) in front. A cancel asked for (restore_cancel_open) ends it with exit 76 at the next
# look (the caller's undo then stops the copy and removes the .partial).
RESTORE_PID='' RESTORE_PCT=''
restore_disk_copy() {
  MADE=$MADE$3$RESTORE_NL
  restore_measure "$2"
  RESTORE_PCT=$(mktemp) || exit 1
  # RESTORE_RATE (bytes/s, from the environment): test-only, a copy slow enough to act on in
  # the lab (restore-runner.sh sets it from its copyRate argument; never from the UI)
  qemu-img convert -p ${RESTORE_RATE:+-r "$RESTORE_RATE"} -O qcow2 -- "$folder/$2" "$3.partial" >"$RESTORE_PCT" 9>&- &
  RESTORE_PID=$!
  now_mono
  rc_t0=$MONO rc_said=-1 rc_at=$MONO
  while kill -0 "$RESTORE_PID" 2>/dev/null; do
    restore_cancel_check
    # "    (12.34/100%)" records; the last is the newest. Hundredths of a percent, never back.
    rc_p=$(sed -n 's/.*(\([0-9][0-9]*\)\.\([0-9][0-9]\)\/100%).*/\1 \2/p' "$RESTORE_PCT" 2>/dev/null)
    rc_i=${rc_p% *} rc_f=${rc_p#* }
    rc_f=${rc_f#0} # "08" is no octal number here
    rc_h=0
    is_uint "$rc_i" && is_uint "$rc_f" && rc_h=$((rc_i * 100 + rc_f))
    [ "$rc_h" -ge "$rc_said" ] || rc_h=$rc_said
    now_mono
    if [ "$rc_h" != "$rc_said" ] || [ $((MONO - rc_at)) -ge 5000 ]; then
      restore_progress "$1" $((REQ * rc_h / 10000)) "$REQ" $((MONO - rc_t0))
      rc_said=$rc_h rc_at=$MONO
    fi
    # sooner in the first second: a small disk's copy ends there
    if [ $((MONO - rc_t0)) -lt 1000 ]; then sleep 0.1 9>&-; else sleep 0.5 9>&-; fi
  done
  restore_cancel_check # asked for during the copy's last look
  wait "$RESTORE_PID" || { RESTORE_PID=''; echo "qemu-img convert of $1 failed" >&2; exit 1; }
  RESTORE_PID=''
  rm -f -- "$RESTORE_PCT"
  now_mono
  restore_progress "$1" "$REQ" "$REQ" $((MONO - rc_t0))
  mv -f -- "$3.partial" "$3" || exit 1
  echo "disk $1 $3"
}
# restore_progress TARGET DONE TOTAL MS: the progress line, with the rate over MS and the ETA
restore_progress() {
  rp_rate=0 rp_eta=-1
  [ "$4" -ge 200 ] && rp_rate=$(($2 * 1000 / $4))
  # rounded up: a copy still under way never says 0 s left
  [ "$rp_rate" -gt 0 ] && rp_eta=$((($3 - $2 + rp_rate - 1) / rp_rate))
  [ "$2" -lt "$3" ] || rp_eta=0
  echo "progress $1 $2 $3 $rp_rate $rp_eta"
}
# restore_copy_stop: for the caller's undo, a copy still running is stopped (its .partial is then
# removed with the rest of MADE) and qemu-img's percentage file removed
restore_copy_stop() {
  if [ -n "$RESTORE_PID" ]; then
    kill "$RESTORE_PID" 2>/dev/null
    wait "$RESTORE_PID" 2>/dev/null
    RESTORE_PID=''
  fi
  [ -z "$RESTORE_PCT" ] || rm -f -- "$RESTORE_PCT"
}

# A cancel (export-restore-cancel.sh) is honoured only while the disks are copied: nothing but
# .partial files and whole images nobody uses exist then, and the undo removes them. Past the
# copy come `virsh define`, the guest's stop, `virsh start`: a cancel landing there could undo a
# domain just started, so it is ignored and the restore completes (the call's answer says which).
# The request is a file, not a signal, for that reason: the script looks at it only in its copy.
# RESTORE_CANCEL (from the caller's environment; empty: no cancel) is the restore's folder,
# HOSTDIR/restores/ID, relative to $HOME unless absolute.
RESTORE_CANCEL=${RESTORE_CANCEL:-}
# restore_cancel_open: makes RESTORE_CANCEL's folder (the restore is running and can be
# cancelled); exits 64 when the name is invalid or the folder exists (an ID in use)
restore_cancel_open() {
  [ -n "$RESTORE_CANCEL" ] || return 0
  case $RESTORE_CANCEL in /*) ;; *) RESTORE_CANCEL=$HOME/$RESTORE_CANCEL ;; esac
  case ${RESTORE_CANCEL##*/} in
    '' | *[!0-9A-Za-z-]*) RESTORE_CANCEL=''; echo "invalid restore id" >&2; exit 64 ;;
  esac
  mkdir -p -- "${RESTORE_CANCEL%/*}"
  if ! mkdir -- "$RESTORE_CANCEL"; then
    RESTORE_CANCEL=''
    echo "the restore id is in use" >&2
    exit 64
  fi
}
# restore_cancel_check: exit 76 (cancelled) when a cancel was asked for
restore_cancel_check() {
  [ -n "$RESTORE_CANCEL" ] && [ -e "$RESTORE_CANCEL/cancel" ] || return 0
  echo "cancelled during the copy: nothing was changed" >&2
  exit 76
}
# restore_copied: the copies are done; a cancel asked for before this line is still honoured,
# none after it (export-restore-cancel.sh then answers 4). Prints "copied" (the restore runner,
# restore-runner.sh, moves to the next phase on it: Cancel is over).
restore_copied() {
  if [ -n "$RESTORE_CANCEL" ]; then
    : >"$RESTORE_CANCEL/copied"
    restore_cancel_check
  fi
  echo copied
}
# restore_cancel_close: for the caller's exit trap, the restore's folder removed
restore_cancel_close() {
  [ -z "$RESTORE_CANCEL" ] || rm -rf -- "$RESTORE_CANCEL"
}
