#!/usr/bin/env python3
"""Generates the phone-number reference corpus, tests/corpus/phone/cases.jsonl.

The reference is Google's libphonenumber through its maintained Python port,
`phonenumbers` from PyPI, pinned in scripts/corpus-requirements.txt to the
metadata version of the Rust parser the core uses (docs/benchmarks.md,
"The phone-number library"). Run it through scripts/gen-corpus.sh, which makes a
virtual environment with exactly that version; run by hand, it refuses any
other version.

Every line of the output is one JSON object. The first is the header:

    {"corpus": "phone", "reference": "phonenumbers 9.0.42", "metadata": "9.0.42",
     "generator": "scripts/gen-phone-corpus.py", "cases": 21000}

and each further line one case:

    {"input": "+45 20 12 34 56", "region": null, "valid": true, "type": "mobile",
     "e164": "+4520123456", "extension": null, "error": null,
     "origin": "example DK mobile international"}

- `input`, `region`: what is parsed: `phonenumbers.parse(input, region)`,
  region an ISO 3166-1 code or null (no default region).
- `valid`: the input parses and `is_valid_number` holds.
- `type`, `e164`, `extension`: for a valid number only (else null): its
  `number_type` in snake_case (`mobile`, `fixed_line_or_mobile`, `toll_free`,
  ...), its E.164 form, and its extension as parsed (null when none).
- `error`: the parse error's kind (`NOT_A_NUMBER`, `TOO_LONG`, ...) when the
  input does not parse, else null. Informational: the Rust port's error kinds
  are not compared.
- `origin`: how the case was made, for failure messages.

The cases are made from the reference's own metadata, deterministically (a
fixed seed for the few random ones), so regenerating with the same version
gives the same bytes:

- every region's and every non-geographic entity's example number of every
  type, in national form (as formatted, digits only, with `-` and `.` as
  separators, the leading group in brackets), in `+` form (as formatted,
  compact, with brackets, with the trunk prefix in brackets), and in IDD form
  with the region's own international prefix, each under its own region, and
  the `+` forms with no region;
- foreign numbers under contract regions: every region's example mobile
  number in `+` form and as dialled from each of the CONTRACT_REGIONS (their
  IDD), under that region; and every example number in `+` form under two
  further regions, rotating through all regions;
- invalid numbers: the reference's invalid example of each region, example
  numbers cut short and made longer, random digit strings, over-long inputs;
- letters: one or two letters in a number (not a vanity number: the
  reference drops them), three or more (a vanity number: the reference maps
  them to digits), and look-alike letters (O for 0, l for 1);
- other digit scripts: full-width (with a full-width plus), Arabic-Indic,
  Extended Arabic-Indic, Devanagari and Bengali digits;
- extensions in every form the reference reads (`ext.`, `;ext=`, `x`, `#`,
  ...);
- punctuation and garbage (empty, spaces, `tel:` URIs, stray symbols);
- the examples of issue 14, with the regions given there.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumberFormat, PhoneNumberType

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "corpus", "phone", "cases.jsonl")
REQUIREMENTS = os.path.join(ROOT, "scripts", "corpus-requirements.txt")

# Regions contracts are written for, each seen with every region's mobile
# number in `+` form and dialled from it through its own IDD. The list mixes
# regions whose international prefix is `00`, `011`, `810`, `0011`, a pattern
# (ID, BR, CO, CN), whose country code is shared (US, CA, RU, KZ), and the
# regions of the issue's examples.
CONTRACT_REGIONS = ["AU", "BR", "CA", "CN", "CO", "DE", "DK", "GB", "ID", "KZ", "RU", "US"]

TYPES = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
    PhoneNumberType.UNKNOWN: "unknown",
}
EXAMPLE_TYPES = [t for t in TYPES if t != PhoneNumberType.UNKNOWN]

ERRORS = {
    NumberParseException.INVALID_COUNTRY_CODE: "INVALID_COUNTRY_CODE",
    NumberParseException.NOT_A_NUMBER: "NOT_A_NUMBER",
    NumberParseException.TOO_SHORT_AFTER_IDD: "TOO_SHORT_AFTER_IDD",
    NumberParseException.TOO_SHORT_NSN: "TOO_SHORT_NSN",
    NumberParseException.TOO_LONG: "TOO_LONG",
}

DIGIT_SCRIPTS = {
    "fullwidth": 0xFF10,
    "arabic_indic": 0x0660,
    "extended_arabic_indic": 0x06F0,
    "devanagari": 0x0966,
    "bengali": 0x09E6,
}

EXTENSIONS = [" ext. 12", ";ext=1", " x 123", "#4567", " extension 89", " ext 7", ",,22"]

ISSUE_EXAMPLES = [
    ("+49 1512 3456789", "US"), ("+49 1512 3456789", "CA"),
    ("+86 131 2345 6789", "US"), ("+86 131 2345 6789", "CA"),
    ("0062812345678", "ID"),
    ("+45 2O 12 34 56", None), ("+45 2O 12 34 56", "DK"), ("+44 7400l23456", None), ("+44 7400l23456", "GB"),
    ("+97227204707426", None), ("+4918521983706860", None), ("+353511376971", None), ("+8623123456789", None),
    ("+7 800 555 35 35", None), ("+7 800 555 35 35", "RU"), ("+7 800 555 35 35", "DK"),
    ("+7 812 123 45 67", None), ("+7 812 123 45 67", "RU"), ("+7 812 123 45 67", "DK"),
    ("+55 11 96123-4567", "US"), ("+44 121 234 5678", "US"),
    ("+39 02 1234 5678", "SE"), ("+39 02 1234 5678", "GB"),
    ("004520123456", None), ("004520123456", "DK"), ("01145 20123456", "US"), ("81045 20123456", "RU"),
    ("20 12 34 56", "DK"), ("20123456", "DK"), ("+45 20 12 34 56", "DK"), ("+4520123456", "DK"),
    ("+4520123456", None), ("+46 70 123 45 67", "DK"), ("30 12 34 56", "DK"), ("20 12 34 56", None),
    ("\uff12\uff10 \uff11\uff12 \uff13\uff14 \uff15\uff16", "DK"), ("\u0662\u0660\u0661\u0662\u0663\u0664\u0665\u0666", "DK"),
    ("+45 20 12 34 56;ext=1", None), ("+45 20 12 34 56 ext. 12", None),
    ("12", "DK"), ("abc", "DK"), ("", "DK"), ("+45 1", "DK"), ("20 12 34 56 78 90 12", "DK"),
    ("1-800-FLOWERS", "US"), ("+1 800 FLOWERS", None),
]


def check_version() -> str:
    pinned = None
    with open(REQUIREMENTS, encoding="utf-8") as requirements:
        for line in requirements:
            match = re.match(r"^phonenumbers==(\S+)", line.strip())
            if match:
                pinned = match.group(1)
    if pinned is None:
        sys.exit(f"{REQUIREMENTS} pins no phonenumbers version")
    if phonenumbers.__version__ != pinned:
        sys.exit(
            f"phonenumbers {phonenumbers.__version__} is installed, {pinned} is pinned in {REQUIREMENTS}: "
            "run scripts/gen-corpus.sh"
        )
    return pinned


def judge(text: str, region: str | None) -> dict:
    """The reference's verdict on one input."""
    case = {"input": text, "region": region, "valid": False, "type": None, "e164": None, "extension": None,
            "error": None}
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as error:
        case["error"] = ERRORS.get(error.error_type, str(error.error_type))
        return case
    if phonenumbers.is_valid_number(number):
        case["valid"] = True
        case["type"] = TYPES[phonenumbers.number_type(number)]
        case["e164"] = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        case["extension"] = number.extension or None
    return case


