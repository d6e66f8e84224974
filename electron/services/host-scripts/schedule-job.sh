# shellcheck shell=sh
# Quiesce scheduled job, ON THE HOST, run by cron or a systemd user timer with no app anywhere:
#   sh HOSTDIR/schedules/ID/job.sh [run|prune|candidates DOMAIN-UUID]
# `run` (what the timer runs): for each target domain, the SAME snapshot runner the app launches
# (runner.sh, watchdog.sh, host-lib.sh and virsh-session.sh copied into HOSTDIR/ops/OPID as
# launch.sh does; same domain lock, watchdog and journal, and the line in HOSTDIR/history.jsonl),
# then the prune of the schedule's own snapshots through libvirt's snapshot-delete (which merges
# the overlay), oldest first, under the same domain lock. Every outcome is one line of
# results.jsonl beside this file; a failure also runs the host's hook (HOSTDIR/schedules/hook: a
# command, the failure as JSON on its stdin). `prune` prunes only; `candidates` prints what the
# prune weighs (the app's preview).
# The schedule's folder holds what the app installed (schedule-install.sh): `args` (name=value),
# host-lib.sh, virsh-session.sh, runner.sh, watchdog.sh, prune-plan.sh.
set -u
set -f
umask 077
PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin:$PATH
export PATH
SDIR=$(cd "$(dirname "$0")" && pwd -P) || exit 70
cd "$SDIR" || exit 70
# shellcheck source-path=SCRIPTDIR source=host-lib.sh
. "$SDIR/host-lib.sh"
# shellcheck source-path=SCRIPTDIR source=schedule-prune-plan.sh
. "$SDIR/prune-plan.sh"

ID='' URI='' TARGET='' POLICY='' MAXFREEZE='' AGENT_TIMEOUT='' NOT_READY='' K_LAST=0 K_HOURLY=0
K_DAILY=0 K_WEEKLY=0 K_MONTHLY=0 OP=job WATCHDOG_FIRED=false WINDOW_MS=null
bad_args() { echo "schedule $SDIR: invalid arguments: $1" >&2; exit 64; }
read_args id=ID uri=URI target=TARGET policy=POLICY maxFreezeS=MAXFREEZE agentTimeoutS=AGENT_TIMEOUT \
  notReady=NOT_READY keepLast=K_LAST keepHourly=K_HOURLY keepDaily=K_DAILY keepWeekly=K_WEEKLY \
  keepMonthly=K_MONTHLY
case $ID in '' | -* | *[!a-z0-9-]*) bad_args id ;; esac
[ -n "$URI" ] || bad_args uri
case $TARGET in ready-agents) ;; *) is_uuid "$TARGET" || bad_args target ;; esac
case $POLICY in require | allow-crash-consistent) ;; *) bad_args policy ;; esac
case $NOT_READY in skip | crash-consistent) ;; *) bad_args notReady ;; esac
in_range "$MAXFREEZE" 1 3600 || bad_args maxFreezeS
in_range "$AGENT_TIMEOUT" 1 600 || bad_args agentTimeoutS
for k in "$K_LAST" "$K_HOURLY" "$K_DAILY" "$K_WEEKLY" "$K_MONTHLY"; do in_range "$k" 0 1000 || bad_args keep; done
# HOSTDIR/schedules/ID
HOSTDIR=${SDIR%/schedules/"$ID"}
[ "$HOSTDIR/schedules/$ID" = "$SDIR" ] || bad_args "the folder is not HOSTDIR/schedules/$ID"
private_dir "$HOSTDIR" || bad_args "$HOSTDIR is not a folder of this user that only this user can write to"

# Children never hold this job's lock (fd 8) nor the domain's (fd 9): virsh_ (host-lib.sh).
now_s() { date +%s; }
rand_hex() { od -An -N4 -tx1 /dev/urandom | tr -d ' \n'; }

