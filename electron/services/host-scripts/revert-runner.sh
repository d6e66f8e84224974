# shellcheck shell=sh
# Quiesce revert runner: brings one domain back to a snapshot (or to a discarded branch) on a
# libvirt that cannot revert external snapshots itself, ON THE HOST, detached like the snapshot
# runner (launch.sh starts it with setsid; the app follows journal.jsonl).
#
# Usage: sh revert-runner.sh OPDIR, OPDIR = REVERTDIR/ops/OP where REVERTDIR = HOSTDIR/reverts
# (revert operations live apart from snapshot operations: their own journal schema,
# electron/services/revert/revert-journal.ts, and their overlays are settled only by this runner).
#
# The app prepared (electron/services/revert/revert-plan.ts):
#   args        name=value lines (read_args)
#   plan        one disk a line: TARGET FORMAT FROZEN-B64 OVERLAY-B64 (the snapshot's frozen image
#               of that disk, and the new overlay to create on top of it)
#   before.xml  the persistent definition the plan was made from (virsh dumpxml --inactive
#               --security-info), byte for byte
#   after.xml   the same definition with those disks pointed at the new overlays (edited with an
#               XML parser in the app, not with sed here)
#   branch.json the discarded branch this revert leaves (one JSON object, no line break)
# Steps, each journaled before and after, each leaving a domain that is defined and points only
# at files that exist:
#   lock → settle earlier reverts → preflight → prepare (create overlays) → stop → switch
#   (virsh define after.xml, only if the definition is still before.xml) → branch (recorded in
#   HOSTDIR/branches/UUID.jsonl) → current → start → verify
# Procedure libvirt (args procedure=libvirt, libvirt ≥ 9.9, a snapshot target: the app decides,
# electron/services/revert/revert-procedure.ts): the same lock, journal and settling, but after
# the stop the left state is kept as a snapshot (keep: plan lines are TARGET FORMAT TOP-B64
# KEEP-OVERLAY-B64) and libvirt's own `snapshot-revert` is the switch; after.xml is not used.
# The switch is the commit point: a run that dies before it is rolled back (its overlays removed,
# the guest started again if it was running), one that dies after it is finished (branch
# recorded, guest started). Who does that: this run's exit trap when it can, else the next revert
# run of the domain, or an explicit recover run (MODE=recover), from the files above and the
# markers beside them (made, was-running, switched, branch-recorded, settled).
OPDIR=${1:-}
cd "$OPDIR" || exit 70
# shellcheck source-path=SCRIPTDIR source=host-lib.sh
. "$OPDIR/host-lib.sh"
runner_start
progress() { journal progress "\"phase\":\"$1\",\"b64\":\"$(b64 "$2")\""; }

# ---------------------------------------------------------------- arguments, by name
OP=invalid URI='' UUID='' REVERTDIR='' MODE='' TARGET='' TARGET_KIND='' ALLOW_FORCE=0 STOP_TIMEOUT=''
AGENT_TIMEOUT='' WORKSTATION='' APPUSER='' BOOT_WAIT=60 PROCEDURE=quiesce
BAD_ARGS_EXTRA=',"outcome":"untouched"' # bad_args (host-lib.sh): nothing was touched
# target: base64, a snapshot's name or a branch's id; current: base64, the snapshot to make
# current afterwards (make_current reads it from the args of whichever revert it settles)
read_args uri=URI uuid=UUID hostDir=REVERTDIR mode=MODE target=TARGET targetKind=TARGET_KIND \
  current=CURRENT allowForce=ALLOW_FORCE stopTimeoutS=STOP_TIMEOUT bootWaitS=BOOT_WAIT \
  procedure=PROCEDURE agentTimeoutS=AGENT_TIMEOUT workstation=WORKSTATION user=APPUSER
