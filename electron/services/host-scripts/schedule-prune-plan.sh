# shellcheck shell=sh
# prune_plan LAST HOURLY DAILY WEEKLY MONTHLY: the host's prune plan, the same rules as
# shared/schedule/prune-plan.ts (restic's `forget --keep-*`), which the app's preview runs;
# test/unit/schedule-prune-agree.test.ts holds the two to the same answers.
# Input on stdin, one snapshot a line, tab-separated, in any order:
#   CREATED NAME HOUR DAY WEEK MONTH PROTECTION   (PROTECTION: current, in-use, held or -)
# Output: "keep<TAB>NAME<TAB>REASONS" newest first, then "delete<TAB>NAME" oldest first.
prune_plan() {
  LC_ALL=C sort -t "$(printf '\t')" -k1,1nr -k2,2r |
    awk -v last="$1" -v hourly="$2" -v daily="$3" -v weekly="$4" -v monthly="$5" '
BEGIN { FS = "\t"; n = 0; left["h"] = hourly + 0; left["d"] = daily + 0; left["w"] = weekly + 0; left["m"] = monthly + 0 }
function keep_period(k, rule, key) {
  if (left[k] <= 0 || ((k in seen) && seen[k] == key)) return
  seen[k] = key
  why[n] = why[n] "," rule
  left[k]--
}
NF >= 7 {
  n++
  name[n] = $2
  why[n] = ""
  if (last + hourly + daily + weekly + monthly == 0) why[n] = ",no-rule"
  if (n <= last + 0) why[n] = why[n] ",last"
  keep_period("h", "hourly", $3)
  keep_period("d", "daily", $4)
  keep_period("w", "weekly", $5)
  keep_period("m", "monthly", $6)
  if ($7 != "-" && $7 != "") why[n] = why[n] "," $7
}
END {
  for (i = 1; i <= n; i++) if (why[i] != "") printf "keep\t%s\t%s\n", name[i], substr(why[i], 2)
  for (i = n; i >= 1; i--) if (why[i] == "") printf "delete\t%s\n", name[i]
}'
}
