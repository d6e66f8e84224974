# shellcheck shell=sh
# Verifies one export in a host folder: `sh -c "$(cat export-verify.sh)" sh EXPORTDIR FOLDER
# [TARGET FILE SHA256]...` (the app reads the manifest and passes each disk). Prints, tab-separated:
#   disk TARGET SHA(ok|mismatch|missing) CHECK(ok|failed|skipped) CHAIN(ok|broken|skipped) DETAIL(base64)
#   chain EXPORTID present|missing     for each export the chain needs, parent first
# and records the outcome in EXPORTDIR/verified/EXPORTID ("ok RT" or "failed RT"). -U: an image a
# restored domain uses as its backing file is read without taking its lock.
set -u
set -f
d=$1 folder=$2
shift 2
case $d in /*) ;; *) d=$HOME/$d ;; esac
[ -s "$folder/manifest.json" ] || exit 3
id=${folder##*/}
case $id in '' | *[!0-9A-Za-z-]*) echo "invalid export folder" >&2; exit 64 ;; esac
b64() { printf '%s' "$1" | base64 | tr -d '\n'; }
sums=''
trap '[ -z "$sums" ] || rm -f "$sums"' EXIT
ok=1
while [ $# -ge 3 ]; do
  t=$1 f=$2 want=$3
  shift 3
  case $f in */* | '') echo "invalid file name" >&2; exit 64 ;; esac
  p=$folder/$f
  sha=missing check=skipped chain=skipped detail=''
  if [ -f "$p" ]; then
    # the checksum (the one full read of the image) runs while qemu-img checks its metadata and
    # its chain: the disk takes about as long as its checksum
    [ -n "$sums" ] || sums=$(mktemp) || exit 70
    if command -v openssl >/dev/null 2>&1; then
      openssl dgst -sha256 -r -out "$sums" -- "$p" 2>/dev/null &
    else
      sha256sum -- "$p" >"$sums" &
    fi
    spid=$!
    if out=$(qemu-img check -U -q -- "$p" 2>&1); then check=ok; else check=failed detail="$out"; fi
    if out=$(qemu-img info -U --backing-chain -- "$p" 2>&1 >/dev/null); then chain=ok; else chain=broken detail="$detail${detail:+; }$out"; fi
    got=
    wait "$spid" && read -r got _ <"$sums"
    : >"$sums"
    if [ "$got" = "$want" ]; then sha=ok; else sha=mismatch detail="sha256 $got, the manifest says $want${detail:+; }$detail"; fi
  else
    detail="$p is missing"
  fi
  [ "$sha" = ok ] && [ "$check" = ok ] && [ "$chain" = ok ] || ok=0
  printf 'disk\t%s\t%s\t%s\t%s\t%s\n' "$t" "$sha" "$check" "$chain" "$(b64 "$detail")"
done
# the exports below this one, by the manifests' parent links
m=$folder/manifest.json
seen=0
while :; do
  parent=$(sed -n 's/^ *"parent": *"\([0-9A-Za-z-]*\)",*$/\1/p' "$m")
  [ -n "$parent" ] || break
  seen=$((seen + 1))
  [ "$seen" -le 1000 ] || break
  m=${folder%/*}/$parent/manifest.json
  if [ -s "$m" ]; then
    printf 'chain\t%s\tpresent\n' "$parent"
  else
    printf 'chain\t%s\tmissing\n' "$parent"
    ok=0
    break
  fi
done
mkdir -p "$d/verified"
RT=$(date +%s)
if [ "$ok" = 1 ]; then echo "ok $RT" >"$d/verified/$id"; else echo "failed $RT" >"$d/verified/$id"; fi
exit 0
