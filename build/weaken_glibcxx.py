#!/usr/bin/env python3
"""Marks a GLIBCXX version need as weak in copied ELF64 shared libraries.

TorchSharp 0.107's libLibTorchSharp.so asks for GLIBCXX_3.4.32 (GCC 13), but the only symbol
bound to that version, std::ios_base_library_init, is never relocated against. Hosts with an
older libstdc++ (Debian 12, Ubuntu 22.04: GLIBCXX_3.4.30) refuse to load the library although
nothing from that version is needed. Setting VER_FLG_WEAK (0x2) on the Vernaux entry of that
version in .gnu.version_r turns the fatal "version not found" into a non-fatal check.

Usage: weaken_glibcxx.py [--version GLIBCXX_3.4.32] [--force] FILE...

- Does nothing (exit 0) when the host's libstdc++ already defines the version, unless --force.
- Idempotent: a file whose entry is already weak is left untouched.
- Never writes in place: the patched bytes go to a temporary file that replaces FILE, so a
  hard link into the NuGet cache is broken rather than modified. The modification time is kept,
  so MSBuild's incremental copy (same size, same time) does not copy the original back.
- Missing files are skipped; a file that is not ELF64 little-endian, or that has no such need, is
  reported and left alone.
"""

import os
import struct
import sys
import tempfile

SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 0x2

HOST_LIBSTDCXX_CANDIDATES = [
    "/lib/x86_64-linux-gnu/libstdc++.so.6",
    "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
    "/lib64/libstdc++.so.6",
    "/usr/lib64/libstdc++.so.6",
    "/lib/aarch64-linux-gnu/libstdc++.so.6",
    "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
]


def host_has_version(version: str) -> bool:
    """True when the first libstdc++ found on the host names the version (like `strings | grep`)."""
    needle = version.encode("ascii") + b"\0"
    for path in HOST_LIBSTDCXX_CANDIDATES:
        if os.path.exists(path):
            with open(path, "rb") as f:
                return needle in f.read()
    return False


def _cstr(data: bytes, offset: int) -> bytes:
    end = data.index(b"\0", offset)
    return data[offset:end]


def weaken(data: bytearray, version: str) -> str:
    """Sets VER_FLG_WEAK on the Vernaux entry named `version`. Returns 'patched', 'already' or 'absent'."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not an ELF64 little-endian file")
    e_shoff = struct.unpack_from("<Q", data, 0x28)[0]
    e_shentsize, e_shnum = struct.unpack_from("<HH", data, 0x3A)
    if e_shoff == 0 or e_shnum == 0:
        raise ValueError("no section headers")

    def section(i):
        # sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, sh_link, sh_info, sh_addralign, sh_entsize
        return struct.unpack_from("<IIQQQQIIQQ", data, e_shoff + i * e_shentsize)

    target = version.encode("ascii")
    result = "absent"
    for i in range(e_shnum):
        _, sh_type, _, _, sh_offset, sh_size, sh_link, sh_info, _, _ = section(i)
        if sh_type != SHT_GNU_VERNEED:
            continue
        strtab_offset = section(sh_link)[4]
        verneed = sh_offset
        for _ in range(sh_info):  # sh_info = number of Verneed entries
            _, vn_cnt, _, vn_aux, vn_next = struct.unpack_from("<HHIII", data, verneed)
            aux = verneed + vn_aux
            for _ in range(vn_cnt):
                _, vna_flags, _, vna_name, vna_next = struct.unpack_from("<IHHII", data, aux)
                if _cstr(data, strtab_offset + vna_name) == target:
                    if vna_flags & VER_FLG_WEAK:
                        result = "already" if result == "absent" else result
                    else:
                        struct.pack_into("<H", data, aux + 4, vna_flags | VER_FLG_WEAK)
                        result = "patched"
                if vna_next == 0:
                    break
                aux += vna_next
            if vn_next == 0:
                break
            verneed += vn_next
        if verneed > sh_offset + sh_size:
            raise ValueError(".gnu.version_r runs past its section")
    return result


def patch_file(path: str, version: str) -> str:
    with open(path, "rb") as f:
        data = bytearray(f.read())
    result = weaken(data, version)
    if result != "patched":
        return result
    st = os.stat(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".weaken-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, st.st_mode & 0o7777)
        os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return result


def main(argv):
    version = "GLIBCXX_3.4.32"
    force = False
    files = []
    args = iter(argv)
    for a in args:
        if a == "--version":
            version = next(args)
        elif a == "--force":
            force = True
        else:
            files.append(a)
    if not force and host_has_version(version):
        print(f"weaken_glibcxx: host libstdc++ has {version}; nothing to do")
        return 0
    status = 0
    for path in files:
        if not os.path.isfile(path):
            continue
        try:
            result = patch_file(path, version)
        except (ValueError, struct.error, IndexError) as e:
            print(f"weaken_glibcxx: {path}: {e}", file=sys.stderr)
            status = 1
            continue
        if result == "patched":
            print(f"weaken_glibcxx: {path}: marked {version} weak")
        elif result == "absent":
            print(f"weaken_glibcxx: {path}: needs no {version}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
