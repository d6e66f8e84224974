# shellcheck shell=sh
# Quiesce export runner: a consistent, standalone copy of a running domain's disks in a host
# folder, ON THE HOST, detached from the SSH session that started it (launch.sh), like the
# snapshot runner. Only the point-in-time cut is frozen: freeze -> `backup-begin` (libvirt's push
# backup, with a checkpoint so the next export can be incremental) -> thaw; QEMU copies after the
# thaw while the guest works, and this runner follows the job (progress in the journal), checks
# the copies, gives them their final names, and writes the manifest last.
#
# Usage: sh export-runner.sh OPDIR, OPDIR = EXPORTDIR/ops/OP where EXPORTDIR = HOSTDIR/exports
# OPDIR holds `args` (named values, read and checked by read_args), and this runner writes:
#   journal.jsonl  one JSON object a line (schema: electron/services/export/export-journal.ts;
#                  the phase, frozen, thawed, watchdog and end lines are the snapshot runner's)
#   made           files and folders this run made in the destination (base64 path a line)
#   backup.xml, checkpoint.xml  what libvirt is handed (the cut reads them by relative name)
#   TARGET.create, TARGET.sha256, manifest.parts  what its background processes answered
#   runner.pid, session.pid, watchdog.pid, freeze-returned, disarmed: the watchdog's handshake
#   cancel         written by export-cancel.sh: abort the copy and remove what was made
# and appends one line to EXPORTDIR/index.jsonl when it ends, whatever the outcome.
#
# The destination: DEST/UUID/OP/ holds TARGET.qcow2 per disk and manifest.json. A disk is named
# TARGET.qcow2.partial until it is copied and checked; the manifest, written last, is what makes
# an export complete (docs/export.md). An incremental export's images have the previous export's
# images as backing files (relative: ../PARENT/TARGET.qcow2), so the folder moves as a whole.
set -u
set -f # no globbing: paths come from the admin and from libvirt
umask 077
OPDIR=${1:-}
cd "$OPDIR" || exit 70
JOURNAL=$OPDIR/journal.jsonl
# shellcheck source-path=SCRIPTDIR source=host-lib.sh
. "$OPDIR/host-lib.sh"
# shellcheck source-path=SCRIPTDIR source=virsh-session.sh
. "$OPDIR/virsh-session.sh"

# ---------------------------------------------------------------- arguments, by name
OP=invalid URI='' UUID='' DEST='' MODE_ASKED='' POLICY='' MAXFREEZE='' AGENT_TIMEOUT='' EXPORTDIR=''
WORKSTATION='' APPUSER='' HOLD_MS=0 POLL_MS=500 SNAPSHOT=''
# dest is base64 (any path); snapshot: an existing snapshot's frozen images, no freeze
read_args freeze_arg dest=DEST mode=MODE_ASKED hostDir=EXPORTDIR pollMs=POLL_MS snapshot=SNAPSHOT
DEST=$(decode "$DEST")
check_freeze_args
case $DEST in /*) ;; *) bad_args "dest: not an absolute path" ;; esac
case $DEST in *"$NL"*) bad_args "dest: holds a line break" ;; esac
case $MODE_ASKED in full | incremental) ;; *) bad_args mode ;; esac
in_range "$POLL_MS" 50 10000 || bad_args pollMs
case $SNAPSHOT in *[!0-9A-Za-z._-]* | [.-]*) bad_args snapshot ;; esac
check_kind_folder "$EXPORTDIR" exports
echo $$ >runner.pid

# ---------------------------------------------------------------- fewer processes in the hot path
# On a loaded 2-core host every process the runner starts costs 10-50 ms, and an export's fixed
# cost was mostly processes (docs/export.md, "Where the fixed cost went"). The clock on fds 5 and
# 6 (clock_start, now_rt), base64 (b64_plain, b64, decode) and xml_escape without processes for
# plain text are host-lib.sh's; here, what only this runner needs.
CR=$(printf '\r')
# first_words LIST: WORDS = the first word of each line of LIST (TARGET VALUE lines)
first_words() {
  WORDS=
  IFS=$NL
  for _fw in $1; do WORDS="$WORDS ${_fw%% *}"; done
  IFS=$IFS_SAVE
}
# value_of LIST KEY: VALUE = the rest of LIST's line whose first word is KEY ('' when none)
value_of() {
  VALUE=
  IFS=$NL
  for _fw in $1; do
    case $_fw in "$2 "*) VALUE=${_fw#"$2 "}; break ;; esac
  done
  IFS=$IFS_SAVE
}
# sum_values LIST ADD: SUM = the total of LIST's values (TARGET NUMBER lines, checked numbers), ADD
# more for each line
sum_values() {
  SUM=0
  IFS=$NL
  for _fw in $1; do SUM=$((SUM + ${_fw##* } + $2)); done
  IFS=$IFS_SAVE
}

# file_size FILE: SIZE = its size in bytes (0 when it cannot be read), from `ls -lnL`'s fifth
# column (the same on busybox) split by the shell: one process, no awk
file_size() {
  # shellcheck disable=SC2012 # one named file: its size, the same way on busybox
  _fs=$(ls -lnL -- "$1" 2>/dev/null 3>&- 4<&- 5>&- 6<&- 9>&-)
  SIZE=0
  IFS=' '
  # shellcheck disable=SC2086 # split on purpose: the line's columns (set -f: no globs)
  set -- $_fs
  IFS=$IFS_SAVE
  is_uint "${5:-}" && SIZE=$5
}
# json_str TEXT: TEXT as a JSON string (quotes included); as is when nothing in it needs escaping
json_str() {
  case $1 in
    *[\\\"]* | *"$NL"* | *"$TAB"* | *"$CR"*) ;;
    *) printf '"%s"' "$1"; return 0 ;;
  esac
  printf '%s' "$1" | awk 'BEGIN { ORS = ""; print "\"" }
    { if (NR > 1) print "\\n"; gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t"); gsub(/\r/, "\\r"); print }
    END { print "\"" }'
}

# sha256_start FILE OUT: FILE's sha256 computed in the background, its line ("HEX *FILE" or
# "HEX  FILE") written to OUT; BG_PIDS gets its pid (the exit trap stops it). One process, no
# pipe: openssl uses the CPU's SHA instructions where it has them (several times sha256sum's
# speed: the checksum is most of an export's time after the copy), and its -out spares the awk
# that cut the line. sha256_read OUT: SUM = the hex of that line ('' when none).
sha256_start() {
  if command -v openssl >/dev/null 2>&1; then
    openssl dgst -sha256 -r -out "$2" -- "$1" 2>/dev/null 3>&- 4<&- 5>&- 6<&- 9>&- &
  else
    sha256sum -- "$1" >"$2" 3>&- 4<&- 5>&- 6<&- 9>&- &
  fi
  BG_PIDS="$BG_PIDS $!"
}
sha256_read() {
  SUM=
  read -r SUM _ <"$1" 2>/dev/null
  case $SUM in *[!0-9a-f]*) SUM= ;; esac
  [ ${#SUM} = 64 ] || SUM=
}

# ---------------------------------------------------------------- facts
FREEZE=no FREEZE_STATE=none FROZEN_N='' THAWED_N='' THAW_CONFIRMED=0 WATCHDOG=none WATCHDOG_FIRST=0
CUT_STATE=none CUT_ANSWERED=0 CUT_MONO='' CRASH_REASON='' AGENT_TIMEOUT_SET=0
JOB=none           # none | running | copied | failed | aborted
CHECKPOINT=quiesce-$OP CHECKPOINT_MADE=0 CONVERT_PID='' BG_PIDS=''
SNAP_LABEL='' SNAP_WHY=''
MODE=full WHY_FULL='' PARENT='' FROM_CP='' EXPDIR='' COMPLETE=0 CANCELLED=0 BYTES=0
WINDOW_START='' WINDOW_END='' WINDOW_START_MONO='' WINDOW_END_MONO=''

# ---------------------------------------------------------------- the watchdog (watchdog.sh, as the snapshot runner arms it)

# ---------------------------------------------------------------- libvirt's backup job
# job_stats [--completed]: JT = the job type number (0 none, 1/2 running, 3 completed, 4 failed,
# 5 cancelled), DONE / TOTAL bytes, ERRMSG; from the raw statistics (human units are rounded)
# (through the virsh session while it is open: no process and no new connection a reading)
job_stats() {
  JT='' DONE=0 TOTAL=0 ERRMSG=''
  c="domjobinfo --domain $UUID --rawstats"
  [ "${1:-}" = --completed ] && c="$c --completed --anystats --keep-completed"
  ask "$c" || { ERRMSG=$ANSWER; return 1; }
  s=$ANSWER
  IFS=$NL
  for l in $s; do
    v=${l#*: }
    case $l in
      "Job type: "*) is_uint "$v" && JT=$v ;;
      "disk_processed: "*) is_uint "$v" && DONE=$v ;;
      "disk_total: "*) is_uint "$v" && TOTAL=$v ;;
      "errmsg: "*) ERRMSG=$v ;;
    esac
  done
  IFS=$IFS_SAVE
  is_uint "$JT"
}
# ask COMMAND: a virsh command (a checked UUID and fixed words only) through the session while it
# is open, else in a virsh of its own; ANSWER = what it printed, trailing line breaks cut
ask() {
  if [ "$SESSION" = alive ]; then
    send "$1"
    r=$?
    if [ "$r" != 2 ]; then
      ANSWER=$OUT
      while :; do case $ANSWER in *"$NL") ANSWER=${ANSWER%"$NL"} ;; *) break ;; esac; done
      return "$r"
    fi
  fi
  ifs=$IFS
  IFS=' '
  # shellcheck disable=SC2086 # the command's words, as the session splits them (set -f: no globs)
  set -- $1
  IFS=$ifs
  ANSWER=$(virsh_ "$@" 2>&1)
}
# shellcheck disable=SC2317 # also called from finish, which the EXIT trap runs
# wait_no_job: no job runs on the domain (an aborted backup ends a moment later)
wait_no_job() {
  i=0
  while [ "$i" -lt 120 ]; do
    job_stats || return 1
    [ "$JT" = 0 ] && return 0
    sleep 0.5 3>&- 4<&- 9>&-
    i=$((i + 1))
  done
  return 1
}

# ---------------------------------------------------------------- files this run made
# made: one base64 path a line, recorded before the file or folder exists
made() { b64 "$1" >>made && echo >>made; }
# shellcheck disable=SC2317 # called from finish, which the EXIT trap runs
# remove_made DIR: every file and folder the operation in DIR made, newest first (folders only
# when empty). None is a domain's disk: they are new files in the destination, and no job may
# still be writing them (wait_no_job first). KEPT says what stays.
remove_made() {
  KEPT=''
  [ -s "$1/made" ] || return 0
  sed '1!G;h;$!d' "$1/made" >"$1/made.newest-first"
  while IFS= read -r f; do
    p=$(decode "$f")
    [ -n "$p" ] || continue
    if [ -d "$p" ]; then
      rmdir -- "$p" 2>/dev/null || KEPT="$KEPT $p (not empty)"
    elif [ -e "$p" ]; then
      if rm -f -- "$p" 3>&- 4<&- 9>&-; then
        if [ "$1" = "$OPDIR" ]; then
          journal file "\"act\":\"removed\",\"b64\":\"$f\""
        else
          journal orphan-removed "\"b64\":\"$f\",\"from\":\"$(b64 "${1##*/}")\""
        fi
      else
        KEPT="$KEPT $p"
      fi
    fi
  done <"$1/made.newest-first"
  rm -f "$1/made.newest-first"
  [ -z "$KEPT" ] && mv -f "$1/made" "$1/made.done"
  [ -z "$KEPT" ] || journal file "\"act\":\"kept\",\"b64\":\"$(b64 "could not remove:$KEPT")\""
}
# settle_earlier: exports of this domain whose runner was killed outright (no exit trap ran):
# their copy may still run in libvirt, their partial files and checkpoint are still there. Their
# runners are dead: this run holds the domain's lock, which each held for its whole life.
settle_earlier() {
  [ -d "$EXPORTDIR/ops" ] || return 0
  set +f # the one glob of operation folders (launch.sh names them with [0-9A-Za-z-] only)
  for d in "$EXPORTDIR"/ops/*; do
    set -f
    [ "$d" = "$OPDIR" ] && continue
    if [ ! -s "$d/made" ] && [ ! -s "$d/pools" ]; then continue; fi
    # this domain's only: another domain's export may be running now (the lock is a domain's)
    grep -qxF "uuid=$UUID" "$d/args" 2>/dev/null || continue
    # a transient pool it made to read a frozen image through libvirt
    destroy_pools "$d"
    [ -s "$d/made" ] || continue
    # its backup job, if it still copies (one job a domain: a backup now is that run's)
    if job_stats && { [ "$JT" = 1 ] || [ "$JT" = 2 ]; }; then
      virsh_ domjobabort --domain "$UUID" >/dev/null 2>&1
      wait_no_job || { journal file "\"act\":\"kept\",\"b64\":\"$(b64 "a job still runs on the domain: ${d##*/}'s files are kept")\""; continue; }
    fi
    remove_made "$d"
    cp_name=quiesce-${d##*/}
    if virsh_ checkpoint-info --domain "$UUID" --checkpointname "$cp_name" >/dev/null 2>&1 &&
      virsh_ checkpoint-delete --domain "$UUID" --checkpointname "$cp_name" >/dev/null 2>&1; then
      journal checkpoint "\"act\":\"deleted\",\"name\":\"$cp_name\""
    fi
  done
  set -f
}

