# shellcheck shell=sh
# Shared by the gathering scripts (inventory.sh, doctor.sh, history.sh): Node prepends it to each
# before feeding it to `sh -s` (see gather-script.ts).
#
# Output: one JSON object per line, {"k":"cmd","id":ID,"rc":N,"ms":N,"out":B64,"err":B64}; free
# text is base64 so no shell ever has to escape JSON. Node parses and judges; the scripts only
# run commands. ms is -1 (read as "not timed") for a command answered inside a virsh session
# (cap_session), which times only the whole session: {"k":"session","ids":"ID ...","rc":N,"ms":N}.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/quiesce.XXXXXX") || exit 70
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

now_ms() {
  # GNU date has %N; elsewhere fall back to whole seconds (timings then read as coarse).
  t=$(date +%s%3N 2>/dev/null)
  case $t in *N) echo $(( $(date +%s) * 1000 )) ;; *) echo "$t" ;; esac
}
# b64 FILE: the file in base64 on one line; nothing (and no process started) when it is empty.
# One process where base64 knows -w 0 (GNU, busybox); else its lines are joined by tr.
b64() {
  if [ -s "$1" ]; then base64 -w 0 <"$1" 2>/dev/null || base64 <"$1" | tr -d '\n'; fi
}

# cap_line ID RC MS: the capture line of $tmp/out.ID and $tmp/err.ID, written in pieces so that
# no subshell is started for it (every process counts on a busy host).
cap_line() {
  printf '{"k":"cmd","id":"%s","rc":%d,"ms":%d,"out":"' "$1" "$2" "$3"
  b64 "$tmp/out.$1"
  printf '","err":"'
  b64 "$tmp/err.$1"
  printf '"}\n'
}

# cap ID CMD...: runs CMD, prints its capture line, keeps its stdout in $tmp/out.ID.
# IDs are [a-z0-9:-] only.
cap() {
  id=$1; shift
  t0=$(now_ms)
  "$@" >"$tmp/out.$id" 2>"$tmp/err.$id"
  rc=$?
  t1=$(now_ms)
  cap_line "$id" "$rc" "$((t1 - t0))"
  return "$rc"
}

# cap_session URI ID COMMAND [ID COMMAND]...: runs the COMMANDs in ONE virsh process (one start,
# one connection, which is most of what a virsh command costs), then prints one capture line
# per command, as cap would have for `virsh -q -c URI COMMAND`, and keeps each one's stdout in
# $tmp/out.ID. COMMANDs are virsh's command language: constant text only here (never a host
# string: docs/ARCHITECTURE.md, "Host strings never enter virsh's command language").
#
# How the outputs are told apart: after each COMMAND the session echoes a marker with a random
# part (mktemp's) on stderr and on stdout, each ending its line ("error: MARKER" on stderr); the
# host splits both streams there and drops the markers with their newlines, so each command's
# output is kept byte for byte (a last line without a newline too: the marker then follows it on
# the same line; virsh's `echo` prints no newline of its own). virsh's exit status is only the last
# command's, so a command counts as failed (rc 1, virsh's status for a failed command) when it
# wrote an "error: " line, which virsh does for every failed command. A command whose marker never
# came (virsh could not connect, or died) gets virsh's own exit status (1 if that was 0), and the
# commands after it no capture line at all. Returns the first command's status, as cap would:
# `cap_session URI version version ... || exit 0` stops when the host cannot be reached.
cap_session() {
  cs_uri=$1; shift
  cs_mark="quiesce.${tmp##*.}"
  cs_ids=
  cs_cmds=
  cs_n=0
  cs_nl='
'
  while [ "$#" -ge 2 ]; do
    cs_n=$((cs_n + 1))
    cs_ids="$cs_ids $1"
    cs_cmds="$cs_cmds$2; echo --err $cs_mark.$cs_n.; echo '$cs_mark.$cs_n.$cs_nl'; "
    shift 2
  done
  t0=$(now_ms)
  # </dev/null: the script itself comes on sh's stdin (gather-script.ts).
  virsh -q -c "$cs_uri" "$cs_cmds" </dev/null >"$tmp/session.out" 2>"$tmp/session.err"
  cs_rc=$?
  t1=$(now_ms)
  # Prints one line per command: ID, whether its stdout marker came, whether it wrote an error.
  awk -v mark="$cs_mark" -v ids="$cs_ids" -v dir="$tmp" '
    BEGIN { n = split(ids, id, " ") }
    FNR == 1 {
      if (file != "") close(file)
      stream = (FILENAME ~ /\.err$/) ? "err" : "out"
      seg = 1; file = dir "/" stream "." id[1]
      printf "" > file
    }
    # Text of segment seg; nl: whether the line ended there.
    function put(s, nl) {
      if (seg > n) return
      if (stream == "err" && s ~ /^error: /) failed[seg] = 1
      printf "%s%s", s, (nl ? "\n" : "") > file
    }
    function next_seg() {
      if (stream == "out") reached[seg] = 1
      close(file); seg++
      if (seg <= n) { file = dir "/" stream "." id[seg]; printf "" > file }
    }
    {
      line = $0
      tok = (stream == "err" ? "error: " : "") mark "." seg "."
      while (seg <= n && (i = index(line, tok)) > 0) {
        put(substr(line, 1, i - 1), 0)
        line = substr(line, i + length(tok))
        next_seg()
        tok = (stream == "err" ? "error: " : "") mark "." seg "."
        # The marker ends its line (on stdout its own newline, on stderr vshError adds one): dropped.
        if (line == "") next
      }
      put(line, 1)
    }
    END {
      if (file != "") close(file)
      for (k = 1; k <= n; k++) print id[k], (reached[k] ? 1 : 0), (failed[k] ? 1 : 0)
    }
  ' "$tmp/session.out" "$tmp/session.err" >"$tmp/session.status"
  printf '{"k":"session","ids":"%s","rc":%d,"ms":%d}\n' "${cs_ids# }" "$cs_rc" "$((t1 - t0))"
  cs_first=
  while read -r cs_id cs_reached cs_failed; do
    if [ "$cs_reached" = 1 ]; then
      cs_status=$cs_failed
    else
      cs_status=$cs_rc
      [ "$cs_status" != 0 ] || cs_status=1
    fi
    cap_line "$cs_id" "$cs_status" -1
    [ -n "$cs_first" ] || cs_first=$cs_status
    [ "$cs_reached" = 1 ] || break
  done <"$tmp/session.status"
  return "${cs_first:-1}"
}
