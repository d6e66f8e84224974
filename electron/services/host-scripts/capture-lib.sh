# Shared by the gathering scripts (inventory.sh, doctor.sh, history.sh): Node prepends it to each
# before feeding it to `sh -s` (see gather-script.ts).
#
# Output: one JSON object per line, {"k":"cmd","id":ID,"rc":N,"ms":N,"out":B64,"err":B64}; free
# text is base64 so no shell ever has to escape JSON. Node parses and judges; the scripts only
# run commands.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/quiesce.XXXXXX") || exit 70
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

now_ms() {
  # GNU date has %N; elsewhere fall back to whole seconds (timings then read as coarse).
  t=$(date +%s%3N 2>/dev/null)
  case $t in *N) echo $(( $(date +%s) * 1000 )) ;; *) echo "$t" ;; esac
}
b64() { base64 | tr -d '\n'; }

# cap ID CMD...: runs CMD, prints its capture line, keeps its stdout in $tmp/out.ID.
# IDs are [a-z0-9:-] only.
cap() {
  id=$1; shift
  t0=$(now_ms)
  "$@" >"$tmp/out.$id" 2>"$tmp/err.$id"
  rc=$?
  t1=$(now_ms)
  printf '{"k":"cmd","id":"%s","rc":%d,"ms":%d,"out":"%s","err":"%s"}\n' \
    "$id" "$rc" "$((t1 - t0))" "$(b64 <"$tmp/out.$id")" "$(b64 <"$tmp/err.$id")"
  return "$rc"
}