# room_and_folder: the destination's room (FREE) against NEED, and the plan's facts (PLAN_JSON);
# refused, with the plan journaled, when NEED passes FREE; else DEST/UUID/OP made (EXPDIR), each
# folder recorded in `made` before it exists
room_and_folder() {
  # df's second line, fourth column (available, KiB), read without awk
  FREE_K=
  df_out=$(df -Pk -- "$DEST" 2>/dev/null)
  case $df_out in *"$NL"*)
    # shellcheck disable=SC2086 # split on purpose: the line's columns
    set -- ${df_out#*"$NL"}
    FREE_K=${4:-} ;;
  esac
  is_uint "$FREE_K" || { fail prepare "the free space in $DEST could not be read"; exit 1; }
  FREE=$((FREE_K * 1024))
  PLAN_JSON="\"mode\":\"$MODE\",\"b64\":\"$(b64 "$WHY_FULL")\",\"parent\":\"$PARENT\",\"from\":\"$FROM_CP\",\"checkpoint\":\"$CHECKPOINT\",\"needBytes\":$NEED,\"freeBytes\":$FREE"
  if [ "$NEED" -gt "$FREE" ]; then
    journal plan "$PLAN_JSON"
    fail prepare "the destination has $((FREE / 1048576)) MiB free, the export needs up to $((NEED / 1048576)) MiB"
    exit 1
  fi
  if [ ! -d "$DEST/$UUID" ]; then
    made "$DEST/$UUID"
    if ! mkdir -m 0711 -- "$DEST/$UUID"; then fail prepare "could not make $DEST/$UUID"; exit 1; fi
  fi
  EXPDIR=$DEST/$UUID/$OP
  made "$EXPDIR"
  if ! mkdir -m 0711 -- "$EXPDIR"; then fail prepare "could not make $EXPDIR"; exit 1; fi
}

