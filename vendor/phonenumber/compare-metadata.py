#!/usr/bin/env python3
"""Compare two PhoneNumberMetadata.xml files semantically, territory by territory.

Usage: python3 vendor/phonenumber/compare-metadata.py OLD.xml NEW.xml

Reads both with xml.etree and compares what the crate's loader (src/metadata/loader.rs)
takes from them, after normalising what does not change its meaning:
* whitespace in patterns (the crate compiles them with ignore_whitespace);
* territory-level nationalPrefixFormattingRule / nationalPrefixOptionalWhenFormatting /
  carrierCodeFormattingRule are applied to each numberFormat, as the loader does;
* "$NP" and "$FG" in formatting rules are replaced by the national prefix and "$1";
* a numberFormat's international format is its <intlFormat>, else its <format>;
* possible lengths are compared as sets of numbers ("[6-8],10" = 6,7,8,10).
Territories are matched by (id, countryCode); their order within a calling code is
compared too (it decides which region the crate tries first). Prints the differences and
a summary; always exits 0.
"""

import re
import sys
import xml.etree.ElementTree as ET

REGEX_ATTRS = ["internationalPrefix", "nationalPrefixForParsing", "leadingDigits"]
PLAIN_ATTRS = ["preferredInternationalPrefix", "nationalPrefix", "nationalPrefixTransformRule",
               "preferredExtnPrefix", "mainCountryForCode", "mobileNumberPortableRegion"]
DESCRIPTORS = ["generalDesc", "noInternationalDialling", "fixedLine", "mobile", "pager",
               "tollFree", "premiumRate", "sharedCost", "personalNumber", "voip", "uan",
               "voicemail", "emergency"]
KNOWN_ATTRS = set(["id", "countryCode", "nationalPrefixFormattingRule",
                   "nationalPrefixOptionalWhenFormatting", "carrierCodeFormattingRule"]
                  + REGEX_ATTRS + PLAIN_ATTRS)


def nows(value):
    return None if value is None else re.sub(r"\s+", "", value)


def lengths(value):
    result = set()
    for part in (value or "").split(","):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"\[(\d+)-(\d+)\]", part)
        if m:
            result.update(range(int(m.group(1)), int(m.group(2)) + 1))
        else:
            result.add(int(part))
    return sorted(result)


def rule(value, national_prefix):
    if value is None:
        return None
    return value.replace("$NP", national_prefix or "").replace("$FG", "$1")


def text(element, tag):
    child = element.find(tag)
    return None if child is None or child.text is None else child.text


def territory(t):
    """A flat {key: value} of everything the loader reads from one <territory>."""
    out = {}
    unknown = set(t.attrib) - KNOWN_ATTRS
    if unknown:
        out["unknown attributes"] = sorted(unknown)
    for a in REGEX_ATTRS:
        out[a] = nows(t.get(a))
    for a in PLAIN_ATTRS:
        out[a] = t.get(a)
    np = t.get("nationalPrefix")
    default_npr = t.get("nationalPrefixFormattingRule")
    default_npo = t.get("nationalPrefixOptionalWhenFormatting")
    default_ccr = t.get("carrierCodeFormattingRule")

    formats = t.find("availableFormats")
    national, international = [], []
    for i, f in enumerate([] if formats is None else formats.findall("numberFormat")):
        fmt = text(f, "format")
        intl = text(f, "intlFormat")
        entry = (
            nows(f.get("pattern")),
            tuple(nows(ld.text) for ld in f.findall("leadingDigits")),
            rule(f.get("nationalPrefixFormattingRule", default_npr), np),
            f.get("nationalPrefixOptionalWhenFormatting", default_npo) == "true",
            rule(f.get("carrierCodeFormattingRule", default_ccr), np),
        )
        national.append(entry + (fmt,))
        effective = fmt if intl is None else intl
        if effective != "NA":
            international.append(entry[:2] + (effective,))
    for i, f in enumerate(national):
        out[f"numberFormat[{i}] (pattern, leadingDigits, NPrule, NPoptional, CCrule, format)"] = f
    out["number of numberFormats"] = len(national)
    for i, f in enumerate(international):
        out[f"international format[{i}] (pattern, leadingDigits, format)"] = f
    out["number of international formats"] = len(international)

    for d in DESCRIPTORS:
        e = t.find(d)
        if e is None:
            out[d] = None
            continue
        pl = e.find("possibleLengths")
        out[d + ".nationalNumberPattern"] = nows(text(e, "nationalNumberPattern"))
        out[d + ".exampleNumber"] = nows(text(e, "exampleNumber"))
        out[d + ".possibleLengths national"] = lengths(None if pl is None else pl.get("national"))
        out[d + ".possibleLengths localOnly"] = lengths(None if pl is None else pl.get("localOnly"))
    return out


def load(path):
    root = ET.parse(path).getroot()
    result = {}
    order = {}
    for t in root.iter("territory"):
        key = (t.get("id"), t.get("countryCode"))
        result[key] = territory(t)
        order.setdefault(t.get("countryCode"), []).append(t.get("id"))
    return result, order


def short(value, limit=300):
    s = repr(value)
    return s if len(s) <= limit else s[:limit] + f"... ({len(s)} chars)"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    old, old_order = load(sys.argv[1])
    new, new_order = load(sys.argv[2])
    changed = 0
    for key in sorted(set(old) | set(new), key=lambda k: (k[0] == "001", k[0], int(k[1]))):
        name = f"{key[0]} (+{key[1]})"
        if key not in new:
            print(f"{name}: only in OLD")
            changed += 1
            continue
        if key not in old:
            print(f"{name}: only in NEW")
            changed += 1
            continue
        a, b = old[key], new[key]
        diffs = [k for k in sorted(set(a) | set(b), key=str) if a.get(k) != b.get(k)]
        if diffs:
            changed += 1
            print(f"{name}: {len(diffs)} difference(s)")
            for k in diffs:
                print(f"  {k}:\n    OLD {short(a.get(k))}\n    NEW {short(b.get(k))}")
    for code in sorted(set(old_order) & set(new_order), key=int):
        if old_order[code] != new_order[code] and sorted(old_order[code]) == sorted(new_order[code]):
            print(f"+{code}: region order OLD {old_order[code]} NEW {new_order[code]}")
            changed += 1
    print(f"{len(old)} territories in OLD, {len(new)} in NEW, {changed} differ")


if __name__ == "__main__":
    main()