[ -n "$URI" ] || bad_args uri
is_uuid "$UUID" || bad_args uuid
case $MODE in revert | recover) ;; *) bad_args mode ;; esac
case $TARGET_KIND in snapshot | branch | none) ;; *) bad_args targetKind ;; esac
case $ALLOW_FORCE in 0 | 1) ;; *) bad_args allowForce ;; esac
case $PROCEDURE in quiesce | libvirt) ;; *) bad_args procedure ;; esac
[ "$PROCEDURE" = libvirt ] && [ "$MODE" = revert ] && [ "$TARGET_KIND" != snapshot ] && bad_args "procedure libvirt reverts snapshots only"
in_range "$STOP_TIMEOUT" 1 3600 || bad_args stopTimeoutS
in_range "$BOOT_WAIT" 0 3600 || bad_args bootWaitS
in_range "$AGENT_TIMEOUT" 1 600 || bad_args agentTimeoutS
check_kind_folder "$REVERTDIR" reverts # and HOSTDIR
echo $$ >runner.pid

domstate() { STATE=$(virsh_ domstate "$UUID" 2>&1) || STATE="unknown: $STATE"; }

# this domain's persistent definition names FILE as a disk
defined_uses() {
  rows=$(virsh_ domblklist "$UUID" --details --inactive 2>/dev/null) || return 2
  IFS=$NL
  for l in $rows; do
    case $l in *" $1") IFS=$IFS_SAVE; return 0 ;; esac
  done
  IFS=$IFS_SAVE
  return 1
}