class Corpus:
    def __init__(self) -> None:
        self.cases: list[dict] = []
        self.seen: set[tuple[str, str | None]] = set()

    def add(self, text: str, region: str | None, origin: str) -> None:
        key = (text, region)
        if key in self.seen:
            return
        self.seen.add(key)
        case = judge(text, region)
        case["origin"] = origin
        self.cases.append(case)


def idd_prefix(region: str) -> str | None:
    """A prefix that dials out of `region`: its preferred one, or a digit
    string its international-prefix pattern matches."""
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.international_prefix is None:
        return None
    if metadata.preferred_international_prefix:
        return metadata.preferred_international_prefix
    pattern = re.compile(metadata.international_prefix)
    if re.fullmatch(r"\d+", metadata.international_prefix):
        return metadata.international_prefix
    for candidate in ["00", "011", "001", "010", "009", "008", "002", "0011", "000", "810", "119", "990"]:
        if pattern.fullmatch(candidate):
            return candidate
    for length in range(1, 5):
        for digits in itertools.product("0123456789", repeat=length):
            candidate = "".join(digits)
            if pattern.fullmatch(candidate):
                return candidate
    return None


def bracket_first_group(formatted: str) -> str | None:
    """`020 7946 0958` -> `(020) 7946 0958`; None when there is no group or
    the form already has brackets."""
    if "(" in formatted:
        return None
    match = re.match(r"^(\+\d+ )?(\d+)([ \-.].+)$", formatted)
    if not match:
        return None
    return f"{match.group(1) or ''}({match.group(2)}){match.group(3)}"


