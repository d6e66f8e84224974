# shellcheck shell=sh
# Quiesce snapshot runner: freeze -> cut -> thaw for one domain, ON THE HOST, detached from the
# SSH session that started it (launch.sh), so no network round trip ever sits inside the frozen
# window and a dropped link or a dead app cannot leave the guest frozen.
#
# Usage: sh snapshot-runner.sh OPDIR
# KIND "snapshot" cuts a snapshot; KIND "test-freeze" (the agent doctor's test) freezes and thaws
# with the same guards and measures the window, cutting nothing.
#
# OPDIR holds what the app prepared: `args` (named values, `key=value` a line, read and checked
# by read_args; launch.ts writes them from one list of names). The runner writes there:
#   journal.jsonl  one JSON object a line (schema: electron/services/snapshot/journal-line.ts),
#                  a phase at a time, with host clock readings (mono: /proc/uptime in ms, steady
#                  but 10 ms coarse; rt: date in ns). Every value in a line is a checked number,
#                  a fixed word, or base64 ("b64"), so a line is valid JSON whatever it says.
#   made / removed overlay files this operation created / removed (base64 path a line)
#   runner.pid, session.pid, watchdog.pid, freeze-returned, disarmed: the watchdog's handshake
# and appends one line to HOSTDIR/history.jsonl when the operation ends, whatever the outcome.
#
# The promises, and where each is kept (docs/ARCHITECTURE.md, "Rules"):
# - never left frozen: thaw on every exit path (finish), the watchdog (watchdog.sh) stays armed
#   until a thaw is confirmed, and never stops while a freeze may be in flight;
# - labels from confirmed facts only (decide_label);
# - nothing deleted that may be needed (remove_made: only files this run made, only when libvirt
#   says no domain uses them and no job may still be taking them).
OPDIR=${1:-}
cd "$OPDIR" || exit 70
# shellcheck source-path=SCRIPTDIR source=host-lib.sh
. "$OPDIR/host-lib.sh"
runner_start # no unset name, no globbing (paths come from libvirt), private files, the journal
# the one virsh session for freeze, cut and thaw (start_session, send, end_session, count_in)
# shellcheck source-path=SCRIPTDIR source=virsh-session.sh
. "$OPDIR/virsh-session.sh"

