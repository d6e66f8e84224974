# shellcheck shell=sh
# A scripted `virsh` (and `qemu-img` when called as such) for the export runner's fault tests, in
# the style of fake-virsh.sh: one running domain with a guest agent, a disk, libvirt's push
# backup with checkpoints, and a plan that makes any step succeed, fail, hang, answer late, print
# garbage or die. The runner cannot tell it from the real thing; the tests read its state after.
#
# State folder $FAKE_STATE:
#   plan        lines "STEP ACTION [ARG]" (every call) or "STEP#N ACTION [ARG]" (the N-th call)
#   frozen      filesystems frozen now (0 = thawed); fs: how many a freeze freezes (default 2)
#   domstate    running | paused | shut off
#   job         the backup job while it runs: "START_NS TOTAL" (its targets in job.targets)
#   completed   the last job's end: "3" (completed), "4 MESSAGE" (failed) or "5" (cancelled)
#   checkpoints/ one file per checkpoint name
#   copy-ms     how long a copy takes (default 1500); size: the disk's virtual size in bytes
#   trace       one line a call: "STEP ACTION frozen=N"; the cut adds cut-start/cut-end lines
# Steps: domstate status agent-thaw freeze thaw cut jobinfo completed abort cp-dumpxml cp-info
# cp-delete domblklist domblkinfo dumpxml domname agent-timeout qemu-img-create qemu-img-check
# snap-dumpxml (snapshots/NAME: its overlay) list qemu-img-info qemu-img-convert
set -u
set -f
S=${FAKE_STATE:?}
# shellcheck source-path=SCRIPTDIR source=fake-lib.sh
. "${0%/*}/fake-lib.sh"
rd size 67108864
SIZE=$V
rd uuid 00000000-0000-4000-8000-00000000000a
FAKE_UUID_OF=$V

now_ns() { date +%s%N; }
running() { rd domstate running; [ "$V" = running ]; }
no_agent() { err "Guest agent is not responding: QEMU guest agent is not connected"; }

# the job's state: ends it when its time is up (the copy: every target gets its bytes)
job_tick() {
  [ -s "$S/job" ] || return 0
  read -r start total <"$S/job"
  rd copy-ms 1500
  ms=$V
  el=$((($(now_ns) - start) / 1000000))
  if [ "$el" -ge "$ms" ]; then
    while IFS= read -r t; do head -c 4096 /dev/urandom >>"$t"; done <"$S/job.targets"
    rm -f "$S/job"
    setfile completed 3
    trace job-end
    DONE_B=$total
  else
    DONE_B=$((total * el / ms))
  fi
  TOTAL_B=$total
}