# ---------------------------------------------------------------- the prune
# candidates UUID: one line a snapshot this schedule made on the domain (its name matches
# ID-YYYYMMDDTHHMMSS): CREATED NAME HOUR DAY WEEK MONTH PROTECTION, tab-separated, the periods in
# the host's time zone. Fails when libvirt cannot be asked.
candidates() {
  u=$1
  names=$(virsh_ snapshot-list --domain "$u" --name 2>&1) || { CAND_ERR=$names; return 1; }
  current=$(virsh_ snapshot-current --domain "$u" --name 2>/dev/null) || current=
  others_in_use "$u" || { CAND_ERR="libvirt could not say which files other domains use"; return 1; }
  IFS=$NL
  for n in $names; do
    IFS=$IFS_SAVE
    case $n in "$ID"-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]) ;; *) continue ;; esac
    xml=$(virsh_ snapshot-dumpxml --domain "$u" --snapshotname "$n" 2>&1) || { CAND_ERR=$xml; return 1; }
    created=$(printf '%s\n' "$xml" | sed -n 's/.*<creationTime>\([0-9]*\)<\/creationTime>.*/\1/p' | head -n 1)
    is_uint "$created" || { CAND_ERR="snapshot $n has no creation time"; return 1; }
    periods=$(date -d "@$created" "+%Y-%m-%d %H$TAB%Y-%m-%d$TAB%G-%V$TAB%Y-%m") || { CAND_ERR="date cannot read @$created"; return 1; }
    prot=-
    if [ "$n" = "$current" ]; then
      prot=current
    elif is_held "$u" "$n"; then
      prot=held
    elif snapshot_files_in_use "$xml"; then
      prot=in-use
    fi
    printf '%s\t%s\t%s\t%s\n' "$created" "$n" "$periods" "$prot"
    IFS=$NL
  done
  IFS=$IFS_SAVE
}
# is_held UUID NAME: a restore, an export or an admin holds the snapshot: a line "UUID NAME" in a
# file of HOSTDIR/holds (docs/schedules.md)
is_held() {
  [ -d "$HOSTDIR/holds" ] || return 1
  set +f
  for h in "$HOSTDIR"/holds/*; do
    set -f
    [ -f "$h" ] && grep -qxF "$1 $2" "$h" 2>/dev/null && return 0
  done
  set -f
  return 1
}
# others_in_use UUID: OTHERS = every file a domain other than UUID uses (its disks, persistent
# definition, every layer of its chains): a restore test's clone sits on a snapshot's images.
OTHERS=
others_in_use() {
  uuids=$(virsh_ list --all --uuid 2>/dev/null) || return 1
  cmds=
  running=
  for o in $uuids; do
    is_uuid "$o" || continue
    [ "$o" = "$1" ] && continue
    cmds="${cmds}domblklist $o --details${NL}domblklist $o --details --inactive$NL"
    running="$running $o"
  done
  OTHERS=
  [ -n "$cmds" ] || return 0
  OTHERS=$(printf '%sdomstats --block --backing%s\n' "$cmds" "$running" | virsh -c "$URI" 2>&1 8>&- 9>&-) || return 1
  case $OTHERS in *error:*) return 1 ;; esac
}
# snapshot_files_in_use XML: a file the snapshot's document names (its overlays, and the images
# its <domain> then used, which a delete merges into) is used by another domain
snapshot_files_in_use() {
  [ -n "$OTHERS" ] || return 1
  files=$(printf '%s\n' "$1" | sed -n "s/.*<source file='\([^']*\)'.*/\1/p" |
    sed -e 's/&apos;/'"'"'/g' -e 's/&quot;/"/g' -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g')
  IFS=$NL
  for f in $files; do
    for l in $OTHERS; do
      case $l in *" $f" | *"=$f") IFS=$IFS_SAVE; return 0 ;; esac
    done
  done
  IFS=$IFS_SAVE
  return 1
}
# prune UUID: deletes what the plan says, oldest first, holding the domain's lock as the runner
# does; PRUNED (base64 names, comma-separated JSON strings) and PRUNE_ERR say what happened.
PRUNED='' PRUNE_ERR=''
prune() {
  u=$1
  PRUNED='' PRUNE_ERR=''
  if [ $((K_LAST + K_HOURLY + K_DAILY + K_WEEKLY + K_MONTHLY)) = 0 ]; then return 0; fi
  mkdir -p "$HOSTDIR/locks"
  lock=$HOSTDIR/locks/$u.lock
  exec 9>>"$lock"
  if ! flock -w 120 9; then
    PRUNE_ERR="another operation ($(cat "$lock.owner" 2>/dev/null)) held the domain for 2 minutes: nothing was pruned"
    exec 9>&-
    return 1
  fi
  echo "schedule $ID prune" >"$lock.owner"
  CAND_ERR=
  if ! list=$(candidates "$u"); then
    PRUNE_ERR="the snapshots could not be listed: $CAND_ERR"
    exec 9>&-
    return 1
  fi
  plan=$(printf '%s\n' "$list" | prune_plan "$K_LAST" "$K_HOURLY" "$K_DAILY" "$K_WEEKLY" "$K_MONTHLY")
  IFS=$NL
  for line in $plan; do
    IFS=$IFS_SAVE
    case $line in "delete$TAB"*) ;; *) IFS=$NL; continue ;; esac
    n=${line#delete"$TAB"}
    if out=$(virsh_ snapshot-delete --domain "$u" --snapshotname "$n" 2>&1); then
      PRUNED="$PRUNED${PRUNED:+,}\"$(b64 "$n")\""
    else
      # stop at the first failure: the next older one may hang on the same chain
      PRUNE_ERR="deleting $n failed: $out"
      break
    fi
    IFS=$NL
  done
  IFS=$IFS_SAVE
  exec 9>&-
  [ -z "$PRUNE_ERR" ]
}