# ---------------------------------------------------------------- settling a revert (this one or an earlier one)
# settle DIR: DIR's revert ended (or died) without being settled. Switched (its overlays are the
# persistent definition's disks) → finish: record its branch, make its target current, start the
# guest if it was running. Not switched → roll back: remove the overlays it made (only those no
# domain uses), start the guest if it was running. Sets SETTLED to finished | rolled-back, or
# leaves it empty when libvirt could not be asked (then nothing is touched, the next run retries).
SETTLED=
settle() {
  d=$1
  SETTLED=
  [ -e "$d/settled" ] && { SETTLED=$(cat "$d/settled"); return 0; }
  switched=no
  if [ -e "$d/libvirt-revert" ]; then
    # libvirt's own revert (procedure libvirt) makes its target the current snapshot; before
    # it, the current one is the snapshot that kept the left state
    cur=$(virsh_ snapshot-current --domain "$UUID" --name 2>/dev/null) || return 1
    [ -n "$cur" ] && [ "$cur" = "$(decode "$(sed -n 's/^target=//p' "$d/args")")" ] && switched=yes
  elif [ -s "$d/plan" ]; then
    while IFS="$TAB" read -r _t _f _fr ov; do
      p=$(decode "$ov")
      [ -n "$p" ] || continue
      defined_uses "$p"
      case $? in 0) switched=yes ;; 2) return 1 ;; esac
    done <"$d/plan"
  fi
  if [ "$switched" = yes ]; then
    [ -e "$d/switched" ] || : >"$d/switched"
    record_branch "$d"
    make_current "$d"
    restart_if_was_running "$d"
    echo finished >"$d/settled"
    SETTLED=finished
  else
    list_in_use || return 1
    left=
    if [ -e "$d/made" ]; then
      while IFS= read -r f; do
        grep -qxF "$f" "$d/removed" 2>/dev/null && continue
        p=$(decode "$f")
        [ -n "$p" ] || continue
        if is_in_use "$p"; then left="$left $p"; continue; fi
        if [ ! -e "$p" ] || rm -f -- "$p" 9>&-; then
          echo "$f" >>"$d/removed"
          journal overlay "\"act\":\"removed\",\"b64\":\"$f\",\"from\":\"$(b64 "${d##*/}")\""
        else
          left="$left $p"
        fi
      done <"$d/made"
    fi
    [ -n "$left" ] && journal overlay "\"act\":\"kept\",\"b64\":\"$(b64 "in use or not removable:$left")\",\"from\":\"$(b64 "${d##*/}")\""
    restart_if_was_running "$d"
    echo rolled-back >"$d/settled"
    SETTLED=rolled-back
  fi
  return 0
}
# record_branch DIR: DIR's discarded branch, appended once to HOSTDIR/branches/UUID.jsonl
record_branch() {
  [ -e "$1/branch-recorded" ] && return 0
  [ -s "$1/branch.json" ] || return 0
  mkdir -p "$HOSTDIR/branches"
  now_rt
  b=$(cat "$1/branch.json")
  printf '{"rt":%s,%s\n' "$RT" "${b#\{}" >>"$HOSTDIR/branches/$UUID.jsonl" && : >"$1/branch-recorded"
  journal branch "\"act\":\"recorded\",\"from\":\"$(b64 "${1##*/}")\""
}
# make_current DIR: the snapshot DIR reverted to becomes libvirt's current one (so the next
# snapshot's parent is right), by redefining it with --current. Best effort: only the history's
# "current" mark depends on it.
make_current() {
  [ -e "$1/current-set" ] && return 0
  c=$(sed -n 's/^current=//p' "$1/args")
  name=$(decode "$c")
  [ -n "$name" ] || { : >"$1/current-set"; return 0; }
  if virsh_ snapshot-dumpxml --domain "$UUID" --snapshotname "$name" --security-info >"$1/current.xml" 2>"$1/current.err" &&
    virsh_ snapshot-create "$UUID" "$1/current.xml" --redefine --current >/dev/null 2>>"$1/current.err"; then
    : >"$1/current-set"
    journal current "\"act\":\"set\",\"b64\":\"$c\""
  else
    journal current "\"act\":\"failed\",\"b64\":\"$(b64 "$name: $(cat "$1/current.err")")\""
  fi
}
# restart_if_was_running DIR: the guest runs again if it ran when DIR's revert began
# A run killed after it asked the guest to shut down leaves that shutdown under way: wait for it
# (up to that run's own stop timeout) so the guest is started again rather than found running
# now and shut off a moment later.
# A full checkpoint switched to (DIR/memory, DIR/switched) is restored from its memory image instead
# (running if the guest ran, else paused), whatever state the guest was in.
restart_if_was_running() {
  restore=no
  [ -s "$1/memory" ] && [ -e "$1/switched" ] && restore=yes
  [ -e "$1/was-running" ] || [ "$restore" = yes ] || return 0
  [ -e "$1/restarted" ] && return 0
  domstate
  # (not when that stop had ended, e.g. a run killed after it started the guest again; and this
  # run's own stop already waited its timeout: no second wait for it)
  if [ -e "$1/stop-requested" ] && [ ! -e "$1/stopped" ] && [ "$1" != "$OPDIR" ]; then
    limit=$(sed -n 's/^stopTimeoutS=//p' "$1/args")
    in_range "$limit" 1 3600 || limit=60
    w=0
    while [ "$w" -lt "$limit" ]; do
      case $STATE in running* | "in shutdown"*) ;; *) break ;; esac
      [ "$w" = 0 ] && progress settle "waiting for the shutdown the revert ${1##*/} asked for (up to $limit s)"
      sleep 1 9>&-
      w=$((w + 1))
      domstate
    done
  fi
  case $STATE in
    running* | paused*) : >"$1/restarted"; return 0 ;;
  esac
  phase start running
  rc=0
  if [ "$restore" = yes ]; then
    how=--paused
    [ -e "$1/was-running" ] && [ ! -e "$1/was-paused" ] && how=--running
    out=$(virsh_ restore --file "$(decode "$(cat "$1/memory")")" --xml "$1/restore.xml" "$how" 2>&1) || rc=$?
  else
    out=$(virsh_ start "$UUID" 2>&1) || rc=$?
  fi
  if [ "$rc" = 0 ]; then
    : >"$1/restarted"
    phase start 'done' "$out"
  else
    fail start "$out"
    return 1
  fi
}
# settle_earlier: reverts of this domain that died unsettled (their runners are dead: this run
# holds the lock). Each is finished or rolled back, and its journal says so.
settle_earlier() {
  [ -d "$REVERTDIR/ops" ] || return 0
  set +f # the one glob: operation folders (launch.sh names them with [0-9A-Za-z-] only)
  for d in "$REVERTDIR"/ops/*; do
    set -f
    if [ "$d" = "$OPDIR" ] || [ -e "$d/settled" ] || [ ! -e "$d/args" ]; then continue; fi
    grep -qxF "uuid=$UUID" "$d/args" 2>/dev/null || continue
    # one that ended by itself before its first overlay changed nothing and needs nothing
    [ -e "$d/made" ] || ! grep -q '"ev":"end"' "$d/journal.jsonl" 2>/dev/null || continue
    other=${d##*/}
    progress settle "settling the revert $other, which ended before it finished"
    if settle "$d"; then
      journal settled "\"from\":\"$(b64 "$other")\",\"act\":\"$SETTLED\""
      # its own journal tells how it ended, so no reader takes it for lost
      now_mono
      printf '{"ev":"result","op":"%s","mono":%s,"ok":false,"failedPhase":"runner","b64":"%s","outcome":"%s"}\n{"ev":"end","op":"%s","mono":%s}\n' \
        "$other" "$MONO" "$(b64 "the runner stopped before it finished; the revert $OP $SETTLED it")" "$SETTLED" "$other" "$MONO" >>"$d/journal.jsonl"
    else
      journal settled "\"from\":\"$(b64 "$other")\",\"act\":\"unknown\""
    fi
  done
  set -f
}