def to_script(text: str, zero: int) -> str:
    out = []
    for char in text:
        if "0" <= char <= "9":
            out.append(chr(zero + ord(char) - ord("0")))
        elif char == "+" and zero == 0xFF10:
            out.append("\uff0b")
        else:
            out.append(char)
    return "".join(out)


LETTERS = {"2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO", "7": "PQRS", "8": "TUV", "9": "WXYZ"}


def with_letters(digits: str, count: int) -> str | None:
    """Replaces the last `count` digits that have keypad letters by their
    first letter: `20123456` with 3 -> `20123JKM`."""
    chars = list(digits)
    replaced = 0
    for index in range(len(chars) - 1, -1, -1):
        if replaced == count:
            break
        if chars[index] in LETTERS:
            chars[index] = LETTERS[chars[index]][0]
            replaced += 1
    return "".join(chars) if replaced == count else None


def examples() -> list[tuple[str, str, str, phonenumbers.PhoneNumber]]:
    """(region or `001`, type name, origin region for parsing, number) for
    every example number of every type."""
    found = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for number_type in EXAMPLE_TYPES:
            number = phonenumbers.example_number_for_type(region, number_type)
            if number is not None:
                found.append((region, TYPES[number_type], region, number))
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        metadata = PhoneMetadata.metadata_for_nongeo_region(code)
        for number_type in EXAMPLE_TYPES:
            desc = phonenumbers.phonenumberutil._number_desc_by_type(metadata, number_type)
            if desc is None or desc.example_number is None:
                continue
            number = phonenumbers.parse("+" + str(code) + desc.example_number, None)
            found.append(("001", TYPES[number_type], f"+{code}", number))
    return found


