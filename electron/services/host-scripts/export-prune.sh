# shellcheck shell=sh
# Retention of exports: `sh -c "$(cat export-prune.sh)" sh HOSTDIR URI UUID DEST KEEP plan|delete
# [EXPORTID]`. The domain's complete exports in DEST/UUID form chains (a full export and the
# incrementals on it, by the manifests' parent links). `plan` prints what would go: every chain
# but the newest KEEP (or, with EXPORTID, that export and every export built on it), one
# "delete ID" line each, children first. `delete` deletes exactly that, under the domain's lock
# (exit 75 when another operation holds it): for each export, the manifest first (so a half
# deleted export never looks complete), then its images and folder, then its checkpoint in
# libvirt. Prints "deleted ID" or "kept ID WHY".
set -u
set -f
hostdir=$1 uri=$2 uuid=$3 dest=$4 keep=$5 act=$6 only=${7:-}
case $hostdir in /*) ;; *) hostdir=$HOME/$hostdir ;; esac
case $keep in '' | *[!0-9]*) echo "invalid keep" >&2; exit 64 ;; esac
case $act in plan | delete) ;; *) echo "invalid action" >&2; exit 64 ;; esac
case $uuid in *[!0-9a-fA-F-]* | '') echo "invalid uuid" >&2; exit 64 ;; esac
case $only in *[!0-9A-Za-z-]*) echo "invalid export id" >&2; exit 64 ;; esac
base=$dest/$uuid
[ -d "$base" ] || exit 0
NL='
'
# every complete export: "ID PARENT" a line, oldest first (ids sort by time)
rows=
set +f
for f in "$base"/*; do
  set -f
  [ -s "$f/manifest.json" ] || continue
  id=${f##*/}
  case $id in *[!0-9A-Za-z-]*) continue ;; esac
  parent=$(sed -n 's/^ *"parent": *"\([0-9A-Za-z-]*\)",*$/\1/p' "$f/manifest.json")
  rows="$rows$id ${parent:--}$NL"
done
set -f
# root ID: the full export at the bottom of ID's chain
root_of() {
  r=$1 n=0
  while [ "$n" -lt 1000 ]; do
    p=$(printf '%s' "$rows" | awk -v i="$r" '$1 == i { print $2 }')
    { [ -z "$p" ] || [ "$p" = - ]; } && break
    r=$p n=$((n + 1))
  done
  echo "$r"
}
# descends ID ANCESTOR: ANCESTOR is ID or below it
descends() {
  r=$1 n=0
  while [ "$n" -lt 1000 ]; do
    [ "$r" = "$2" ] && return 0
    r=$(printf '%s' "$rows" | awk -v i="$r" '$1 == i { print $2 }')
    { [ -z "$r" ] || [ "$r" = - ]; } && return 1
    n=$((n + 1))
  done
  return 1
}
go=
if [ -n "$only" ]; then
  for id in $(printf '%s' "$rows" | awk '{ print $1 }'); do
    descends "$id" "$only" && go="$go$id$NL"
  done
else
  roots=$(printf '%s' "$rows" | awk '$2 == "-" { print $1 }')
  n=$(printf '%s\n' "$roots" | grep -c .)
  drop=$((n - keep))
  old=$(printf '%s\n' "$roots" | head -n "$((drop > 0 ? drop : 0))")
  for id in $(printf '%s' "$rows" | awk '{ print $1 }'); do
    r=$(root_of "$id")
    case "$NL$old$NL" in *"$NL$r$NL"*) go="$go$id$NL" ;; esac
  done
fi
# children first: newest first
go=$(printf '%s' "$go" | sort -r)
if [ "$act" = plan ]; then
  for id in $go; do echo "delete $id"; done
  exit 0
fi
mkdir -p "$hostdir/locks"
exec 9>>"$hostdir/locks/$uuid.lock"
flock -n 9 || exit 75
for id in $go; do
  f=$base/$id
  rm -f -- "$f/manifest.json" 9>&-
  set +f
  rm -f -- "$f"/*.qcow2 "$f"/*.partial 9>&-
  set -f
  if rmdir -- "$f" 2>/dev/null; then echo "deleted $id"; else echo "kept $id its folder holds other files"; fi
  virsh -c "$uri" checkpoint-delete --domain "$uuid" --checkpointname "quiesce-$id" >/dev/null 2>&1 9>&-
done
exit 0
