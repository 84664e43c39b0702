"""Build-time check of the CUDA image: every CUDA library CTranslate2 names is installed.

CTranslate2 loads cuBLAS (and, in some versions, cuDNN) with dlopen, so a missing library
shows up only on the first GPU transcription; this makes it a build failure instead.
libcuda.so.1 is the driver's and is mounted from the host at run time.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

CUDA_LIB = re.compile(rb"lib(?:cublas|cublasLt|cudnn|cudart)[A-Za-z_]*\.so\.\d+")


def needed_cuda_libs(package_dir: Path) -> set[str]:
    """The versioned CUDA library names inside the ctranslate2 wheel's shared libraries."""
    names: set[str] = set()
    for lib in package_dir.parent.glob("ctranslate2*/**/*.so*"):
        names |= {m.decode() for m in CUDA_LIB.findall(lib.read_bytes())}
    return names


def main() -> int:
    import ctranslate2

    needed = needed_cuda_libs(Path(ctranslate2.__file__).parent)
    cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    installed = {line.split()[0] for line in cache.splitlines()[1:] if line.strip()}
    missing = sorted(needed - installed)
    print(f"CTranslate2 {ctranslate2.__version__} loads {sorted(needed)}; missing: {missing}")
    if not needed:
        print("no CUDA library named: is this a CPU-only CTranslate2 build?", file=sys.stderr)
        return 1
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
