# guest/guest.mk — Makefile fragment for the FFmpeg guest module.
# Include it from the top-level Makefile:   include guest/guest.mk
#
#   make guest                      build (or take from cache) the lean module
#   make guest PROFILE=full         the full profile
#   make guest GUEST_SIMD=1         the -msimd128 variant
#   make guest-check-repro          build twice, fail unless byte-identical
#   make native-c                   translate the module to C for the native tier
#                                   (guest/native.sh; NATIVE_UNITS=N translation units)
#   make check-builtin-module       fail unless crates afmpeg-module-lean and
#                                   afmpeg-module-default ship the lean and default
#                                   modules this recipe builds
#   make update-builtin-module      write those modules into modules/lean/ and
#                                   modules/default/ (commit them)
#
# Nothing is built at parse time. After `make guest` the module is at
# $(GUEST_MODULE), a stable path (symlink into the keyed cache entry); recipes
# see it as $$AFMPEG_GUEST_MODULE. Make targets that run the module should
# depend on `guest`.

GUEST_DIR     := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
PROFILE       ?= lean
GUEST_PROFILE ?= $(PROFILE)
GUEST_SIMD    ?= 0
GUEST_FLAVOR  := $(GUEST_PROFILE)$(if $(filter 1,$(GUEST_SIMD)),-simd,)
GUEST_FLAGS   := --profile $(GUEST_PROFILE)$(if $(filter 1,$(GUEST_SIMD)), --simd,)
GUEST_CACHE   := $(if $(XDG_CACHE_HOME),$(XDG_CACHE_HOME),$(HOME)/.cache)/afmpeg/guest
GUEST_MODULE  := $(GUEST_CACHE)/$(GUEST_FLAVOR)/ffmpeg.wasm

export AFMPEG_GUEST_MODULE := $(GUEST_MODULE)

.PHONY: guest guest-check-repro guest-path native-c check-builtin-module update-builtin-module
guest:
	$(GUEST_DIR)/build.sh $(GUEST_FLAGS)

guest-check-repro:
	$(GUEST_DIR)/build.sh $(GUEST_FLAGS) --check-repro

# prints the module path (building it first if needed)
guest-path:
	@$(GUEST_DIR)/build.sh $(GUEST_FLAGS) --print-path

NATIVE_UNITS ?= 8
native-c: guest
	$(GUEST_DIR)/native.sh $(GUEST_FLAGS) --units $(NATIVE_UNITS)

# The lean and default modules are the built-in ones, whatever PROFILE says.
check-builtin-module:
	$(GUEST_DIR)/builtin-module.sh check

update-builtin-module:
	$(GUEST_DIR)/builtin-module.sh update