# ---------------------------------------------------------------- arguments, by name
OP=invalid URI='' UUID='' NAME='' POLICY='' MAXFREEZE='' AGENT_TIMEOUT='' HOSTDIR='' WORKSTATION='' APPUSER=''
HOLD_MS=0 KIND='' DESCRIPTION='' MEMORY=false
BAD_ARGS_EXTRA=',"snapshotTaken":"no"' # bad_args (host-lib.sh): its result line says no snapshot
# freeze_arg: uri, uuid, policy, maxFreezeS, … (host-lib.sh); description: base64, free text with
# its line breaks; memory: true for a full checkpoint (memory with the disks) of a paused guest
read_args freeze_arg name=NAME hostDir=HOSTDIR kind=KIND description=DESCRIPTION memory=MEMORY
check_freeze_args
case $NAME in [A-Za-z0-9]*) ;; *) bad_args name ;; esac
case $NAME in *[!A-Za-z0-9._-]*) bad_args name ;; esac
[ ${#NAME} -le 64 ] || bad_args name
case $KIND in snapshot | test-freeze) ;; *) bad_args kind ;; esac
case $MEMORY in true | false) ;; *) bad_args memory ;; esac
case $HOSTDIR in /*) ;; *) bad_args hostDir ;; esac
check_folder "$HOSTDIR"
echo $$ >runner.pid

# ---------------------------------------------------------------- facts (decide_label reads these)
MODE=              # live | paused | offline
FREEZE=no          # yes: this run will freeze (the agent said thawed in preflight)
FREEZE_STATE=none  # none | sent | returned | lost (the session died before answering)
FROZEN_N=          # filesystems the freeze reported frozen (a checked number) or empty
CUT_STATE=none     # none | sent | done | failed | unknown
CUT_ANSWERED=0     # the cut's answer came back before the thaw was sent
CUT_MONO=          # host mono when the cut's answer was read
THAWED_N=          # filesystems the thaw reported thawed, or empty
THAW_CONFIRMED=0   # a thaw answered, or the agent said thawed, after the freeze returned
WATCHDOG_FIRST=0   # the watchdog fired before the cut had answered
CRASH_REASON=
FAILED_PHASE=
FAILED_MSG=
LABEL_JSON=
SNAPSHOT_TAKEN=no  # no | yes | unknown | unresolved (libvirt not asked yet)
AGENT_TIMEOUT_SET=0
WATCHDOG=none      # none | armed | disarmed
IN_USE=            # what list_in_use last heard from libvirt
KEPT=

# ---------------------------------------------------------------- files this run made
# No libvirt job may still be working on the domain: a client that died does not stop its job
# (a snapshot being taken may still switch to an overlay that looks unused now).
wait_no_job() {
  i=0
  while [ "$i" -lt 60 ]; do
    ji=$(virsh_ domjobinfo --domain "$UUID" 2>&1) || return 1
    case $ji in *"Job type:"*None*) return 0 ;; *"Job type:"*) ;; *) return 1 ;; esac
    sleep 1 3>&- 4<&- 5>&- 6<&- 9>&-
    i=$((i + 1))
  done
  return 1
}

# resolve_cut: the cut's answer was not a clear success (session died, signal, garbage, an
# error): ask libvirt whether the snapshot exists before anything is decided or removed.
resolve_cut() {
  case $CUT_STATE in
    none) SNAPSHOT_TAKEN=no; return 0 ;;
    done) SNAPSHOT_TAKEN=yes; return 0 ;;
  esac
  [ "$SNAPSHOT_TAKEN" = unresolved ] || return 0
  SNAPSHOT_TAKEN=unknown
  wait_no_job || return 0
  if virsh_ snapshot-info --domain "$UUID" --snapshotname "$NAME" >/dev/null 2>&1; then
    SNAPSHOT_TAKEN=yes
    return 0
  fi
  list_in_use || return 0
  if any_in_use planned; then SNAPSHOT_TAKEN=yes; else SNAPSHOT_TAKEN=no; fi
}

# remove_made DIR: removes the overlays an operation made (DIR/made), each only if libvirt, just
# asked (list_in_use), says no domain uses it. What it keeps, it says in $KEPT. When all are
# gone, `made` becomes `made.done` so no later run looks at it again.
remove_made() {
  d=$1
  left=0
  [ -e "$d/made" ] || return 0
  while IFS= read -r f; do
    grep -qxF "$f" "$d/removed" 2>/dev/null && continue
    decodev "$f"
    p=$DECODED
    [ -n "$p" ] || continue
    if is_in_use "$p"; then
      KEPT="$p is in use"
      left=1
      continue
    fi
    if [ ! -e "$p" ] || rm -f -- "$p" 9>&-; then
      echo "$f" >>"$d/removed"
      if [ "$d" = "$OPDIR" ]; then
        journal overlay "\"act\":\"removed\",\"b64\":\"$f\""
      else
        b64v "${d##*/}"
        journal orphan-removed "\"b64\":\"$f\",\"from\":\"$B64\""
      fi
    else
      KEPT="$p could not be removed"
      left=1
    fi
  done <"$d/made"
  [ "$left" = 0 ] && mv -f "$d/made" "$d/made.done" 2>/dev/null
  return 0
}

