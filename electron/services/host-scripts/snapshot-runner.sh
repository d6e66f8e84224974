# Quiesce snapshot runner: freeze -> cut -> thaw for one domain, ON THE HOST, detached from the
# SSH session that started it (see snapshot/launch.ts), so no network round trip ever sits inside
# the frozen window and a dropped link or a dead app cannot leave the guest frozen.
#
# Usage: sh snapshot-runner.sh OPDIR
# KIND "snapshot" cuts a snapshot; KIND "test-freeze" (the agent doctor's test) freezes and thaws
# with the same guards and measures the window, cutting nothing.
# OPDIR holds what the app prepared: `args` (one validated value a line: see read_args) and
# `description.xml` (the description, already XML-escaped). The runner writes there:
#   journal.jsonl  one JSON object a line, a phase at a time, with host clock readings
#                  (mono: /proc/uptime in ms, steady but 10 ms coarse; rt: date in ns, fine);
#                  free text is base64 ("b64") so nothing here has to escape JSON
#   snapshot.xml   the snapshot definition handed to libvirt
#   watchdog.pid / disarmed   the watchdog's handshake
# and appends one line to HOSTDIR/history.jsonl when the operation ends, whatever the outcome.
set -u
set -f # no globbing anywhere: paths come from libvirt and may hold anything
umask 077
OPDIR=$1
cd "$OPDIR" || exit 70

read_args() {
  {
    read -r OP; read -r URI; read -r UUID; read -r NAME; read -r POLICY; read -r MAXFREEZE
    read -r AGENT_TIMEOUT; read -r HOSTDIR; read -r WORKSTATION; read -r APPUSER; read -r HOLD_MS
    read -r KIND
  } <args
}
read_args

JOURNAL=$OPDIR/journal.jsonl
now_mono() { read -r up _ </proc/uptime; echo "${up%.*}${up#*.}0"; }
now_rt() { date +%s%N; }
b64() { printf '%s' "$1" | base64 | tr -d '\n'; }
# journal EV [extra JSON members, already valid]
journal() {
  printf '{"ev":"%s","op":"%s","mono":%s,"rt":%s%s}\n' "$1" "$OP" "$(now_mono)" "$(now_rt)" "${2:+,$2}" >>"$JOURNAL"
}
# jfast PHASE: a "running" line from builtins only, for use inside the frozen window.
jfast() {
  read -r up _ </proc/uptime
  printf '{"ev":"phase","op":"%s","mono":%s,"phase":"%s","status":"running"}\n' "$OP" "${up%.*}${up#*.}0" "$1" >>"$JOURNAL"
}
phase() { journal phase "\"phase\":\"$1\",\"status\":\"$2\"${3:+,\"b64\":\"$(b64 "$3")\"}"; }
fail() {
  # fail PHASE MESSAGE: the phase failed; the message says why (virsh's own words when it has them)
  phase "$1" failed "$2"
  FAILED_PHASE=$1
  FAILED_MSG=$2
}
virsh_() { virsh -c "$URI" "$@"; }
agent() { virsh -c "$URI" qemu-agent-command --timeout "$AGENT_TIMEOUT" "$UUID" "$1"; }

FAILED_PHASE=
FAILED_MSG=
LABEL=
FROZE=0
WINDOW_START=
WINDOW_END=
CUT_DONE=0
PRECREATED=
LOCKDIR=$HOSTDIR/locks/$UUID
IFS_SAVE=$IFS
NL='
'
WATCHDOG_PID=
VIRSH_PID=

journal start "\"kind\":\"$KIND\",\"uuid\":\"$UUID\",\"snapshot\":\"$NAME\",\"policy\":\"$POLICY\",\"pid\":$$,\"maxFreezeS\":$MAXFREEZE,\"workstation\":\"$(b64 "$WORKSTATION")\",\"user\":\"$(b64 "$APPUSER")\""

