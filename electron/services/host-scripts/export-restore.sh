# shellcheck shell=sh
# Restores one complete export as a new domain: `sh -c "$(cat export-restore.sh)" sh URI
# EXPORTFOLDER TODIR XMLB64 START [TARGET FILE IMAGE]...` (the app reads the manifest, chooses the
# new name and UUID and writes the definition: no interface, the disks pointing at the IMAGEs).
# Each disk's chain (the export and the exports below it) becomes one standalone qcow2 image
# (`qemu-img convert`, written as IMAGE.partial and renamed once whole), then the definition is
# defined in libvirt and, with START=1, started. Nothing is overwritten: an IMAGE that exists
# already, a folder that is not one, or too little room (`qemu-img measure`) stops it before any
# copy (exit 65, 66, 67). Any later failure removes every image it made and undefines the domain.
# Prints "disk TARGET IMAGE", then "defined UUID", then "started" when asked to start.
# With RESTORE_CANCEL in its environment (HOSTDIR/restores/ID), export-restore-cancel.sh ID stops
# it while it copies (exit 76, every image removed, nothing defined); after the copy it completes.
# An export's files are opened by `qemu-img convert` before it copies: a prune deleting them
# meanwhile takes the names away, not the data being read.
set -u
set -f
uri=$1 folder=$2 todir=$3 xml64=$4 start=$5
shift 5
[ -s "$folder/manifest.json" ] || { echo "no complete export in $folder" >&2; exit 3; }
if ! [ -d "$todir" ] || ! [ -w "$todir" ]; then
  echo "$todir is not a folder this user can write to" >&2
  exit 65
fi
restore_disk_list "$@"

# every check before the first byte is written (restore-lib.sh, in front of this script)
# shellcheck disable=SC2034 # NEED is restore-lib.sh's (in front of this script)
NEED=0 MADE=''
restore_each restore_disk_check "$@"
restore_room

defined='' done=0
undo() {
  restore_cancel_close
  [ "$done" = 1 ] && return
  [ -z "$defined" ] || virsh -q -c "$uri" undefine -- "$defined" >/dev/null 2>&1 || true
  restore_copy_stop # a copy under way (restore-lib.sh)
  printf '%s' "$MADE" | while IFS= read -r p; do
    [ -n "$p" ] && rm -f -- "$p" "$p.partial"
  done
}
trap undo EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP
# a dropped link (the app can no longer learn the outcome; the copy's progress lines then meet a
# closed pipe) undoes it like any failure, instead of dying with the copy still writing
trap 'exit 141' PIPE

# cancellable while it copies, and only then (restore-lib.sh): exit 76, nothing left
restore_cancel_open
restore_each restore_disk_copy "$@"
restore_copied

xml=$(mktemp) || exit 1
MADE=$MADE$xml$RESTORE_NL
printf '%s' "$xml64" | base64 -d >"$xml" || { echo "invalid definition" >&2; exit 64; }
uuid=$(sed -n 's:.*<uuid>\([0-9a-fA-F-]*\)</uuid>.*:\1:p' "$xml" | head -n 1)
[ -n "$uuid" ] || { echo "the definition has no UUID" >&2; exit 64; }
out=$(virsh -q -c "$uri" define -- "$xml" 2>&1) || { echo "virsh define: $out" >&2; exit 1; }
defined=$uuid
rm -f -- "$xml"
echo "defined $uuid"
if [ "$start" = 1 ]; then
  # the last step: a signal (or a dropped link at the line below) must not run the undo on a
  # guest that may run by then (undefined, its images removed under it): from here it finishes,
  # and a failed start is still undone
  trap '' TERM INT HUP PIPE
  out=$(virsh -q -c "$uri" start -- "$uuid" 2>&1) || { echo "virsh start: $out" >&2; exit 1; }
  done=1
  echo started
fi
done=1
