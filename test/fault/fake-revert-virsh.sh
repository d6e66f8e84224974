# shellcheck shell=sh
# A scripted `virsh` (and `qemu-img`, called as that) for the revert runner's fault tests: one
# domain whose persistent definition is $FAKE_STATE/def.xml (its one disk vda), its state in
# domstate. $FAKE_STATE/plan lines "STEP ACTION": shutdown ignore (the guest does not stop),
# shutdown slow (it stays running for the next domstate call, then is shut off), shutdown
# agent-late (the agent refuses the first shutdown, as one not up yet does; ACPI is ignored; the
# agent takes a later one), start kill-after (the guest starts, then the runner is SIGKILLed),
# define fail, start fail, qemu-img fail. Every call is traced in $FAKE_STATE/trace.
# Also played as `date` (the journal's clock), so that every step of the runner passes here.
# A kill at a phase: $FAKE_STATE/kill-at holds "PHASE N": the Nth call (virsh, qemu-img or date)
# made while the runner's journal says PHASE is running SIGKILLs the runner's whole session (the
# runner leads it: launch.sh starts it with setsid), as a host that loses the runner would.
set -u
set -f
S=${FAKE_STATE:?}
# (builtins where they do: every call of the runner's comes here, and forks are what a loaded
# machine's runs wait for)
planned() {
  [ -r "$S/plan" ] || return 1
  while IFS= read -r pl || [ -n "$pl" ]; do [ "$pl" = "$1 $2" ] && return 0; done <"$S/plan"
  return 1
}
# libvirt writes attributes in single quotes, the app's XML builder in double quotes
source_of() { tr '"' "'" <"$1" | sed -n "s/.*<source file='\([^']*\)'.*/\1/p" | head -n 1; }
# The runner's cwd is its operation folder (journal.jsonl, runner.pid).
kill_hook() {
  [ -s "$S/kill-at" ] && [ -r journal.jsonl ] && [ -r runner.pid ] || return 0
  read -r kphase kn <"$S/kill-at"
  last=
  while IFS= read -r jl; do case $jl in *'"ev":"phase"'*) last=$jl ;; esac; done <journal.jsonl
  case $last in *"\"phase\":\"$kphase\",\"status\":\"running\""*) ;; *) return 0 ;; esac
  c=
  [ -r "$S/kill-count" ] && read -r c <"$S/kill-count"
  c=$((${c:-0} + 1))
  echo "$c" >"$S/kill-count"
  [ "$c" -ge "$kn" ] || return 0
  rm -f "$S/kill-at"
  read -r victim <runner.pid
  echo "killed $kphase $kn ($0 $*)" >>"$S/trace"
  kill -9 "-$victim" 2>/dev/null || kill -9 "$victim"
  sleep 5 # the kill reaches this process too
}
kill_hook "$@"
if [ "${0##*/}" = date ]; then
  exec /usr/bin/date "$@"
fi
# a disk file the definition names that does not exist (libvirt would not start the guest)
missing_disk() {
  tr '"' "'" <"$1" | sed -n "s/.*<source file='\([^']*\)'.*/\1/p" | while IFS= read -r f; do
    [ -e "$f" ] || echo "$f"
  done
}
if [ "${0##*/}" = qemu-img ]; then
  echo "$*" >>"$S/trace"
  planned qemu-img fail && { echo "qemu-img: cannot create" >&2; exit 1; }
  # create -q -u -f qcow2 -F FMT -b BACKING OVERLAY SIZE
  eval "overlay=\${$(($# - 1))}"
  # shellcheck disable=SC2154 # set by the eval
  : >"$overlay"
  exit 0
