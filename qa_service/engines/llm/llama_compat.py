"""Loading llama.cpp's prebuilt CPU libraries on a C library older than the one they name.

The ``llama-cpp-py-sync`` wheel is tagged manylinux2014 but its libraries were linked against
glibc 2.38, and need it for one reason only: the C23 spellings of ``strtol``/``sscanf``
(``__isoc23_strtol`` ...), which the compiler picks on a new system. They differ from the
classic functions only in reading ``0b`` binary prefixes, which llama.cpp never parses (it
reads decimal numbers from GGUF metadata and its own options). On an older glibc (Debian 12
has 2.36) the libraries refuse to load, so this module loads a private copy in which each
C23 import names the classic function at the classic version and the 2.38 requirement is
marked weak. Nothing else in the copy changes; any other use of a 2.38 symbol is refused.
"""

from __future__ import annotations

import shutil
import struct
import tempfile
from pathlib import Path
from typing import Any

from qa_service.errors import ModelError

_C23_PREFIX = b"__isoc23_"
_NEW_VERSION = b"GLIBC_2.38"
_OLD_VERSION = b"GLIBC_2.2.5"  # the x86-64 baseline every libc function has
_SHT_DYNSYM, _SHT_VERNEED, _SHT_VERSYM = 11, 0x6FFFFFFE, 0x6FFFFFFF
_VER_FLG_WEAK = 0x2


def _sections(data: bytes) -> dict[int, tuple[int, int, int]]:
    """Section type -> (file offset, size, link) for the first section of each type."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ModelError("not a little-endian 64-bit ELF library")
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    found: dict[int, tuple[int, int, int]] = {}
    for k in range(shnum):
        _, kind, _, _, offset, size, link = struct.unpack_from(
            "<IIQQQQI", data, shoff + k * shentsize
        )
        found.setdefault(kind, (offset, size, link))
        found.setdefault(-1 - k, (offset, size, link))  # by index, for sh_link
    return found


def _cstr(data: bytes, offset: int) -> bytes:
    return data[offset : data.index(b"\0", offset)]


def patch_c23_imports(data: bytes) -> bytes:
    """The library with its glibc 2.38 C23 imports pointed at the classic functions."""
    out = bytearray(data)
    sections = _sections(data)
    if _SHT_VERNEED not in sections:
        return data
    dynsym_off, dynsym_size, dynstr_index = sections[_SHT_DYNSYM]
    dynstr = sections[-1 - dynstr_index][0]
    versym = sections[_SHT_VERSYM][0]
    # The version needs: index of each version name, and where the 2.38 entry's flags are.
    versions: dict[bytes, int] = {}
    weak_at: list[int] = []
    need = sections[_SHT_VERNEED][0]
    while True:
        _, count, _, aux, following = struct.unpack_from("<HHIII", data, need)
        entry = need + aux
        for _ in range(count):
            _, _, other, name, step = struct.unpack_from("<IHHII", data, entry)
            versions[_cstr(data, dynstr + name)] = other
            if _cstr(data, dynstr + name) == _NEW_VERSION:
                weak_at.append(entry + 4)
            entry += step
        if not following:
            break
        need += following
    new, old = versions.get(_NEW_VERSION), versions.get(_OLD_VERSION)
    if new is None:
        return data
    if old is None:
        raise ModelError(f"the library needs no {_OLD_VERSION.decode()} to fall back to")
    for k in range(dynsym_size // 24):
        if struct.unpack_from("<H", data, versym + 2 * k)[0] & 0x7FFF != new:
            continue
        name_at = struct.unpack_from("<I", data, dynsym_off + 24 * k)[0]
        name = _cstr(data, dynstr + name_at)
        if not name.startswith(_C23_PREFIX):
            raise ModelError(f"the library uses {name.decode()} of glibc 2.38: no fallback")
        # The classic name is the tail of the C23 one in the string table: point at it.
        struct.pack_into("<I", out, dynsym_off + 24 * k, name_at + len(_C23_PREFIX))
        struct.pack_into("<H", out, versym + 2 * k, old)
    for at in weak_at:
        struct.pack_into("<H", out, at, struct.unpack_from("<H", data, at)[0] | _VER_FLG_WEAK)
    return bytes(out)


def load_patched(package_dir: Path, ffi: Any) -> Any:
    """``libllama.so`` of the package loaded from a patched private copy of its libraries."""
    libraries = [p for p in package_dir.iterdir() if p.name.startswith(("libllama", "libggml"))]
    # A private directory (mode 0700): nobody else can swap a library in before it loads.
    folder = Path(tempfile.mkdtemp(prefix="qa-llama-"))
    try:
        for path in libraries:
            (folder / path.name).write_bytes(patch_c23_imports(path.read_bytes()))
        # The loaded libraries stay mapped after their files are removed.
        return ffi.dlopen(str(folder / "libllama.so"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