# ---------------------------------------------------------------- an existing snapshot (no freeze at all)
# snapshot_label: SNAP_LABEL and SNAP_WHY (or FROZEN_N) of the Quiesce snapshot SNAPSHOT, from the
# result line of the run that made it (HOSTDIR/history.jsonl names that run)
snapshot_label() {
  SNAP_LABEL=crash-consistent SNAP_WHY="no Quiesce run on this host recorded how snapshot $SNAPSHOT was cut"
  sop=$(grep -F "\"uuid\":\"$UUID\",\"snapshot\":\"$SNAPSHOT\"," "$HOSTDIR/history.jsonl" 2>/dev/null | grep -F '"ok":true' |
    tail -n 1 | sed -n 's/^{"op":"\([0-9A-Za-z-]*\)".*/\1/p')
  [ -n "$sop" ] || return 0
  res=$(grep -F '"ev":"result"' "$HOSTDIR/ops/$sop/journal.jsonl" 2>/dev/null | tail -n 1)
  case $res in
    *'"label":"quiesced"'*)
      n=$(printf '%s' "$res" | sed -n 's/.*"filesystems":\([0-9]*\).*/\1/p')
      if is_uint "$n"; then SNAP_LABEL=quiesced SNAP_WHY='' FROZEN_N=$n; fi ;;
    *'"label":"crash-consistent"'*)
      SNAP_WHY="snapshot $SNAPSHOT is crash-consistent: $(decode "$(printf '%s' "$res" | sed -n 's/.*"b64":"\([A-Za-z0-9+/=]*\)".*/\1/p')")" ;;
    *'"label":"'*) SNAP_WHY="snapshot $SNAPSHOT is $(printf '%s' "$res" | sed -n 's/.*"label":"\([a-z-]*\)".*/\1/p'), not quiesced" ;;
  esac
}
# writers: every disk a domain of this host writes (the top of each chain, live and defined)
writers() {
  WRITERS=
  for u in $(virsh_ list --all --uuid 2>/dev/null); do
    is_uuid "$u" || continue
    WRITERS="$WRITERS$(virsh_ domblklist --domain "$u" --details 2>/dev/null)$NL"
    WRITERS="$WRITERS$(virsh_ domblklist --domain "$u" --details --inactive 2>/dev/null)$NL"
  done
}
# json_member JSON NAME: a string or number member of qemu-img's JSON output
json_member() { printf '%s\n' "$1" | sed -n -e "s/^ *\"$2\": *\"\(.*\)\",\{0,1\}$/\1/p" -e "s/^ *\"$2\": *\([0-9][0-9]*\),\{0,1\}$/\1/p" | head -n 1; }
# xml_value XML ELEMENT: the text of the first <ELEMENT ...>TEXT</ELEMENT> on one line, unescaped
xml_value() {
  printf '%s\n' "$1" | sed -n "s:^ *<$2[^>]*>\([^<]*\)</$2> *$:\1:p" | head -n 1 |
    sed -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g'
}
# not_written IMAGE: no domain of this host writes IMAGE (it is the top of no chain), else the run ends
not_written() {
  IFS=$NL
  for l in $WRITERS; do
    case $l in *" $1")
      IFS=$IFS_SAVE
      fail prepare "the frozen image $1 of snapshot $SNAPSHOT is a domain's active disk: something writes it"
      exit 1 ;;
    esac
  done
  IFS=$IFS_SAVE
}

