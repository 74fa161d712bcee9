#!/usr/bin/env bash
# Installs what the tests need, idempotently: Debian packages (when missing) and NuGet packages (restore).
# Safe to run again; does nothing that is already done.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian packages the tests use. Each is checked first so a warm machine does no apt work at all.
# chromium:           the page tests drive Debian's browser through Playwright (never a downloaded browser).
# fonts-noto-cjk:     Chinese text in emails, screenshots and ScottPlot charts renders instead of tofu boxes.
# postfix:            smtp-sink, the real SMTP peer of the delivery tests (the MTA itself is not started).
# spamassassin spamd spamc: the real spam score of generated emails (spamd -L, local tests only).
# python3-dkim:       an independent DKIM verifier (run with /usr/bin/python3).
# wrk:                HTTP load for the tracking-server benchmarks.
packages=(chromium fonts-noto-cjk postfix spamassassin spamd spamc python3-dkim wrk)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "Installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  # postfix asks what kind of mail system this is; answer once, before apt runs, so the install never prompts.
  echo "postfix postfix/main_mailer_type select Local only" | $SUDO debconf-set-selections
  echo "postfix postfix/mailname string mailsmith.test" | $SUDO debconf-set-selections
  # One retry: a mirror hiccup should not fail a whole CI run.
  for attempt in 1 2; do
    if $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
      break
    fi
    [[ $attempt -eq 2 ]] && { echo "apt-get could not install: ${missing[*]}" >&2; exit 1; }
    sleep 5
  done
fi

dotnet restore "$here/Mailsmith.slnx" -nologo -v quiet
