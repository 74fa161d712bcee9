#!/usr/bin/env bash
# Profiles one generated store with two builds of the CLI and compares the saved profile tables row for row
# (docs/benchmarks.md, "Profile memory, continued"). A build is a directory holding Mailsmith.Cli.dll, e.g. a copy of
# artifacts/bin/Mailsmith.Cli/release taken before a change.
# Usage: scripts/compare-profile-output.sh OLD_BUILD NEW_BUILD [WORKDIR] [CUSTOMERS]
set -euo pipefail
old="$(cd "$1" && pwd)"; new="$(cd "$2" && pwd)"
work="${3:-/tmp/mailsmith-profile-compare}"; customers="${4:-20000}"
mkdir -p "$work"; cd "$work"
if [[ ! -f store.db ]]; then
  dotnet "$old/Mailsmith.Cli.dll" generate --out store --customers "$customers" --seed 7
  (cd store && dotnet "$old/Mailsmith.Cli.dll" import --db "$work/store.db" --customers customers.csv --products products.csv \
     --orders orders.csv --order-lines order_lines.csv --events events.csv --reviews reviews.csv)
fi
rm -f old.db* new.db*
cp store.db old.db; cp store.db new.db
dotnet "$old/Mailsmith.Cli.dll" profile --db old.db --force > old.out
dotnet "$new/Mailsmith.Cli.dll" profile --db new.db --force > new.out
status=0
for t in profiles product_sentiment; do
  for side in old new; do
    # Every column but the wall-clock time of the run.
    cols=$(sqlite3 "$side.db" "select group_concat(name, ',') from pragma_table_info('$t') where name <> 'computed_at'")
    sqlite3 -header "$side.db" "select $cols from $t order by 1" > "$side.$t.txt"
  done
  if cmp -s old.$t.txt new.$t.txt; then
    echo "$t: $(($(wc -l < new.$t.txt) - 1)) rows, identical"
  else
    echo "$t: DIFFERENT (old $(wc -l < old.$t.txt) lines, new $(wc -l < new.$t.txt)); diff $work/old.$t.txt $work/new.$t.txt"
    status=1
  fi
done
exit $status
