# shellcheck shell=sh
# A scripted `virsh` (and `qemu-img`, when called as fake-qemu-img) for fault injection: it plays
# one domain with a guest agent, and each step does what the plan says: succeed, fail, hang,
# answer late, print garbage, die before or after its effect, lie. The runner under test cannot
# tell it from the real thing; the tests read its state and trace afterwards.
#
# State folder $FAKE_STATE:
#   plan        lines "STEP ACTION [ARG]" (every call of STEP) or "STEP#N ACTION [ARG]" (the N-th)
#   frozen      filesystems frozen now (0 = thawed); fs: how many a freeze freezes (default 2)
#   domstate    running | paused | shut off
#   top         the disk's current image; chain: every image of the disk, one a line
#   snapshots/  one file per snapshot name (libvirt's metadata); current: the current one's name
#   trace       what happened, one line a call: "STEP ACTION frozen=N …"
# Steps: domstate status agent-thaw freeze thaw cut redefine current snapshot-info domblklist
# dumpxml domblkinfo domjobinfo agent-timeout list domstats qemu-img. A cut with --no-metadata
# switches the disk but records no snapshot (nor a current one); redefine records one.
set -u
set -f
S=${FAKE_STATE:?}
UUID=00000000-0000-4000-8000-00000000000a

# shellcheck source-path=SCRIPTDIR source=fake-lib.sh
. "${0%/*}/fake-lib.sh"

# effect STEP ARGS…: what the real thing would do
effect() {
  step=$1
  shift
  case $step in
    domstate) rd domstate running; out "$V" ;;
    status)
      agent_answers || return
      rd frozen 0
      if [ "$V" -gt 0 ]; then out '{"return":"frozen"}'; else out '{"return":"thawed"}'; fi ;;
    agent-thaw)
      agent_answers || return
      rd frozen 0; setfile frozen 0; out "{\"return\":$V}" ;;
    freeze)
      agent_answers || return
      rd frozen 0
      if [ "$V" -gt 0 ]; then err "internal error: unable to execute QEMU agent command 'guest-fsfreeze-freeze': The command guest-fsfreeze-freeze has been disabled for this instance"; return; fi
      rd fs 2; setfile frozen "$V"; COUNT=${COUNT:-$V}
      out "Froze $COUNT filesystem(s)" ;;
    thaw)
      agent_answers || return
      rd frozen 0; setfile frozen 0; COUNT=${COUNT:-$V}; out "Thawed $COUNT filesystem(s)" ;;
    cut)
      file=$2
      name=$(sed -n 's:.*<name>\([^<]*\)</name>.*:\1:p' "$file")
      overlay=$(sed -n "s:.*<source file='\\([^']*\\)'/>.*:\\1:p" "$file")
      case " $* " in
        *" --reuse-external "*) [ -e "$overlay" ] || { err "missing overlay $overlay"; return; } ;;
        *) [ -e "$overlay" ] && { err "external snapshot file for disk vda already exists and is not a block device: $overlay"; return; }
           : >"$overlay" ;;
      esac
      trace cut-start
      [ -n "${THAW_DURING:-}" ] && setfile frozen 0
      [ -n "${CUT_DELAY:-}" ] && nap "$CUT_DELAY"
      # libvirt finishes a snapshot it started whatever happens to its client: no signal
      # splits the metadata from the switch to the overlay
      trap '' HUP INT TERM PIPE
      case " $* " in
        *" --no-metadata "*) ;;
        *) : >"$S/snapshots/$name"; setfile current "$name" ;;
      esac
      setfile top "$overlay"
      printf '%s\n' "$overlay" >>"$S/chain"
      trace cut-end "$name"
      trap - HUP INT TERM PIPE
      out "Domain snapshot $name created" ;;
    redefine)
      file=$2
      while [ $# -gt 1 ]; do [ "$1" = --xmlfile ] && file=$2; shift; done
      set -- "$1" "$file"
      name=$(sed -n 's:^<domainsnapshot><name>\([^<]*\)</name>.*:\1:p' "$2")
      [ -n "$name" ] || { err "XML error: no snapshot name in $2"; return; }
      : >"$S/snapshots/$name"
      setfile current "$name"
      out "Domain snapshot $name created from '$2'" ;;
    current)
      if [ -s "$S/current" ]; then rd current ''; out "$V"; else err "domain 'fake' has no current snapshot"; fi ;;
    snapshot-info)
      name=
      while [ $# -gt 0 ]; do [ "$1" = --snapshotname ] && name=$2; shift; done
      if [ -n "$name" ] && [ -e "$S/snapshots/$name" ]; then out "Name:           $name"; else err "Domain snapshot not found: no domain snapshot with matching name '$name'"; fi ;;
    domblklist)
      out " Type   Device   Target   Source"
      out "------------------------------------------------"
      rd top ''; out " file   disk     vda      $V" ;;
    dumpxml)
      out "<domain type='qemu'><devices><disk type='file' device='disk'>"
      rd top ''; out "<driver name='qemu' type='qcow2'/><source file='$V'/>"
      out "<target dev='vda' bus='virtio'/></disk></devices></domain>" ;;
    domblkinfo) out "Capacity:       67108864"; out "Allocation:     1000"; out "Physical:       1000" ;;
    domjobinfo) out "Job type:         None" ;;
    agent-timeout) trace agent-timeout "$*" ;;
    list) out "$UUID" ;;
    domstats)
      out "Domain: 'fake'"
      i=0
      tac "$S/chain" | while IFS= read -r p; do out "  block.$i.path=$p"; i=$((i + 1)); done ;;
    qemu-img)
      # create -q -u -f qcow2 -F FMT -b SRC OVERLAY SIZE: the overlay is the second-last argument
      while [ $# -gt 2 ]; do shift; done
      : >"$1" ;;
  esac
}

