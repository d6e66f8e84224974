# shellcheck shell=sh disable=SC2154 # $tmp and cap: capture-lib.sh comes first (gather-script.ts)
# Quiesce history: one domain's snapshots as libvirt knows them, each disk's backing chain, and
# Quiesce's own journals for the domain, in ONE exec. Fed to `sh -s -- URI UUID HOSTDIR`.
# Output: capture lines (capture-lib.sh, prepended by Node); Node merges (history/history.ts).
#
# Snapshot names are the host's, and libvirt refuses only "/" in them: spaces, quotes, ";",
# a leading "--", any Unicode and even line breaks are allowed. So a name never enters virsh's
# own command language (docs/ARCHITECTURE.md, "Host strings never enter virsh's command
# language"): each snapshot's XML is read by a virsh process of its own, the name one argument
# after --snapshotname.
set -u
set -f
URI=$1
UUID=$2
HOSTDIR=$3
case $HOSTDIR in /*) ;; *) HOSTDIR=$HOME/$HOSTDIR ;; esac
# Snapshots read at once: each read is a virsh process (about 25 ms, mostly libvirt's connect).
PARALLEL=8

cap version virsh -c "$URI" version || exit 0
# Line-safe names. `--name` prints each name raw, one a line, so a name with a line break spans
# several lines and cannot be told from several names. virsh's table (the same list in the same
# order) escapes control characters (a line break is "\x0a", a literal "\x" is "\x5cx"), so each
# snapshot is one row there: a row with N "\x0a" says its name is the next N+1 raw lines. The
# name is taken from the raw lines (the table pads and may escape more), the table only counts.
cap list virsh -q -c "$URI" snapshot-list --domain "$UUID" --topological --name || exit 0
cap table virsh -q -c "$URI" snapshot-list --domain "$UUID" --topological || exit 0
awk '/./ { print gsub(/\\x0a/, "&") + 1 }' "$tmp/out.table" >"$tmp/spans"

# snap:I is the XML of the I-th snapshot (topological order). A read that fails (the snapshot was
# deleted meanwhile, or the two listings disagree) is captured too: Node says so, never drops it.
read_snapshot() {
  cap "snap:$1" virsh -c "$URI" snapshot-dumpxml --domain "$UUID" --snapshotname "$2"
}
i=0
exec 3<"$tmp/out.list"
while read -r span; do
  name='' k=0
  while [ "$k" -lt "$span" ]; do
    IFS= read -r line <&3 || break
    if [ "$k" = 0 ]; then name=$line; else name="$name
$line"; fi
    k=$((k + 1))
  done
  read_snapshot "$i" "$name" >"$tmp/snap.$i" &
  i=$((i + 1))
  [ $((i % PARALLEL)) = 0 ] && wait
done <"$tmp/spans"
exec 3<&-
wait
j=0
while [ "$j" -lt "$i" ]; do
  cat "$tmp/snap.$j"
  j=$((j + 1))
done

cap disks virsh -c "$URI" domblklist --domain "$UUID" --details
# Each disk's backing chain with sizes, as libvirt (root) sees it: the SSH user usually cannot
# read the images themselves (libvirt makes them 0600 for QEMU's user).
cap blockstats virsh -c "$URI" domstats --block --backing -- "$UUID"
# Where the images are readable (an offline domain has no live block stats), QEMU's own view.
while IFS= read -r row; do
  # shellcheck disable=SC2086 # split on purpose: the row's first words
  set -- $row
  if [ $# -lt 4 ] || [ "$1" != file ] || [ "$2" != disk ]; then continue; fi
  target=$3
  src=${row#*"$target"}
  src=${src#"${src%%[! ]*}"}
  cap "chain:$target" qemu-img info -U --backing-chain --output=json -- "$src" </dev/null
done <"$tmp/out.disks"
# Quiesce's journals for this domain (every workstation's, failed ones too), found by one grep:
# a host keeps hundreds of them. Operation folders are named [0-9A-Za-z-] (launch.sh refuses
# others), so one path a line is safe.
# shellcheck disable=SC2016 # expanded by that inner sh, from its arguments
cap ops sh -c 'grep -l -F -e "\"uuid\":\"$2\"" "$1"/ops/*/journal.jsonl 2>/dev/null |
  while IFS= read -r f; do
    d=${f%/journal.jsonl}
    echo "@@op ${d##*/}"
    cat "$f"
    echo # a journal without its last line break must not swallow the next header
  done' sh "$HOSTDIR" "$UUID"
exit 0
