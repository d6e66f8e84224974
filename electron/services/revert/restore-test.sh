# shellcheck shell=sh
# Quiesce restore test: boots a disposable linked clone of a snapshot and asks its guest agent
# what it sees, ON THE HOST, detached (launch.sh starts it in HOSTDIR/restore-tests/ops/OP).
# The app prepared (electron/services/revert/restore-test-plan.ts):
#   args       name=value lines (op, uri, uuid, hostDir, clone, cloneUuid, bootWaitS, agentTimeoutS,
#              name: the snapshot's name in base64, kept in the journal's start line so that the
#              history can list which snapshot each kept result is about: restore-tests-list.sh)
#   plan       TARGET FORMAT FROZEN-B64 OVERLAY-B64 a disk: the snapshot's frozen images and the
#              clone's own overlays on them (the frozen images are never written)
#   clone.xml  a transient domain: new name and UUID, no network interface, no shared device
# Phases: prepare (overlays) → boot (virsh create) → agent (guest-ping) → fsinfo
# (guest-get-fsinfo) → journal (the kernel's log: did a filesystem need journal recovery) →
# cleanup (destroy, remove the overlays), the cleanup on every way out.
OPDIR=${1:-}
cd "$OPDIR" || exit 70
# shellcheck source-path=SCRIPTDIR source=../host-scripts/host-lib.sh
. "$OPDIR/host-lib.sh"
runner_start

OP=invalid URI='' UUID='' DIR='' CLONE='' CLONE_UUID='' BOOT_WAIT=120 AGENT_TIMEOUT=5 NAME=''
# name: base64, the snapshot's name (bad_args, host-lib.sh, journals why an argument is refused)
read_args uri=URI uuid=UUID hostDir=DIR clone=CLONE cloneUuid=CLONE_UUID bootWaitS=BOOT_WAIT \
  agentTimeoutS=AGENT_TIMEOUT name=NAME
check_kind_folder "$DIR" restore-tests
is_uuid "$CLONE_UUID" || bad_args cloneUuid
# the clone is destroyed on the way out: it must never be the domain under test
[ "$CLONE_UUID" != "$UUID" ] || bad_args "cloneUuid: the domain's own"
case $CLONE in '' | *[!A-Za-z0-9._-]*) bad_args clone ;; esac
in_range "$BOOT_WAIT" 1 3600 || bad_args bootWaitS
in_range "$AGENT_TIMEOUT" 1 600 || bad_args agentTimeoutS
case $NAME in *[!A-Za-z0-9+/=]*) bad_args name ;; esac
is_uuid "$UUID" || bad_args uuid
echo $$ >runner.pid
# the clone's agent (virsh_: host-lib.sh)
agent() { virsh_ qemu-agent-command --domain "$CLONE_UUID" --timeout "$AGENT_TIMEOUT" --cmd "$1" 2>&1; }

# shellcheck disable=SC2317 # run by the EXIT trap
finish() {
  status=$?
  trap '' HUP INT TERM
  trap - EXIT
  [ -z "$FAILED_PHASE" ] && [ "$status" != 0 ] && fail runner "the restore test stopped unexpectedly (${SIGNAL:-exit status $status})"
  phase cleanup running
  left=
  if [ -e created ]; then
    virsh_ destroy --domain "$CLONE_UUID" >/dev/null 2>&1
    i=0
    while virsh_ domstate --domain "$CLONE_UUID" >/dev/null 2>&1 && [ "$i" -lt 30 ]; do sleep 1; i=$((i + 1)); done
    virsh_ domstate --domain "$CLONE_UUID" >/dev/null 2>&1 && left="the clone $CLONE still exists"
  fi
  if [ -z "$left" ] && [ -e clone-made ]; then
    while IFS= read -r f; do
      p=$(decode "$f")
      [ -n "$p" ] && rm -f -- "$p"
      [ -e "$p" ] && left="$left $p"
    done <clone-made
  fi
  if [ -n "$left" ]; then fail cleanup "kept: $left"; else phase cleanup 'done'; fi
  journal_result "$FACTS" "$FACTS"
  journal end
  exit 0
}
FACTS=
on_exit finish
journal start "\"kind\":\"restore-test\",\"uuid\":\"$UUID\",\"snapshot\":\"$NAME\",\"clone\":\"$CLONE\",\"pid\":$$"