# Overlays that earlier runs of this domain made and never removed (runners killed before they
# could). Their runners are dead: this run holds the domain's lock. A file some domain uses (the
# killed run's cut landed after all) is kept.
clean_orphans() { each_earlier_op has_made remove_made; }
# each_earlier_op TEST ACTION: runs ACTION FOLDER for each earlier operation of this domain for
# which TEST FOLDER holds, once libvirt has said which files are in use (else for none)
each_earlier_op() {
  earlier_ops "$1"
  [ -n "$EARLIER" ] || return 0
  wait_no_job && list_in_use || return 0
  IFS=$NL
  for op_dir in $EARLIER; do
    IFS=$IFS_SAVE
    "$2" "$op_dir"
  done
  IFS=$IFS_SAVE
}
# earlier_ops TEST: EARLIER = the folders of this domain's earlier operations for which the
# function TEST FOLDER holds, one a line
earlier_ops() {
  EARLIER=
  [ -d "$HOSTDIR/ops" ] || return 0
  set +f # the one glob: operation folders (launch.sh names them with [0-9A-Za-z-] only)
  for d in "$HOSTDIR"/ops/*; do
    set -f
    if [ "$d" = "$OPDIR" ] || ! "$1" "$d"; then continue; fi
    grep -qxF "uuid=$UUID" "$d/args" 2>/dev/null || continue
    EARLIER="$EARLIER$d$NL"
  done
}
# shellcheck disable=SC2317 # a TEST for earlier_ops
has_made() { [ -s "$1/made" ]; }
# any_in_use FILE: a domain uses one of the paths in FILE (base64 a line), as $IN_USE says
any_in_use() {
  [ -e "$1" ] || return 1
  while IFS= read -r f; do
    decodev "$f"
    if [ -n "$DECODED" ] && is_in_use "$DECODED"; then return 0; fi
  done <"$1"
  return 1
}

# ---------------------------------------------------------------- the snapshot's metadata
# The cut goes with --no-metadata, so libvirt writing its snapshot file (a few ms of disk I/O)
# is not inside the frozen window; right after the thaw the same snapshot is recorded with
# --redefine --current from redefine.xml. That file is written before the cut, so a run that
# dies in between leaves what the next run of this domain needs to record it.
NOMETA=0
# plan_metadata: writes redefine.xml (needs the live definition and the current snapshot's name,
# both read before the freeze); without them, the cut keeps libvirt's own metadata.
plan_metadata() {
  case $LIVE_XML in "<domain"*) ;; *) return 1 ;; esac
  if parent=$(virsh_ snapshot-current --domain "$UUID" --name 2>&1); then
    parent_xml="<parent><name>$(xml_escape "$parent")</name></parent>"
  else
    case $parent in *"no current snapshot"*) parent_xml= ;; *) return 1 ;; esac
  fi
  now_rt
  snap_state=disk-snapshot
  [ "$MEMORY" = true ] && snap_state=paused
  printf '%s%s%s%s%s%s\n' \
    "<domainsnapshot><name>$NAME</name><description>$DESC</description>" \
    "<state>$snap_state</state><creationTime>${RT%?????????}</creationTime>" \
    "$parent_xml" "$MEMORY_XML<disks>$DISKS_XML</disks>" \
    "$LIVE_XML" "</domainsnapshot>" >redefine.xml || return 1
  NOMETA=1
}
# redefine DIR: records DIR's cut (DIR/redefine.xml) as libvirt's current snapshot; `redefined`
# marks it done. REDEFINE_OUT says what libvirt answered.
redefine() {
  if REDEFINE_OUT=$(virsh_ snapshot-create --domain "$UUID" --xmlfile "$1/redefine.xml" --redefine --current 2>&1) ||
    virsh_ snapshot-info --domain "$UUID" --snapshotname "$2" >/dev/null 2>&1; then
    : >"$1/redefined"
    return 0
  fi
  return 1
}
# record_metadata: this run's cut, once it is known to have happened.
METADATA_TRIED=0
record_metadata() {
  [ "$NOMETA" = 1 ] && [ "$SNAPSHOT_TAKEN" = yes ] && [ ! -e redefined ] && [ "$METADATA_TRIED" = 0 ] || return 0
  METADATA_TRIED=1
  phase metadata running
  if redefine "$OPDIR" "$NAME"; then
    phase metadata 'done'
    return 0
  fi
  fail metadata "libvirt did not record the snapshot ($REDEFINE_OUT). Its files are in use and kept; the next operation on this domain records it again"
  return 1
}
# record_earlier_metadata: cuts of earlier runs of this domain that ended before recording them
# (killed between the cut and the redefine). Their runners are dead: this run holds the lock.
# A cut is known to have happened when a domain uses one of the overlays it planned.
record_earlier_metadata() { each_earlier_op metadata_pending record_cut_of; }
# shellcheck disable=SC2317 # an ACTION for each_earlier_op
record_cut_of() {
  name=$(sed -n 's/^name=//p' "$1/args")
  if ! any_in_use "$1/planned"; then
    : >"$1/no-cut" # its cut never switched a disk: nothing to record
  elif redefine "$1" "$name"; then
    b64v "${1##*/}"
    from=$B64
    b64v "$name"
    journal metadata "\"act\":\"recorded\",\"b64\":\"$B64\",\"from\":\"$from\""
  else
    b64v "${1##*/}"
    from=$B64
    b64v "$name: $REDEFINE_OUT"
    journal metadata "\"act\":\"failed\",\"b64\":\"$B64\",\"from\":\"$from\""
  fi
}
# shellcheck disable=SC2317 # a TEST for earlier_ops
metadata_pending() { [ -s "$1/redefine.xml" ] && [ ! -e "$1/redefined" ] && [ ! -e "$1/no-cut" ]; }

