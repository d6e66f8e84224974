# shellcheck shell=sh
# Starts one operation on the host, fed to `sh -s -- HOSTDIR OPID` (launch.ts) with host-lib.sh in
# front of it. This part makes the operation's folder; launch.ts appends the files (runner.sh,
# watchdog.sh, args) as quoted here-documents and then the call to `start`, so every byte of them
# arrives as data.
set -eu
umask 077
HOSTDIR=$1 OP=$2
case $HOSTDIR in /*) ;; *) HOSTDIR=$HOME/$HOSTDIR ;; esac
case $OP in '' | *[!0-9A-Za-z-]*) echo "invalid operation id" >&2; exit 64 ;; esac
case $HOSTDIR in *'
'*) echo "the host folder's name holds a line break" >&2; exit 64 ;; esac
# The runner trusts what it finds here (its arguments, the files it made, the locks): refuse a
# folder another account could write to.
private_host_dir
mkdir -p "$HOSTDIR/ops"
OPDIR=$HOSTDIR/ops/$OP
mkdir "$OPDIR"
cd "$OPDIR"

# start: runs the runner in a session of its own (setsid), so a dropped link cannot stop it,
# and prints the operation's folder.
start() {
  printf 'hostDir=%s\n' "$HOSTDIR" >>args
  : >journal.jsonl
  if command -v setsid >/dev/null 2>&1; then
    setsid sh runner.sh "$OPDIR" </dev/null >runner.log 2>&1 &
  else
    nohup sh runner.sh "$OPDIR" </dev/null >runner.log 2>&1 &
  fi
  # The runner writes its own pid once it has read its arguments; until then a read of the
  # operation (runner-alive.sh) found no runner and an empty journal, and took the operation for
  # lost. setsid and nohup exec the runner (a background job is no group leader: setsid does not
  # fork), so $! is its pid from the start.
  echo $! >runner.pid
  echo "$OPDIR"
}