# run STEP ARGS…: one call, as the plan says
run() {
  step=$1
  plan_for "$step"
  trace "$step" "$ACTION"
  FAILED=0 COUNT='' THAW_DURING='' CUT_DELAY=
  case $ACTION in
    ok) effect "$@" ;;
    fail) err "injected failure of $step" ;;
    delay) nap "$ARG"; effect "$@" ;;
    hang) nap 300; effect "$@" ;;
    late) effect "$@" >"$S/late.$$" 2>&1; nap "$ARG"; cat "$S/late.$$"; rm -f "$S/late.$$" ;;
    garbage) out '}{ %garbage% "Froze" ]' ;;
    die) exit 137 ;;
    die-after) effect "$@" >/dev/null 2>&1; exit 137 ;;
    lie-error) effect "$@" >/dev/null 2>&1; err "injected error after the effect of $step" ;;
    count) COUNT=$ARG; effect "$@" ;;
    partial) effect "$@" >/dev/null 2>&1; rd frozen 0; printf 'Froze %s' "$V" ;;
    thaw-during) THAW_DURING=1; effect "$@" ;;
    slow) CUT_DELAY=$ARG; effect "$@" ;;
    pause) setfile domstate "paused (ioerror)"; effect "$@" ;;
    *) err "fake: unknown action $ACTION" ;;
  esac
  return "$FAILED"
}

# one virsh command line (words) -> run
dispatch() {
  cmd=$1
  shift
  case $cmd in
    domstate) run domstate "$@" ;;
    qemu-agent-command)
      case "$*" in
        *guest-fsfreeze-status*) run status "$@" ;;
        *guest-fsfreeze-thaw*) run agent-thaw "$@" ;;
        *) err "fake: unsupported agent command" ;;
      esac ;;
    domfsfreeze) run freeze "$@" ;;
    domfsthaw) run thaw "$@" ;;
    snapshot-create)
      case " $* " in
        *" --redefine "*) run redefine "$@" ;;
        *) printf '%s\n' "$*" >"$S/cut-args"; run cut "$@" ;;
      esac ;;
    snapshot-current) run current "$@" ;;
    snapshot-info) run snapshot-info "$@" ;;
    domblklist) run domblklist "$@" ;;
    dumpxml) run dumpxml "$@" ;;
    domblkinfo) run domblkinfo "$@" ;;
    domjobinfo) run domjobinfo "$@" ;;
    guest-agent-timeout) run agent-timeout "$@" ;;
    list) run list "$@" ;;
    domstats) run domstats "$@" ;;
    echo) out "$*" ;;
    quit | exit) exit 0 ;;
    *) err "fake: unknown command $cmd" ;;
  esac
}

if [ "${0##*/}" = qemu-img ] || [ "${FAKE_AS:-}" = qemu-img ]; then
  run qemu-img "$@"
  exit $?
fi
fake_main "$@"