# ---------------------------------------------------------------- results and the hook
# record: one line in results.jsonl (free text in base64, as in the journals)
record() {
  # status uuid op snapshot phase error pruneError start
  printf '{"schedule":"%s","run":"%s","status":"%s","uuid":"%s","op":"%s","snapshot":"%s","failedPhase":"%s","error":"%s","pruned":[%s],"pruneError":"%s","start":%s,"end":%s,"watchdog":%s,"windowMs":%s}\n' \
    "$ID" "$RUN" "$1" "$2" "$3" "$4" "$5" "$(b64 "$6")" "$PRUNED" "$(b64 "$7")" "$8" "$(now_s)" \
    "$WATCHDOG_FIRED" "$WINDOW_MS" >>"$SDIR/results.jsonl"
  # the newest 500 runs are kept (the app reads the last 100)
  if [ "$(wc -l <"$SDIR/results.jsonl")" -gt 1000 ]; then
    tail -n 500 "$SDIR/results.jsonl" >"$SDIR/results.tmp" && mv -f "$SDIR/results.tmp" "$SDIR/results.jsonl"
  fi
}
# json_str TEXT: TEXT as a JSON string (for the hook, which gets plain text)
json_str() {
  printf '%s' "$1" | tr '\001-\011\013-\037' ' ' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' |
    awk 'BEGIN { printf "\"" } { printf "%s%s", sep, $0; sep = "\\n" } END { printf "\"" }'
}
# hook STATUS UUID OP SNAPSHOT ERROR: runs HOSTDIR/schedules/hook's command, the failure on stdin
HOOK_RC=
hook() {
  HOOK_RC=
  [ -s "$HOSTDIR/schedules/hook" ] || return 0
  cmd=$(cat "$HOSTDIR/schedules/hook")
  dname=$(virsh_ domname "$2" 2>/dev/null) || dname=
  payload=$(printf '{"event":"quiesce-schedule-failed","host":%s,"schedule":"%s","status":"%s","domain":{"uuid":"%s","name":%s},"op":"%s","snapshot":"%s","error":%s,"at":"%s"}' \
    "$(json_str "$(hostname 2>/dev/null || uname -n)")" "$ID" "$1" "$2" "$(json_str "$dname")" "$3" "$4" "$(json_str "$5")" "$(date -u +%Y-%m-%dT%H:%M:%SZ)")
  printf '%s\n' "$payload" | (cd "$HOSTDIR" && timeout 120 sh -c "$cmd") >>"$SDIR/hook.log" 2>&1 8>&- 9>&-
  HOOK_RC=$?
  echo "hook exit status $HOOK_RC ($(date -u +%Y-%m-%dT%H:%M:%SZ))" >>"$SDIR/hook.log"
}
failed() { # STATUS UUID OP SNAPSHOT PHASE ERROR START
  hook "$1" "$2" "$3" "$4" "$6"
  record "$1" "$2" "$3" "$4" "$5" "$6" "$PRUNE_ERR" "$7"
}

