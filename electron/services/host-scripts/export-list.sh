# shellcheck shell=sh
# The exports this host made, for the history: `sh -c "$(cat export-list.sh)" sh EXPORTDIR [UUID]`.
# One JSON object a line: the runner's index line (EXPORTDIR/index.jsonl) as "index", whether its
# manifest is still there ("present"), its parent, bytes and label from the manifest, and the last
# verification ("verified": "ok RT" / "failed RT" / "").
set -u
set -f
d=$1 uuid=${2:-}
case $d in /*) ;; *) d=$HOME/$d ;; esac
[ -s "$d/index.jsonl" ] || exit 0
while IFS= read -r line; do
  case $line in '{"op":"'*'","kind":"export","uuid":"'*) ;; *) continue ;; esac
  op=$(printf '%s' "$line" | sed -n 's/^{"op":"\([0-9A-Za-z-]*\)".*/\1/p')
  u=$(printf '%s' "$line" | sed -n 's/.*"uuid":"\([0-9a-fA-F-]*\)".*/\1/p')
  [ -z "$uuid" ] || [ "$u" = "$uuid" ] || continue
  dest=$(printf '%s' "$line" | sed -n 's/.*"dest":"\([A-Za-z0-9+\/=]*\)".*/\1/p' | base64 -d 2>/dev/null)
  m=$dest/$u/$op/manifest.json
  present=false parent='' bytes=null label=''
  if [ -n "$op" ] && [ -s "$m" ]; then
    present=true
    parent=$(sed -n 's/^ *"parent": *"\([0-9A-Za-z-]*\)",*$/\1/p' "$m")
    bytes=$(sed -n 's/^ *"bytesCopied": *\([0-9]*\),*$/\1/p' "$m")
    label=$(sed -n 's/^ *"consistency": *{"label": *"\([a-z-]*\)".*/\1/p' "$m")
  fi
  verified=$(cat "$d/verified/$op" 2>/dev/null)
  printf '{"index":%s,"present":%s,"parent":"%s","bytes":%s,"label":"%s","verified":"%s"}\n' \
    "$line" "$present" "$parent" "${bytes:-null}" "$label" "$verified"
done <"$d/index.jsonl"
