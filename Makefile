# SPDX-License-Identifier: GPL-2.0
# Top-level Makefile. `make help` lists the targets.

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build

# The kernels the project targets (tools/vm/kernel.sh resolves them).
KERNELS := deb61 deb612 debug

.PHONY: all module tools modules-all check demo bench bench-cold tls-audit fuzz soak deb clean help

all: tools module

# Userspace: the hand-over daemon (tools/fallbackd) and the administrator's
# command (tools/khttpdctl) into build/bin/.
tools:
	cmake -S tools/fallbackd -B build/fallbackd -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
	cmake --build build/fallbackd -j$$(nproc) --target khttpd-fallbackd
	install -D -m 0755 build/fallbackd/khttpd-fallbackd build/bin/khttpd-fallbackd
	cmake -S tools/khttpdctl -B build/khttpdctl -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
	cmake --build build/khttpdctl -j$$(nproc) --target khttpdctl
	install -D -m 0755 build/khttpdctl/khttpdctl build/bin/khttpdctl

module:
	@if [ ! -d "$(KDIR)" ]; then \
		echo "No kernel headers at $(KDIR)." >&2; \
		echo "Install linux-headers-$(KVER), pass KDIR=/path/to/headers," >&2; \
		echo "or run 'make modules-all' to build for the test kernels." >&2; \
		exit 1; \
	fi
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# One copy of the sources per kernel under build/kmod/NAME, so the object
# files of different kernels never mix (M= builds next to the sources).
modules-all:
	@set -e; for k in $(KERNELS); do \
		tools/build-module.sh $$k; \
	done

check:
	tools/check.sh

demo:
	tools/demo.sh

# khttpd vs Apache vs nginx under wrk in a VM, servers pinned to vCPU 0 and sharing both
# vCPUs, plus the access log's cost; rewrites docs/benchmarks.md and docs/img/.
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--kernel deb61 --rounds 5".
bench:
	tools/bench/bench.sh $(BENCH_ARGS)

# Cold files: the hot clients' p99 beside cold reads from a (throttled)
# virtio-blk ext4 disk, khttpd vs nginx with aio threads. COLD_ARGS e.g.
# "--rounds 5 --sync-ko build/oldko/khttpd.ko".
bench-cold:
	tools/bench/cold.sh $(COLD_ARGS)

# HTTPS: testssl.sh against khttpd and against nginx with the same
# certificate, side by side (build/tls-audit/; docs/tls.md quotes it).
tls-audit:
	tools/bench/tls-audit.sh $(TLS_AUDIT_ARGS)

# The long fuzzing campaign (not in make check): FUZZ_SECONDS per target,
# new coverage merged into tests/fuzz/corpus*; FUZZ_ARGS e.g. "--sanitize asan".
FUZZ_SECONDS ?= 600
fuzz:
	tests/fuzz/campaign.sh $(FUZZ_SECONDS) $(FUZZ_ARGS)

# Start/stop and rmmod/insmod cycles under hostile load in the debug kernel,
# then mixed load with packet loss (not in make check); writes docs/soak.md.
# SOAK_ARGS e.g. "--cycles 2 --minutes 1".
soak:
	tools/soak/soak.sh $(SOAK_ARGS)

# Debian packages khttpd-dkms and khttpd into build/deb/, lintian-checked
# (docs/deploy.md).
deb:
	tools/build-deb.sh

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	rm -rf build

help:
	@echo "make              build khttpd.ko for the running kernel (or KDIR=...) and the tools"
	@echo "make tools        build the hand-over daemon and khttpdctl into build/bin/"
	@echo "make modules-all  build for Debian 6.1, Debian 6.12 and the debug kernel"
	@echo "make check        run every test (host, KUnit, VM on all kernels)"
	@echo "make demo         boot a VM serving a sample site on 127.0.0.1:8080"
	@echo "make bench        benchmark khttpd vs Apache vs nginx in a VM, pinned and shared (~90 min; BENCH_ARGS=...)"
	@echo "make bench-cold   hot clients' p99 beside cold-file reads, khttpd vs nginx aio threads (COLD_ARGS=...)"
	@echo "make tls-audit    testssl.sh against khttpd's HTTPS and nginx with the same certificate"
	@echo "make fuzz         fuzz the request path and mime.types parser, FUZZ_SECONDS each (default 600)"
	@echo "make soak         50 start/stop + rmmod/insmod cycles under hostile load, then netem load (SOAK_ARGS=...)"
	@echo "make deb          Debian packages khttpd-dkms + khttpd into build/deb/ (lintian-checked)"