# ---------------------------------------------------------------- the interactive virsh session
# One virsh process, one libvirt connection, for freeze, cut and thaw: each command's result is
# read before the next is sent (a blind 'freeze; cut; thaw' list carries on after a failed freeze
# and makes an unquiesced snapshot). Commands go in through a FIFO; answers come back through
# another, each ended by an echo of a unique marker.
start_session() {
  rm -f vin vout
  mkfifo vin vout || return 1
  virsh -c "$URI" <vin >vout 2>&1 &
  VIRSH_PID=$!
  exec 3>vin 4<vout
  send 'echo connected'
}
SEQ=0
# send COMMAND: runs it in the session and leaves its output (prompts stripped) in $OUT; status 1
# when virsh printed an error. Shell builtins only, no subshell: it runs inside the frozen window,
# where no process may start.
send() {
  SEQ=$((SEQ + 1))
  printf '%s\necho @@quiesce-%s@@\n' "$1" "$SEQ" >&3
  OUT=
  MARKED=0
  while IFS= read -r line <&4; do
    line=${line#virsh # }
    case $line in
      "@@quiesce-$SEQ@@") MARKED=1; break ;;
      "echo @@quiesce-"*|"$1") continue ;;
      # virsh echoes a long command scrolled, as "<" + its tail: that is not output either
      "<"*) case $1 in *"${line#<}") continue ;; esac ;;
    esac
    OUT="$OUT$line
"
  done
  # No marker: the session ended (virsh died) before answering; never read that as success.
  [ "$MARKED" = 1 ] || { OUT="${OUT}virsh ended before answering"; return 1; }
  case $OUT in *"error:"*) return 1 ;; esac
  return 0
}
end_session() {
  if [ -n "$VIRSH_PID" ]; then
    printf 'quit\n' >&3 2>/dev/null
    exec 3>&- 4<&-
    wait "$VIRSH_PID" 2>/dev/null
    VIRSH_PID=
  fi
  rm -f vin vout
}

# ---------------------------------------------------------------- the watchdog
# A separate detached process: if the runner has not disarmed it MAXFREEZE seconds after the
# freeze is issued, it thaws the guest itself, and keeps trying (each try bounded by the agent
# timeout) until the agent says thawed or the domain stops running. It outlives the runner, the
# app and the link.
arm_watchdog() {
  cat >watchdog.sh <<'WATCHDOG'
set -u
OPDIR=$1 OP=$2 URI=$3 UUID=$4 MAXFREEZE=$5 AGENT_TIMEOUT=$6
cd "$OPDIR" || exit 70
j() { read -r up _ </proc/uptime; printf '{"ev":"%s","op":"%s","mono":%s,"rt":%s%s}\n' "$1" "$OP" "${up%.*}${up#*.}0" "$(date +%s%N)" "${2:+,$2}" >>journal.jsonl; }
sleep "$MAXFREEZE"
[ -e disarmed ] && exit 0
j watchdog-fired "\"maxFreezeS\":$MAXFREEZE"
i=0
while [ "$i" -lt 3600 ]; do
  [ -e disarmed ] && exit 0
  st=$(virsh -c "$URI" qemu-agent-command --timeout "$AGENT_TIMEOUT" "$UUID" '{"execute":"guest-fsfreeze-status"}' 2>&1)
  case $st in
    *'"thawed"'*) j watchdog-thawed '"by":"watchdog"'; exit 0 ;;
  esac
  if ! virsh -c "$URI" domstate "$UUID" 2>/dev/null | grep -q '^running'; then
    j watchdog-thawed '"by":"domain-stopped"'; exit 0
  fi
  virsh -c "$URI" qemu-agent-command --timeout "$AGENT_TIMEOUT" "$UUID" '{"execute":"guest-fsfreeze-thaw"}' >/dev/null 2>&1
  i=$((i + 1))
  sleep 1
done
j watchdog-gave-up
WATCHDOG
  if command -v setsid >/dev/null 2>&1; then
    setsid sh watchdog.sh "$OPDIR" "$OP" "$URI" "$UUID" "$MAXFREEZE" "$AGENT_TIMEOUT" </dev/null >watchdog.log 2>&1 &
  else
    nohup sh watchdog.sh "$OPDIR" "$OP" "$URI" "$UUID" "$MAXFREEZE" "$AGENT_TIMEOUT" </dev/null >watchdog.log 2>&1 &
  fi
  WATCHDOG_PID=$!
  echo "$WATCHDOG_PID" >watchdog.pid
}
disarm_watchdog() {
  : >disarmed
  if [ -n "$WATCHDOG_PID" ]; then
    kill "$WATCHDOG_PID" 2>/dev/null
    # setsid forked: the watchdog may run under another pid; the file stops it either way.
    WATCHDOG_PID=
  fi
}

# ---------------------------------------------------------------- helpers
xml_escape() { printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e "s/'/\&apos;/g" -e 's/"/\&quot;/g'; }

release_lock() {
  if [ -f "$LOCKDIR/owner" ] && [ "$(cat "$LOCKDIR/owner" 2>/dev/null)" = "$OP" ]; then
    rm -rf "$LOCKDIR"
  fi
}

