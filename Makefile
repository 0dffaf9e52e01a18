# postie: plain GNU make build.
#   make            build ./postie
#   make check      unit tests, fuzz-corpus replay, lint, transcript and interop tests
#   make demo       run a demo server on localhost (see README)
#   make fuzz       build libFuzzer targets with clang and run each for FUZZ_SECONDS
#   make bench      benchmarks against Dovecot (not part of check)
#   SANITIZE=asan,ubsan   build everything with sanitizers (separate build dir)

CC      ?= cc
PKGS     = libevent libevent_openssl libevent_pthreads openssl libxcrypt pwquality \
           sqlite3 gmime-3.0 libgsasl
PKG_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags $(PKGS) 2>/dev/null))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN     = -Wall -Wextra -Wshadow -Wpointer-arith -Wcast-qual -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wno-unused-parameter -Wvla
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -pthread $(WARN) -Isrc $(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS) -pthread

BUILD    = build
ifneq ($(SANITIZE),)
BUILD    = build-san
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS  += $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
endif
ifneq ($(WERROR),)
CFLAGS  += -Werror
endif

LAYERS   = lib proto net tls auth store mime server fetch audit scan cli
LIB_SRC  = $(filter-out src/cli/main.c,$(foreach d,$(LAYERS),$(wildcard src/$(d)/*.c)))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC = $(wildcard tests/unit/*.c)
UNIT_OBJ = $(UNIT_SRC:%.c=$(BUILD)/%.o)
FUZZ_SRC = $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

all: postie

postie: $(BUILD)/postie
	@if [ "$(BUILD)" = build ]; then ln -sf $(BUILD)/postie postie; fi

$(BUILD)/postie: $(BUILD)/src/cli/main.o $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libpostie.a: $(LIB_OBJ)
	rm -f $@; ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/unit-tests: $(UNIT_OBJ) $(BUILD)/libpostie.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Fuzz targets: with gcc they link a standalone replay main (tests/fuzz/replay.c).
$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c $(BUILD)/libpostie.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay.c $(BUILD)/libpostie.a $(LDLIBS)

fuzz-replay: $(FUZZ_BIN)
	@scripts/fuzz-replay $(BUILD)

unit: $(BUILD)/unit-tests
	$(BUILD)/unit-tests

lint:
	scripts/lint

check:
	scripts/install-deps --test
	$(MAKE) check-run

check-run: postie $(BUILD)/postie $(BUILD)/unit-tests $(FUZZ_BIN)
	scripts/run-tests $(BUILD)

fuzz:
	scripts/fuzz-run $(FUZZ_SECONDS)

demo: postie
	scripts/demo

bench: postie
	bench/run

tidy:
	clang-tidy --quiet $$(git ls-files 'src/*.c') -- -std=c11 -D_GNU_SOURCE \
	    -Isrc $(PKG_CFLAGS)

format:
	clang-format -i $$(git ls-files 'src/*.[ch]' 'tests/*.[ch]')

clean:
	rm -rf build build-san build-fuzz postie

.PHONY: all postie check check-run unit lint fuzz fuzz-replay demo bench tidy format clean
-include $(LIB_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(BUILD)/src/cli/main.d
