#!/usr/bin/env bash
# Installs what the tests need (idempotent), runs every test, and ends with the line "N passed, N failed".
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Playwright drives /usr/bin/chromium from Debian; it must never try to fetch a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

if ! ./scripts/install-test-deps.sh; then
  echo "Installing test dependencies failed."
  echo "0 passed, 1 failed"
  exit 1
fi

log="$here/artifacts/test.log"
mkdir -p "$here/artifacts"
dotnet test Mailsmith.slnx -c Release --nologo "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# A build error produces no test summary: say so, and count it as a failure.
extra=0
if [[ $rc -ne 0 ]] && ! grep -qE '^(Passed|Failed)!' "$log"; then
  echo "The build or the test host failed before any test ran (see above)."
  extra=1
fi
awk -v extra="$extra" '/^(Passed|Failed)!  - Failed:/ { gsub(",",""); for(i=1;i<=NF;i++){ if($i=="Failed:")f+=$(i+1); if($i=="Passed:")p+=$(i+1); if($i=="Skipped:")s+=$(i+1);} }
     END { printf "%d passed, %d failed, %d skipped\n", p, f + extra, s }' "$log"
exit $rc
