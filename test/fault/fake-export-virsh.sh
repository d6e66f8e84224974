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
# snap-dumpxml (snapshots/NAME: its overlay) list qemu-img-info qemu-img-convert qemu-img-rebase
# vol-dumpxml vol-download pool-list pool-dumpxml pool-refresh pool-create pool-destroy
#   unreadable  paths qemu-img may not open (the SSH user's "Permission denied"), one a line;
#               libvirt's storage driver reads them (vol-dumpxml, vol-download)
#   pools/      one file per active storage pool: its target folder (a volume is found by its
#               path only in an active pool on its folder)
# A fake image is "QFI fake qcow2 backing=PATH" and then its data lines; qemu-img convert writes
# the data of the whole chain (the base's first), as a real convert flattens it.
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

# readable FILE: qemu-img may open it (it exists and is not listed in `unreadable`)
readable() {
  [ -e "$1" ] || { err "Could not open '$1': No such file or directory"; return 1; }
  if [ -s "$S/unreadable" ] && grep -qxF -- "$1" "$S/unreadable"; then
    err "Could not open '$1': Permission denied"
    return 1
  fi
}
backing_of() { sed -n '1s/^QFI fake qcow2 backing=//p' "$1"; }
# chain_data FILE: the data lines of FILE's chain, its base's first; false if a layer cannot open
chain_data() {
  readable "$1" || return 1
  cb=$(backing_of "$1")
  if [ -n "$cb" ]; then chain_data "$cb" || return 1; fi
  sed 1d "$1"
}
# pools: the active pools' names (set -f: no glob; names without spaces)
# shellcheck disable=SC2012 # names this fake chose
pools() { ls "$S/pools" 2>/dev/null; }
# in_pool PATH: an active pool is on PATH's folder
in_pool() {
  [ -d "$S/pools" ] || return 1
  for pn in $(pools); do
    read -r pd <"$S/pools/$pn"
    [ "$pd" = "${1%/*}" ] && return 0
  done
  return 1
}
# vol_arg ARGS…: VOL = the --vol or first plain argument, FILE = --file's
vol_arg() {
  VOL='' FILE=''
  while [ $# -gt 0 ]; do
    case $1 in
      --vol) VOL=$2; shift ;;
      --file) FILE=$2; shift ;;
      --*) ;;
      *) [ -n "$VOL" ] || VOL=$1 ;;
    esac
    shift
  done
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
        # the domain as it was before the cut: its disk's source is the image the cut froze
        fz=$(backing_of "$(cat "$S/snapshots/$name")" | sed -e 's/&/\&amp;/g' -e "s/'/\&apos;/g")
        out "  <domain type='qemu'><name>fake</name><devices><disk type='file' device='disk'><source file='${fz:-frozen}'/><target dev='vda'/></disk></devices></domain>"
        out "</domainsnapshot>"
      else err "Domain snapshot not found: no domain snapshot with matching name '$name'"; fi ;;
    list) out "$FAKE_UUID_OF" ;;
    qemu-img-info)
      # info -U [--backing-chain] --output=json -- FILE: a fake image's backing, the disk's size
      chain=no
      case " $* " in *" --backing-chain "*) chain=yes ;; esac
      while [ $# -gt 1 ]; do shift; done
      readable "$1" || return
      if [ "$chain" = yes ]; then chain_data "$1" >/dev/null || return; fi
      b=$(backing_of "$1")
      out "{"; out "    \"virtual-size\": $SIZE,"; out "    \"filename\": \"$1\","
      [ -n "$b" ] && out "    \"full-backing-filename\": \"$b\","
      out "    \"format\": \"qcow2\""; out "}" ;;
    qemu-img-convert)
      # convert -O qcow2 -- SRC DST: takes copy-ms, written as it goes
      while [ $# -gt 2 ]; do shift; done
      rd copy-ms 1500
  ms=$V
      trace convert-start "$1"
      data=$(chain_data "$1") || return
      head -c 4096 "$1" >"$2"
      nap "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
      printf 'QFI fake qcow2 backing=\n%s\n' "$data" >"$2"
      trace convert-end "$1" ;;
    qemu-img-rebase)
      # rebase -u -F FMT -b NEW -- FILE: only FILE's header changes
      nb=
      while [ $# -gt 1 ]; do [ "$1" = -b ] && nb=$2; shift; done
      [ -e "$1" ] || { err "Could not open '$1': No such file or directory"; return; }
      readable "$1" || return
      { printf 'QFI fake qcow2 backing=%s\n' "$nb"; sed 1d "$1"; } >"$1.rebase" && mv -f "$1.rebase" "$1"
      trace rebased "$1" "$nb" ;;
    vol-dumpxml)
      vol_arg "$@"
      if ! in_pool "$VOL" || [ ! -e "$VOL" ]; then
        err "failed to get vol '$VOL', specifying --pool might help"; return
      fi
      b=$(backing_of "$VOL")
      out "<volume type='file'>"; out "  <name>${VOL##*/}</name>"; out "  <key>$VOL</key>"
      out "  <capacity unit='bytes'>$SIZE</capacity>"
      out "  <allocation unit='bytes'>4096</allocation>"
      out "  <physical unit='bytes'>$(wc -c <"$VOL" | tr -d ' ')</physical>"
      out "  <target>"; out "    <path>$VOL</path>"; out "    <format type='qcow2'/>"; out "  </target>"
      if [ -n "$b" ]; then
        out "  <backingStore>"; out "    <path>$b</path>"; out "    <format type='qcow2'/>"; out "  </backingStore>"
      fi
      out "</volume>" ;;
    vol-download)
      vol_arg "$@"
      if ! in_pool "$VOL" || [ ! -e "$VOL" ]; then
        err "failed to get vol '$VOL', specifying --pool might help"; return
      fi
      trace download-start "$VOL"
      head -c 10 "$VOL" >"$FILE"
      rd copy-ms 1500
      ms=$V
      nap "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
      cat "$VOL" >"$FILE"
      trace download-end "$VOL" ;;
    pool-list)
      for pn in $(pools); do out "$pn"; done ;;
    pool-dumpxml | pool-refresh | pool-destroy)
      pn=
      while [ $# -gt 0 ]; do [ "$1" = --pool ] && pn=$2; shift; done
      [ -f "$S/pools/$pn" ] || { err "Storage pool not found: no storage pool with matching name '$pn'"; return; }
      case $step in
        pool-dumpxml) read -r pd <"$S/pools/$pn"; out "<pool type='dir'>"; out "  <name>$pn</name>"; out "  <target>"; out "    <path>$pd</path>"; out "  </target>"; out "</pool>" ;;
        pool-refresh) out "Pool $pn refreshed" ;;
        pool-destroy) rm -f "$S/pools/$pn"; trace pool-destroyed "$pn"; out "Pool $pn destroyed" ;;
      esac ;;
    pool-create)
      # pool-create-as --name NAME --type dir --target DIR: transient, started
      pn='' pd=''
      while [ $# -gt 0 ]; do
        case $1 in --name) pn=$2 ;; --target) pd=$2 ;; esac
        shift
      done
      mkdir -p "$S/pools"
      for on in $(pools); do
        read -r od <"$S/pools/$on"
        [ "$od" = "$pd" ] && { err "operation failed: Storage source conflict with pool: '$on'"; return; }
      done
      printf '%s\n' "$pd" >"$S/pools/$pn"
      trace pool-created "$pn"
      out "Pool $pn created" ;;
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
    vol-dumpxml) run vol-dumpxml "$@" ;;
    vol-download) run vol-download "$@" ;;
    pool-list) run pool-list "$@" ;;
    pool-dumpxml) run pool-dumpxml "$@" ;;
    pool-refresh) run pool-refresh "$@" ;;
    pool-destroy) run pool-destroy "$@" ;;
    pool-create-as) run pool-create "$@" ;;
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
    rebase) run qemu-img-rebase "$@" ;;
    *) err "fake: qemu-img $sub" ;;
  esac
  exit $?
fi
fake_main "$@"
