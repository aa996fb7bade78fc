"""Build the `hotel_common` layer and the function code assets without Docker.

The layer's third-party dependencies are installed with pip for the Lambda platform (Linux arm64,
CPython 3.12, wheels only) and cached by a hash of the dependency list, so repeated synths are fast and
offline once the cache is warm. `hotel_common` itself is copied fresh on every synth (it changes often).

Deployable assets carry bytecode compiled by CPython 3.12 (the runtime's version): Lambda's /opt and
/var/task are read-only, so Python cannot cache what it compiles and would compile every imported module
again at every cold start (measured here: about 3x the cold init of a function with bytecode). The .pyc
files are `unchecked-hash` ones: the asset's zip resets file times, so timestamp-checked bytecode would be
ignored, and an asset never changes under its bytecode.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
LAYER_SOURCE = REPO_ROOT / "layers" / "common"
# Beside the per-stage cloud assemblies (cdk.out/<stage>), git- and lint-ignored, and not under node_modules
# (which `npm ci` wipes). Override with AGENTE_HOTEL_BUILD_CACHE.
CACHE_DIR = Path(os.environ.get("AGENTE_HOTEL_BUILD_CACHE", REPO_ROOT / "cdk.out" / ".cache"))

# The Python runtime ships boto3/botocore/s3transfer: they are resolved with the rest (so shared dependencies
# such as python-dateutil stay within botocore's bounds) and then removed from the layer (~25 MB).
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer"})
# Lambda's Python 3.12 runs on Amazon Linux 2023 (glibc 2.34): manylinux_2_28 wheels work there, and some
# packages (cramjam) publish arm64 wheels only with that tag.
PIP_PLATFORM = (
    "--platform",
    "manylinux_2_28_aarch64",
    "--platform",
    "manylinux2014_aarch64",
    "--implementation",
    "cp",
    "--python-version",
    "3.12",
)

FUNCTIONS_SOURCE = REPO_ROOT / "functions"
# Never shipped in the function code asset (bytecode of the local Python included: it is compiled anew).
CODE_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "tests", "test_*.py", "conftest.py")
# Where Lambda puts a layer's python/ directory and the function code: the paths tracebacks show.
LAYER_ROOT, CODE_ROOT = "/opt/python", "/var/task"
LAMBDA_PYTHON_VERSION = (3, 12)


def layer_dependencies(pyproject: Path = REPO_ROOT / "pyproject.toml") -> list[str]:
    """The runtime requirements of [project].dependencies (the layer's content is these minus
    RUNTIME_PROVIDED)."""
    return sorted(tomllib.loads(pyproject.read_text())["project"]["dependencies"])


def _requirement_name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def layer_asset(*, bundle: bool) -> Path:
    """A directory laid out as a Lambda layer (`python/…`): dependencies (when bundling) + hotel_common."""
    deps = layer_dependencies()
    if bundle:
        key = digest("\n".join([*deps, *PIP_PLATFORM, _BYTECODE_TAG]))
        deps_dir = _installed_dependencies(deps, CACHE_DIR / f"deps-{key}")
    else:
        key, deps_dir = "none", None
    target = CACHE_DIR / f"layer-{key}-{_tree_digest(LAYER_SOURCE / 'hotel_common')}"
    if not target.exists():
        staging = target.with_name(target.name + f".tmp{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        if deps_dir is not None:
            # Hard links: the deps tree is tens of MB and identical across layer builds.
            shutil.copytree(deps_dir, staging / "python", copy_function=os.link)
        shutil.copytree(
            LAYER_SOURCE / "hotel_common",
            staging / "python" / "hotel_common",
            ignore=CODE_IGNORE,
        )
        if bundle:
            compile_bytecode(staging / "python" / "hotel_common", f"{LAYER_ROOT}/hotel_common")
        publish(staging, target)
    return target


def code_asset(*, compiled: bool = False) -> Path:
    """A directory holding the `functions/` package, so handler strings stay `functions.<name>.handler.handler`
    as they are locally, with its bytecode when `compiled` (deployable assets). Staged by content digest:
    unchanged code keeps the same asset hash."""
    target = CACHE_DIR / f"code-{_tree_digest(FUNCTIONS_SOURCE)}{'-' + _BYTECODE_TAG if compiled else ''}"
    if not target.exists():
        staging = target.with_name(target.name + f".tmp{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(FUNCTIONS_SOURCE, staging / "functions", ignore=CODE_IGNORE)
        if compiled:
            compile_bytecode(staging / "functions", f"{CODE_ROOT}/functions")
        publish(staging, target)
    return target


_BYTECODE_TAG = "cpython-{}{}".format(*LAMBDA_PYTHON_VERSION)


def lambda_python() -> str:
    """A CPython of the Lambda runtime's version, to compile bytecode Lambda will load:
    AGENTE_HOTEL_LAMBDA_PYTHON, else python3.12 on the PATH."""
    wanted = "{}.{}".format(*LAMBDA_PYTHON_VERSION)
    # A pyenv shim on the PATH fails unless that version is selected: the installed versions are tried too.
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    if explicit := os.environ.get("AGENTE_HOTEL_LAMBDA_PYTHON"):
        candidates: list[str | None] = [explicit]
    else:
        candidates = [shutil.which(f"python{wanted}")]
        candidates += [str(p) for p in sorted(pyenv_root.glob(f"versions/{wanted}.*/bin/python{wanted}"), reverse=True)]
    for candidate in filter(None, candidates):
        probe = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2], sys.implementation.name)"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.split() == [wanted, "cpython"]:
            return candidate
    raise RuntimeError(
        f"bundling for Lambda compiles bytecode with CPython {wanted}: put python{wanted} on the PATH or set "
        "AGENTE_HOTEL_LAMBDA_PYTHON; `-c bundle=false` synthesizes without it (not deployable)"
    )


def compile_bytecode(tree: Path, runtime_path: str) -> None:
    """Compile every module under `tree` for the Lambda runtime, recording `runtime_path` as its location."""
    command = [
        lambda_python(),
        "-m",
        "compileall",
        "-q",
        "-j",
        "0",
        "--invalidation-mode",
        "unchecked-hash",
        "-d",
        runtime_path,
        str(tree),
    ]
    try:
        subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603 - fixed argv
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"compiling {tree} for Lambda failed: {(exc.stdout + exc.stderr)[-500:]}") from exc


def _installed_dependencies(deps: list[str], target: Path) -> Path:
    if target.exists():
        return target
    staging = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "-qq",
        "--disable-pip-version-check",
        "--no-compile",
        "--target",
        str(staging),
        "--only-binary=:all:",
        *PIP_PLATFORM,
        *deps,
    ]
    try:
        subprocess.run(command, check=True)  # noqa: S603 - fixed argv, no shell
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(
            "installing the layer's dependencies for linux/arm64 failed (is PyPI reachable?); "
            "`-c bundle=false` synthesizes without them (not deployable)"
        ) from exc
    for entry in staging.iterdir():
        if entry.name == "bin" or _requirement_name(entry.name.split("-")[0]) in RUNTIME_PROVIDED:
            shutil.rmtree(entry, ignore_errors=True)
    # pip runs under the local Python (--no-compile above): the bytecode is the Lambda runtime's.
    compile_bytecode(staging, LAYER_ROOT)
    publish(staging, target)
    return target


def publish(staging: Path, target: Path) -> None:
    """Atomic rename, so a concurrent or interrupted synth never sees half a directory."""
    try:
        staging.rename(target)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if not target.exists():
            raise


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not _ignored(p.relative_to(root))):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _ignored(relative: Path) -> bool:
    return any(CODE_IGNORE(str(relative.parent), [part]) for part in relative.parts)
