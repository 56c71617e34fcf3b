#!/usr/bin/env python3
"""Metadata for the guest module, written next to ffmpeg.wasm by guest/build.sh.

  meta.py provenance  PROVENANCE_IN CONFIGURE_TSV MODULE   > provenance.json
  meta.py capabilities FFMPEG_BUILD_DIR FFMPEG_SRC_DIR     > capabilities.json
  meta.py imports MODULE                                   (WASI imports, one a line)

capabilities.json is generated from the build's own component lists, the
files FFmpeg's configure writes into the build tree (libavcodec/codec_list.c,
libavformat/muxer_list.c, ...). The user-facing names (what `ffmpeg -encoders`
prints, e.g. "mov_text" for the component "movtext") are read from the
`.name` / `.p.name` initialiser of each component's definition in the source;
where a definition is macro-generated the component name is used (they agree
there, e.g. pcm_s16le).
"""
import hashlib
import json
import os
import re
import sys


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ------------------------------------------------------------------ wasm imports
def _leb(buf, pos):
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return result, pos


def wasm_imports(path):
    data = open(path, "rb").read()
    if data[:4] != b"\0asm":
        raise SystemExit(f"{path}: not a wasm module")
    pos, out = 8, []
    while pos < len(data):
        sid = data[pos]
        size, pos = _leb(data, pos + 1)
        end = pos + size
        if sid == 2:
            count, p = _leb(data, pos)
            for _ in range(count):
                n, p = _leb(data, p)
                mod = data[p:p + n].decode()
                p += n
                n, p = _leb(data, p)
                name = data[p:p + n].decode()
                p += n
                kind = data[p]
                p += 1
                if kind == 0:       # func: type index
                    _, p = _leb(data, p)
                elif kind == 1:     # table: reftype + limits
                    p += 1
                    flags, p = _leb(data, p)
                    _, p = _leb(data, p)
                    if flags & 1:
                        _, p = _leb(data, p)
                elif kind == 2:     # memory: limits
                    flags, p = _leb(data, p)
                    _, p = _leb(data, p)
                    if flags & 1:
                        _, p = _leb(data, p)
                elif kind == 3:     # global: valtype + mut
                    p += 2
                out.append({"module": mod, "name": name,
                            "kind": ["func", "table", "memory", "global"][kind]})
        pos = end
    return out


