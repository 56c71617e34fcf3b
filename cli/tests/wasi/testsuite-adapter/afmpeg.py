"""wasi-testsuite runtime adapter for `afmpeg run` (module-style adapter).

Usage, from a checkout of https://github.com/WebAssembly/wasi-testsuite:

    AFMPEG=/path/to/target/release/afmpeg \
    python3 run-tests --runtime-adapter /path/to/afmpeg/tests/wasi/testsuite-adapter/afmpeg.py \
        tests/c/testsuite/wasm32-wasip1 tests/rust/testsuite/wasm32-wasip1 ...

(older runner layout: `python3 test-runner/wasi_test_runner.py -r afmpeg.py -t <dirs>`).
Set ERRNO_MODE_UNIX=1 in the environment for the strict-Linux-errno mode:
the variable is forwarded into the guest with --env, for the Rust suite's
tests only (they read it through tests/rust/src/config.rs). The C and
AssemblyScript suites never read it, and the AssemblyScript environ tests
assert the exact environment (`environ_sizes_get-no-variables` expects no
variable at all), so forwarding it there would fail them.

AFMPEG is shell-split; extra `afmpeg run` options (e.g. `--fuel N`) go in
AFMPEG_RUN_ARGS, since they must follow the `run` subcommand.

`afmpeg run --dir HOST::GUEST` imports the host directory into memory and
never writes back, which is what the suite expects of a sandboxed runtime
(tests clean up their `*.cleanup` files themselves).
"""

import os
import shlex
import subprocess
from pathlib import Path
from typing import Dict, List, Optional, Tuple

AFMPEG = shlex.split(os.getenv("AFMPEG", "afmpeg"))
AFMPEG_RUN_ARGS = shlex.split(os.getenv("AFMPEG_RUN_ARGS", ""))

# Test-configuration variables of the suite's Rust tests (tests/rust/src/config.rs)
# that are forwarded into the guest when set in the runner's environment.
_FORWARDED_ENV = ("ERRNO_MODE_UNIX", "ERRNO_MODE_MACOS", "ERRNO_MODE_WINDOWS",
                  "NO_DANGLING_FILESYSTEM", "NO_FD_ALLOCATE", "NO_RENAME_DIR_TO_EMPTY_DIR")

# Directory names of the suite's sources (tests/<suite>/...); the compiled
# tests keep them in their path (tests/<suite>/testsuite/wasm32-wasip1/).
_SUITES = ("rust", "c", "assemblyscript")


def _suite_of(test_path: str) -> Optional[str]:
    """The suite a test module belongs to: the innermost of its path's
    directories named like one, or None for a path that names none."""
    for part in reversed(Path(test_path).parts[:-1]):
        if part in _SUITES:
            return part
    return None


def _reads_config_env(test_path: str) -> bool:
    """Whether the test reads the _FORWARDED_ENV variables: the Rust suite's
    tests do; those of the C and AssemblyScript suites do not, and some of
    them check the exact environment. A path naming no suite is taken for a
    Rust test, so that strict mode is never silently lost."""
    return _suite_of(test_path) in ("rust", None)


def get_name() -> str:
    return "afmpeg"


def get_version() -> str:
    # `afmpeg --version` prints `afmpeg X.Y.Z`.
    result = subprocess.run(AFMPEG[0:1] + ["--version"], encoding="UTF-8",
                            capture_output=True, check=True)
    return result.stdout.split()[1]


def get_wasi_versions() -> List[str]:
    return ["wasm32-wasip1"]


def get_wasi_worlds() -> List[str]:
    return ["wasi:cli/command"]


def compute_argv(test_path: str,
                 args_env_dirs: Tuple[List[str], Dict[str, str], List[Tuple[Path, str]]],
                 proposals: List[str],
                 *rest: str) -> List[str]:
    """Build the command line. `rest` is (wasi_version,) or
    (wasi_world, wasi_version) depending on the runner's version."""
    wasi_version = rest[-1] if rest else "wasm32-wasip1"
    if wasi_version != "wasm32-wasip1":
        raise RuntimeError(f"afmpeg supports only wasm32-wasip1, not {wasi_version}")
    del proposals  # no WASI proposals beyond preview1
    args, env, dirs = args_env_dirs
    argv: List[str] = list(AFMPEG) + ["run"] + AFMPEG_RUN_ARGS
    merged = dict(env)
    if _reads_config_env(test_path):
        for key in _FORWARDED_ENV:
            if key in os.environ and key not in merged:
                merged[key] = os.environ[key]
    for key, value in merged.items():
        argv += ["--env", f"{key}={value}"]
    for host, guest in dirs:
        argv += ["--dir", f"{host}::{guest}"]
    argv.append(str(test_path))
    argv += args
    return argv