# ---------------------------------------------------------------- the label, from facts only
# Quiesced only when everything says so: the freeze froze N > 0 filesystems, the cut answered
# (success, or libvirt shows it) before the thaw was sent, the thaw thawed the same N, and the
# watchdog had not fired before the cut answered. Anything less is crash-consistent, with why.
# shellcheck disable=SC2317 # called from finish, which the EXIT trap runs
decide_label() {
  LABEL_JSON=
  if [ "$KIND" = snapshot ]; then
    why_not_quiesced "libvirt shows the snapshot, but not that it was cut while frozen"
  else
    why_not_quiesced ''
  fi
  if [ "$KIND" = test-freeze ]; then
    [ "$FREEZE" = yes ] && [ -z "$WHY_NOT" ] && LABEL_JSON="\"label\":\"test-freeze\",\"filesystems\":$FROZEN_N"
    return 0
  fi
  [ "$SNAPSHOT_TAKEN" = yes ] || return 0
  case $MODE in
    offline) LABEL_JSON="\"label\":\"offline\""; return 0 ;;
    paused)
      if [ "$MEMORY" = true ]; then LABEL_JSON="\"label\":\"checkpoint\""; return 0; fi
      WHY_NOT="the guest was paused: its unwritten data and filesystem journal were in its memory, not on its disks"
      ;;
  esac
  if [ "$FREEZE" = yes ] && [ -z "$WHY_NOT" ]; then
    LABEL_JSON="\"label\":\"quiesced\",\"filesystems\":$FROZEN_N"
  else
    b64v "${WHY_NOT:-${CRASH_REASON:-no freeze}}"
    LABEL_JSON="\"label\":\"crash-consistent\",\"b64\":\"$B64\""
  fi
}

# ---------------------------------------------------------------- every way out
# Whatever happens, the guest is thawed if this run may have frozen it, the watchdog stays armed
# unless a thaw is confirmed, nothing that may be in use is removed, and the outcome is recorded.

# shellcheck disable=SC2317 # run by the EXIT trap
finish() {
  status=$?
  trap '' HUP INT TERM # the way out is not interrupted again
  trap - EXIT
  thaw_on_exit
  [ "$CUT_STATE" = sent ] && [ -n "$VIRSH_PID" ] && kill -TERM "$VIRSH_PID" 2>/dev/null
  end_session
  if [ -z "$FAILED_PHASE" ] && [ "$status" != 0 ]; then
    fail runner "the runner stopped unexpectedly (${SIGNAL:-exit status $status})"
  fi
  resolve_cut
  record_metadata
  KEPT=
  if [ -s made ]; then
    if [ "$SNAPSHOT_TAKEN" = no ] && list_in_use; then
      remove_made "$OPDIR"
    elif [ "$SNAPSHOT_TAKEN" = no ]; then
      KEPT="libvirt could not be asked which files are in use"
    elif [ "$SNAPSHOT_TAKEN" = yes ]; then
      mv -f made made.used
    else
      KEPT="whether the snapshot was taken is unknown"
    fi
    if [ -n "$KEPT" ]; then
      b64v "$KEPT"
      journal overlay "\"act\":\"kept\",\"b64\":\"$B64\""
    fi
  fi
  decide_label
  if [ -z "$FAILED_PHASE" ] && [ -z "$LABEL_JSON" ]; then
    fail verify "the outcome could not be confirmed${WHY_NOT:+: $WHY_NOT}"
  fi
  # A snapshot the policy did not allow (it required quiesced) is kept, said so, and not a success.
  if [ -z "$FAILED_PHASE" ] && [ "$POLICY" = require ] && [ "$MODE" = live ] && [ -n "$WHY_NOT" ]; then
    fail cut "the snapshot was taken but is not quiesced: $WHY_NOT"
  fi
  journal_result "\"snapshotTaken\":\"$SNAPSHOT_TAKEN\",$LABEL_JSON" \
    "\"snapshotTaken\":\"$SNAPSHOT_TAKEN\"${LABEL_JSON:+,\"outcome\":{$LABEL_JSON\}}"
  # libvirt's default agent timeout again, if this run changed it (never another run's)
  [ "$AGENT_TIMEOUT_SET" = 1 ] && virsh_ guest-agent-timeout --domain "$UUID" --timeout -2 >/dev/null 2>&1
  hist_ok=false
  [ -z "$FAILED_PHASE" ] && hist_ok=true
  now_rt
  printf '{"op":"%s","kind":"%s","uuid":"%s","snapshot":"%s","ok":%s,"rt":%s}\n' "$OP" "$KIND" "$UUID" "$NAME" \
    "$hist_ok" "$RT" >>"$HOSTDIR/history.jsonl"
  journal end
  exit 0
}
on_exit finish
# the wall clock on fds 5 and 6 (host-lib.sh): a journal line's reading is no process, nor are the
# window's two around the freeze and the thaw
clock_start
# Journaled only now that every way out goes through finish: a run that says it started always
# records how it ended.
b64v "$WORKSTATION"
ws=$B64
b64v "$APPUSER"
journal start "\"kind\":\"$KIND\",\"uuid\":\"$UUID\",\"snapshot\":\"$NAME\",\"policy\":\"$POLICY\",\"pid\":$$,\"maxFreezeS\":$MAXFREEZE,\"workstation\":\"$ws\",\"user\":\"$B64\""