# ------------------------------------------------------------------ provenance
def provenance(prov_in, configure_tsv, module):
    fields = {"source": [], "source_file": [], "patch": [], "toolchain": []}
    scalars = {}
    with open(prov_in) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or "=" not in line:
                continue
            k, v = line.split("=", 1)
            if k in fields:
                fields[k].append(v)
            else:
                scalars[k] = v
    sources = []
    for s in fields["source"]:
        pkg, ver, dsc, dsc_sha = s.split("|")
        files = []
        for sf in fields["source_file"]:
            p, name, sha = sf.split("|")
            if p == pkg:
                files.append({"name": name, "sha256": sha})
        sources.append({"package": pkg, "version": ver, "dsc": dsc,
                        "dsc_sha256": dsc_sha,
                        "verified": "dsc sha256 matched apt's Sources index; "
                                    "files checked against the .dsc by dpkg-source",
                        "files": files})
    patches = []
    for p in fields["patch"]:
        path, sha = p.split("|")
        patches.append({"path": "guest/" + path, "sha256": sha})
    configure = []
    with open(configure_tsv) as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                pkg, cmd = line.split("\t", 1)
                configure.append({"package": pkg, "command": cmd})
    toolchain = {}
    for t in fields["toolchain"]:
        name, ver = t.split(" ", 1)
        toolchain[name] = ver
    doc = {
        "profile": scalars.get("profile"),
        "simd": scalars.get("simd") == "1",
        "cache_key": scalars.get("key"),
        "module": {
            "file": os.path.basename(module),
            "sha256": sha256_file(module),
            "size": os.path.getsize(module),
            "wasi_imports": [i["name"] for i in wasm_imports(module)
                             if i["module"] == "wasi_snapshot_preview1"],
            "other_imports": [f'{i["module"]}.{i["name"]}' for i in wasm_imports(module)
                              if i["module"] != "wasi_snapshot_preview1"],
        },
        "sources": sources,
        "patches": patches,
        "configure": configure,
        "toolchain": toolchain,
        "source_date_epoch": int(scalars.get("source_date_epoch", "0")),
        "build_seconds": int(scalars.get("build_seconds", "0")),
    }
    json.dump(doc, sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")


# ------------------------------------------------------------------ capabilities
LISTS = [
    # (key, list file, symbol regex, source dirs, kind suffix for definitions)
    ("decoders", "libavcodec/codec_list.c", r"&ff_(\w+)_decoder\b", "libavcodec", "decoder"),
    ("encoders", "libavcodec/codec_list.c", r"&ff_(\w+)_encoder\b", "libavcodec", "encoder"),
    ("parsers", "libavcodec/parser_list.c", r"&ff_(\w+)_parser\b", "libavcodec", "parser"),
    ("bsfs", "libavcodec/bsf_list.c", r"&ff_(\w+)_bsf\b", "libavcodec", "bsf"),
    ("demuxers", "libavformat/demuxer_list.c", r"&ff_(\w+)_demuxer\b", "libavformat", "demuxer"),
    ("muxers", "libavformat/muxer_list.c", r"&ff_(\w+)_muxer\b", "libavformat", "muxer"),
    ("protocols", "libavformat/protocol_list.c", r"&ff_(\w+)_protocol\b", "libavformat", "protocol"),
    ("filters", "libavfilter/filter_list.c", r"&ff_(\w+)\b", "libavfilter", None),
    ("indevs", "libavdevice/indev_list.c", r"&ff_(\w+)_demuxer\b", "libavdevice", "demuxer"),
    ("outdevs", "libavdevice/outdev_list.c", r"&ff_(\w+)_muxer\b", "libavdevice", "muxer"),
]

NAME_RE = re.compile(r'\.(?:p\.)?name\s*=\s*"([^"]+)"')


def definitions(src_dir, subdir):
    """Map 'ff_<symbol>' -> user-facing name from `ff_x = { .name = "..." }`."""
    out = {}
    base = os.path.join(src_dir, subdir)
    if not os.path.isdir(base):
        return out
    def_re = re.compile(r"\b(ff_\w+)\s*=\s*\{")
    for fn in sorted(os.listdir(base)):
        if not fn.endswith(".c"):
            continue
        text = open(os.path.join(base, fn), encoding="utf-8", errors="replace").read()
        defs = list(def_re.finditer(text))
        for i, m in enumerate(defs):
            end = defs[i + 1].start() if i + 1 < len(defs) else len(text)
            body = text[m.end():min(end, m.end() + 4000)]
            nm = NAME_RE.search(body)
            if nm and m.group(1) not in out:
                out[m.group(1)] = nm.group(1)
    return out


def capabilities(build_dir, src_dir):
    defs_cache = {}
    doc = {}
    components = {}
    version = None
    vfile = os.path.join(build_dir, "libavutil", "ffversion.h")
    if os.path.exists(vfile):
        m = re.search(r'FFMPEG_VERSION\s+"([^"]+)"', open(vfile).read())
        version = m.group(1) if m else None
    for key, listfile, sym_re, subdir, kind in LISTS:
        path = os.path.join(build_dir, listfile)
        if not os.path.exists(path):
            doc[key] = []
            components[key] = []
            continue
        text = open(path).read()
        syms = re.findall(sym_re, text)
        if subdir not in defs_cache:
            defs_cache[subdir] = definitions(src_dir, subdir)
        defs = defs_cache[subdir]
        names, comps = [], []
        for s in syms:
            if kind is None:  # filters: ff_vf_scale -> scale
                full = "ff_" + s
                comp = re.sub(r"^(vf|af|avf|vsrc|asrc|avsrc|vsink|asink)_", "", s)
            else:
                full = f"ff_{s}_{kind}"
                comp = s
            comps.append(comp)
            names.append(defs.get(full, comp))
        doc[key] = sorted(set(names))
        components[key] = sorted(set(comps))
    return {"ffmpeg_version": version, **doc,
            "configure_components": components,
            "generated_from": [l[1] for l in LISTS]}


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "provenance" and len(sys.argv) == 5:
        provenance(*sys.argv[2:5])
    elif cmd == "capabilities" and len(sys.argv) == 4:
        json.dump(capabilities(*sys.argv[2:4]), sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif cmd == "imports" and len(sys.argv) == 3:
        for i in wasm_imports(sys.argv[2]):
            print(f'{i["module"]}.{i["name"]} ({i["kind"]})')
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
