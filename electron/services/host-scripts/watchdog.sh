# shellcheck shell=sh
# Quiesce watchdog: started by the snapshot runner before it freezes a guest, as a process of its
# own session, so it outlives the runner, the app and the link. If the runner has not confirmed a
# thaw MAXFREEZE seconds after the freeze was issued, it thaws the guest itself and keeps at it
# until the agent says thawed (and no freeze of this run may still be in flight), or the domain
# stops; it does not give up while the domain can still run (a paused guest may be resumed).
#
# Usage: sh watchdog.sh OPDIR OP URI UUID MAXFREEZE AGENT_TIMEOUT
# Handshake files in OPDIR (written by the runner): disarmed (a thaw is confirmed: stand down),
# freeze-returned (the freeze has answered: none is in flight), session.pid (the runner's virsh
# session; while it lives and the freeze has not answered, the freeze may still land).
# Written here: watchdog.pid, fired (host mono at firing), journal lines.
set -u
set -f
OPDIR=$1 OP=$2 URI=$3 UUID=$4 MAXFREEZE=$5 AGENT_TIMEOUT=$6
cd "$OPDIR" || exit 70

# shellcheck source-path=SCRIPTDIR source=host-lib.sh
. "$OPDIR/host-lib.sh"
JOURNAL=$OPDIR/journal.jsonl

# Before firing it only sleeps: the runner stops it with TERM once a thaw is confirmed.
SLEEPER=
trap 'kill "$SLEEPER" 2>/dev/null; exit 0' TERM
echo $$ >watchdog.pid
sleep "$MAXFREEZE" &
SLEEPER=$!
wait "$SLEEPER"
[ -e disarmed ] && exit 0
# Fired: from here on nothing stops it but a confirmed thaw or a stopped domain.
trap '' TERM HUP INT PIPE
now_mono
printf '%s\n' "$MONO" >fired
journal watchdog-fired "\"maxFreezeS\":$MAXFREEZE"

session_alive() {
  read -r spid <session.pid 2>/dev/null || return 1
  is_uint "$spid" && kill -0 "$spid" 2>/dev/null
}
FIRED_AT=$MONO
RELEASED=0
THAWED=0
WAITING=
WHY=
pause=1
while :; do
  [ -e disarmed ] && exit 0
  st=$(virsh -c "$URI" qemu-agent-command --domain "$UUID" --timeout "$AGENT_TIMEOUT" --cmd '{"execute":"guest-fsfreeze-status"}' 2>&1)
  case $st in
    *'"return"'*'"thawed"'*)
      # Thawed counts only when no freeze of this run can still land after it.
      if [ -e freeze-returned ] || ! session_alive; then
        [ "$THAWED" = 1 ] || journal watchdog-thawed '"by":"watchdog"'
        THAWED=1
        # and the watchdog leaves only once the runner is not stuck on its session any more
        session_alive || exit 0
      fi
      ;;
    # Once thawed with no freeze of this run in flight, a frozen guest is another operation's
    # doing (the domain's lock is free once this run's runner is gone): never thaw it.
    *) [ "$THAWED" = 1 ] || THAWED=0 ;;
  esac
  # Its thaw done and the runner's session gone: nothing is left for it to do, whatever the guest
  # says now (a freeze that someone else holds on is not this watchdog's to wait for).
  if [ "$THAWED" = 1 ] && ! session_alive; then exit 0; fi
  if [ "$THAWED" = 0 ]; then
    state=$(virsh -c "$URI" domstate --domain "$UUID" 2>&1)
    case $state in
      running*) WHY= ;;
      *"failed to connect"* | *"Failed to connect"*)
        # libvirtd is away (restarting): nothing reaches the agent without it, so look again
        # soon rather than on the slow beat, to thaw as soon as it is back.
        WHY="libvirtd does not answer: the watchdog thaws the guest as soon as it is back" ;;
      "shut off"* | crashed* | *"failed to get domain"* | *"Domain not found"*)
        journal watchdog-thawed '"by":"domain-stopped"'
        exit 0 ;;
      *) WHY="the domain is $state: the watchdog thaws the guest as soon as it runs again" ;;
    esac
    if [ -n "$WHY" ] && [ "$WHY" != "$WAITING" ]; then
      journal watchdog-waiting "\"b64\":\"$(b64 "$WHY")\""
    fi
    WAITING=$WHY
    virsh -c "$URI" qemu-agent-command --domain "$UUID" --timeout "$AGENT_TIMEOUT" --cmd '{"execute":"guest-fsfreeze-thaw"}' >/dev/null 2>&1
  fi
  # A runner stuck on a session that no longer answers (its freeze or cut hung past every
  # timeout) is released: its session is ended, so the runner thaws and records what happened.
  now_mono
  if [ "$RELEASED" = 0 ] && [ $((MONO - FIRED_AT)) -ge $(((AGENT_TIMEOUT + 2) * 1000)) ] && session_alive; then
    kill -TERM "$spid" 2>/dev/null
    RELEASED=1
    journal watchdog-released
  fi
  if [ "$THAWED" = 0 ] && [ "${WHY%%:*}" = "libvirtd does not answer" ]; then
    sleep 0.2 2>/dev/null || sleep 1
  else
    sleep "$pause"
    [ "$pause" -lt 2 ] && [ "$THAWED" = 0 ] && pause=$((pause + 1))
  fi
done