# ---------------------------------------------------------------- every way out
# shellcheck disable=SC2317 # run by the EXIT trap
finish() {
  status=$?
  trap '' HUP INT TERM
  trap - EXIT
  if [ -z "$FAILED_PHASE" ] && [ "$status" != 0 ]; then
    fail runner "the runner stopped unexpectedly (${SIGNAL:-exit status $status})"
  fi
  OUTCOME=untouched
  if [ "$MODE" = revert ] && [ -e plan ] && [ ! -e settled ] && [ "$STARTED" = 1 ]; then
    if [ -n "$FAILED_PHASE" ]; then
      phase settle running
      if settle "$OPDIR"; then
        phase settle 'done' "$SETTLED"
        OUTCOME=$SETTLED
      else
        fail settle "libvirt could not be asked whether the definition was switched: the next revert of this domain settles it"
        OUTCOME=unknown
      fi
    else
      echo finished >settled
      OUTCOME=finished
    fi
  elif [ "$MODE" = recover ]; then
    OUTCOME=${RECOVERED:-untouched}
  fi
  if [ -n "$FAILED_PHASE" ]; then
    journal result "\"ok\":false,\"failedPhase\":\"$FAILED_PHASE\",\"b64\":\"$(b64 "$FAILED_MSG")\",\"outcome\":\"$OUTCOME\""
  else
    journal result "\"ok\":true,\"outcome\":\"$OUTCOME\"${BOOT_JSON:+,$BOOT_JSON}"
  fi
  now_rt
  printf '{"op":"%s","kind":"revert","uuid":"%s","ok":%s,"rt":%s}\n' "$OP" "$UUID" \
    "$([ -z "$FAILED_PHASE" ] && echo true || echo false)" "$RT" >>"$HOSTDIR/history.jsonl"
  journal end
  exit 0
}
STARTED=0
BOOT_JSON=
RECOVERED=
on_exit finish
journal start "\"kind\":\"$MODE\",\"uuid\":\"$UUID\",\"targetKind\":\"$TARGET_KIND\",\"target\":\"$TARGET\",\"pid\":$$,\"allowForce\":$ALLOW_FORCE,\"stopTimeoutS\":$STOP_TIMEOUT,\"workstation\":\"$(b64 "$WORKSTATION")\",\"user\":\"$(b64 "$APPUSER")\""

