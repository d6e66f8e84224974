# shellcheck shell=sh
# Asks a running export to stop: `sh -c "$(cat export-cancel.sh)" sh EXPORTDIR OPID`. The runner
# sees the `cancel` file between two looks at the copy, aborts libvirt's job (domjobabort), waits
# until no job runs and removes every file it made, so nothing that looks complete is left.
# Exit 3: no such export; 4: it has already ended (nothing to cancel).
d=$1
case $d in /*) ;; *) d=$HOME/$d ;; esac
case $2 in '' | *[!0-9A-Za-z-]*) echo "invalid operation id" >&2; exit 64 ;; esac
o=$d/ops/$2
[ -d "$o" ] || exit 3
grep -q '"ev":"end"' "$o/journal.jsonl" 2>/dev/null && exit 4
: >"$o/cancel"
