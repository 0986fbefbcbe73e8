#!/usr/bin/env python3
"""Regenerate assets/PhoneNumberMetadata.xml from a PyPI `phonenumbers` release.

Usage: python3 vendor/phonenumber/refresh-metadata.py VERSION [-o OUTPUT]

`phonenumbers` (https://pypi.org/project/phonenumbers/) is the Python port of Google's
libphonenumber; its `phonenumbers/data/region_*.py` modules are generated from the same
resources/PhoneNumberMetadata.xml, one PhoneMetadata object per region and per
non-geographic entity ("001" + calling code). This script installs `phonenumbers==VERSION`
into a temporary directory (pip install --target), loads every region's and every
non-geographic entity's main metadata (not short numbers, alternate formats, carriers or
geocoding) and writes it back in libphonenumber's XML format, with everything the crate's
loader (src/metadata/loader.rs) reads.

What the Python data holds differs from the XML in a few ways, undone here:
* Formats and rules use Python back-references (\\1); the XML uses $1. Formatting rules
  hold the substituted values ("0\\1"); the XML and the crate's formatter use the
  placeholders "$NP" (national prefix) and "$FG" (first group), so those are put back.
* nationalPrefixForParsing defaults to nationalPrefix when the XML has none; the crate
  treats a missing nationalPrefixForParsing differently (plain prefix strip), so it is
  left out again when it equals nationalPrefix.
* intlNumberFormat is a separate list (empty when no <intlFormat> was given); it is folded
  back into <intlFormat> elements ("NA" for national-only formats).
* generalDesc has computed possible lengths; the XML has none there and the crate, when
  it finds some, applies them, so they are left out.

Only the standard library is used (plus pip to fetch the package).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from xml.sax.saxutils import escape, quoteattr

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUTPUT = os.path.join(HERE, "assets", "PhoneNumberMetadata.xml")

# XML element name, PhoneMetadata attribute; in the order of libphonenumber's DTD.
DESCRIPTORS = [
    ("noInternationalDialling", "no_international_dialling"),
    ("fixedLine", "fixed_line"),
    ("mobile", "mobile"),
    ("pager", "pager"),
    ("tollFree", "toll_free"),
    ("premiumRate", "premium_rate"),
    ("sharedCost", "shared_cost"),
    ("personalNumber", "personal_number"),
    ("voip", "voip"),
    ("uan", "uan"),
    ("voicemail", "voicemail"),
]
# Short-number descriptors: never set in the main metadata.
SHORT_ONLY = ["emergency", "short_code", "standard_rate", "carrier_specific", "sms_services"]

# No <?xml?> declaration: the crate's loader rejects one (UnhandledEvent).
HEADER = """<!-- Copyright (C) 2009 The Libphonenumber Authors

     Licensed under the Apache License, Version 2.0 (the "License");
     you may not use this file except in compliance with the License.
     You may obtain a copy of the License at
     http://www.apache.org/licenses/LICENSE-2.0

     Unless required by applicable law or agreed to in writing, software
     distributed under the License is distributed on an "AS IS" BASIS,
     WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
     See the License for the specific language governing permissions and
     limitations under the License.

     Metadata on Phone Number Plan and formatting rules (libphonenumber's
     resources/PhoneNumberMetadata.xml format, see resources/phonemetadata.proto there).

     GENERATED from PyPI phonenumbers {version} (https://pypi.org/project/phonenumbers/{version}/),
     the Python port of libphonenumber {version}, by vendor/phonenumber/refresh-metadata.py.
     Do not edit by hand: run `python3 vendor/phonenumber/refresh-metadata.py VERSION`.
     Patterns are written without whitespace and comments; territories are in order of their
     IDs, non-geographical entities ("001") last, in order of calling code.
     -->
"""


def install(version, target):
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--no-compile", "--target", target, f"phonenumbers=={version}"],
        check=True,
        env={**os.environ, "PIP_ROOT_USER_ACTION": "ignore"},
    )


def load(version, target):
    """Every main PhoneMetadata of the installed release: geographic regions, then non-geographic."""
    sys.path.insert(0, target)
    import phonenumbers  # noqa: E402
    import phonenumbers.data as data  # noqa: E402
    from phonenumbers.phonemetadata import PhoneMetadata  # noqa: E402

    where = os.path.realpath(phonenumbers.__file__)
    if not where.startswith(os.path.realpath(target) + os.sep):
        sys.exit(f"imported phonenumbers from {where}, not from {target}")
    if phonenumbers.__version__ != version:
        sys.exit(f"installed phonenumbers is {phonenumbers.__version__}, not {version}")

    regions = [PhoneMetadata.metadata_for_region(r) for r in sorted(data._AVAILABLE_REGION_CODES)]
    nongeo = [PhoneMetadata.metadata_for_nongeo_region(c)
              for c in sorted(data._AVAILABLE_NONGEO_COUNTRY_CODES)]
    result = regions + nongeo
    for m in result:
        if m is None:
            sys.exit("a region listed in phonenumbers.data has no metadata")
        for name in SHORT_ONLY:
            if getattr(m, name, None) is not None and getattr(m, name).national_number_pattern:
                sys.exit(f"{m.id} {m.country_code}: unexpected short-number descriptor {name}")
    return result


def dollars(value):
    """Python back-references (\\1) to the XML's ($1)."""
    return re.sub(r"\\(\d)", r"$\1", value)


def formatting_rule(rule, national_prefix):
    """A substituted formatting rule ("0\\1", "0$CC \\1") back to the XML's "$NP$FG" form.

    The builder replaced the first $FG with $1 and the first $NP with the national prefix;
    put $FG back first (so a national prefix "1" cannot match the back-reference), then $NP.
    """
    rule = dollars(rule).replace("$1", "$FG", 1)
    if national_prefix and national_prefix in rule:
        rule = rule.replace(national_prefix, "$NP", 1)
    return rule


def lengths(values):
    """(6, 7, 8, 10) -> "[6-8],10": runs of three or more as ranges, like the XML."""
    values = sorted(set(v for v in values if v >= 0))
    parts = []
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"[{values[i]}-{values[j]}]")
        else:
            parts.extend(str(v) for v in values[i:j + 1])
        i = j + 1
    return ",".join(parts)


