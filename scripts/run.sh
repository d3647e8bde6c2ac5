#!/usr/bin/env bash
# The two commands of the README, for a fresh Debian machine with only Node.js 20.19+ and npm:
#   scripts/run.sh start   install what is missing, build, start everything, print how to try it
#   scripts/run.sh test    install what is missing, then run every test
# What it installs: pnpm (the version pinned in package.json), the workspace's packages, and
# nats-server from Debian's packages when none is on the machine; for `test`, Debian's chromium
# (the dashboard's browser tests drive it) when none is on the machine, and docker-compose from
# Debian's packages when a docker client without the compose plugin is there.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[run] %s\n' "$*" >&2; }

need_node() {
  command -v node >/dev/null || { say "Node.js 20.19+ is required"; exit 1; }
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
    || { say "Node.js 20.19+ is required (found $(node --version))"; exit 1; }
}

# pnpm at the version pinned in package.json. A machine without pnpm gets it installed globally
# (npm install -g); a machine with another version keeps it: the pinned one goes into .tools/
# for this project only, and this script uses that.
need_pnpm() {
  local want
  want=$(node -p 'require("./package.json").packageManager.split("@")[1]')
  if [[ -x .tools/node_modules/.bin/pnpm ]] && [[ "$(.tools/node_modules/.bin/pnpm --version)" == "$want" ]]; then
    export PATH="$PWD/.tools/node_modules/.bin:$PATH"
  fi
  if command -v pnpm >/dev/null && [[ "$(pnpm --version)" == "$want" ]]; then return; fi
  if ! command -v pnpm >/dev/null; then
    say "installing pnpm $want (npm install --global)"
    if npm install --global --no-fund --no-audit "pnpm@$want" >/dev/null 2>&1; then return; fi
    say "npm could not install pnpm globally; installing it for this project only, in .tools/"
  else
    say "pnpm $(pnpm --version) is installed; this project pins $want: installing that in .tools/ for this project only (your pnpm is left as it is)"
  fi
  npm install --prefix .tools --no-fund --no-audit --no-save "pnpm@$want" >/dev/null 2>&1 \
    || { say "could not install pnpm $want"; exit 1; }
  export PATH="$PWD/.tools/node_modules/.bin:$PATH"
}

need_nats() {
  if command -v nats-server >/dev/null || [[ -x /usr/sbin/nats-server ]] || [[ -n "${NATS_SERVER_BIN:-}" ]]; then return; fi
  say "installing nats-server from Debian's packages"
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null \
    || { say "could not install nats-server: apt-get install nats-server, or set NATS_SERVER_BIN"; exit 1; }
  # Debian's package runs a system-wide server on 4222, without JetStream: the tests run their
  # own, and `start` refuses it, saying how to stop it or start beside it (NATS_PORT).
}

# The tests check docker-compose.yml with `docker compose config` where a docker client is on
# the machine: one without the compose plugin gets Debian's docker-compose.
need_compose() {
  command -v docker >/dev/null || return 0
  if docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null; then return; fi
  say "installing docker-compose from Debian's packages (to check docker-compose.yml)"
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null \
    || say "could not install docker-compose: the compose file's test will say it was skipped"
}

# The dashboard's tests drive a real headless Chromium: Debian's, unless CHROMIUM_BIN names another.
# The tests are given the one found here (CHROMIUM_BIN). Without one they say loudly that they
# were skipped, except in CI (CI=true), where a missing browser fails the run.
need_chromium() {
  if [[ -z "${CHROMIUM_BIN:-}" ]] && ! command -v chromium >/dev/null && [[ ! -x /usr/bin/chromium ]]; then
    say "installing chromium from Debian's packages (for the dashboard's browser tests)"
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    if ! { $sudo apt-get update -qq >/dev/null && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
      say "could not install chromium (apt-get install chromium, or set CHROMIUM_BIN): the dashboard's browser tests will be skipped"
      [[ "${CI:-}" == "true" ]] && exit 1
      return
    fi
  fi
  export CHROMIUM_BIN="${CHROMIUM_BIN:-$(command -v chromium || echo /usr/bin/chromium)}"
}

install_deps() {
  say "installing packages"
  pnpm install --frozen-lockfile --reporter=silent
}

need_node
need_pnpm
need_nats
install_deps
case "${1:-}" in
  start) exec pnpm start ;;
  test)
    need_chromium
    need_compose
    exec pnpm test
    ;;
  *) say "usage: scripts/run.sh start|test"; exit 2 ;;
esac
