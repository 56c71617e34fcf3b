"""wasi-testsuite runtime adapter for `afmpeg run` (module-style adapter).

Usage, from a checkout of https://github.com/WebAssembly/wasi-testsuite:

    AFMPEG=/path/to/target/release/afmpeg \
    python3 run-tests --runtime-adapter /path/to/afmpeg/tests/wasi/testsuite-adapter/afmpeg.py \
        tests/c/testsuite/wasm32-wasip1 tests/rust/testsuite/wasm32-wasip1 ...

(older runner layout: `python3 test-runner/wasi_test_runner.py -r afmpeg.py -t <dirs>`).
Set ERRNO_MODE_UNIX=1 in the environment for the strict-Linux-errno mode:
the variable is forwarded into the guest with --env.

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
from typing import Dict, List, Tuple

AFMPEG = shlex.split(os.getenv("AFMPEG", "afmpeg"))
AFMPEG_RUN_ARGS = shlex.split(os.getenv("AFMPEG_RUN_ARGS", ""))

# Test-configuration variables of the suite's Rust tests (tests/rust/src/config.rs)
# that are forwarded into the guest when set in the runner's environment.
_FORWARDED_ENV = ("ERRNO_MODE_UNIX", "ERRNO_MODE_MACOS", "ERRNO_MODE_WINDOWS",
                  "NO_DANGLING_FILESYSTEM", "NO_FD_ALLOCATE", "NO_RENAME_DIR_TO_EMPTY_DIR")


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
