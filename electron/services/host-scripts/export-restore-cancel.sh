# shellcheck shell=sh
# Asks a restore from an export (export-restore.sh, export-restore-original.sh, run with
# RESTORE_CANCEL=HOSTDIR/restores/ID) to stop: `sh -c "$(cat export-restore-cancel.sh)" sh HOSTDIR
# ID`. The restore sees the `cancel` file at its next look at the copy (within 0.5 s), stops it
# and removes every image it made (exit 76). It looks only while it copies (restore-lib.sh):
# after that it completes. Exit 3: no such restore running (ended, or never began its copy);
# 4: its disks are copied, it is finishing and can no longer be cancelled.
d=$1
case $d in /*) ;; *) d=$HOME/$d ;; esac
case $2 in '' | *[!0-9A-Za-z-]*) echo "invalid restore id" >&2; exit 64 ;; esac
o=$d/restores/$2
[ -d "$o" ] || exit 3
[ -e "$o/copied" ] && exit 4
: >"$o/cancel" 2>/dev/null || exit 3 # gone meanwhile: it ended