effect() {
  step=$1
  shift
  case $step in
    domstate) rd domstate running; out "$V" ;;
    status)
      running || { no_agent; return; }
      rd frozen 0
      if [ "$V" -gt 0 ]; then out '{"return":"frozen"}'; else out '{"return":"thawed"}'; fi ;;
    agent-thaw)
      running || { no_agent; return; }
      rd frozen 0; setfile frozen 0; out "{\"return\":$V}" ;;
    freeze)
      running || { no_agent; return; }
      rd frozen 0
      if [ "$V" -gt 0 ]; then err "agent is in frozen state"; return; fi
      rd fs 2; setfile frozen "$V"; COUNT=${COUNT:-$V}
      out "Froze $COUNT filesystem(s)" ;;
    thaw)
      running || { no_agent; return; }
      rd frozen 0; setfile frozen 0; COUNT=${COUNT:-$V}; out "Thawed $COUNT filesystem(s)" ;;
    cut)
      # backup-begin UUID backup.xml checkpoint.xml --reuse-external
      bx=$2 cx=$3
      job_tick
      if [ -s "$S/job" ]; then err "Operation not supported: domain has active block job"; return; fi
      case " $* " in *" --reuse-external "*) ;; *) err "fake: the runner must pre-create the targets"; return ;; esac
      grep -o "<target file='[^']*'/>" "$bx" | sed -e "s:<target file='\\(.*\\)'/>:\\1:" \
        -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g' >"$S/job.targets.new"
      while IFS= read -r t; do
        [ -e "$t" ] || { err "missing target $t"; return; }
      done <"$S/job.targets.new"
      inc=$(sed -n 's:.*<incremental>\([^<]*\)</incremental>.*:\1:p' "$bx")
      if [ -n "$inc" ] && [ ! -e "$S/checkpoints/$inc" ]; then err "Domain checkpoint not found: $inc"; return; fi
      cp=$(sed -n 's:.*<domaincheckpoint><name>\([^<]*\)</name>.*:\1:p' "$cx")
      trace cut-start "$cp"
      [ -n "${CUT_DELAY:-}" ] && nap "$CUT_DELAY"
      trap '' HUP INT TERM PIPE
      mv -f "$S/job.targets.new" "$S/job.targets"
      total=$SIZE
      [ -n "$inc" ] && total=$((SIZE / 16))
      rm -f "$S/completed"
      printf '%s %s\n' "$(now_ns)" "$total" >"$S/job"
      : >"$S/checkpoints/$cp"
      trace cut-end "$cp"
      trap - HUP INT TERM PIPE
      out "Backup started" ;;
    jobinfo)
      job_tick
      if [ -s "$S/job" ]; then
        out "Job type: 2"; out ""; out "operation: 9"; out "disk_total: $TOTAL_B"; out "disk_processed: $DONE_B"
      else
        out "Job type: 0"; out ""
      fi ;;
    completed)
      job_tick
      if [ -s "$S/completed" ]; then
        read -r jt msg <"$S/completed"
        out "Job type: $jt"; out ""; out "operation: 9"; out "disk_total: ${TOTAL_B:-$SIZE}"; out "disk_processed: ${DONE_B:-$SIZE}"
        [ -n "$msg" ] && out "errmsg: $msg"
      else
        out "Job type: 0"; out ""
      fi ;;
    abort)
      job_tick
      if [ -s "$S/job" ]; then rm -f "$S/job"; setfile completed 5; trace job-aborted; else err "Requested operation is not valid: no job is active on the domain"; fi ;;
    cp-dumpxml)
      name=
      while [ $# -gt 0 ]; do [ "$1" = --checkpointname ] && name=$2; shift; done
      if [ -e "$S/checkpoints/$name" ]; then
        out "<domaincheckpoint><name>$name</name><disks>"
        out "  <disk name='vda' checkpoint='bitmap' bitmap='$name' size='65536'/>"
        out "</disks></domaincheckpoint>"
      else err "Domain checkpoint not found: no domain checkpoint with matching name '$name'"; fi ;;
    cp-info)
      name=
      while [ $# -gt 0 ]; do [ "$1" = --checkpointname ] && name=$2; shift; done
      if [ -e "$S/checkpoints/$name" ]; then out "Name: $name"; else err "Domain checkpoint not found: '$name'"; fi ;;
    cp-delete)
      name=
      while [ $# -gt 0 ]; do [ "$1" = --checkpointname ] && name=$2; shift; done
      if [ -e "$S/checkpoints/$name" ]; then rm -f "$S/checkpoints/$name"; out "Domain checkpoint $name deleted"; else err "Domain checkpoint not found: '$name'"; fi ;;
    domblklist)
      out " Type   Device   Target   Source"
      out "------------------------------------------------"
      rd top ''
      out " file   disk     vda      $V"
      out " file   cdrom    sda      -" ;;
    domblkinfo) out "Capacity:       $SIZE"; out "Allocation:     1000"; out "Physical:       1000" ;;
    dumpxml)
      out "<domain type='qemu'><name>fake \"vm\" & co</name><devices><disk type='file' device='disk'>"
      rd top ''
      out "<driver name='qemu' type='qcow2'/><source file='$V'/>"
      out "<target dev='vda' bus='virtio'/></disk></devices></domain>" ;;
    domname) out 'fake "vm" & co' ;;
    agent-timeout) trace agent-timeout "$*" ;;
    qemu-img-create)
      # create … FILE SIZE: the file is the second-last argument; -b names the backing
      b=
      while [ $# -gt 2 ]; do [ "$1" = -b ] && b=$2; shift; done
      printf 'QFI fake qcow2 backing=%s\n' "$b" >"$1" ;;
    qemu-img-check) ;;
    snap-dumpxml)
      # snapshot-dumpxml --domain UUID --snapshotname NAME: snapshots/NAME holds its overlay
      name=
      while [ $# -gt 0 ]; do [ "$1" = --snapshotname ] && name=$2; shift; done
      if [ -s "$S/snapshots/$name" ]; then
        out "<domainsnapshot>"; out "  <name>$name</name>"; out "  <disks>"
        out "    <disk name='vda' snapshot='external' type='file'>"
        out "      <driver type='qcow2'/>"
        out "      <source file='$(sed -e 's/&/\&amp;/g' -e "s/'/\&apos;/g" "$S/snapshots/$name")'/>"
        out "    </disk>"; out "    <disk name='sda' snapshot='no'/>"; out "  </disks>"
        out "  <domain type='qemu'><name>fake</name><devices><disk type='file' device='disk'><source file='frozen'/><target dev='vda'/></disk></devices></domain>"
        out "</domainsnapshot>"
      else err "Domain snapshot not found: no domain snapshot with matching name '$name'"; fi ;;
    list) out "$FAKE_UUID_OF" ;;
    qemu-img-info)
      # info -U --output=json -- FILE: a fake image's backing, the disk's size
      while [ $# -gt 1 ]; do shift; done
      [ -e "$1" ] || { err "Could not open '$1': No such file or directory"; return; }
      b=$(sed -n '1s/^QFI fake qcow2 backing=//p' "$1")
      out "{"; out "    \"virtual-size\": $SIZE,"; out "    \"filename\": \"$1\","
      [ -n "$b" ] && out "    \"full-backing-filename\": \"$b\","
      out "    \"format\": \"qcow2\""; out "}" ;;
    qemu-img-convert)
      # convert -O qcow2 -- SRC DST: takes copy-ms, written as it goes
      while [ $# -gt 2 ]; do shift; done
      rd copy-ms 1500
  ms=$V
      trace convert-start "$1"
      head -c 4096 "$1" >"$2"
      nap "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
      cat "$1" >"$2"
      trace convert-end "$1" ;;
  esac
}