# ---------------------------------------------------------------- a frozen image the SSH user may not open
# A later snapshot's frozen image is an earlier snapshot's overlay, which libvirt gave to QEMU's
# user (dynamic_ownership) with the mode it was made with (0600) and gives back only when the
# domain stops using it; on a stock host every image of a running domain is so. libvirt's storage
# driver reads it for us: `vol-download` streams the file from libvirtd, which may read it, and
# `vol-dumpxml` says its size and backing file (docs/export.md, "An existing snapshot, with no
# freeze at all"). The layers the SSH user cannot open are copied next to the export (.partial,
# recorded in `made`), chained to one another with `qemu-img rebase -u`, converted into the export
# as any chain is, and removed.
POOLN=0
# find_vol IMAGE: VOL_XML = libvirt's `vol-dumpxml` of IMAGE. A volume is found by its path only
# in an active pool that has listed it: an active pool on its folder is refreshed first; with
# none, a transient pool of this run is made on the folder (its name recorded in `pools` before
# it exists; destroy_pools removes it). VOLERR says why not.
find_vol() {
  VOL_XML=$(virsh_ vol-dumpxml --vol "$1" 2>&1) && return 0
  VOLERR=$VOL_XML
  d=${1%/*}
  [ -n "$d" ] || d=/
  dx="<path>$(xml_escape "$d")</path>"
  pools=$(virsh_ pool-list --name 2>/dev/null)
  IFS=$NL
  for p in $pools; do
    IFS=$IFS_SAVE
    case $(virsh_ pool-dumpxml --pool "$p" 2>/dev/null) in
      *"$dx"*)
        r=$(virsh_ pool-refresh --pool "$p" 2>&1) || { VOLERR="$VOLERR; pool $p: $r"; return 1; }
        VOL_XML=$(virsh_ vol-dumpxml --vol "$1" 2>&1) && return 0
        VOLERR="$VOLERR; pool $p (on $d): $VOL_XML"
        return 1 ;;
    esac
  done
  IFS=$IFS_SAVE
  POOLN=$((POOLN + 1))
  name=quiesce-export-$OP-$POOLN
  echo "$name" >>"$OPDIR/pools"
  r=$(virsh_ pool-create-as --name "$name" --type dir --target "$d" 2>&1) || { VOLERR="$VOLERR; a pool on $d: $r"; return 1; }
  VOL_XML=$(virsh_ vol-dumpxml --vol "$1" 2>&1) && return 0
  VOLERR="$VOLERR; pool $name (on $d): $VOL_XML"
  return 1
}
# shellcheck disable=SC2317 # also called from finish, which the EXIT trap runs
# destroy_pools DIR: the transient pools the operation in DIR made (a transient pool is gone once
# destroyed: nothing of it stays in libvirt; a download another export of that folder started
# through it goes on, on its open file). A pool libvirt would not destroy (a volume job of it just
# starting) stays in DIR/pools for the next export of the domain to try again.
destroy_pools() {
  [ -s "$1/pools" ] || return 0
  left=''
  while IFS= read -r p; do
    case $p in quiesce-export-*)
      r=$(virsh_ pool-destroy --pool "$p" 2>&1) && continue
      case $r in *"Storage pool not found"*) continue ;; esac
      left="$left$p$NL" ;;
    esac
  done <"$1/pools"
  if [ -n "$left" ]; then printf '%s' "$left" >"$1/pools"; else mv -f "$1/pools" "$1/pools.done"; fi
}
# through_libvirt TARGET IMAGE WHY: the plan to read IMAGE's chain through libvirt (WHY: qemu-img's
# error); VIA gets "TARGET<TAB>copy|keep<TAB>FORMAT<TAB>PATH" a layer, top first, down to the
# first layer the SSH user can open with all below it (kept, read in place) or the chain's end;
# size = IMAGE's virtual size; LAYER_BYTES grows by the copies' sizes
through_libvirt() {
  img=$2 size='' fmt='' n=0
  while [ -n "$img" ]; do
    if [ -n "$size" ] && kinfo=$(qemu-img info -U --backing-chain --output=json -- "$img" 2>/dev/null 3>&- 4<&- 9>&-); then
      [ -n "$fmt" ] || fmt=$(json_member "$kinfo" format)
      VIA="$VIA$1${TAB}keep$TAB$fmt$TAB$img$NL"
      return 0
    fi
    n=$((n + 1))
    [ "$n" -le 64 ] || { fail prepare "the chain below $2 is more than 64 images deep"; exit 1; }
    find_vol "$img" || { fail prepare "qemu-img cannot open $img ($3), nor can libvirt read it: $VOLERR"; exit 1; }
    not_written "$img"
    vfmt=$(printf '%s\n' "$VOL_XML" | sed -n '/<target>/,/<\/target>/s/.*<format type=.\([a-z0-9]*\).*/\1/p' | head -n 1)
    phys=$(xml_value "$VOL_XML" physical)
    is_uint "$phys" || phys=$(xml_value "$VOL_XML" allocation)
    [ -n "$size" ] || size=$(xml_value "$VOL_XML" capacity)
    if ! is_uint "$phys" || ! is_uint "$size" || [ -z "$vfmt" ]; then
      fail prepare "libvirt did not tell the size and format of $img"
      exit 1
    fi
    VIA="$VIA$1${TAB}copy$TAB$vfmt$TAB$img$NL"
    LAYER_BYTES=$((LAYER_BYTES + phys))
    # its backing file and format, as libvirt read them from its header
    bs=$(printf '%s\n' "$VOL_XML" | sed -n '/<backingStore>/,/<\/backingStore>/p')
    fmt=$(printf '%s\n' "$bs" | sed -n 's/.*<format type=.\([a-z0-9]*\).*/\1/p' | head -n 1)
    b=$(xml_value "$bs" path)
    case $b in '' | /*) ;; *) b=${img%/*}/$b ;; esac
    img=$b
  done
}
# copy_watched TARGET FILE WHAT COMMAND...: COMMAND writes FILE in the background (CONVERT_PID:
# the exit trap stops it), the cancel looked for every 0.1 s, progress journaled every pollMs;
# a failure ends the run (WHAT: what was being copied)
copy_watched() {
  ct=$1 part=$2 what=$3
  shift 3
  made "$part"
  "$@" 3>&- 4<&- 8>&- 9>&- >/dev/null 2>"$OPDIR/convert.err" &
  CONVERT_PID=$!
  journal file "\"act\":\"created\",\"b64\":\"$(b64 "$part")\""
  while kill -0 "$CONVERT_PID" 2>/dev/null; do
    if [ -e cancel ]; then CANCELLED=1; fail copy "cancelled by ${APPUSER:-the admin}"; exit 1; fi
    file_size "$part"
    b=$SIZE
    journal progress "\"done\":$((BYTES + b)),\"total\":$NEED,\"rate\":0,\"etaS\":-1,\"files\":[{\"target\":\"$ct\",\"bytes\":$b}]"
    i=0
    while [ "$i" -lt $((POLL_MS / 100)) ] && [ ! -e cancel ] && kill -0 "$CONVERT_PID" 2>/dev/null; do
      sleep 0.1 3>&- 4<&- 9>&-
      i=$((i + 1))
    done
  done
  if ! wait "$CONVERT_PID"; then
    CONVERT_PID=''
    fail copy "$what: $(cat "$OPDIR/convert.err" 2>/dev/null)"
    exit 1
  fi
  CONVERT_PID=''
}
# download_chain TARGET: the layers VIA plans for TARGET, copied through libvirt and chained to one
# another (the lowest to the kept image, read in place); SRC = the top copy and SRC_FMT its format
# as libvirt read it (given to convert: guest data is never probed for a format), LAYERS = the copies
download_chain() {
  SRC='' SRC_FMT='' LAYERS='' prev='' k=0
  IFS=$NL
  for l in $VIA; do
    IFS=$IFS_SAVE
    case $l in "$1$TAB"*) ;; *) continue ;; esac
    l=${l#*"$TAB"}
    act=${l%%"$TAB"*} l=${l#*"$TAB"}
    lfmt=${l%%"$TAB"*} img=${l#*"$TAB"}
    if [ "$act" = copy ]; then
      k=$((k + 1))
      layer=$EXPDIR/$1.layer$k.partial
      copy_watched "$1" "$layer" "libvirt's vol-download of $img" \
        virsh -c "$URI" vol-download --sparse --vol "$img" --file "$layer"
      LAYERS="$LAYERS$layer$NL"
      new=$layer
    else
      new=$img
    fi
    if [ -n "$prev" ]; then
      r=$(qemu-img rebase -u -F "$lfmt" -b "$new" -- "$prev" 2>&1 3>&- 4<&- 9>&-) || { fail copy "qemu-img rebase of the copy of a layer of $1 onto $new: $r"; exit 1; }
    fi
    [ -n "$SRC" ] || SRC=$new SRC_FMT=$lfmt
    prev=$new
    IFS=$NL
  done
  IFS=$IFS_SAVE
}
# snapshot_disk TARGET OVERLAY: the frozen image of one disk is the backing file of the overlay the
# snapshot made; it must exist and no domain may write it (the top of no chain)
snapshot_disk() {
  if info=$(qemu-img info -U --output=json -- "$2" 2>&1 3>&- 4<&- 9>&-); then
    frozen=$(json_member "$info" full-backing-filename)
  else
    # libvirt gives an overlay in use to its QEMU user, keeping the mode it was made with (0600):
    # the SSH user may not open it. The domain the snapshot recorded (before its cut) names the
    # image the cut froze (DEFINED, from the snapshot's XML).
    frozen=$(printf '%s\n' "$DEFINED" | awk -v t="$1" '$1 == t { sub(/^[^ ]+ /, ""); print; exit }')
    [ -n "$frozen" ] || { fail prepare "qemu-img info of $2: $info"; exit 1; }
  fi
  [ -n "$frozen" ] || { fail prepare "the overlay $2 of snapshot $SNAPSHOT has no backing file"; exit 1; }
  not_written "$frozen"
  if finfo=$(qemu-img info -U --backing-chain --output=json -- "$frozen" 2>&1 3>&- 4<&- 9>&-); then
    size=$(json_member "$finfo" virtual-size)
  else
    through_libvirt "$1" "$frozen" "$finfo"
  fi
  is_uint "$size" || { fail prepare "qemu-img did not tell the size of $frozen"; exit 1; }
  TARGETS="$TARGETS$1 $size$NL"
  SOURCES="$SOURCES$1 $frozen$NL"
}
# export_snapshot: preflight, prepare and copy of an existing snapshot: its frozen images, copied
# with qemu-img convert (without -U: QEMU's image locks refuse it if anything writes them)
export_snapshot() {
  phase preflight running
  FREEZE=no MODE=full
  [ "$MODE_ASKED" = incremental ] && WHY_FULL="an existing snapshot is exported whole: it has no checkpoint"
  CHECKPOINT=''
  sx=$(virsh_ snapshot-dumpxml --domain "$UUID" --snapshotname "$SNAPSHOT" 2>&1) || { fail preflight "libvirt has no snapshot $SNAPSHOT of this domain: $sx"; exit 1; }
  snapshot_label
  if [ "$POLICY" = require ] && [ "$SNAP_LABEL" != quiesced ]; then
    fail preflight "$SNAP_WHY, and a quiesced export is required"
    exit 1
  fi
  if [ ! -d "$DEST" ] || [ ! -w "$DEST" ]; then
    fail preflight "the destination $DEST is not a folder the SSH user can write to"
    exit 1
  fi
  phase preflight 'done'
  phase prepare running
  TARGETS='' SOURCES='' VIA='' LAYER_BYTES=0
  # the snapshot's own <disks> (the <domain> inside it follows): TARGET OVERLAY a line
  pairs=$(printf '%s\n' "$sx" | awk '
    /<domain[ >]/ { exit }
    /<disk / && /snapshot=.external./ { t = $0; sub(/.*name=./, "", t); sub(/[\047"].*/, "", t); next }
    /<source / && t != "" { f = $0; sub(/.*file=./, "", f); sub(/[\047"] *\/>.*/, "", f); print t " " f; t = "" }' |
    sed -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g')
  [ -n "$pairs" ] || { fail prepare "snapshot $SNAPSHOT has no external disk (not a Quiesce snapshot)"; exit 1; }
  # the domain inside it, as it was before the cut: TARGET SOURCE a line (a disk's first source;
  # a <backingStore>'s come after it)
  DEFINED=$(printf '%s\n' "$sx" | awk '
    /<domain[ >]/ { d = 1 }
    d && /<disk / { s = ""; t = "" }
    d && /<source / && /file=/ && s == "" { s = $0; sub(/.*file=./, "", s); sub(/[\047"].*/, "", s) }
    d && /<target / && /dev=/ { t = $0; sub(/.*dev=./, "", t); sub(/[\047"].*/, "", t) }
    d && /<\/disk>/ { if (t != "" && s != "") print t " " s; s = ""; t = "" }' |
    sed -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g')
  writers
  IFS=$NL
  for pr in $pairs; do
    IFS=$IFS_SAVE
    t=${pr%% *}
    case $t in '' | *[!a-z0-9]*) fail prepare "disk target $t is not a plain name"; exit 1 ;; esac
    snapshot_disk "$t" "${pr#* }"
    IFS=$NL
  done
  IFS=$IFS_SAVE
  NEED=0
  sum_values "$TARGETS" 0
  # the copies of the layers read through libvirt sit beside the export until it is converted
  NEED=$((SUM + LAYER_BYTES))
  room_and_folder
  journal plan "$PLAN_JSON"
  DOMAIN_XML=$(printf '%s\n' "$sx" | sed -n '/<domain[ >]/,/<\/domain>/p')
  [ -n "$DOMAIN_XML" ] || DOMAIN_XML=$(virsh_ dumpxml --domain "$UUID" --inactive 2>&1) || { fail prepare "$DOMAIN_XML"; exit 1; }
  DOMAIN_NAME=$(virsh_ domname --domain "$UUID" 2>/dev/null)
  if [ -e cancel ]; then CANCELLED=1; fail prepare "cancelled by ${APPUSER:-the admin}"; exit 1; fi
  via=''
  first_words "$TARGETS"
  for t in $WORDS; do
    case $VIA in "$t$TAB"* | *"$NL$t$TAB"*) via="$via${via:+, }$t" ;; esac
  done
  phase prepare 'done' "${via:+read through libvirt (vol-download), the SSH user may not open them: $via}"
  phase copy running
  manifest_parts
  now_mono
  T0=$MONO
  first_words "$TARGETS"
  for t in $WORDS; do
    value_of "$SOURCES" "$t"; src=$VALUE
    LAYERS='' SRC_FMT=''
    case $VIA in "$t$TAB"* | *"$NL$t$TAB"*) download_chain "$t"; src=$SRC ;; esac
    copy_watched "$t" "$EXPDIR/$t.qcow2.partial" "qemu-img convert of $t ($src)" \
      qemu-img convert ${SRC_FMT:+-f "$SRC_FMT"} -O qcow2 -- "$src" "$EXPDIR/$t.qcow2.partial"
    IFS=$NL
    for l in $LAYERS; do
      IFS=$IFS_SAVE
      rm -f -- "$l" && journal file "\"act\":\"removed\",\"b64\":\"$(b64 "$l")\""
    done
    IFS=$IFS_SAVE
    value_of "$TARGETS" "$t"; b=$VALUE
    BYTES=$((BYTES + b))
  done
  destroy_pools "$OPDIR"
  now_mono
  journal progress "\"done\":$NEED,\"total\":$NEED,\"rate\":$((MONO > T0 ? NEED * 1000 / (MONO - T0) : 0)),\"etaS\":0,\"files\":[]"
  phase copy 'done' "$NEED bytes in $((MONO - T0)) ms"
}

# ---------------------------------------------------------------- the label, from facts only (as the snapshot runner's)
decide_label() {
  if [ -n "$SNAPSHOT" ]; then
    # the snapshot's own label: its cut was its freeze
    WHY_NOT=$SNAP_WHY LABEL=$SNAP_LABEL
    if [ "$LABEL" = quiesced ]; then LABEL_JSON="\"label\":\"quiesced\",\"filesystems\":$FROZEN_N"; else LABEL_JSON="\"label\":\"crash-consistent\",\"b64\":\"$(b64 "$WHY_NOT")\""; fi
    return 0
  fi
  why_not_quiesced "libvirt runs the backup job, but not that it was started while frozen"
  if [ "$FREEZE" = yes ] && [ -z "$WHY_NOT" ]; then
    LABEL=quiesced LABEL_JSON="\"label\":\"quiesced\",\"filesystems\":$FROZEN_N"
  else
    WHY_NOT=${WHY_NOT:-${CRASH_REASON:-no freeze}}
    LABEL=crash-consistent LABEL_JSON="\"label\":\"crash-consistent\",\"b64\":\"$(b64 "$WHY_NOT")\""
  fi
}

# ---------------------------------------------------------------- check, name, manifest (last)
# manifest_parts: the manifest's members known before the copy ends (the domain's name and XML as
# JSON, who made it), made in the background while QEMU copies (their processes, json_str's awk,
# id and uname, off the path: an incremental's copy is over in tens of ms), one JSON value a line
# in manifest.parts (json_str escapes line breaks); BG_PIDS gets its pid, the verify phase waits
# for it with the checksums, and manifest_read takes the lines (or makes them here when the file
# is not whole)
M_NAME='' M_XML='' M_BY=''
manifest_parts() {
  {
    json_str "$DOMAIN_NAME"
    echo
    json_str "$DOMAIN_XML"
    echo
    printf '{"workstation": %s, "user": %s, "hostUser": %s, "host": %s}\n' "$(json_str "$WORKSTATION")" \
      "$(json_str "$APPUSER")" "$(json_str "$(id -un)")" "$(json_str "$(uname -n)")"
  } >"$OPDIR/manifest.parts" 3>&- 4<&- 5>&- 6<&- 9>&- &
  BG_PIDS="$BG_PIDS $!"
}
manifest_read() {
  M_NAME='' M_XML='' M_BY=''
  {
    IFS= read -r M_NAME && IFS= read -r M_XML && IFS= read -r M_BY
  } <"$OPDIR/manifest.parts" 2>/dev/null
  case $M_BY in '{"workstation": '*'}') return 0 ;; esac
  M_NAME=$(json_str "$DOMAIN_NAME")
  M_XML=$(json_str "$DOMAIN_XML")
  M_BY="{\"workstation\": $(json_str "$WORKSTATION"), \"user\": $(json_str "$APPUSER"), \"hostUser\": $(json_str "$(id -un)"), \"host\": $(json_str "$(uname -n)")}"
}
# iso_utc NS: ISO = that time (ns since the epoch) in UTC as YYYY-MM-DDTHH:MM:SSZ, by arithmetic
# (days to a civil date: H. Hinnant's algorithm), what `date -u +%Y-%m-%dT%H:%M:%SZ` prints;
# with no clock (NS = 0), that date process
iso_utc() {
  if [ "$1" = 0 ]; then ISO=$(date -u +%Y-%m-%dT%H:%M:%SZ); return 0; fi
  _s=$(($1 / 1000000000))
  _z=$((_s / 86400 + 719468)) _t=$((_s % 86400))
  _era=$((_z / 146097))
  _doe=$((_z - _era * 146097))
  _yoe=$(((_doe - _doe / 1460 + _doe / 36524 - _doe / 146096) / 365))
  _doy=$((_doe - (365 * _yoe + _yoe / 4 - _yoe / 100)))
  _mp=$(((5 * _doy + 2) / 153))
  _d=$((_doy - (153 * _mp + 2) / 5 + 1))
  if [ "$_mp" -lt 10 ]; then _m=$((_mp + 3)); else _m=$((_mp - 9)); fi
  _y=$((_yoe + _era * 400 + (_m <= 2 ? 1 : 0)))
  _h=$((_t / 3600)) _mi=$((_t % 3600 / 60)) _se=$((_t % 60))
  [ "$_m" -ge 10 ] || _m=0$_m
  [ "$_d" -ge 10 ] || _d=0$_d
  [ "$_h" -ge 10 ] || _h=0$_h
  [ "$_mi" -ge 10 ] || _mi=0$_mi
  [ "$_se" -ge 10 ] || _se=0$_se
  ISO=$_y-$_m-${_d}T$_h:$_mi:${_se}Z
}
# check_name_manifest: each image checked (qemu-img check, sha256), given its final name, then the
# manifest written last, which makes the export complete
# The checksums are the one full read of each image after its copy: they all run at once, beside
# the checks (which read only qcow2's metadata), so the phase takes about the longest checksum.
check_name_manifest() {
  phase verify running
  DISKS_MANIFEST=
  first_words "$TARGETS"
  for t in $WORDS; do
    sha256_start "$EXPDIR/$t.qcow2.partial" "$OPDIR/$t.sha256"
  done
  for t in $WORDS; do
    part=$EXPDIR/$t.qcow2.partial
    r=$(qemu-img check -q -f qcow2 "$part" 2>&1 3>&- 4<&- 5>&- 6<&- 9>&-) || { fail verify "qemu-img check of $t: $r"; exit 1; }
  done
  for p in $BG_PIDS; do wait "$p"; done
  BG_PIDS=
  for t in $WORDS; do
    part=$EXPDIR/$t.qcow2.partial
    sha256_read "$OPDIR/$t.sha256"
    [ -n "$SUM" ] || { fail verify "no checksum of $part"; exit 1; }
    value_of "$TARGETS" "$t"; size=$VALUE
    value_of "$SOURCES" "$t"; src=$VALUE
    backing=null
    [ "$MODE" = incremental ] && backing="\"../$PARENT/$t.qcow2\""
    DISKS_MANIFEST="$DISKS_MANIFEST${DISKS_MANIFEST:+,
  }    {\"target\": \"$t\", \"file\": \"$t.qcow2\", \"format\": \"qcow2\", \"virtualSize\": $size, \"sha256\": \"$SUM\", \"backing\": $backing, \"source\": $(json_str "$src")}"
  done
  first_words "$TARGETS"
  for t in $WORDS; do
    made "$EXPDIR/$t.qcow2"
    mv -f -- "$EXPDIR/$t.qcow2.partial" "$EXPDIR/$t.qcow2" || { fail verify "could not name $t.qcow2"; exit 1; }
  done
  phase verify 'done'
  phase manifest running
  now_rt
  iso_utc "$RT"
  manifest_read
  decide_label
  if [ "$LABEL" = quiesced ]; then
    consistency="{\"label\": \"quiesced\", \"filesystems\": $FROZEN_N"
  else
    consistency="{\"label\": \"crash-consistent\", \"reason\": $(json_str "$WHY_NOT")"
  fi
  [ -n "$WINDOW_END" ] && consistency="$consistency, \"windowMs\": $(((WINDOW_END - WINDOW_START) / 1000000)), \"windowStartRt\": $WINDOW_START, \"windowEndRt\": $WINDOW_END"
  made "$EXPDIR/manifest.json.partial"
  umask 022 # the manifest is made 0644, as the images are readable by others
  {
    printf '{\n  "format": "quiesce-export/1",\n  "exportId": "%s",\n' "$OP"
    printf '  "domain": {"uuid": "%s", "name": %s, "xml": %s},\n' "$UUID" "$M_NAME" "$M_XML"
    printf '  "mode": "%s",\n  "fullReason": %s,\n' "$MODE" "$([ -n "$WHY_FULL" ] && json_str "$WHY_FULL" || echo null)"
    printf '  "parent": %s,\n' "$([ -n "$PARENT" ] && echo "\"$PARENT\"" || echo null)"
    printf '  "incrementalFrom": %s,\n' "$([ -n "$FROM_CP" ] && echo "\"$FROM_CP\"" || echo null)"
    printf '  "checkpoint": "%s",\n' "$CHECKPOINT"
    printf '  "snapshot": %s,\n' "$([ -n "$SNAPSHOT" ] && json_str "$SNAPSHOT" || echo null)"
    printf '  "consistency": %s},\n' "$consistency"
    printf '  "disks": [\n%s\n  ],\n' "$DISKS_MANIFEST"
    printf '  "bytesCopied": %s,\n' "$BYTES"
    printf '  "createdBy": %s,\n' "$M_BY"
    printf '  "createdAt": "%s"\n}\n' "$ISO"
  } >"$EXPDIR/manifest.json.partial" || { umask 077; fail manifest "could not write the manifest"; exit 1; }
  umask 077
  made "$EXPDIR/manifest.json"
  mv -f -- "$EXPDIR/manifest.json.partial" "$EXPDIR/manifest.json" || { fail manifest "could not name the manifest"; exit 1; }
  COMPLETE=1
  mv -f made made.kept
  journal exported "\"exportId\":\"$OP\",\"b64\":\"$(b64 "$EXPDIR")\""
  phase manifest 'done'
}

# ---------------------------------------------------------------- every way out
# shellcheck disable=SC2317 # run by the EXIT trap
finish() {
  status=$?
  trap '' HUP INT TERM
  trap - EXIT
  thaw_on_exit
  end_session
  if [ -z "$FAILED_PHASE" ] && [ "$status" != 0 ]; then
    fail runner "the runner stopped unexpectedly (${SIGNAL:-exit status $status})"
  fi
  if [ -n "$CONVERT_PID" ]; then kill -TERM "$CONVERT_PID" 2>/dev/null; wait "$CONVERT_PID" 2>/dev/null; fi
  destroy_pools "$OPDIR"
  for p in $BG_PIDS; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  if [ "$COMPLETE" != 1 ]; then
    # A copy that may still run is stopped before its files go: an export that did not end
    # complete leaves no file that looks complete, and no job on libvirt.
    if [ "$CUT_STATE" != none ] && [ "$JOB" != copied ] && [ "$JOB" != failed ]; then
      virsh_ domjobabort --domain "$UUID" >/dev/null 2>&1 && JOB=aborted
    fi
    if [ "$CUT_STATE" != none ] && ! wait_no_job; then
      journal file "\"act\":\"kept\",\"b64\":\"$(b64 "a job still runs on the domain: its files are kept (remove them by hand once it ends)")\""
    else
      remove_made "$OPDIR"
    fi
    # The checkpoint of an export that did not complete would make the next incremental skip
    # blocks no export holds: delete it (libvirt merges its bitmap into the previous one).
    if [ "$CHECKPOINT_MADE" = 1 ] || { [ -n "$CHECKPOINT" ] && virsh_ checkpoint-info --domain "$UUID" --checkpointname "$CHECKPOINT" >/dev/null 2>&1; }; then
      if out=$(virsh_ checkpoint-delete --domain "$UUID" --checkpointname "$CHECKPOINT" 2>&1); then
        journal checkpoint "\"act\":\"deleted\",\"name\":\"$CHECKPOINT\""
      else
        journal checkpoint "\"act\":\"kept\",\"name\":\"$CHECKPOINT\",\"b64\":\"$(b64 "$out")\""
      fi
    fi
  fi
  [ "$AGENT_TIMEOUT_SET" = 1 ] && virsh_ guest-agent-timeout --domain "$UUID" --timeout -2 >/dev/null 2>&1
  decide_label
  common="\"mode\":\"$MODE\",\"cancelled\":$([ "$CANCELLED" = 1 ] && echo true || echo false),\"bytes\":$BYTES"
  journal_result "$LABEL_JSON,$common" "$common"
  now_rt
  printf '{"op":"%s","kind":"export","uuid":"%s","dest":"%s","mode":"%s","ok":%s,"rt":%s}\n' "$OP" "$UUID" \
    "$DEST_B64" "$MODE" "$([ -z "$FAILED_PHASE" ] && echo true || echo false)" "$RT" >>"$EXPORTDIR/index.jsonl"
  journal end
  exit 0
}
on_exit finish
clock_start
b64_plain "$DEST" && DEST_B64=$B64 || DEST_B64=$(b64 "$DEST")
journal start "\"kind\":\"export\",\"uuid\":\"$UUID\",\"dest\":\"$DEST_B64\",\"mode\":\"$MODE_ASKED\",\"policy\":\"$POLICY\",\"pid\":$$,\"maxFreezeS\":$MAXFREEZE,\"workstation\":\"$(b64 "$WORKSTATION")\",\"user\":\"$(b64 "$APPUSER")\""

# ---------------------------------------------------------------- the virsh session, started early
# The session's virsh (virsh-session.sh) is spawned before the lock without waiting for it: its
# start and its connection to libvirt (tens of ms on a loaded host) overlap the lock, the earlier
# exports' settling and the destination's checks; preflight's `echo connected` waits for it.
# Spawned before fd 9 (the domain's lock) is open, so it never holds the lock. An existing
# snapshot's export uses no session.
[ -n "$SNAPSHOT" ] || spawn_session

# ---------------------------------------------------------------- lock (the snapshot runner's, same file)
phase lock running
take_domain_lock "export $OP"
settle_earlier
phase lock 'done'
if [ -n "$SNAPSHOT" ]; then
  export_snapshot
  check_name_manifest
  exit 0
fi

# ---------------------------------------------------------------- preflight
# session_freeze_status: host-lib.sh's freeze_status, asked in the session (no virsh process and no
# new connection); in a virsh of its own when the session has ended
session_freeze_status() {
  send "qemu-agent-command --domain $UUID --timeout $AGENT_TIMEOUT --cmd '{\"execute\":\"guest-fsfreeze-status\"}'"
  [ $? = 2 ] && { freeze_status; return; }
  case $OUT in
    *'"return"'*'"frozen"'*) FSTATUS=frozen ;;
    *'"return"'*'"thawed"'*) FSTATUS=thawed ;;
    *) FSTATUS=unknown ;;
  esac
  FSTATUS_OUT=$OUT
  while :; do case $FSTATUS_OUT in *"$NL") FSTATUS_OUT=${FSTATUS_OUT%"$NL"} ;; *) break ;; esac; done
}
phase preflight running
# One virsh for the reads of preflight and prepare, the cut and the copy's readings: each virsh
# process costs a start and a new connection to libvirt, which made most of an export's fixed cost.
if ! session_answers; then
  end_session
  start_session || { fail preflight "could not start virsh: $OUT"; exit 1; }
