#!/usr/bin/env python3
"""Writes the crafted files of issue 12 (one per crash class) into a folder, for scripts/untrusted/check.sh.

Standard library only: the pickles are written opcode by opcode, the zips by zipfile/zlib, the PNGs by zlib.
"""
import os
import struct
import sys
import zipfile
import zlib


def pickle_string(s):
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def pickle_int(v):
    return b"\x8a\x08" + struct.pack("<q", v)


def pickle_tuple(values):
    return b"(" + b"".join(pickle_int(v) for v in values) + b"t"


def tensor(key="0", count=4, offset=0, shape=(4,), strides=(1,), legacy=False):
    pid = b"(" + pickle_string("storage") + b"ctorch\nFloatStorage\n" + pickle_string(key) + pickle_string("cpu") + pickle_int(count)
    pid += (b"N" if legacy else b"") + b"t"
    return (b"ctorch._utils\n_rebuild_tensor_v2\n(" + pid + b"Q" + pickle_int(offset) + pickle_tuple(shape)
            + pickle_tuple(strides) + b"tR")


def state_dict(entries):
    out = b"\x80\x02}"
    for key, value in entries:
        out += pickle_string(key) + value + b"s"
    return out + b"."


def torch_zip(path, pickle, storages=(), compress_storage=False):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", pickle)
        for key, data in storages:
            z.writestr(zipfile.ZipInfo("archive/data/" + key), data,
                       compress_type=zipfile.ZIP_DEFLATED if compress_storage else zipfile.ZIP_STORED)


def patch_declared_size(path, entry_name, size):
    """Rewrites an entry's declared uncompressed size as a ZIP64 value in its central directory record."""
    data = bytearray(open(path, "rb").read())
    name = entry_name.encode()
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_length, extra_length, comment_length = struct.unpack("<HHH", data[at + 28:at + 34])
        if data[at + 46:at + 46 + name_length] == name:
            struct.pack_into("<I", data, at + 24, 0xFFFFFFFF)
            extra = struct.pack("<HHQ", 1, 8, size)
            insert_at = at + 46 + name_length
            data[insert_at:insert_at] = extra
            struct.pack_into("<H", data, at + 30, extra_length + len(extra))
            end = data.rfind(b"PK\x05\x06")
            cd_size = struct.unpack("<I", data[end + 12:end + 16])[0]
            struct.pack_into("<I", data, end + 12, cd_size + len(extra))
            break
        at = data.find(b"PK\x01\x02", at + 46 + name_length + extra_length + comment_length)
    open(path, "wb").write(bytes(data))


def legacy(path, pickle, storages):
    out = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19\x2e" + b"\x80\x02M\xe9\x03." + b"\x80\x02}."
    out += pickle + b"\x80\x02(" + b"".join(pickle_string(k) for k, _, _ in storages) + b"l."
    for _, count, data in storages:
        out += struct.pack("<q", count) + data
    open(path, "wb").write(out)


