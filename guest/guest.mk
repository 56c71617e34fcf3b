# guest/guest.mk — Makefile fragment for the FFmpeg guest module.
# Include it from the top-level Makefile:   include guest/guest.mk
#
#   make guest                      build (or take from cache) the lean module
#   make guest PROFILE=full         the full profile
#   make guest GUEST_SIMD=1         the -msimd128 variant
#   make guest-check-repro          build twice, fail unless byte-identical
#   make native-c                   translate the module to C for the native tier
#                                   (guest/native.sh; NATIVE_UNITS=N translation units;
#                                   with GUEST_SIMD=1 by wasm2c 1.0.36 from `make wabt`)
#   make wabt                       build wasm2c 1.0.36 (guest/wabt.sh; WABT_SOURCE=DIR:
#                                   from that wabt source tree instead of Debian's package)
#   make native-c-default-crate     the default module crate afmpeg-module-default
#                                   ships (unpacked, no guest build), translated to C
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

.PHONY: guest guest-check-repro guest-path native-c native-c-default-crate wabt check-builtin-module update-builtin-module
guest:
	$(GUEST_DIR)/build.sh $(GUEST_FLAGS)

guest-check-repro:
	$(GUEST_DIR)/build.sh $(GUEST_FLAGS) --check-repro

# prints the module path (building it first if needed)
guest-path:
	@$(GUEST_DIR)/build.sh $(GUEST_FLAGS) --print-path

NATIVE_UNITS ?= 8
WABT_SOURCE  ?=
WABT_FLAGS   := $(if $(WABT_SOURCE),--source $(WABT_SOURCE),)

wabt:
	$(GUEST_DIR)/wabt.sh $(WABT_FLAGS)

# wasm2c translates SIMD from wabt 1.0.33 on; Debian 12 ships 1.0.32. The
# SIMD module is translated by guest/wabt.sh's 1.0.36 (built before `guest`
# spends minutes on the module, so a failing wabt build fails first); the
# crate must then be built with the same AFMPEG_WASM2C (native/build.rs).
ifeq ($(GUEST_SIMD),1)
native-c: wabt guest
	AFMPEG_WASM2C=$$($(GUEST_DIR)/wabt.sh $(WABT_FLAGS) --print-path)/bin/wasm2c \
	  $(GUEST_DIR)/native.sh $(GUEST_FLAGS) --units $(NATIVE_UNITS)
else
native-c: guest
	$(GUEST_DIR)/native.sh $(GUEST_FLAGS) --units $(NATIVE_UNITS)
endif

# The default module as crate afmpeg-module-default ships it, with its font
# (`make demo`): decompressed and checked against its SHA-256 instead of built
# (0.2 s instead of a 20-minute guest build), then translated to C like
# native-c. Paths through the stable links the two scripts maintain.
DEFAULT_CRATE_MODULE := $(GUEST_CACHE)/default-crate/ffmpeg.wasm
DEFAULT_CRATE_C      := $(GUEST_CACHE)/default-crate-native
native-c-default-crate:
	$(GUEST_DIR)/builtin-module.sh unpack default >/dev/null
	$(GUEST_DIR)/native.sh --profile default-crate --units $(NATIVE_UNITS)

# The lean and default modules are the built-in ones, whatever PROFILE says.
check-builtin-module:
	$(GUEST_DIR)/builtin-module.sh check

update-builtin-module:
	$(GUEST_DIR)/builtin-module.sh update