run() {
  step=$1
  plan_for "$step"
  trace "$step" "$ACTION"
  FAILED=0 COUNT='' CUT_DELAY=''
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
    slow) CUT_DELAY=$ARG; effect "$@" ;;
    job-fails) effect "$@"; rm -f "$S/job"; setfile completed "4 injected I/O error on the target" ;;
    *) err "fake: unknown action $ACTION" ;;
  esac
  return "$FAILED"
}

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
    backup-begin) run cut "$@" ;;
    domjobinfo)
      case " $* " in
        *" --completed "*) run completed "$@" ;;
        *) run jobinfo "$@" ;;
      esac ;;
    domjobabort) run abort "$@" ;;
    checkpoint-dumpxml) run cp-dumpxml "$@" ;;
    checkpoint-info) run cp-info "$@" ;;
    checkpoint-delete) run cp-delete "$@" ;;
    domblklist) run domblklist "$@" ;;
    domblkinfo) run domblkinfo "$@" ;;
    dumpxml) run dumpxml "$@" ;;
    domname) run domname "$@" ;;
    guest-agent-timeout) run agent-timeout "$@" ;;
    snapshot-dumpxml) run snap-dumpxml "$@" ;;
    list) run list "$@" ;;
    echo) out "$*" ;;
    quit | exit) exit 0 ;;
    *) err "fake: unknown command $cmd" ;;
  esac
}

if [ "${FAKE_AS:-}" = qemu-img ]; then
  sub=$1
  shift
  case $sub in
    create) run qemu-img-create "$@" ;;
    check) run qemu-img-check "$@" ;;
    info) run qemu-img-info "$@" ;;
    convert) run qemu-img-convert "$@" ;;
    *) err "fake: qemu-img $sub" ;;
  esac
  exit $?
fi
fake_main "$@"