def png(path, width, height, rows=None, color_type=2):
    """A PNG with the given header; `rows` (a callable giving one raw row) or a stub IDAT."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    if rows is None:
        idat = zlib.compress(b"\x00" * 16)
    else:
        compressor = zlib.compressobj(6)
        parts = [compressor.compress(b"\x00" + rows(y)) for y in range(height)]
        idat = b"".join(parts) + compressor.flush()
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def safetensors(path, header):
    h = header.encode()
    open(path, "wb").write(struct.pack("<Q", len(h)) + h + b"\x00" * 16)


def main(folder):
    os.makedirs(folder, exist_ok=True)
    p = lambda name: os.path.join(folder, name)
    floats = struct.pack("<4f", 1, 2, 3, 4)

    # .pth (zip)
    torch_zip(p("zip-count-2e62.pth"), state_dict([("w", tensor(count=1 << 62, shape=(1 << 62,)))]), [("0", floats)])
    torch_zip(p("zip64-size-2e63.pth"), state_dict([("w", tensor())]), [("0", floats)])
    patch_declared_size(p("zip64-size-2e63.pth"), "archive/data/0", 1 << 63)
    torch_zip(p("zip64-size-2e40.pth"), state_dict([("w", tensor())]), [("0", floats)], compress_storage=True)
    patch_declared_size(p("zip64-size-2e40.pth"), "archive/data/0", 1 << 40)
    # A deflate bomb: 1 GiB of zeros in about 1 MB, declared as 2^28 float32 elements.
    bomb = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"\x00" * (1 << 24)
    data = b"".join(bomb.compress(chunk) for _ in range(64)) + bomb.flush()
    info = zipfile.ZipInfo("archive/data/0")
    with zipfile.ZipFile(p("deflate-bomb.pth"), "w") as z:
        z.writestr("archive/data.pkl", state_dict([("w", tensor(count=1 << 28, shape=(1 << 28,)))]))
    # zipfile cannot add pre-compressed data: write the entry by hand after the pickle entry.
    write_raw_deflated(p("deflate-bomb.pth"), "archive/data/0", data, 1 << 30)

    # .pth (legacy)
    legacy(p("legacy-count-wraps.pth"), state_dict([("w", tensor(legacy=True))]), [("0", 0x3FFFFFFFFFFFFFFF, floats)])

    # tensor views
    torch_zip(p("view-stride-max.pth"), state_dict([("w", tensor(shape=(1, 4), strides=((1 << 63) - 1, 1)))]), [("0", floats)])
    torch_zip(p("view-stride0-2e31.pth"), state_dict([("w", tensor(count=1, shape=(1 << 31,), strides=(0,)))]), [("0", floats[:4])])
    torch_zip(p("view-stride0-2e28.pth"), state_dict([("w", tensor(count=1, shape=(1 << 28,), strides=(0,)))]), [("0", floats[:4])])

    # pickle nesting
    torch_zip(p("pickle-50k-tuples.pth"), b"\x80\x02)" + b"\x85" * 50000 + b".")
    torch_zip(p("pickle-50k-lists.pth"), b"\x80\x02" + b"(" * 50000 + b"]" + b"l" * 50000 + b".")
    torch_zip(p("pickle-1M-reduce.pth"), b"\x80\x02cbuiltins\nobject\n" + b")R" * 1000000 + b".")

    # safetensors
    safetensors(p("st-shape-overflow.safetensors"), '{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,16]}}')
    safetensors(p("st-offsets-overflow.safetensors"), '{"w":{"dtype":"F32","shape":[4],"data_offsets":[-9223372036854775807,9223372036854775807]}}')
    safetensors(p("st-zero-beside-huge.safetensors"), '{"w":{"dtype":"F32","shape":[4611686018427387904,4611686018427387904,0],"data_offsets":[0,0]}}')

    # .npy
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }"
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    open(p("npy-shape-overflow.npy"), "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + floats)

    # PNG
    png(p("png-1000000-square.png"), 1000000, 1000000)
    png(p("png-30000-square.png"), 30000, 30000)
    png(p("png-1x20000-strip.png"), 1, 20000, rows=lambda y: bytes((y % 256, 0, 0)))
    row = bytes(range(256)) * (3 * 7000 // 256) + bytes(3 * 7000 % 256)
    png(p("png-7000-square-valid.png"), 7000, 7000, rows=lambda y: row)

    # lessons
    open(p("lesson-70k-quotes.md"), "w").write("# Deep\n\n" + ">" * 70000 + " x\n")
    open(p("lesson-400k-stars.md"), "w").write("# " + "*" * 400000 + "\n")


def write_raw_deflated(path, name, compressed, size):
    """Appends an entry holding already-deflated bytes to a zip written by zipfile (rewrites the directory)."""
    data = bytearray(open(path, "rb").read())
    end = data.rfind(b"PK\x05\x06")
    entries = struct.unpack("<H", data[end + 10:end + 12])[0]
    cd_size, cd_offset = struct.unpack("<II", data[end + 12:end + 20])
    directory = data[cd_offset:cd_offset + cd_size]
    body = data[:cd_offset]
    n = name.encode()
    crc = 0
    offset = len(body)
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(compressed), size & 0xFFFFFFFF, len(n), 0) + n
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(compressed), size & 0xFFFFFFFF,
                          len(n), 0, 0, 0, 0, 0, offset) + n
    if size >= 0xFFFFFFFF:
        raise ValueError("use patch_declared_size for ZIP64 sizes")
    body += local + compressed
    new_offset = len(body)
    directory += central
    body += directory
    body += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, entries + 1, entries + 1, len(directory), new_offset, 0)
    open(path, "wb").write(bytes(body))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Output/crafted")