# ---------------------------------------------------------------- lock (one operation per domain)
phase lock running
take_domain_lock "$OP"
phase lock 'done'

# ---------------------------------------------------------------- preflight
phase preflight running
state=$(virsh_ domstate --domain "$UUID" 2>&1) || { fail preflight "$state"; exit 1; }
case $state in
  running*) MODE=live ;;
  paused*) MODE=paused ;;
  "shut off"*) MODE=offline ;;
  *) fail preflight "the domain is $state: a snapshot cannot be taken now"; exit 1 ;;
esac
if [ "$MODE" = live ]; then
  freeze_status
  case $FSTATUS in
    frozen) fail preflight "the guest is already frozen (another tool, or an earlier run): thaw it first"; exit 1 ;;
    thawed) FREEZE=yes ;;
    *)
      if [ "$POLICY" = require ] || [ "$KIND" = test-freeze ]; then
        fail preflight "the guest agent cannot freeze this guest, and a quiesced snapshot is required: $FSTATUS_OUT"
        exit 1
      fi
      CRASH_REASON="guest agent unavailable: $FSTATUS_OUT"
      ;;
  esac
fi
# A full checkpoint saves the guest's memory with its disks: taken of a paused guest only (saving
# a running guest's memory would stop it for as long as the save takes, far past any freeze).
if [ "$MEMORY" = true ] && { [ "$MODE" != paused ] || [ "$KIND" != snapshot ]; }; then
  fail preflight "a full checkpoint (memory and disks) is taken of a paused guest only, and the guest is $state: pause it, or take a disk-only snapshot"
  exit 1
fi
# A paused guest's checkpoint holds its unwritten data and journal in the memory image, so it is
# consistent without a freeze; a disk-only snapshot of it is not.
if [ "$MODE" = paused ] && [ "$MEMORY" != true ] && { [ "$POLICY" = require ] || [ "$KIND" = test-freeze ]; }; then
  fail preflight "the guest is paused: its agent cannot freeze it, and a quiesced snapshot is required. Resume it, or allow a crash-consistent snapshot"
  exit 1
fi
phase preflight 'done' "$MODE"

