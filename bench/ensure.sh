# Sourced by the bench scripts: `ensure COMMAND PACKAGE` installs a missing Debian tool the way
# .ci/run installs Chromium (apt-get, through sudo unless root), or stops with what to install.
ensure() {
  command -v "$1" > /dev/null && return 0
  echo "$1 is missing: installing Debian's $2" >&2
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$2" > /dev/null; }; then
    echo "$1 is missing and could not be installed: apt-get install $2" >&2
    exit 1
  fi
}
