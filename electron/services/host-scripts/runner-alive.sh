# shellcheck shell=sh
# runner_alive OPDIR: the runner of the operation in OPDIR still runs: its runner.pid names a
# process that is not a zombie (killed, not reaped yet, is not a runner any more). The scripts that
# read operations on the host (read-operation.sh, restore-tests-list.sh) are sent with this
# function in front of them (launch.ts, restore-tests.ts).
runner_alive() {
  read -r p <"$1/runner.pid" 2>/dev/null && kill -0 "$p" 2>/dev/null || return 1
  [ -r "/proc/$p/stat" ] || return 0
  case $(sed 's/.*) //' "/proc/$p/stat") in Z*) return 1 ;; esac
}
