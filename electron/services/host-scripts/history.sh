# Quiesce history: one domain's snapshots as libvirt knows them, each disk's backing chain, and
# Quiesce's own journals for the domain, in ONE exec. Fed to `sh -s -- URI UUID HOSTDIR`.
# Output: capture lines (capture-lib.sh, prepended by Node); Node merges (history/history.ts).
set -u
set -f
URI=$1
UUID=$2
HOSTDIR=$3
case $HOSTDIR in /*) ;; *) HOSTDIR=$HOME/$HOSTDIR ;; esac

cap version virsh -c "$URI" version || exit 0
cap list virsh -q -c "$URI" snapshot-list "$UUID" --name --topological || exit 0
# Every snapshot's XML through one virsh process (one libvirt connection).
sed -e '/^$/d' -e "s/^/snapshot-dumpxml $UUID /" "$tmp/out.list" >"$tmp/xml-commands"
cap xml sh -c 'virsh -q -c "$1" <"$2"' sh "$URI" "$tmp/xml-commands"
cap disks virsh -c "$URI" domblklist "$UUID" --details
# Each disk's backing chain with sizes, as libvirt (root) sees it: the SSH user usually cannot
# read the images themselves (libvirt makes them 0600 for QEMU's user).
cap blockstats virsh -c "$URI" domstats "$UUID" --block --backing
# Where the images are readable (an offline domain has no live block stats), QEMU's own view.
IFS='
'
for row in $(cat "$tmp/out.disks"); do
  IFS=' '
  set -- $row
  IFS='
'
  [ $# -ge 4 ] && [ "$1" = file ] && [ "$2" = disk ] || continue
  target=$3
  src=${row#*"$target"}
  src=${src#"${src%%[! ]*}"}
  cap "chain:$target" qemu-img info -U --backing-chain --output=json "$src"
done
# Quiesce's journals for this domain (every workstation's, failed ones too).
cap ops sh -c 'for f in "$1"/ops/*/journal.jsonl; do
  [ -f "$f" ] || continue
  grep -q "\"uuid\":\"$2\"" "$f" || continue
  d=${f%/journal.jsonl}
  echo "@@op ${d##*/}"
  cat "$f"
  echo # a journal without its last line break must not swallow the next header
done' sh "$HOSTDIR" "$UUID"
exit 0