fi
ask "domstate --domain $UUID" || { fail preflight "$ANSWER"; exit 1; }
state=$ANSWER
case $state in
  running*) ;;
  *) fail preflight "the domain is $state: libvirt's backup copies running domains only (start it, or copy its images while it is off)"; exit 1 ;;
esac
session_freeze_status
case $FSTATUS in
  frozen) fail preflight "the guest is already frozen (another tool, or an earlier run): thaw it first"; exit 1 ;;
  thawed) FREEZE=yes ;;
  *)
    if [ "$POLICY" = require ]; then
      fail preflight "the guest agent cannot freeze this guest, and a quiesced export is required: $FSTATUS_OUT"
      exit 1
    fi
    CRASH_REASON="guest agent unavailable: $FSTATUS_OUT" ;;
esac
if [ ! -d "$DEST" ] || [ ! -w "$DEST" ]; then
  fail preflight "the destination $DEST is not a folder the SSH user can write to"
  exit 1
fi
# QEMU writes the copies (libvirt hands it each file): every folder on the way must be searchable
# by others, or the cut fails inside the freeze with "Permission denied".
# (one ls for all of them; the one at fault is looked for only when one is)
set --
p=$DEST
while [ -n "$p" ]; do set -- "$@" "$p/"; p=${p%/*}; done
n=$#
perms=$(ls -ldnL -- "$@" 2>/dev/null) || perms=
IFS=$NL
for l in $perms; do
  case $l in ?????????[xt]*) n=$((n - 1)) ;; esac
done
IFS=$IFS_SAVE
if [ "$n" != 0 ]; then
  p=$DEST
  while [ -n "$p" ]; do
    perms=$(ls -ldnL -- "$p/" 2>/dev/null)
    case $perms in ?????????[xt]*) ;; *) fail preflight "QEMU cannot reach $p (chmod o+x $p)"; exit 1 ;; esac
    p=${p%/*}
  done
fi
phase preflight 'done'

# ---------------------------------------------------------------- prepare (everything slow, before any freeze)
phase prepare running
ask "domblklist --domain $UUID --details" || { fail prepare "$ANSWER"; exit 1; }
disks=$ANSWER
TARGETS='' BACKUP_DISKS='' CP_DISKS='' SOURCES=''
# export_disk TYPE DEVICE TARGET SOURCE: file-backed disks are exported, the others left out
# shellcheck disable=SC2317 # called by each_disk (host-lib.sh)
export_disk() {
  case $3 in [a-z]*) ;; *) fail prepare "disk target $3 is not a plain name"; exit 1 ;; esac
  case $3 in *[!a-z0-9]*) fail prepare "disk target $3 is not a plain name"; exit 1 ;; esac
  if [ "$2" != disk ]; then
    BACKUP_DISKS="$BACKUP_DISKS<disk name='$3' backup='no'/>"
    CP_DISKS="$CP_DISKS<disk name='$3' checkpoint='no'/>"
    return 0
  fi
  if [ "$1" != file ] || [ "$4" = - ]; then
    fail prepare "disk $3 is a $1 disk: Quiesce exports file-backed disks only"; exit 1
  fi
  size=
  if ask "domblkinfo --domain $UUID --device $3"; then
    # its "Capacity: N" line, read without awk
    case $ANSWER in Capacity:* | *"${NL}Capacity:"*)
      size=${ANSWER#*Capacity:}
      size=${size%%"$NL"*}
      size=${size#"${size%%[! ]*}"} ;;
    esac
  fi
  is_uint "$size" || { fail prepare "libvirt did not tell the size of disk $3"; exit 1; }
  TARGETS="$TARGETS$3 $size$NL"
  SOURCES="$SOURCES$3 $4$NL"
}
each_disk "$disks" export_disk
[ -n "$TARGETS" ] || { fail prepare "the domain has no file-backed disk to export"; exit 1; }

# Incremental: from the newest complete export of this domain in the destination, if libvirt
# still has its checkpoint with a bitmap for every disk, and its images are all there.
CP_SIZES=
if [ "$MODE_ASKED" = incremental ]; then
  last=
  if [ -d "$DEST/$UUID" ]; then
    # newest first (ids sort by time): usually the newest is the one, read once
    set +f # the one glob: export folders (named like operations: [0-9A-Za-z-] only)
    newest_first=
    for d in "$DEST/$UUID"/*; do newest_first="$d$NL$newest_first"; done
    set -f
    IFS=$NL
    for d in $newest_first; do
      IFS=$IFS_SAVE
      [ -s "$d/manifest.json" ] || continue
      # "=NAME" for its checkpoint line, "=" for an empty one, nothing without one
      cp_line=$(sed -n 's/^ *"checkpoint": *"\([0-9A-Za-z-]*\)",*$/=\1/p' "$d/manifest.json")
      # an existing snapshot's export has no checkpoint to build on: the chain skips it
      [ "$cp_line" = = ] && continue
      last=$d FROM_CP=${cp_line#=}
      break
    done
    IFS=$IFS_SAVE
  fi
  if [ -z "$last" ]; then
    WHY_FULL="no complete earlier export of this domain in $DEST"
  else
    PARENT=${last##*/}
    if [ -z "$FROM_CP" ]; then
      WHY_FULL="the last export ($PARENT) names no checkpoint"
    elif ! ask "checkpoint-dumpxml --domain $UUID --checkpointname $FROM_CP --size"; then
      WHY_FULL="libvirt has no usable checkpoint $FROM_CP of the last export ($PARENT): $ANSWER"
    else
      cpx=$ANSWER
      first_words "$TARGETS"
      for t in $WORDS; do
        # the size='N' of the line <disk name='T' checkpoint='bitmap' ... size='N'/> (one line only)
        sz=
        IFS=$NL
        for l in $cpx; do
          case $l in *"<disk name='$t' checkpoint='bitmap'"*" size='"*)
            l=${l##*" size='"}
            sz="$sz${sz:+$NL}${l%%"'"*}" ;;
          esac
        done
        IFS=$IFS_SAVE
        if ! is_uint "$sz"; then
          WHY_FULL="checkpoint $FROM_CP has no bitmap for disk $t"
          break
        fi
        if [ ! -s "$last/$t.qcow2" ]; then
          WHY_FULL="the last export ($PARENT) has no image of disk $t"
          break
        fi
        CP_SIZES="$CP_SIZES$t $sz$NL"
      done
    fi
  fi
  if [ -z "$WHY_FULL" ]; then MODE=incremental; else PARENT='' FROM_CP=''; fi
fi

# Space: a full copy is at most the disks' virtual size; an incremental one, the changed bytes
# libvirt's bitmaps count (and a little for the qcow2 metadata).
NEED=0
if [ "$MODE" = full ]; then
  sum_values "$TARGETS" 0
  NEED=$SUM
else
  sum_values "$CP_SIZES" 1048576
  NEED=$SUM
fi
room_and_folder
# Every image pre-created by this user (libvirt reuses them: they stay this user's, and an
# incremental one already names its backing file in the destination). The qemu-img processes run
# in the background, all at once, while the session reads the domain's XML and name (waited for
# at the end of prepare, before the cut); the exit trap stops one still running before the files
# this run made are removed.
DISKS_JSON='' CREATES=''
first_words "$TARGETS"
for t in $WORDS; do
  value_of "$TARGETS" "$t"; size=$VALUE
  part=$EXPDIR/$t.qcow2.partial
  made "$part"
  # -u: the backing file is named, not opened (it is this user's; no need to read it here)
  set -- -q -f qcow2
  [ "$MODE" = incremental ] && set -- "$@" -u -F qcow2 -b "../$PARENT/$t.qcow2"
  qemu-img create "$@" "$part" "$size" >"$OPDIR/$t.create" 2>&1 3>&- 4<&- 5>&- 6<&- 9>&- &
  BG_PIDS="$BG_PIDS $!"
  CREATES="$CREATES$t $!$NL"
  BACKUP_DISKS="$BACKUP_DISKS<disk name='$t' type='file'><target file='$(xml_escape "$part")'/><driver type='qcow2'/></disk>"
  CP_DISKS="$CP_DISKS<disk name='$t' checkpoint='bitmap'/>"
  DISKS_JSON="$DISKS_JSON${DISKS_JSON:+,}{\"target\":\"$t\",\"capacity\":$size}"
done
journal plan "$PLAN_JSON,\"disks\":[$DISKS_JSON]"
INCR=
[ "$MODE" = incremental ] && INCR="<incremental>$FROM_CP</incremental>"
printf "<domainbackup mode='push'>%s<disks>%s</disks></domainbackup>\n" "$INCR" "$BACKUP_DISKS" >backup.xml
printf '<domaincheckpoint><name>%s</name><description>Quiesce export %s</description><disks>%s</disks></domaincheckpoint>\n' \
  "$CHECKPOINT" "$OP" "$CP_DISKS" >checkpoint.xml
ask "dumpxml --domain $UUID --inactive" || { fail prepare "$ANSWER"; exit 1; }
DOMAIN_XML=$ANSWER
DOMAIN_NAME=
ask "domname --domain $UUID" && DOMAIN_NAME=$ANSWER
if [ "$FREEZE" = yes ]; then
  ask "guest-agent-timeout --domain $UUID --timeout $AGENT_TIMEOUT" && AGENT_TIMEOUT_SET=1
fi
# the images the cut hands to libvirt: each created, or the run ends saying why not
first_words "$CREATES"
for t in $WORDS; do
  value_of "$CREATES" "$t"
  part=$EXPDIR/$t.qcow2.partial
  if ! wait "$VALUE"; then
    r=$(cat "$OPDIR/$t.create" 2>/dev/null)
    fail prepare "could not create $part: $r"
    exit 1
  fi
  journal file "\"act\":\"created\",\"b64\":\"$(b64 "$part")\""
done
BG_PIDS=
# a session that ended under a read above (its answers came from a virsh of their own) is started
# again: the cut needs one
if [ "$SESSION" != alive ]; then
  end_session
  start_session || { fail prepare "could not start virsh: $OUT"; exit 1; }
fi
if [ -e cancel ]; then CANCELLED=1; fail prepare "cancelled by ${APPUSER:-the admin}"; exit 1; fi
phase prepare 'done'

# ---------------------------------------------------------------- freeze -> cut -> thaw
# the watchdog says it is in place within some 10-50 ms: look every 0.01 s (still up to 5 s)
ARM_POLL_S=0.01 ARM_POLLS=500
# cut: the push backup, started in the session (QEMU copies after it returns)
cut() { send_cut "backup-begin $UUID backup.xml checkpoint.xml --reuse-external" "Backup started"; }
if [ "$FREEZE" = yes ]; then
  freeze_cut_thaw cut
fi
if [ "$FREEZE" != yes ]; then
  cut
  [ "$CUT_STATE" = 'done' ] && phase cut 'done' "$CUT_OUT"
fi
# the agent's timeout was for the freeze and the thaw: back to libvirt's default now, in the session
if [ "$AGENT_TIMEOUT_SET" = 1 ] && [ "$SESSION" = alive ] && ask "guest-agent-timeout --domain $UUID --timeout -2"; then
  AGENT_TIMEOUT_SET=0
fi
if [ "$CUT_STATE" = unknown ]; then
  # The cut's answer was lost: whether libvirt runs the job is asked, not guessed (and such a
  # cut is not shown to be within the freeze: decide_label).
  job_stats
  case $JT in 1 | 2) ;; *) fail cut "${CUT_OUT:-the cut did not answer}"; exit 1 ;; esac