# ---------------------------------------------------------------- prepare (everything slow, before any freeze)
# plan_disk TYPE DEVICE TARGET SOURCE (each_disk, host-lib.sh): the cut's plan for one disk, its
# overlay named; a disk that is not a file ends the run (Quiesce snapshots file-backed disks only)
# shellcheck disable=SC2317 # called by each_disk
plan_disk() {
  type=$1 device=$2 target=$3 src=$4
  if [ "$device" != disk ]; then
    DISKS_XML="$DISKS_XML<disk name='$(xml_escape "$target")' snapshot='no'/>"
    return 0
  fi
  if [ "$type" != file ] || [ "$src" = - ]; then
    fail prepare "disk $target is a $type disk: Quiesce snapshots file-backed disks only"; exit 1
  fi
  # <folder>/<image name up to its first dot>.<snapshot>.qcow2: data.qcow2 -> data.before-upgrade.qcow2,
  # and the next snapshot on top of that overlay is data.<next>.qcow2, not a growing name.
  dir=${src%/*}
  root=${src##*/}
  root=${root%%.*}
  overlay="$dir/$root.$NAME.qcow2"
  if [ -e "$overlay" ]; then fail prepare "$overlay already exists"; exit 1; fi
  # what this cut will switch the disk to, whoever creates the file: how a cut whose answer
  # was lost is recognized (resolve_cut, and the next run for the metadata)
  b64v "$overlay"
  printf '%s\n' "$B64" >>planned
  [ -w "$dir" ] || REUSE=no
  PLAN="$PLAN$target$NL$src$NL$overlay$NL"
  DISKS_XML="$DISKS_XML<disk name='$(xml_escape "$target")' snapshot='external'><driver type='qcow2'/><source file='$(xml_escape "$overlay")'/></disk>"
  b64v "$target"
  DISKS_JSON="$DISKS_JSON${DISKS_JSON:+,}{\"target\":\"$B64\""
  b64v "$src"
  DISKS_JSON="$DISKS_JSON,\"backing\":\"$B64\""
  b64v "$overlay"
  DISKS_JSON="$DISKS_JSON,\"overlay\":\"$B64\"}"
}
phase prepare running
record_earlier_metadata
clean_orphans
if [ "$KIND" = snapshot ]; then
  disks=$(virsh_ domblklist --domain "$UUID" --details 2>&1) || { fail prepare "$disks"; exit 1; }
  LIVE_XML=$(virsh_ dumpxml --domain "$UUID" 2>/dev/null)
  DISKS_XML=
  DISKS_JSON=
  REUSE=yes
  command -v qemu-img >/dev/null 2>&1 || REUSE=no
  PLAN=
  each_disk "$disks" plan_disk
  if [ -z "$DISKS_JSON" ]; then fail prepare "the domain has no file-backed disk to snapshot"; exit 1; fi
  # the memory image of a full checkpoint: beside the first disk's overlay, named like it
  MEMORY_XML="<memory snapshot='no'/>"
  if [ "$MEMORY" = true ]; then
    IFS=$NL
    # shellcheck disable=SC2086 # split on purpose: IFS is a line break here
    set -- $PLAN
    IFS=$IFS_SAVE
    MEMFILE=${3%.qcow2}.mem
    if [ -e "$MEMFILE" ]; then fail prepare "$MEMFILE already exists"; exit 1; fi
    MEMORY_XML="<memory snapshot='external' file='$(xml_escape "$MEMFILE")'/>"
  fi
  # Pre-create every overlay (so libvirt only switches to it inside the freeze), or none.
  if [ "$REUSE" = yes ]; then
    IFS=$NL
    # shellcheck disable=SC2086 # split on purpose: IFS is a line break here
    set -- $PLAN
    IFS=$IFS_SAVE
    while [ $# -ge 3 ] && [ "$REUSE" = yes ]; do
      target=$1 src=$2 overlay=$3
      shift 3
      # Format and size from libvirt, not from the image: after a first snapshot the top image
      # belongs to QEMU's user (0600) and the SSH user cannot open it; -u skips opening it.
      fmt=$(printf '%s\n' "$LIVE_XML" | awk -v t="$target" '
        /<disk /{ d = 1; f = "" }
        d && /<driver / && f == "" { if (match($0, /type=.[a-z0-9]+/)) f = substr($0, RSTART + 6, RLENGTH - 6) }
        d && /<target / && index($0, "dev=\047" t "\047") { print f; exit }
        /<\/disk>/ { d = 0 }')
      size=$(virsh_ domblkinfo --domain "$UUID" --device "$target" 2>/dev/null | awk '/^Capacity:/ { print $2 }')
      if ! is_uint "$size" || [ -z "$fmt" ]; then REUSE=no; break; fi
      # recorded before it exists: a run killed in between still leaves a trace to clean up
      b64v "$overlay"
      f=$B64
      echo "$f" >>made
      if qemu-img create -q -u -f qcow2 -F "$fmt" -b "$src" "$overlay" "$size" >/dev/null 2>&1 9>&-; then
        journal overlay "\"act\":\"created\",\"b64\":\"$f\""
      else
        REUSE=no
      fi
    done
    # Mixed or impossible pre-creation: libvirt creates every overlay itself (as root).
    if [ "$REUSE" = no ] && [ -s made ]; then
      KEPT=
      list_in_use && remove_made "$OPDIR"
      if [ -s made ]; then fail prepare "a pre-created overlay could not be removed: ${KEPT:-libvirt could not be asked}"; exit 1; fi
    fi
  fi
  # the description exactly as given (a trailing line break too), XML-escaped here only
  if unb64_plain "$DESCRIPTION"; then DESC=${UNB64}x; else DESC=$(decode "$DESCRIPTION"; echo x); fi
  DESC=$(xml_escape "${DESC%x}"; echo x)
  DESC=${DESC%x}
  memory_xml=
  [ "$MEMORY" = true ] && memory_xml=$MEMORY_XML
  printf '<domainsnapshot><name>%s</name><description>%s</description>%s<disks>%s</disks></domainsnapshot>\n' \
    "$NAME" "$DESC" "$memory_xml" "$DISKS_XML" >snapshot.xml
  SNAP_FLAGS="--disk-only --atomic"
  [ "$MEMORY" = true ] && SNAP_FLAGS="--atomic"
  [ "$REUSE" = yes ] && SNAP_FLAGS="$SNAP_FLAGS --reuse-external"
  plan_metadata && SNAP_FLAGS="$SNAP_FLAGS --no-metadata"
  overlays=libvirt
  [ "$REUSE" = yes ] && overlays=precreated
  journal disks "\"disks\":[$DISKS_JSON],\"overlays\":\"$overlays\""
fi
# A hung agent must not block the thaw forever: bound every agent call of this domain (libvirt
# otherwise waits as long as the agent hangs, and a killed client does not release the domain).
if [ "$FREEZE" = yes ]; then
  virsh_ guest-agent-timeout --domain "$UUID" --timeout "$AGENT_TIMEOUT" >/dev/null 2>&1 && AGENT_TIMEOUT_SET=1
fi
start_session || { fail prepare "could not start virsh: $OUT"; exit 1; }
phase prepare 'done'

# ---------------------------------------------------------------- freeze -> cut -> thaw
# cut: the snapshot, in the session. CUT_ANSWERED says its answer came back (so its effect, if
# any, happened before whatever is sent next).
cut() {
  SNAPSHOT_TAKEN=unresolved # until its answer says done, or libvirt is asked
  send_cut "snapshot-create $UUID snapshot.xml $SNAP_FLAGS" "Domain snapshot $NAME created"
  [ "$CUT_STATE" = 'done' ] && SNAPSHOT_TAKEN=yes
}
if [ "$FREEZE" = yes ]; then
  # the doctor's test freeze cuts nothing: freeze_cut_thaw then fails a freeze that froze nothing
  if [ "$KIND" = snapshot ]; then freeze_cut_thaw cut; else freeze_cut_thaw ''; fi
fi
if [ "$FREEZE" != yes ] && [ "$KIND" = snapshot ]; then
  cut
  [ "$CUT_STATE" = 'done' ] && phase cut 'done' "$CUT_OUT"
fi
# The cut's outcome, when its answer was not a clear success, from libvirt (outside the window).
if [ "$KIND" = snapshot ]; then
  end_session
  resolve_cut
  if [ "$SNAPSHOT_TAKEN" != yes ]; then
    fail cut "${CUT_OUT:-the cut did not answer}"
    exit 1
  fi
  record_metadata || exit 1
fi

# ---------------------------------------------------------------- verify
phase verify running
end_session
if [ "$FREEZE" = yes ]; then
  freeze_status
  [ "$FSTATUS" = thawed ] || { fail verify "the guest does not report thawed after the operation: $FSTATUS_OUT"; exit 1; }
fi
if [ "$KIND" = snapshot ]; then
  info=$(virsh_ snapshot-info --domain "$UUID" --snapshotname "$NAME" 2>&1) || { fail verify "the snapshot is not listed: $info"; exit 1; }
fi
phase verify 'done'
exit 0
