#!/usr/bin/env python3
"""Check Clickdial's phone-number parsing against Python `phonenumbers` of the same release.

Usage: python3 scripts/check-phone-metadata.py [--count 1500] [--seed 1]
                                               [--python-version 9.0.43] [--show 15]

A maintainer's check after refreshing vendor/phonenumber/assets/PhoneNumberMetadata.xml (see
vendor/phonenumber/README.md), not part of CI. It generates --count numbers over ten regions
(IN BD US GB AE SG PK NP LK AU), valid and invalid ones: example numbers with their last
digits replaced, example numbers with a digit changed, added or removed, and random digits of
a possible length; most written "+CC NSN", the rest written nationally (with the national
prefix) for that region. Each goes through Clickdial's own parser (`Number::parse`, as
`clickdial normalize` uses it, via `crates/core/examples/normalize_lines.rs`) and through
`phonenumbers.parse` + `is_valid_number` + E.164 formatting. It prints how many disagree on
valid/invalid or on the E.164 result and lists the first few; exit status 1 when any
disagree, 0 otherwise.

`phonenumbers` is installed (pip install --target) into a directory under the system's temp
directory, once per release; by default the release named in vendor/phonenumber/Cargo.toml
(`0.3.10+<release>`). cargo builds the example with the environment's CARGO_TARGET_DIR.
Standard library only.
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REGIONS = ["IN", "BD", "US", "GB", "AE", "SG", "PK", "NP", "LK", "AU"]
TYPES = ["fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost", "personal_number",
         "voip", "pager", "uan", "voicemail"]


def metadata_version():
    with open(os.path.join(ROOT, "vendor", "phonenumber", "Cargo.toml"), encoding="utf-8") as f:
        m = re.search(r'^version\s*=\s*"[^"+]*\+([^"]+)"', f.read(), re.M)
    if not m:
        sys.exit("no '+<libphonenumber release>' in vendor/phonenumber/Cargo.toml's version")
    return m.group(1)


def xml_release():
    """The release refresh-metadata.py names in the XML's header, if it made the file."""
    path = os.path.join(ROOT, "vendor", "phonenumber", "assets", "PhoneNumberMetadata.xml")
    with open(path, encoding="utf-8") as f:
        m = re.search(r"GENERATED from PyPI phonenumbers (\S+)", f.read(4000))
    return m.group(1) if m else None


def python_phonenumbers(version):
    target = os.path.join(tempfile.gettempdir(), f"clickdial-phonenumbers-{version}")
    if not os.path.isdir(os.path.join(target, "phonenumbers")):
        print(f"installing phonenumbers=={version} into {target}", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--no-deps", "--target", target, f"phonenumbers=={version}"],
            check=True, env={**os.environ, "PIP_ROOT_USER_ACTION": "ignore"})
    sys.path.insert(0, target)
    import phonenumbers  # noqa: E402
    if phonenumbers.__version__ != version:
        sys.exit(f"imported phonenumbers {phonenumbers.__version__} from "
                 f"{phonenumbers.__file__}, wanted {version}")
    return phonenumbers


def build_example():
    """Builds crates/core/examples/normalize_lines.rs; returns the executable's path."""
    out = subprocess.run(
        ["cargo", "build", "--quiet", "-p", "clickdial-core", "--example", "normalize_lines",
         "--message-format=json"],
        cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") \
                and msg["target"]["name"] == "normalize_lines":
            return msg["executable"]
    sys.exit("cargo built no normalize_lines executable")


def generate(pn, region, count, rng):
    """(input, default region) pairs for one region."""
    meta = pn.PhoneMetadata.metadata_for_region(region)
    cc = str(meta.country_code)
    examples = [d.example_number for d in (getattr(meta, t) for t in TYPES)
                if d is not None and d.example_number]
    lengths = [n for n in meta.general_desc.possible_length if n > 0]
    prefix = meta.national_prefix or ""
    digits = "0123456789"
    result = []
    for i in range(count):
        kind = i % 10
        if kind < 4:  # an example number's last 1-4 digits replaced: often valid
            ex = rng.choice(examples)
            k = rng.randint(1, min(4, len(ex) - 1))
            nsn = ex[:-k] + "".join(rng.choice(digits) for _ in range(k))
        elif kind < 6:  # one digit changed, added or removed: often invalid
            ex = list(rng.choice(examples))
            pos = rng.randrange(len(ex))
            op = rng.choice(["change", "add", "remove"])
            if op == "change":
                ex[pos] = rng.choice(digits)
            elif op == "add":
                ex.insert(pos, rng.choice(digits))
            elif len(ex) > 4:
                del ex[pos]
            nsn = "".join(ex)
        else:  # random digits of a possible length, not starting with 0
            n = rng.choice(lengths)
            nsn = rng.choice(digits[1:]) + "".join(rng.choice(digits) for _ in range(n - 1))
        if rng.random() < 0.7:
            text = f"+{cc} {nsn}" if rng.random() < 0.5 else f"+{cc}{nsn}"
        else:
            text = prefix + nsn
        result.append(text)
    return result


def reference(pn, text, region):
    try:
        n = pn.parse(text, region)
    except pn.NumberParseException:
        return None
    if not pn.is_valid_number(n):
        return None
    return pn.format_number(n, pn.PhoneNumberFormat.E164)


def clickdial(exe, lines, region):
    out = subprocess.run([exe, region], input="".join(line + "\n" for line in lines), check=True,
                         stdout=subprocess.PIPE, text=True).stdout.splitlines()
    if len(out) != len(lines):
        sys.exit(f"normalize_lines printed {len(out)} lines for {len(lines)} numbers")
    return [(line[3:] if line.startswith("OK\t") else None, line) for line in out]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1500, help="numbers in all (default 1500)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--python-version",
                        help="phonenumbers release to compare with (default: the metadata's)")
    parser.add_argument("--show", type=int, default=15, help="disagreements to list")
    args = parser.parse_args()

    meta_version = metadata_version()
    xml_version = xml_release()
    if xml_version != meta_version:
        print(f"warning: Cargo.toml names metadata {meta_version}, the XML's header "
              f"{xml_version or 'no release'}", file=sys.stderr)
    py_version = args.python_version or meta_version
    pn = python_phonenumbers(py_version)
    exe = build_example()
    rng = random.Random(args.seed)
    per_region = max(1, args.count // len(REGIONS))

    total = valid_py = valid_cd = 0
    disagree = []
    rows = []
    for region in REGIONS:
        inputs = generate(pn, region, per_region, rng)
        ours = clickdial(exe, inputs, region)
        bad = 0
        for text, (got, raw) in zip(inputs, ours):
            want = reference(pn, text, region)
            total += 1
            valid_py += want is not None
            valid_cd += got is not None
            if want != got:
                bad += 1
                disagree.append((region, text, want, raw))
        rows.append((region, len(inputs), bad))

    print(f"Clickdial (metadata {meta_version}, vendor/phonenumber) vs Python phonenumbers "
          f"{py_version}: {total} numbers, seed {args.seed}")
    print(f"valid: {valid_cd} by Clickdial, {valid_py} by phonenumbers")
    print("per region (numbers, disagreements): "
          + ", ".join(f"{r} {n}/{b}" for r, n, b in rows))
    print(f"disagreements: {len(disagree)}")
    for region, text, want, raw in disagree[:args.show]:
        print(f"  {region} {text!r}: phonenumbers {want or 'invalid'}, Clickdial {raw}")
    if len(disagree) > args.show:
        print(f"  ... and {len(disagree) - args.show} more (--show N)")
    return 1 if disagree else 0


if __name__ == "__main__":
    sys.exit(main())