elif [ "$CUT_STATE" != 'done' ]; then
  fail cut "${CUT_OUT:-the cut did not answer}" # finish aborts a job an erring answer hid
  exit 1
fi
CHECKPOINT_MADE=1
JOB=running
decide_label
if [ "$POLICY" = require ] && [ "$LABEL" != quiesced ]; then
  fail cut "the cut is not quiesced: $WHY_NOT"
  exit 1
fi

# ---------------------------------------------------------------- copy (the guest runs on)
# libvirt is asked every 0.1 s through the session (no process a reading), so the end of the copy
# is seen within 0.1 s of QEMU's, and a cancel as soon; a progress line is journaled every POLL_MS.
phase copy running
manifest_parts
now_mono
T0=$MONO LAST_T=$MONO LAST_DONE=0 RATE=0 NEXT_PROGRESS=$MONO
while :; do
  if [ -e cancel ]; then
    CANCELLED=1
    fail copy "cancelled by ${APPUSER:-the admin}"
    exit 1
  fi
  job_stats || { fail copy "libvirt did not answer about the job: $ERRMSG"; exit 1; }
  case $JT in 1 | 2) ;; *) break ;; esac
  now_mono
  if [ "$MONO" -ge "$NEXT_PROGRESS" ]; then
    NEXT_PROGRESS=$((MONO + POLL_MS))
    # over at least 0.2 s: the clock has 10 ms steps, and the first reading comes right after the cut
    if [ "$MONO" -ge $((LAST_T + 200)) ] && [ "$DONE" -ge "$LAST_DONE" ]; then
      RATE=$(((DONE - LAST_DONE) * 1000 / (MONO - LAST_T)))
      LAST_T=$MONO LAST_DONE=$DONE
    fi
    ETA=-1
    [ "$RATE" -gt 0 ] && [ "$TOTAL" -ge "$DONE" ] && ETA=$(((TOTAL - DONE) / RATE))
    FILES=
    first_words "$TARGETS"
    for t in $WORDS; do
      file_size "$EXPDIR/$t.qcow2.partial"
      b=$SIZE
      FILES="$FILES${FILES:+,}{\"target\":\"$t\",\"bytes\":$b}"
    done
    journal progress "\"done\":$DONE,\"total\":$TOTAL,\"rate\":$RATE,\"etaS\":$ETA,\"files\":[$FILES]"
  fi
  # read again sooner in the copy's first 0.3 s (a small incremental ends there) and when its
  # rate says it ends within 0.2 s: the end of the copy is what the export waits for
  nap=0.1
  if [ $((MONO - T0)) -lt 300 ]; then
    nap=0.03
  elif [ "$RATE" -gt 0 ] && [ "$TOTAL" -ge "$DONE" ] && [ $(((TOTAL - DONE) * 1000 / RATE)) -lt 200 ]; then
    nap=0.02
  fi
  sleep "$nap" 3>&- 4<&- 9>&-
done
job_stats --completed
# the session is told to quit, and its virsh reaped at the end (finish's end_session): no need to
# wait here for it to close its connection
[ "$SESSION" = alive ] && printf 'quit\n' >&3 2>/dev/null
exec 3>&- 4<&-
SESSION=dead
case $JT in
  3) JOB=copied ;;
  *) JOB=failed; fail copy "libvirt's backup job ended without completing (type $JT): ${ERRMSG:-no message}"; exit 1 ;;
esac
BYTES=$TOTAL
now_mono
journal progress "\"done\":$DONE,\"total\":$TOTAL,\"rate\":$((MONO > T0 ? TOTAL * 1000 / (MONO - T0) : 0)),\"etaS\":0,\"files\":[]"
phase copy 'done' "$TOTAL bytes in $((MONO - T0)) ms"

check_name_manifest
exit 0