remove_precreated() {
  IFS=$NL
  for f in $PRECREATED; do [ -n "$f" ] && rm -f "$f"; done
  IFS=$IFS_SAVE
  PRECREATED=
}

# Whatever happens from here on, the guest is thawed if this runner froze it, the watchdog is
# left armed if the thaw could not be confirmed, and the outcome is recorded.
finish() {
  status=$?
  trap - EXIT HUP INT TERM
  if [ "$FROZE" = 1 ] && [ -z "$WINDOW_END" ]; then
    # Leaving without a confirmed thaw (signal, error): thaw through a fresh call.
    if agent '{"execute":"guest-fsfreeze-thaw"}' >/dev/null 2>&1; then
      phase thaw done "thawed on the way out"
      disarm_watchdog
    else
      phase thaw failed "could not confirm the thaw; the watchdog keeps trying"
    fi
  fi
  end_session
  if [ -z "$FAILED_PHASE" ] && [ "$CUT_DONE" != 1 ] && [ "$status" != 0 ]; then
    FAILED_PHASE=runner FAILED_MSG="the runner stopped unexpectedly (status $status)"
  fi
  if [ "$CUT_DONE" != 1 ]; then remove_precreated; fi
  if [ -n "$FAILED_PHASE" ]; then
    journal result "\"ok\":false,\"failedPhase\":\"$FAILED_PHASE\",\"b64\":\"$(b64 "$FAILED_MSG")\",\"snapshotTaken\":$CUT_DONE"
  else
    journal result "\"ok\":true,$LABEL"
  fi
  # restore libvirt's default agent timeout for this domain (we set it for the operation)
  virsh_ guest-agent-timeout "$UUID" --timeout -2 >/dev/null 2>&1
  release_lock
  printf '{"op":"%s","kind":"%s","uuid":"%s","snapshot":"%s","ok":%s,"rt":%s}\n' "$OP" "$KIND" "$UUID" "$NAME" \
    "$([ -z "$FAILED_PHASE" ] && echo true || echo false)" "$(now_rt)" >>"$HOSTDIR/history.jsonl"
  journal end
  exit 0
}
trap finish EXIT
trap 'exit 143' HUP INT TERM
# A dead virsh session must surface as a failed send, not kill the runner before it thaws.
trap '' PIPE

# ---------------------------------------------------------------- lock (one operation per domain)
# First of all: a second operation on the same domain must be told so, not judge the guest that
# the first one is freezing.
phase lock running
mkdir -p "$HOSTDIR/locks"
if ! mkdir "$LOCKDIR" 2>/dev/null; then
  holder=$(cat "$LOCKDIR/owner" 2>/dev/null)
  holder_pid=$(cat "$LOCKDIR/pid" 2>/dev/null)
  if [ -n "$holder_pid" ] && kill -0 "$holder_pid" 2>/dev/null; then
    LOCKDIR=/nonexistent  # not ours: never release it
    fail lock "another operation ($holder) is running on this domain"
    exit 1
  fi
  # the holder died without releasing: take the lock over
  rm -rf "$LOCKDIR" && mkdir "$LOCKDIR" || { LOCKDIR=/nonexistent; fail lock "the domain lock is held"; exit 1; }
fi
echo "$OP" >"$LOCKDIR/owner"
echo "$$" >"$LOCKDIR/pid"
phase lock done

# ---------------------------------------------------------------- preflight
phase preflight running
state=$(virsh_ domstate "$UUID" 2>&1) || { fail preflight "$state"; exit 1; }
case $state in
  running*) MODE=live ;;
  paused*) MODE=paused ;;
  "shut off"*) MODE=offline ;;
  *) fail preflight "the domain is $state: a snapshot cannot be taken now"; exit 1 ;;
esac
FREEZE=no
if [ "$MODE" = live ]; then
  status=$(agent '{"execute":"guest-fsfreeze-status"}' 2>&1)
  case $status in
    *'"frozen"'*)
      fail preflight "the guest is already frozen (another tool, or an earlier run): thaw it first"; exit 1 ;;
    *'"thawed"'*) FREEZE=yes ;;
    *)
      if [ "$POLICY" = require ]; then
        fail preflight "the guest agent cannot freeze this guest, and the policy requires a quiesced snapshot: $status"
        exit 1
      fi
      CRASH_REASON="guest agent unavailable: $status"
      ;;
  esac
fi
if [ "$KIND" = test-freeze ] && [ "$FREEZE" != yes ]; then
  fail preflight "a test freeze needs a running guest whose agent can freeze (${status:-$MODE})"
  exit 1
