# dmlssim — the two Quick start commands, `make demo` and `make test`, work on a fresh Debian 12
# machine: they install missing packages, configure and build incrementally, then run.
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps build demo test test-asan check-layers bench format clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS) -- --no-print-directory

demo: build
	$(BUILD)/apps/dmlssim compare scenarios/encrypted-netsplit.yaml --out results/encrypted-netsplit-compare --jobs $(JOBS) --force

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer, without the tests labelled
# slow (tagged [slow]: minutes under the sanitizers; make test runs them).
test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDMLSSIM_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS) -- --no-print-directory
	cd $(ASAN_BUILD) && ctest --output-on-failure -j$(JOBS) -LE slow

# The layers' arrows: no include reaches a module its own may not use (also a test).
check-layers:
	/usr/bin/python3 scripts/check_layers.py .

bench: build
	$(BUILD)/bench/phold --lps 1000 --events 20000000
	$(BUILD)/bench/phold --lps 100000 --events 20000000
	$(BUILD)/bench/netmsg --servers 1000 --messages 20000000
	$(BUILD)/bench/netmsg --servers 100000 --messages 20000000
	$(BUILD)/bench/stateres --events 1000
	$(BUILD)/bench/stateres --events 10000
	$(BUILD)/bench/stateres --events 50000
	for n in 16 256 1024 4096; do for p in real fast; do \
	  $(BUILD)/bench/mls --members $$n --provider $$p || exit 1; done; done
	$(BUILD)/bench/dmls --provider fast
	$(BUILD)/bench/dmls --part pprf --provider real
	for n in 100 300 1000; do $(BUILD)/bench/heal_scale --servers $$n || exit 1; done
	bench/e2e_ladder.sh $(BUILD) 100 300

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