# ---------------------------------------------------------------- lock (the snapshot runner's, same file)
phase lock running
# A recover run comes after a runner died, and the command that runner was in (a `$(…)` subshell
# holds the lock like its parent) may run on for a while: wait for it rather than fail.
if [ "$MODE" = recover ]; then take_domain_lock "revert $OP" 120; else take_domain_lock "revert $OP"; fi
phase lock 'done'

phase settle running
settle_earlier
phase settle 'done'
if [ "$MODE" = recover ]; then
  RECOVERED=settled
  exit 0
fi

# ---------------------------------------------------------------- preflight
phase preflight running
domstate
case $STATE in
  running*) : >was-running ;;
  paused*) : >was-running; : >was-paused ;;
  "shut off"*) ;;
  *) fail preflight "the domain is $STATE: it cannot be reverted now"; exit 1 ;;
esac
if [ ! -s plan ] || [ ! -s before.xml ] || [ ! -s after.xml ]; then
  fail preflight "the app's plan is incomplete (plan, before.xml, after.xml)"
  exit 1
fi
while IFS="$TAB" read -r target fmt frozen overlay; do
  fp=$(decode "$frozen") op_=$(decode "$overlay")
  case $target in '' | *[!A-Za-z0-9]*) fail preflight "invalid disk target in the plan"; exit 1 ;; esac
  case $fmt in qcow2 | raw) ;; *) fail preflight "disk $target: the frozen image's format $fmt is not qcow2 or raw"; exit 1 ;; esac
  [ -e "$fp" ] || { fail preflight "disk $target: the snapshot's image $fp does not exist any more"; exit 1; }
  [ -e "$op_" ] && { fail preflight "disk $target: $op_ already exists"; exit 1; }
  [ -w "${op_%/*}" ] || { fail preflight "disk $target: the folder ${op_%/*} is not writable by $(id -un)"; exit 1; }
done <plan
if [ -s memory ]; then
  mem=$(decode "$(cat memory)")
  [ -e "$mem" ] || { fail preflight "the checkpoint's memory image $mem does not exist any more"; exit 1; }
  [ -s restore.xml ] || { fail preflight "the app's plan has no restore.xml for the memory image"; exit 1; }
fi
virsh_ dumpxml "$UUID" --inactive --security-info >now.xml 2>&1 || { fail preflight "$(cat now.xml)"; exit 1; }
cmp -s now.xml before.xml || { fail preflight "the domain's definition changed since the revert was planned: plan it again"; exit 1; }
phase preflight 'done' "$STATE"

# ---------------------------------------------------------------- prepare: every new overlay, before anything changes
STARTED=1
# libvirt's own revert creates its overlays itself (the keep snapshot's too)
[ "$PROCEDURE" = libvirt ] || phase prepare running
[ "$PROCEDURE" = libvirt ] || while IFS="$TAB" read -r target fmt frozen overlay; do
  fp=$(decode "$frozen") op_=$(decode "$overlay")
  # virtual size from libvirt (root reads the image; the SSH user usually cannot, hence -u)
  size=$(virsh_ domblkinfo "$UUID" "$target" 2>/dev/null | awk '/^Capacity:/ { print $2 }')
  is_uint "$size" || { fail prepare "disk $target: libvirt did not say its size"; exit 1; }
  echo "$overlay" >>made # recorded before it exists: a run killed in between still leaves a trace
  if out=$(qemu-img create -q -u -f qcow2 -F "$fmt" -b "$fp" "$op_" "$size" 2>&1 9>&-); then
    journal overlay "\"act\":\"created\",\"b64\":\"$overlay\""
  else
    fail prepare "disk $target: qemu-img could not create $op_: $out"
    exit 1
  fi
done <plan
[ "$PROCEDURE" = libvirt ] || phase prepare 'done'

# ---------------------------------------------------------------- stop the guest
# (stop_guest, host-lib.sh: agent, ACPI, then a power-off if allowed); the markers say how far
# the stop went, for a later run that settles this one (restart_if_was_running)
# shellcheck disable=SC2317 # called by stop_guest
stop_note() { progress stop "$1"; }
if [ -e was-running ]; then
  phase stop running
  : >stop-requested
  stop_guest "$UUID" "$STOP_TIMEOUT" "$ALLOW_FORCE" stop_note || { fail stop "$STOP_ERR"; exit 1; }
  : >stopped
  phase stop 'done' "$STOPPED"
