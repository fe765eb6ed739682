# prober - synthetic video-stream availability prober.
#
#   make            build lib/ (static) and prober/prober
#   make check      install missing Debian packages, build, run every test
#   make check-asan the same suite under AddressSanitizer + UBSan
#   make demo       two local origins, one healthy, one broken, checked
#   make lint       clang-format check and cppcheck over lib/ and prober/
#   make install    PREFIX=/usr/local DESTDIR= [PLUGINDIR=/usr/lib/nagios/plugins]
#   make uninstall  the same variables: removes exactly what install put

VERSION := 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
DOCDIR ?= $(DATADIR)/doc/prober
CONTRIBDIR ?= $(DATADIR)/prober/contrib
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
# The monitoring plugins folder (e.g. /usr/lib/nagios/plugins): when set,
# check_video_stream is linked there too.
PLUGINDIR ?=
# Build folder: a sanitizer build lives beside the normal one.
O ?= build

# libmicrohttpd: `prober serve`'s HTTP server; sqlite3: the history index
# (both runtime dependencies).
PKGS := libcurl libavformat libavcodec libavutil libswscale jansson libxml-2.0 \
	libmicrohttpd sqlite3
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

CC ?= cc
CFLAGS ?= -O2 -g
WARNINGS := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-missing-field-initializers
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -DVSP_VERSION='"$(VERSION)"' \
	$(WARNINGS) $(CFLAGS) $(SAN) -iquote lib $(PKG_CFLAGS)
ALL_LDFLAGS := $(LDFLAGS) $(SAN)
# Header dependencies as the compiler sees them: each object (or test
# binary) gets a .d file beside it naming the headers it includes.
DEPFLAGS = -MMD -MP -MF $@.d -MT $@
LIBS := $(PKG_LIBS) -lpthread -lm

ifeq ($(O),build)
PROBER := prober/prober
else
PROBER := $(O)/bin/prober
endif

LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(O)/%.o)
LIBA := $(O)/libprober.a
PROG_SRCS := $(wildcard prober/*.c)
PROG_OBJS := $(PROG_SRCS:%.c=$(O)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)
# Local origins for the integration suites (tests/server/), and the C
# integration suites beside their shell drivers (tests/integration/), with
# their shared setup in tests/integration/common/.
SERVER_SRCS := $(wildcard tests/server/*.c)
INTEG_SRCS := $(wildcard tests/integration/*.c)
TOOL_BINS := $(SERVER_SRCS:tests/server/%.c=$(O)/tests/%) \
	$(INTEG_SRCS:tests/integration/%.c=$(O)/tests/%) \
	$(O)/tests/failalloc.so

.PHONY: all check check-asan unit integration demo lint install uninstall clean deps fuzz fuzz-build bench

all: $(PROBER)

$(O)/%.o: %.c $(O)/%.o.d
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(LIBA): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(PROBER): $(PROG_OBJS) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(PROG_OBJS) $(LIBA) $(LIBS)

$(O)/tests/%: tests/unit/%.c $(LIBA) $(O)/tests/%.d
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(LIBA) $(CMOCKA_LIBS) $(LIBS)

# The fault-injecting origin is a plain HTTP server: libmicrohttpd and zlib
# (its gzip bomb), libavutil (the token behaviour's HMAC), not libprober. Before the generic rule below.
$(O)/tests/fault_origin: tests/server/fault_origin.c $(O)/tests/fault_origin.d
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $(ALL_LDFLAGS) -o $@ $< \
		$(shell pkg-config --cflags --libs libmicrohttpd zlib libavutil) \
		-lpthread

$(O)/tests/%: tests/server/%.c $(LIBA) $(O)/tests/%.d
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBA) $(LIBS)

$(O)/tests/%: tests/integration/%.c $(LIBA) $(O)/tests/%.d
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -iquote tests/integration/common \
		$(ALL_LDFLAGS) -o $@ $< $(LIBA) $(CMOCKA_LIBS) $(LIBS)

# A malloc refusing large blocks (tests/preload/): LD_PRELOAD'ed by
# tests/integration/nomem.sh. Never sanitized: it must interpose glibc's.
$(O)/tests/failalloc.so: tests/preload/failalloc.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -Wall -Wextra -shared -fPIC -o $@ $<

deps:
	@sh scripts/install-deps.sh

# A test that hangs fails on its own after TEST_TIMEOUT seconds (SIGTERM,
# then SIGKILL 10 s later) instead of holding the whole suite: the slowest
# script takes a few minutes under the sanitizers.
TEST_TIMEOUT ?= 1200
RUN_BOUNDED = timeout -k 10 $(TEST_TIMEOUT)

# Unit tests run offline from the repository root (corpus paths are relative).
unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $(RUN_BOUNDED) $$t; done

# Each tests/integration/*.sh starts its own origins on 127.0.0.1. Its
# stdin is /dev/null, as on a CI machine with no terminal.
integration: $(PROBER) $(TOOL_BINS)
	@set -e; for t in tests/integration/*.sh; do echo "== $$t"; \
		PROBER=$(abspath $(PROBER)) O=$(O) \
		$(RUN_BOUNDED) sh $$t </dev/null; done

check: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) integration

ASAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
check-asan: deps
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 RSS_SCALE=4 \
	$(MAKE) O=build-asan SAN="$(ASAN)" CFLAGS="-O1 -g" all unit integration

# libFuzzer targets (tests/fuzz/fuzz_*.c): clang with ASan+UBSan over the
# lib sources compiled here, not libprober.a (gcc's, without coverage).
# Each runs FUZZ_SECONDS from a copy of tests/corpus; any crash, leak or
# sanitizer report fails. Saved crashers replay from tests/fuzz/regress/.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_O := $(O)/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -DVSP_VERSION='"$(VERSION)"' -g -O1 \
	$(FUZZ_SAN) -iquote lib $(PKG_CFLAGS)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_O)/%)
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(FUZZ_O)/%.o)

$(FUZZ_O)/lib/%.o: lib/%.c $(FUZZ_O)/lib/%.o.d
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_O)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_OBJS) $(FUZZ_O)/fuzz_%.d
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_LIB_OBJS) $(LIBS)

fuzz-build: $(FUZZ_BINS)

# What the compiler wrote at the last build. A target whose .d is missing
# (never built, or built before the .d files) is built again: the empty
# rule makes a missing .d count as changed.
%.d: ;
.PRECIOUS: %.d
# The test servers and suites were in tests/tools/: .d files written before
# the move still name their sources there. A name that is gone counts as
# changed, and the target is built again from its new place.
tests/tools/%: ;
-include $(LIB_OBJS:=.d) $(PROG_OBJS:=.d) $(UNIT_BINS:=.d) $(TOOL_BINS:=.d) \
	$(FUZZ_LIB_OBJS:=.d) $(FUZZ_BINS:=.d)

fuzz: $(FUZZ_BINS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) O=$(O) sh tests/fuzz/run.sh

demo: deps
	$(MAKE) all
	PROBER=$(abspath $(PROBER)) sh scripts/demo.sh

# Benchmarks (never part of check): see bench/README.md.
$(O)/bench/measure: bench/measure.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

$(O)/bench/floor: bench/floor.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(PKG_LIBS)

$(O)/bench/history: bench/history.c $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBA) $(LIBS)

bench: deps
	$(MAKE) all $(O)/bench/measure $(O)/bench/floor $(O)/bench/history
	HISTORY=$(abspath $(O)/bench/history) sh bench/history.sh
	PROBER=$(abspath $(PROBER)) MEASURE=$(abspath $(O)/bench/measure) \
		FLOOR=$(abspath $(O)/bench/floor) sh bench/bench.sh
	PROBER=$(abspath $(PROBER)) sh bench/serve.sh

lint: deps
	clang-format --dry-run --Werror lib/*.[ch] prober/*.[ch]
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--inline-suppr -D__GNUC__ -Ilib lib prober

# What install puts where: uninstall removes exactly these. Contrib files
# name /usr/local paths; installed, they name this install's.
MAN1 := man/prober.1 man/check_video_stream.1
MAN5 := man/prober-probe.5
CONTRIB := $(shell find contrib -type f | LC_ALL=C sort)
EXAMPLES := $(wildcard probes/examples/*.json)
PATHS_SED := -e 's|/usr/local/bin|$(BINDIR)|g' \
	-e 's|/usr/local/share/doc/prober|$(DOCDIR)|g'

install: $(PROBER)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DOCDIR)/examples \
		$(DESTDIR)$(BASHCOMPDIR)
	install -m 755 $(PROBER) $(DESTDIR)$(BINDIR)/prober
	ln -sf prober $(DESTDIR)$(BINDIR)/check_video_stream
	if [ -n "$(PLUGINDIR)" ]; then \
		install -d $(DESTDIR)$(PLUGINDIR) && \
		ln -sf $(BINDIR)/prober $(DESTDIR)$(PLUGINDIR)/check_video_stream; \
	fi
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	install -m 644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -m 644 $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/
	install -m 644 contrib/bash-completion/prober \
		$(DESTDIR)$(BASHCOMPDIR)/prober
	ln -sf prober $(DESTDIR)$(BASHCOMPDIR)/check_video_stream
	for f in $(CONTRIB); do \
		d=$(DESTDIR)$(CONTRIBDIR)/$${f#contrib/}; \
		install -d "$$(dirname "$$d")" && \
		sed $(PATHS_SED) "$$f" >"$$d" && chmod 644 "$$d" || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/prober $(DESTDIR)$(BINDIR)/check_video_stream
	if [ -n "$(PLUGINDIR)" ]; then \
		rm -f $(DESTDIR)$(PLUGINDIR)/check_video_stream; fi
	rm -f $(MAN1:man/%=$(DESTDIR)$(MANDIR)/man1/%) \
		$(MAN5:man/%=$(DESTDIR)$(MANDIR)/man5/%)
	rm -f $(DESTDIR)$(DOCDIR)/README.md \
		$(EXAMPLES:probes/examples/%=$(DESTDIR)$(DOCDIR)/examples/%)
	rm -f $(DESTDIR)$(BASHCOMPDIR)/prober \
		$(DESTDIR)$(BASHCOMPDIR)/check_video_stream
	rm -f $(CONTRIB:contrib/%=$(DESTDIR)$(CONTRIBDIR)/%)
	# Folders of prober's own, when empty; shared ones (bin, man1) stay.
	for d in $$(cd contrib && find . -mindepth 1 -depth -type d); do \
		rmdir "$(DESTDIR)$(CONTRIBDIR)/$${d#./}" 2>/dev/null || :; done
	-rmdir $(DESTDIR)$(CONTRIBDIR) $(DESTDIR)$(DATADIR)/prober \
		$(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null

clean:
	rm -rf build build-asan prober/prober