# ---------------------------------------------------------------- one domain
agent_ready() {
  AGENT_OUT=$(virsh_ qemu-agent-command --domain "$1" --timeout "$AGENT_TIMEOUT" --cmd '{"execute":"guest-ping"}' 2>&1)
}
run_domain() {
  u=$1
  start=$(now_s)
  WATCHDOG_FIRED=false WINDOW_MS=null
  PRUNED='' PRUNE_ERR=''
  policy=$POLICY
  state=$(virsh_ domstate --domain "$u" 2>&1) || { failed failed "$u" '' '' preflight "$state" "$start"; return; }
  case $state in
    running*)
      if ! agent_ready "$u"; then
        if [ "$NOT_READY" = skip ]; then
          failed skipped "$u" '' '' preflight "the guest agent did not answer, and this schedule skips such runs: $AGENT_OUT" "$start"
          return
        fi
        policy=allow-crash-consistent
      fi ;;
  esac
  op=$(date -u +%Y%m%dT%H%M%SZ)-$(rand_hex)
  name=$ID-$(date +%Y%m%dT%H%M%S)
  opdir=$HOSTDIR/ops/$op
  if ! mkdir -p "$HOSTDIR/ops" || ! mkdir "$opdir"; then
    failed failed "$u" '' '' runner "cannot make $opdir" "$start"
    return
  fi
  cp "$SDIR/host-lib.sh" "$SDIR/virsh-session.sh" "$SDIR/runner.sh" "$SDIR/watchdog.sh" "$opdir/" || { failed failed "$u" "$op" '' runner "cannot copy the runner into $opdir" "$start"; return; }
  {
    echo "op=$op"
    echo "uri=$URI"
    echo "uuid=$u"
    echo "name=$name"
    echo "policy=$policy"
    echo "maxFreezeS=$MAXFREEZE"
    echo "agentTimeoutS=$AGENT_TIMEOUT"
    echo "workstation=schedule $ID"
    echo "user=$(id -un)"
    echo "holdFrozenMs=0"
    echo "kind=snapshot"
    echo "description=$(b64 "Taken by the Quiesce schedule $ID")"
    echo "hostDir=$HOSTDIR"
  } >"$opdir/args"
  : >"$opdir/journal.jsonl"
  (cd "$opdir" && sh runner.sh "$opdir" </dev/null >runner.log 2>&1 8>&- 9>&-)
  result=$(grep '"ev":"result"' "$opdir/journal.jsonl" | tail -n 1)
  # what the app alerts on even when the run succeeded: the watchdog thawed the guest, or a
  # blocked-write window far above this domain's usual (host monotonic clock, as journaled)
  grep -q '"ev":"watchdog-fired"' "$opdir/journal.jsonl" && WATCHDOG_FIRED=true
  thawed=$(grep '"ev":"thawed"' "$opdir/journal.jsonl" | tail -n 1)
  w0=$(printf '%s' "$thawed" | sed -n 's/.*"windowStartMono":\([0-9]*\).*/\1/p')
  w1=$(printf '%s' "$thawed" | sed -n 's/.*"windowEndMono":\([0-9]*\).*/\1/p')
  if is_uint "$w0" && is_uint "$w1" && [ "$w1" -ge "$w0" ]; then WINDOW_MS=$((w1 - w0)); fi
  case $result in
    *'"ok":true'*)
      prune "$u"
      if [ -n "$PRUNE_ERR" ]; then
        failed prune-failed "$u" "$op" "$name" prune "$PRUNE_ERR" "$start"
      else
        record ok "$u" "$op" "$name" '' '' '' "$start"
      fi ;;
    '')
      failed failed "$u" "$op" '' runner "the runner ended without a result (runner.log: $(tail -c 400 "$opdir/runner.log" 2>/dev/null))" "$start" ;;
    *)
      phase=$(printf '%s' "$result" | sed -n 's/.*"failedPhase":"\([a-z-]*\)".*/\1/p')
      msg=$(decode "$(printf '%s' "$result" | sed -n 's/.*"failedPhase":"[a-z-]*","b64":"\([A-Za-z0-9+/=]*\)".*/\1/p')")
      failed failed "$u" "$op" '' "${phase:-runner}" "${msg:-the snapshot failed}" "$start" ;;
  esac
}

# ---------------------------------------------------------------- main
MODE=${1:-run}
case $MODE in
  candidates)
    is_uuid "${2:-}" || bad_args "candidates needs a domain UUID"
    CAND_ERR=
    candidates "$2" || { echo "$CAND_ERR" >&2; exit 1; }
    exit 0 ;;
  run | prune) ;;
  *) bad_args "mode $MODE" ;;
esac
RUN=$(date -u +%Y%m%dT%H%M%SZ)-$(rand_hex)
# one run of this schedule at a time (a slow one is not run over by the next)
exec 8>>"$SDIR/job.lock"
if ! flock -n 8; then
  PRUNED='' PRUNE_ERR=''
  failed failed "${TARGET#ready-agents}" '' '' lock "the previous run of this schedule is still running" "$(now_s)"
  exit 1
fi
if [ "$TARGET" = ready-agents ]; then
  uuids=$(virsh_ list --uuid --state-running 2>&1) || { PRUNED='' PRUNE_ERR=''; failed failed '' '' '' preflight "$uuids" "$(now_s)"; exit 1; }
  set --
  for u in $uuids; do
    is_uuid "$u" || continue
    agent_ready "$u" && set -- "$@" "$u"
  done
else
  set -- "$TARGET"
fi
for u in "$@"; do
  if [ "$MODE" = prune ]; then
    start=$(now_s)
    if prune "$u"; then record ok "$u" '' '' '' '' '' "$start"; else failed prune-failed "$u" '' '' prune "$PRUNE_ERR" "$start"; fi
  else
    run_domain "$u"
  fi
done
exit 0