def attrs(pairs):
    return "".join(f" {k}={quoteattr(v)}" for k, v in pairs if v is not None)


def text(tag, value, indent):
    return f"{indent}<{tag}>{escape(value)}</{tag}>"


def descriptor(out, tag, desc, indent, general=False):
    if desc is None or not desc.national_number_pattern:
        return
    out.append(f"{indent}<{tag}>")
    inner = indent + "  "
    if not general:
        national = lengths(desc.possible_length or ())
        local = lengths(desc.possible_length_local_only or ())
        if national or local:
            out.append(f"{inner}<possibleLengths{attrs([('national', national), ('localOnly', local or None)])}/>")
    if desc.example_number:
        out.append(text("exampleNumber", desc.example_number, inner))
    out.append(text("nationalNumberPattern", desc.national_number_pattern, inner))
    out.append(f"{indent}</{tag}>")


def same_format(a, b):
    return a.pattern == b.pattern and list(a.leading_digits_pattern) == list(b.leading_digits_pattern)


def formats(out, m, indent):
    if not m.number_format:
        if m.intl_number_format:
            sys.exit(f"{m.id} {m.country_code}: international formats without national ones")
        return
    # Fold intl_number_format back into <intlFormat>: the builder kept, in order, a copy of
    # each national format without <intlFormat>, the <intlFormat> of the others, and nothing
    # for "NA"; the list is empty when no <intlFormat> was given at all.
    intl = list(m.intl_number_format)
    j = 0
    out.append(f"{indent}<availableFormats>")
    i1, i2 = indent + "  ", indent + "    "
    for f in m.number_format:
        intl_format = None
        if intl:
            if j < len(intl) and same_format(f, intl[j]):
                if intl[j].format != f.format:
                    intl_format = dollars(intl[j].format)
                j += 1
            else:
                intl_format = "NA"
        npr = f.national_prefix_formatting_rule
        ccr = f.domestic_carrier_code_formatting_rule
        out.append(f"{i1}<numberFormat" + attrs([
            ("pattern", f.pattern),
            ("nationalPrefixFormattingRule", formatting_rule(npr, m.national_prefix) if npr else None),
            ("nationalPrefixOptionalWhenFormatting",
             "true" if f.national_prefix_optional_when_formatting else None),
            ("carrierCodeFormattingRule", formatting_rule(ccr, m.national_prefix) if ccr else None),
        ]) + ">")
        for ld in f.leading_digits_pattern:
            out.append(text("leadingDigits", ld, i2))
        out.append(text("format", dollars(f.format), i2))
        if intl_format is not None:
            out.append(text("intlFormat", intl_format, i2))
        out.append(f"{i1}</numberFormat>")
    if intl and j != len(intl):
        sys.exit(f"{m.id} {m.country_code}: could not match international formats to national ones")
    out.append(f"{indent}</availableFormats>")


def territory(out, m):
    npp = m.national_prefix_for_parsing
    if npp is not None and npp == m.national_prefix:
        npp = None  # the builder's default, not in the XML
    out.append("    <territory" + attrs([
        ("id", m.id),
        ("countryCode", str(m.country_code)),
        ("mainCountryForCode", "true" if m.main_country_for_code else None),
        ("leadingDigits", m.leading_digits),
        ("preferredInternationalPrefix", m.preferred_international_prefix),
        ("internationalPrefix", m.international_prefix),
        ("nationalPrefix", m.national_prefix),
        ("nationalPrefixForParsing", npp),
        ("nationalPrefixTransformRule",
         dollars(m.national_prefix_transform_rule) if m.national_prefix_transform_rule else None),
        ("preferredExtnPrefix", m.preferred_extn_prefix),
        ("mobileNumberPortableRegion", "true" if m.mobile_number_portable_region else None),
    ]) + ">")
    formats(out, m, "      ")
    if m.general_desc is None or not m.general_desc.national_number_pattern:
        sys.exit(f"{m.id} {m.country_code}: no generalDesc pattern")
    descriptor(out, "generalDesc", m.general_desc, "      ", general=True)
    for tag, name in DESCRIPTORS:
        descriptor(out, tag, getattr(m, name), "      ")
    out.append("    </territory>")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("version", help="phonenumbers release on PyPI, e.g. 9.0.43")
    parser.add_argument("-o", "--output", default=DEFAULT_OUTPUT,
                        help="file to write (default: %(default)s)")
    args = parser.parse_args()
    if not re.fullmatch(r"\d+(\.\d+)+", args.version):
        sys.exit(f"not a release number: {args.version}")

    with tempfile.TemporaryDirectory(prefix="phonenumbers-") as target:
        install(args.version, target)
        metadata = load(args.version, target)
        out = [HEADER.format(version=args.version).rstrip("\n"), "<phoneNumberMetadata>",
               "  <territories>"]
        for m in metadata:
            territory(out, m)
        out += ["  </territories>", "</phoneNumberMetadata>", ""]

    tmp = args.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(out))
    os.replace(tmp, args.output)
    print(f"wrote {args.output}: {len(metadata)} territories from phonenumbers {args.version}")


if __name__ == "__main__":
    main()