fi

# ---------------------------------------------------------------- libvirt's own revert (≥ 9.9)
# libvirt's revert removes the overlays the domain writes to now ("that state is not meant to be
# saved"), so the left state is first kept as a snapshot of the stopped guest (its overlays are
# the plan's: the current tops become that snapshot's frozen images, and stay). Then libvirt
# reverts (the commit point: its target becomes the current snapshot) and only that snapshot's
# empty overlays go.
if [ "$PROCEDURE" = libvirt ]; then
  phase keep running
  : >libvirt-revert
  set --
  while IFS="$TAB" read -r target _ _ overlay; do
    o=$(decode "$overlay")
    echo "$overlay" >>made
    # virsh's --diskspec is comma-separated: a comma in a path is written twice
    set -- "$@" --diskspec "$target,snapshot=external,file=$(printf '%s' "$o" | sed 's/,/,,/g')"
  done <plan
  out=$(virsh_ snapshot-create-as --domain "$UUID" --name "quiesce-keep-$OP" \
    --description "the state a revert left (Quiesce, $OP)" --disk-only --atomic "$@" 2>&1) ||
    { fail keep "libvirt could not keep the left state as a snapshot: $out"; exit 1; }
  phase keep 'done' "quiesce-keep-$OP"
  phase switch running
  name=$(decode "$TARGET")
  out=$(virsh_ snapshot-revert --domain "$UUID" --snapshotname "$name" 2>&1) ||
    { fail switch "libvirt's revert failed: $out"; exit 1; }
  : >switched
  : >current-set # libvirt's revert made the target current
  phase switch 'done' "$out"
fi

# ---------------------------------------------------------------- switch: the commit point
if [ "$PROCEDURE" = quiesce ]; then
  phase switch running
  virsh_ dumpxml "$UUID" --inactive --security-info >now.xml 2>&1 || { fail switch "$(cat now.xml)"; exit 1; }
  cmp -s now.xml before.xml || { fail switch "the domain's definition changed while the guest stopped: nothing was switched"; exit 1; }
  out=$(virsh_ define after.xml 2>&1) || { fail switch "libvirt refused the new definition: $out"; exit 1; }
  : >switched
  while IFS="$TAB" read -r target _ _ overlay; do
    defined_uses "$(decode "$overlay")" || { fail switch "disk $target does not point at its new overlay after the define"; exit 1; }
  done <plan
  phase switch 'done'
fi

phase branch running
record_branch "$OPDIR"
phase branch 'done'
phase current running
make_current "$OPDIR"
phase current 'done'

# ---------------------------------------------------------------- start again, if it ran
if [ -e was-running ] || [ -s memory ]; then
  restart_if_was_running "$OPDIR" || exit 1
fi
# a checkpoint restored paused has no agent to ask until the admin resumes it
if [ -e was-running ] && { [ ! -s memory ] || [ ! -e was-paused ]; }; then
  phase verify running
  waited=0
  booted=no
  while [ "$waited" -lt "$BOOT_WAIT" ]; do
    if virsh_ qemu-agent-command --timeout 2 "$UUID" '{"execute":"guest-ping"}' >/dev/null 2>&1; then
      booted=yes
      break
    fi
    [ $((waited % 5)) = 0 ] && progress verify "waiting for the guest agent: $waited s"
    sleep 1 9>&-
    waited=$((waited + 1))
  done
  if [ "$booted" = yes ]; then
    BOOT_JSON="\"agentAfterS\":$waited"
    phase verify 'done' "the guest agent answered $waited s after the start"
  else
    phase verify 'done' "the guest runs; its agent did not answer within $BOOT_WAIT s"
  fi
fi
exit 0