fi
phase preflight done "$MODE"

# ---------------------------------------------------------------- prepare (everything slow, before any freeze)
phase prepare running
if [ "$KIND" = snapshot ]; then
disks=$(virsh_ domblklist "$UUID" --details 2>&1) || { fail prepare "$disks"; exit 1; }
LIVE_XML=$(virsh_ dumpxml "$UUID" 2>/dev/null)
DISKS_XML=
DISKS_JSON=
REUSE=yes
CAN_PRECREATE=yes
command -v qemu-img >/dev/null 2>&1 || CAN_PRECREATE=no
IFS=$NL
for row in $disks; do
  IFS=$IFS_SAVE
  # "Type Device Target Source": the source is the rest of the line (paths may hold spaces)
  set -- $row
  [ $# -ge 4 ] || continue
  type=$1 device=$2 target=$3
  case $type in Type|---*) continue ;; esac
  src=${row#*"$target"}
  src=${src#"${src%%[! ]*}"}
  if [ "$device" != disk ]; then
    DISKS_XML="$DISKS_XML<disk name='$(xml_escape "$target")' snapshot='no'/>"
    continue
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
  if [ "$CAN_PRECREATE" = yes ] && [ -w "$(dirname "$src")" ]; then
    # Format and size from libvirt, not from the image: after a first snapshot the top image
    # belongs to QEMU's user (0600) and the SSH user cannot open it; -u skips opening it.
    fmt=$(printf '%s\n' "$LIVE_XML" | awk -v t="$target" '
      /<disk /{ d = 1; f = "" }
      d && /<driver / && f == "" { if (match($0, /type=.[a-z0-9]+/)) f = substr($0, RSTART + 6, RLENGTH - 6) }
      d && /<target / && index($0, "dev=\047" t "\047") { print f; exit }
      /<\/disk>/ { d = 0 }')
    size=$(virsh_ domblkinfo "$UUID" "$target" 2>/dev/null | awk '/^Capacity:/ { print $2 }')
    if [ -n "$fmt" ] && [ -n "$size" ] &&
      qemu-img create -q -u -f qcow2 -F "$fmt" -b "$src" "$overlay" "$size" >/dev/null 2>&1; then
      PRECREATED="$PRECREATED$overlay$NL"
    else
      REUSE=no
    fi
  else
    REUSE=no
  fi
  DISKS_XML="$DISKS_XML<disk name='$(xml_escape "$target")' snapshot='external'><driver type='qcow2'/><source file='$(xml_escape "$overlay")'/></disk>"
  DISKS_JSON="$DISKS_JSON${DISKS_JSON:+,}{\"target\":\"$(b64 "$target")\",\"backing\":\"$(b64 "$src")\",\"overlay\":\"$(b64 "$overlay")\"}"
  IFS=$NL
done
IFS=$IFS_SAVE
if [ -z "$DISKS_JSON" ]; then fail prepare "the domain has no file-backed disk to snapshot"; exit 1; fi
if [ "$REUSE" = no ]; then
  # Mixed or impossible pre-creation: let libvirt create every overlay itself (as root).
  remove_precreated
fi
# description.xml ends with the here-document's own line break: drop exactly that one.
DESC=$(cat description.xml; echo x)
DESC=${DESC%x}
DESC=${DESC%"$NL"}
printf '<domainsnapshot><name>%s</name><description>%s</description><disks>%s</disks></domainsnapshot>\n' \
  "$NAME" "$DESC" "$DISKS_XML" >snapshot.xml
SNAP_FLAGS="--disk-only --atomic"
[ "$REUSE" = yes ] && SNAP_FLAGS="$SNAP_FLAGS --reuse-external"
journal disks "\"disks\":[$DISKS_JSON],\"overlays\":\"$([ "$REUSE" = yes ] && echo precreated || echo libvirt)\""
fi
# A hung agent must not block the thaw forever (LAB.md): bound every agent call of this domain.
if [ "$FREEZE" = yes ]; then
  virsh_ guest-agent-timeout "$UUID" --timeout "$AGENT_TIMEOUT" >/dev/null 2>&1
fi
start_session || { fail prepare "could not start virsh"; exit 1; }
phase prepare done

# ---------------------------------------------------------------- freeze -> cut -> thaw
if [ "$FREEZE" = yes ]; then
  phase arm running
  arm_watchdog
  phase arm done
  phase freeze running
  # The window opens when the freeze is issued and closes when the thaw returns (DESIGN rule 3).
  # In between: builtins and the one virsh session only.
  WINDOW_START=$(now_rt)
  WINDOW_START_MONO=$(now_mono)
  FROZE=1
  n=
  if send "domfsfreeze $UUID"; then
    case $OUT in *"Froze "*) n=${OUT#*Froze }; n=${n%% *} ;; esac
  fi
  FREEZE_OUT=$OUT
  if [ -z "$n" ] || [ "$n" = 0 ]; then
    # A freeze of 0 filesystems is not a quiesce. Thaw on this path too (a partial freeze).
    send "domfsthaw $UUID"
    WINDOW_END=$(now_rt)
    disarm_watchdog
    if [ "$POLICY" = require ]; then
      fail freeze "${FREEZE_OUT:-the freeze did not answer}${n:+ (froze $n filesystems)}"
      exit 1
    fi
    phase freeze failed "${FREEZE_OUT:-no answer}"
    FREEZE=no
    FROZE=0
    CRASH_REASON="the freeze failed: ${FREEZE_OUT:-no answer}"
  else
    read -r up _ </proc/uptime
    printf '{"ev":"frozen","op":"%s","mono":%s,"filesystems":%s}\n' "$OP" "${up%.*}${up#*.}0" "$n" >>"$JOURNAL"
    [ "$HOLD_MS" -gt 0 ] && sleep "$((HOLD_MS / 1000)).$(printf '%03d' $((HOLD_MS % 1000)))"
  fi
fi

if [ "$FROZE" = 1 ]; then
  if [ "$KIND" = snapshot ]; then
    jfast cut
    send "snapshot-create $UUID $OPDIR/snapshot.xml $SNAP_FLAGS" && CUT_DONE=1
    CUT_OUT=$OUT
  fi
  jfast thaw
  send "domfsthaw $UUID"
  THAW_OK=$?
  WINDOW_END=$(now_rt)
  WINDOW_END_MONO=$(now_mono)
  THAW_OUT=$OUT
  # Out of the window: now journal what happened in it.
  phase freeze done "$FREEZE_OUT"
  if [ "$KIND" = snapshot ]; then
    if [ "$CUT_DONE" = 1 ]; then phase cut done "$CUT_OUT"; else fail cut "$CUT_OUT"; fi
  fi
  if [ "$THAW_OK" = 0 ]; then
    journal thawed "\"windowStartRt\":$WINDOW_START,\"windowEndRt\":$WINDOW_END,\"windowStartMono\":$WINDOW_START_MONO,\"windowEndMono\":$WINDOW_END_MONO"
    phase thaw done "$THAW_OUT"
    phase disarm running
    disarm_watchdog
    phase disarm done
  else
    # Not confirmed: the watchdog stays armed and keeps trying until the agent answers.
    FROZE=0 # and finish() must not claim a thaw it cannot make either
    [ -n "$FAILED_PHASE" ] && FAILED_MSG="$FAILED_MSG; then the thaw failed too"
    fail thaw "${THAW_OUT:-the thaw did not answer}; the watchdog keeps trying until the agent answers"
    exit 1
  fi
else
  phase cut running
  if send "snapshot-create $UUID $OPDIR/snapshot.xml $SNAP_FLAGS"; then
    CUT_DONE=1
    phase cut done "$OUT"
  else
    fail cut "$OUT"
  fi
fi
[ -n "$FAILED_PHASE" ] && exit 1

# ---------------------------------------------------------------- verify
phase verify running
end_session
if [ "$MODE" = live ]; then
  st=$(agent '{"execute":"guest-fsfreeze-status"}' 2>&1)
  case $st in
    *'"thawed"'*|*'not connected'*|*'not configured'*|*'not responding'*) ;;
    *) fail verify "the guest does not report thawed after the operation: $st"; exit 1 ;;
  esac
fi
if [ "$KIND" = snapshot ]; then
  info=$(virsh_ snapshot-info "$UUID" "$NAME" 2>&1) || { fail verify "the snapshot is not listed: $info"; exit 1; }
fi
phase verify done

if [ "$KIND" = test-freeze ]; then
  LABEL="\"label\":\"test-freeze\",\"filesystems\":$n"
elif [ "$FREEZE" = yes ]; then
  LABEL="\"label\":\"quiesced\",\"filesystems\":$n"
elif [ "$MODE" = offline ]; then
  LABEL="\"label\":\"offline\""
elif [ "$MODE" = paused ]; then
  LABEL="\"label\":\"paused\""
else
  LABEL="\"label\":\"crash-consistent\",\"b64\":\"$(b64 "${CRASH_REASON:-no freeze}")\""
fi
exit 0