phase prepare running
# A domain that already has the clone's UUID is not ours to destroy afterwards.
if virsh_ domstate --domain "$CLONE_UUID" >/dev/null 2>&1; then
  fail prepare "a domain with the clone's UUID $CLONE_UUID already exists"; exit 1
fi
while IFS="$TAB" read -r target fmt frozen overlay; do
  fp=$(decode "$frozen") op_=$(decode "$overlay")
  [ -e "$fp" ] || { fail prepare "disk $target: the snapshot's image $fp does not exist"; exit 1; }
  size=$(virsh_ domblkinfo --domain "$UUID" --device "$target" 2>/dev/null | awk '/^Capacity:/ { print $2 }')
  is_uint "$size" || { fail prepare "disk $target: libvirt did not say its size"; exit 1; }
  # qemu-img would overwrite a file that is there, and the clean-up would then remove it
  [ -e "$op_" ] && { fail prepare "disk $target: $op_ already exists"; exit 1; }
  echo "$overlay" >>clone-made
  out=$(qemu-img create -q -u -f qcow2 -F "$fmt" -b "$fp" "$op_" "$size" 2>&1) ||
    { fail prepare "disk $target: $out"; exit 1; }
done <plan
phase prepare 'done'

phase boot running
now_mono
T0=$MONO
: >created # before the create: a run killed meanwhile still destroys what it may have made
out=$(virsh_ create clone.xml 2>&1) || { rm -f created; fail boot "libvirt did not start the clone: $out"; exit 1; }
phase boot 'done' "$out"

phase agent running
AGENT_UP=no # not "up": now_mono (host-lib.sh) reads /proc/uptime into $up
while :; do
  if agent '{"execute":"guest-ping"}' | grep -q '"return"'; then AGENT_UP=yes; break; fi
  now_mono
  [ $((MONO - T0)) -ge $((BOOT_WAIT * 1000)) ] && break
  sleep 1
done
now_mono
BOOT_MS=$((MONO - T0))
FACTS="\"bootMs\":$BOOT_MS"
[ "$AGENT_UP" = yes ] || { fail agent "the clone's guest agent did not answer within $BOOT_WAIT s"; exit 1; }
phase agent 'done'

phase fsinfo running
fs=$(agent '{"execute":"guest-get-fsinfo"}')
case $fs in *'"return"'*) ;; *) fail fsinfo "$fs"; exit 1 ;; esac
FACTS="$FACTS,\"fsinfo\":\"$(b64 "$fs")\""
phase fsinfo 'done'

# The kernel says when a filesystem needed its journal replayed at mount ("recovery complete",
# "orphan cleanup"): read its log through the agent (guest-exec), where the guest allows it.
phase journal running
ex=$(agent '{"execute":"guest-exec","arguments":{"path":"dmesg","capture-output":true}}')
pid=$(printf '%s' "$ex" | sed -n 's/.*"pid": *\([0-9][0-9]*\).*/\1/p')
if is_uint "$pid"; then
  i=0
  while [ "$i" -lt 20 ]; do
    st=$(agent "{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":$pid}}")
    case $st in *'"exited": *true'* | *'"exited":true'*) break ;; esac
    sleep 0.5
    i=$((i + 1))
  done
  data=$(printf '%s' "$st" | sed -n 's/.*"out-data": *"\([A-Za-z0-9+\/=]*\)".*/\1/p')
  log=$(decode "$data" | grep -E 'EXT4-fs|EXT3-fs|XFS \(|BTRFS|recovery|orphan' | head -n 20)
  FACTS="$FACTS,\"kernelLog\":\"$(b64 "$log")\""
  phase journal 'done'
else
  phase journal failed "the guest does not allow guest-exec: $ex"
fi
exit 0