def line(value: dict) -> str:
    """One JSON line, UTF-8 as is, but with the characters some readers
    take for line breaks (NEL, LINE and PARAGRAPH SEPARATOR) escaped."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("\u0085", "\\u0085").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def main() -> None:
    version = check_version()
    corpus = Corpus()
    regions = sorted(phonenumbers.SUPPORTED_REGIONS)
    rng = random.Random(14)

    for text, region in ISSUE_EXAMPLES:
        corpus.add(text, region, "issue 14")

    all_examples = examples()
    for index, (region, type_name, label, number) in enumerate(all_examples):
        origin = f"example {label} {type_name}"
        international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
        e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        nsn = phonenumbers.national_significant_number(number)
        cc = number.country_code
        for form, text in [("international", international), ("e164", e164)]:
            corpus.add(text, None, f"{origin} {form}")
        bracketed = bracket_first_group(international)
        if bracketed:
            corpus.add(bracketed, None, f"{origin} international brackets")
        if region != "001":
            national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
            digits = phonenumbers.normalize_digits_only(national)
            corpus.add(national, region, f"{origin} national")
            corpus.add(digits, region, f"{origin} national digits")
            corpus.add(national.replace(" ", "-"), region, f"{origin} national dashes")
            corpus.add(national.replace(" ", "."), region, f"{origin} national dots")
            bracketed = bracket_first_group(national)
            if bracketed:
                corpus.add(bracketed, region, f"{origin} national brackets")
            corpus.add(international, region, f"{origin} international")
            corpus.add(e164, region, f"{origin} e164")
            metadata = PhoneMetadata.metadata_for_region(region)
            if metadata.national_prefix and digits.startswith(metadata.national_prefix):
                trunk = metadata.national_prefix
                corpus.add(f"+{cc} ({trunk}) {digits[len(trunk):]}", None, f"{origin} international trunk in brackets")
            prefix = idd_prefix(region)
            if prefix:
                corpus.add(f"{prefix} {cc} {nsn}", region, f"{origin} idd {prefix}")
                corpus.add(f"{prefix}{cc}{nsn}", region, f"{origin} idd {prefix} compact")
        # Foreign under two further contract regions, rotating through all.
        for step in (1, 2):
            other = regions[(index * 7 + step * 31) % len(regions)]
            corpus.add(international, other, f"{origin} international under {other}")
            calling = phonenumbers.format_out_of_country_calling_number(number, other)
            corpus.add(calling, other, f"{origin} dialled from {other}")

    # Every region's mobile (or fixed-line-or-mobile) example under every
    # contract region, in `+` form and through that region's IDD.
    mobiles = [(region, number) for region, type_name, _, number in all_examples
               if region != "001" and type_name in ("mobile", "fixed_line_or_mobile")]
    first = {}
    for region, number in mobiles:
        first.setdefault(region, number)
    for region, number in sorted(first.items()):
        international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
        for contract in CONTRACT_REGIONS:
            corpus.add(international, contract, f"mobile {region} under contract {contract}")
            calling = phonenumbers.format_out_of_country_calling_number(number, contract)
            corpus.add(calling, contract, f"mobile {region} dialled from contract {contract}")

    # Invalid and over-long inputs.
    for region in regions:
        invalid = phonenumbers.invalid_example_number(region)
        if invalid is not None:
            corpus.add(phonenumbers.format_number(invalid, PhoneNumberFormat.E164), None, f"invalid example {region}")
            corpus.add(phonenumbers.national_significant_number(invalid), region, f"invalid example {region} national")
    for region, number in sorted(first.items()):
        e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        corpus.add(e164[:-1], None, f"mobile {region} one digit short")
        corpus.add(e164[:-3], None, f"mobile {region} three digits short")
        corpus.add(e164 + "7", None, f"mobile {region} one digit more")
        corpus.add(e164 + "0123456789", None, f"mobile {region} ten digits more")
        nsn = phonenumbers.national_significant_number(number)
        corpus.add(nsn + "1", region, f"mobile {region} national one digit more")
        corpus.add(nsn[:-2], region, f"mobile {region} national two digits short")
    for count in range(400):
        cc = rng.choice(sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE))
        length = rng.randint(4, 14)
        digits = "".join(rng.choice("0123456789") for _ in range(length))
        corpus.add(f"+{cc}{digits}", None, "random digits")
        region = rng.choice(regions)
        corpus.add(digits, region, "random national digits")
    for text, region in [
        ("+" + "4" * 17, None), ("+45" + "2" * 15, None), ("2" * 18, "DK"), ("+45 " + "2" * 250, None),
        ("+45 20 12 34 56" + " " * 240, None), ("9" * 251, "US"), ("+999 20123456", None), ("+0 20123456", None),
        ("+45", None), ("+", None), ("++4520123456", None), ("+-4520123456", None), ("00", "DK"), ("0", "DK"),
        ("0045", "DK"), ("004", "DK"), ("+45 00 00 00 00", None),
    ]:
        corpus.add(text, region, "invalid or over-long")

    # Letters, digit scripts, extensions.
    for region, number in sorted(first.items()):
        international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
        nsn = phonenumbers.national_significant_number(number)
        cc = number.country_code
        for count in (1, 2, 3, 4):
            lettered = with_letters(nsn, count)
            if lettered:
                corpus.add(f"+{cc} {lettered}", None, f"mobile {region} {count} letters")
                corpus.add(lettered, region, f"mobile {region} {count} letters national")
        look_alike = international.replace("0", "O", 1).replace("1", "l", 1)
        if look_alike != international:
            corpus.add(look_alike, None, f"mobile {region} look-alike letters")
        corpus.add(international + "a", None, f"mobile {region} trailing letter")
        national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        for script, zero in DIGIT_SCRIPTS.items():
            corpus.add(to_script(international, zero), None, f"mobile {region} {script} international")
            corpus.add(to_script(national, zero), region, f"mobile {region} {script} national")
        extension = EXTENSIONS[sum(map(ord, region)) % len(EXTENSIONS)]
        corpus.add(international + extension, None, f"mobile {region} extension {extension.strip()}")
        corpus.add(national + extension, region, f"mobile {region} national extension {extension.strip()}")
    dk = phonenumbers.example_number_for_type("DK", PhoneNumberType.MOBILE)
    dk_international = phonenumbers.format_number(dk, PhoneNumberFormat.INTERNATIONAL)
    for extension in EXTENSIONS + [" ext.", " x", ";ext=", " ext. 1234567", " ext. 12345678901234567890",
                                   " extn. 5", " доб. 5", " anexo 5", " ramal 5"]:
        corpus.add(dk_international + extension, None, f"mobile DK extension {extension.strip()}")
    for text, region in [
        ("tel:+45-20-12-34-56", None), ("tel:+45-20-12-34-56;ext=9", None), ("tel:20123456;phone-context=+45", None),
        ("  +45 20 12 34 56  ", None), ("\t+4520123456\n", None), ("+45\u00a020\u00a012\u00a034\u00a056", None),
        ("+45/20/12/34/56", None), ("+45 [20] 12 34 56", None), ("+45 ~20123456", None), ("+45 20 12 34 56!", None),
        ("+45 20 12 34 56 ?", None), ("(+45) 20 12 34 56", None), ("+45 (20) 12-34-56", None), ("+45 20--12--34--56", None),
        ("+45 20 12 34 56 +45", None), ("+45 20 12 34 56, +46 70 123 45 67", None), ("john +45 20 12 34 56", None),
        ("\u200b+4520123456", None), ("+45\u200b20123456", None), ("+45 20 12 34 56\u0000", None), ("*45 20123456", None),
        ("#20123456", "DK"), ("2O123456", "DK"),
    ]:
        corpus.add(text, region, "punctuation and garbage")

    header = {
        "corpus": "phone",
        "reference": f"phonenumbers {version}",
        "metadata": version,
        "generator": "scripts/gen-phone-corpus.py",
        "cases": len(corpus.cases),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as out:
        out.write(line(header) + "\n")
        for case in corpus.cases:
            out.write(line(case) + "\n")
    valid = sum(case["valid"] for case in corpus.cases)
    print(f"{OUT}: {len(corpus.cases)} cases ({valid} valid) from phonenumbers {version}")


if __name__ == "__main__":
    main()
