"""The private copy of llama.cpp's libraries for a glibc older than the one they name."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from qa_service.engines.llm.llama_compat import patch_c23_imports
from qa_service.errors import ModelError

bindings = pytest.importorskip("llama_cpp_py_sync._cffi_bindings")
LIBRARY = Path(bindings.__file__).parent / "libllama.so"
pytestmark = pytest.mark.skipif(shutil.which("objdump") is None, reason="needs binutils")


def dynamic_symbols(path: Path) -> str:
    return subprocess.run(["objdump", "-T", str(path)], capture_output=True, text=True).stdout


def test_c23_imports_name_the_classic_functions_and_nothing_needs_glibc_238(
    tmp_path: Path,
) -> None:
    original = LIBRARY.read_bytes()
    if b"__isoc23_" not in original:
        pytest.skip("this build of the library has no C23 imports")
    patched = tmp_path / "libllama.so"
    patched.write_bytes(patch_c23_imports(original))
    symbols = dynamic_symbols(patched)
    assert "__isoc23_" not in symbols
    assert "(GLIBC_2.2.5) strtol" in symbols.replace("  ", " ")
    assert "(GLIBC_2.38)" in dynamic_symbols(LIBRARY)
    assert "(GLIBC_2.38)" not in symbols
    # Only the symbol table changed: the code and everything else are byte for byte the same.
    changed = sum(a != b for a, b in zip(original, patched.read_bytes(), strict=True))
    assert 0 < changed < 200


def test_a_library_needing_another_glibc_238_function_is_refused() -> None:
    original = LIBRARY.read_bytes()
    if b"__isoc23_strtol\0" not in original:
        pytest.skip("this build of the library has no C23 imports")
    # The same library, as if it imported a 2.38 function that has no classic twin.
    other = original.replace(b"__isoc23_strtol\0", b"__xsoc23_strtol\0", 1)
    with pytest.raises(ModelError, match="__xsoc23_strtol"):
        patch_c23_imports(other)


def test_a_library_without_glibc_238_needs_is_left_as_it_is() -> None:
    plain = (LIBRARY.parent / "libggml.so.0").read_bytes()
    assert b"GLIBC_2.38" not in plain
    assert patch_c23_imports(plain) == plain
