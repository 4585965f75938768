#!/usr/bin/env bash
# Vendor GOV.UK Frontend and MoJ Frontend into src/cme/core/static, so no Node is needed to run
# the service. Rerun to upgrade (change the versions below), then commit what it writes.
# See docs/adr/0002-govuk-frontend-vendored-with-arial.md.
#
# Needs node and npm. Writes:
#   static/cme/app.css                   one stylesheet: GOV.UK + MoJ Frontend in Arial + ours
#   static/govuk/govuk-frontend.min.js   ES module
#   static/moj/moj-frontend.min.js       ES module
#   static/moj/assets/images/icon-*.svg  icons MoJ Frontend's styles refer to
#   static/cme/VENDORED.txt              versions (both libraries are MIT licensed)
set -euo pipefail

GOVUK_FRONTEND_VERSION="6.3.0"   # the release govuk-frontend-jinja 4.1 matches
MOJ_FRONTEND_VERSION="11.1.0"    # peer dependency govuk-frontend ^6
SASS_VERSION="1.97"

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STATIC="$ROOT/src/cme/core/static"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund --ignore-scripts \
  "govuk-frontend@$GOVUK_FRONTEND_VERSION" \
  "@ministryofjustice/frontend@$MOJ_FRONTEND_VERSION" \
  "sass@$SASS_VERSION"

GOVUK="node_modules/govuk-frontend"
MOJ="node_modules/@ministryofjustice/frontend"

cp "$ROOT/scripts/frontend/app.scss" app.scss
node_modules/.bin/sass --load-path=. --no-source-map --style=compressed --quiet-deps \
  app.scss app.css

# No web fonts: a council service may not use GDS Transport, and we want no font files.
if grep -q "@font-face" app.css; then
  echo "app.css declares a @font-face; check \$govuk-font-family in scripts/frontend/app.scss" >&2
  exit 1
fi

rm -rf "$STATIC/govuk" "$STATIC/moj" "$STATIC/cme/app.css"
mkdir -p "$STATIC/govuk" "$STATIC/moj/assets/images" "$STATIC/cme"

cp app.css "$STATIC/cme/app.css"
cp "$GOVUK/dist/govuk/govuk-frontend.min.js" "$STATIC/govuk/"
cp "$MOJ/moj/moj-frontend.min.js" "$STATIC/moj/"
# Only the icons; MoJ's crest, logotype and touch icons belong to the Ministry, not to a council.
cp "$MOJ"/moj/assets/images/icon-*.svg "$STATIC/moj/assets/images/"
# Drop the source-map comments: the maps are not vendored.
sed -i 's|//# sourceMappingURL=.*$||' "$STATIC/govuk/govuk-frontend.min.js" "$STATIC/moj/moj-frontend.min.js"

printf 'govuk-frontend %s (MIT)\n@ministryofjustice/frontend %s (MIT)\nsass %s\n' \
  "$(node -p "require('./$GOVUK/package.json').version")" \
  "$(node -p "require('./$MOJ/package.json').version")" \
  "$(node -p "require('./node_modules/sass/package.json').version")" > "$STATIC/cme/VENDORED.txt"

echo "Vendored into $STATIC:"
cat "$STATIC/cme/VENDORED.txt"
