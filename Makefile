# ttc: common tasks. `make test` is what CI runs.
GO            ?= go
STATICCHECK   := honnef.co/go/tools/cmd/staticcheck@v0.8.2
BENCH_DIR     ?= $(CURDIR)/.bench
BENCH_SIZE    ?= 1GiB

.PHONY: all build test vet staticcheck unit fuzz bench pgo loadtest generate awsapi-drift clean

all: build

build:
	$(GO) build -o bin/ttc ./cmd/ttc

## test: everything CI checks: formatting, vet, staticcheck and every test (browser tests included).
test: vet staticcheck unit

vet:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

staticcheck:
	$(GO) run $(STATICCHECK) ./...

unit:
	$(GO) test -count=1 ./...

## fuzz: a short run of every fuzz target (FUZZTIME per target). Minimizing a new input is cut
## short at 5 s: Go's default minute on the reader's kilobyte-sized inputs stalls the run.
FUZZTIME ?= 20s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s $$pkg || exit 1; \
	  done; \
	done

## bench: generate a CloudTrail corpus (BENCH_SIZE of JSON, S3 layout) and measure the scan against
## the gzip floor and a naive baseline.
## The benchmark program is built with the profile ttc is built with (cmd/ttc/default.pgo), so
## that its in-process scan measures the same code as the ttc binary.
bench:
	$(GO) run -pgo=$(CURDIR)/cmd/ttc/default.pgo ./internal/scan/bench -dir $(BENCH_DIR) -size $(BENCH_SIZE)

## pgo: refresh cmd/ttc/default.pgo, the CPU profile `go build` optimises ttc with (profile-guided
## optimisation), from three in-process scans of the bench corpus with the catalog's and SigmaHQ's
## rules. Built without a profile, so that the new one does not inherit the old one's choices.
PGO_RUNS ?= 3
pgo:
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	  $(GO) build -pgo=off -o $$tmp/bench ./internal/scan/bench || exit 1; \
	  for i in $$(seq $(PGO_RUNS)); do \
	    $$tmp/bench -dir $(BENCH_DIR) -size $(BENCH_SIZE) -only-in-process -cpuprofile $$tmp/cpu$$i.prof || exit 1; \
	  done; \
	  $(GO) tool pprof -proto $$tmp/cpu*.prof > cmd/ttc/default.pgo

## loadtest: 64 concurrent clients against ttc serve on loopback; prints p50/p99 and errors.
loadtest:
	$(GO) test ./internal/server -run '^TestLoad$$' -loadtest -v -count=1

## generate: refresh generated data (needs the Go module proxy).
generate:
	GOPROXY=https://proxy.golang.org $(GO) generate ./...

awsapi-drift:
	GOPROXY=https://proxy.golang.org $(GO) run ./internal/awsapi/gen -check -allow-missing -pin support@v1.38.0

clean:
	rm -rf bin $(BENCH_DIR)