fi
[ "${1:-}" = -c ] && shift 2
echo "$*" >>"$S/trace"
cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
  '')
    # an interactive session (list_in_use): answer each domblklist line with the disk
    while IFS= read -r line; do
      case $line in
        domblklist*) printf ' Type   Device   Target   Source\n file   disk     vda      %s\n' "$(source_of "$S/def.xml")" ;;
      esac
    done
    ;;
  domstate)
    if [ -s "$S/shutdown-in" ]; then
      left=$(($(cat "$S/shutdown-in") - 1))
      if [ "$left" -le 0 ]; then rm -f "$S/shutdown-in"; echo "shut off" >"$S/domstate"; else echo "$left" >"$S/shutdown-in"; fi
    fi
    cat "$S/domstate"
    ;;
  dumpxml) cat "$S/def.xml" ;;
  domblkinfo) printf 'Capacity:       1048576\nAllocation:     0\n' ;;
  domblklist) printf ' Type   Device   Target   Source\n file   disk     vda      %s\n' "$(source_of "$S/def.xml")" ;;
  list) echo 00000000-0000-4000-8000-00000000000b ;;
  shutdown)
    if planned shutdown agent-late; then
      case "$*" in
        *"--mode acpi"*) ;;
        *)
          if [ ! -e "$S/agent-refused" ]; then
            : >"$S/agent-refused"
            echo "error: Guest agent is not responding: QEMU guest agent is not connected" >&2
            exit 1
          fi
          echo "shut off" >"$S/domstate"
          ;;
      esac
    elif planned shutdown slow; then
      echo 2 >"$S/shutdown-in"
    else
      planned shutdown ignore || echo "shut off" >"$S/domstate"
    fi
    echo "Domain is being shutdown"
    ;;
  destroy) echo "shut off" >"$S/domstate" ;;
  define)
    planned define fail && { echo "error: define refused" >&2; exit 1; }
    m=$(missing_disk "$1")
    [ -z "$m" ] || { echo "error: Cannot access storage file '$m'" >&2; exit 1; }
    cp "$1" "$S/def.xml"
    ;;
  start)
    planned start fail && { echo "error: start refused" >&2; exit 1; }
    m=$(missing_disk "$S/def.xml")
    [ -z "$m" ] || { echo "error: Cannot access storage file '$m'" >&2; exit 1; }
    echo running >"$S/domstate"
    if planned start kill-after; then # the guest started, the runner dies before it notes so
      read -r victim <runner.pid
      echo "killed after start" >>"$S/trace"
      kill -9 "-$victim" 2>/dev/null || kill -9 "$victim"
      sleep 5
    fi
    ;;
  qemu-agent-command)
    case $(cat "$S/domstate") in running*) echo '{"return":{}}' ;; *) echo "error: guest is not running" >&2; exit 1 ;; esac
    ;;
  restore)
    # restore --file MEM --xml XML --running|--paused: the domain resumes from its memory image
    mem='' xml='' how=''
    while [ $# -gt 0 ]; do
      case $1 in --file) mem=$2; shift ;; --xml) xml=$2; shift ;; --running | --paused) how=$1 ;; esac
      shift
    done
    [ -e "$mem" ] || { echo "error: cannot open $mem" >&2; exit 1; }
    m=$(missing_disk "$xml")
    [ -z "$m" ] || { echo "error: Cannot access storage file '$m'" >&2; exit 1; }
    if [ "$how" = --paused ]; then echo paused >"$S/domstate"; else echo running >"$S/domstate"; fi
    echo "Domain restored from $mem"
    ;;
  snapshot-dumpxml) echo "<domainsnapshot><name>A</name></domainsnapshot>" ;;
  # libvirt's own revert (≥ 9.9), as far as the runner sees it: the current snapshot's name, a
  # disk-only snapshot onto the --diskspec file, and a revert that puts the domain on a new
  # overlay of the snapshot and removes the overlay it wrote to (as libvirt does)
  snapshot-current) cat "$S/current" 2>/dev/null || { echo "error: no current snapshot" >&2; exit 1; } ;;
  snapshot-create-as)
    name='' file=''
    while [ $# -gt 0 ]; do
      case $1 in
        --name) name=$2; shift ;;
        --diskspec) file=${2#*file=}; file=$(printf '%s' "$file" | sed 's/,,/,/g'); shift ;;
      esac
      shift
    done
    : >"$file"
    old=$(source_of "$S/def.xml")
    sed "s|$old|$file|" "$S/def.xml" >"$S/def.new" && mv "$S/def.new" "$S/def.xml"
    echo "$name" >"$S/current"
    echo "Domain snapshot $name created"
    ;;
  snapshot-revert)
    planned snapshot-revert fail && { echo "error: revert refused" >&2; exit 1; }
    while [ $# -gt 0 ]; do
      case $1 in --snapshotname) name=$2; shift ;; esac
      shift
    done
    old=$(source_of "$S/def.xml")
    new=${old%/*}/data.libvirt-revert.qcow2
    : >"$new"
    sed "s|$old|$new|" "$S/def.xml" >"$S/def.new" && mv "$S/def.new" "$S/def.xml"
    rm -f "$old"
    echo "$name" >"$S/current"
    echo "shut off" >"$S/domstate"
    ;;
  snapshot-create) echo "Domain snapshot A created" ;;
  *) echo "error: fake virsh has no $cmd" >&2; exit 1 ;;
esac
exit 0
