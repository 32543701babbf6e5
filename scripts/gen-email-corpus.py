#!/usr/bin/env python3
"""Generates the e-mail address reference corpus, tests/corpus/email/cases.jsonl.

The reference is the grammar below, written from RFC 5321 section 4.1.2
(`Mailbox`), extended by RFC 6531 section 3.3 (internationalised addresses),
with the domain processed by IDNA (the `idna` package from PyPI, pinned in
scripts/corpus-requirements.txt: UTS #46 mapping, non-transitional, STD3
rules, then IDNA 2008's validity rules). Run it through scripts/gen-corpus.sh.
The engine's own implementation of the same rule is core/src/mailbox.rs;
docs/contracts.md ("E-mail addresses") states it for contract authors.

The rule, which decides whether a string is a mailbox and, if so, its
normalised form (the value Pactum stores, claims as unique and sends the
code to):

    Mailbox        = Local-part "@" ( Domain / address-literal )      ; RFC 5321
    Local-part     = Dot-string / Quoted-string
    Dot-string     = Atom *("." Atom)
    Atom           = 1*atext
    atext          = ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-"
                   / "/" / "=" / "?" / "^" / "_" / "`" / "{" / "|" / "}" / "~"
                   / UTF8-non-ascii                                   ; RFC 6531
    Quoted-string  = DQUOTE *QcontentSMTP DQUOTE
    QcontentSMTP   = qtextSMTP / quoted-pairSMTP
    qtextSMTP      = %d32-33 / %d35-91 / %d93-126 / UTF8-non-ascii    ; RFC 6531
    quoted-pairSMTP = %d92 %d32-126
    Domain         = sub-domain *("." sub-domain), after IDNA processing of the whole
                     domain (UTS #46 maps case, width and the ideographic full stop)
    sub-domain     = Let-dig [Ldh-str], at most 63 octets as an A-label
    address-literal = "[" ( IPv4-address-literal / "IPv6:" IPv6-addr ) "]"
                     ; a General-address-literal needs an IANA-registered tag: there is none

- Nothing else: no display name (`Name <a@b>`), no comment (`a@b (x)`), no
  surrounding white space, one address.
- The local part is kept as typed (it is case-sensitive, RFC 5321 section
  2.4), except that a quoted local part whose content is a Dot-string is
  unquoted (`"joe"` is `joe`, RFC 5322 section 3.4.1), and any other quoted
  local part is written with the fewest escapes (only `"` and `\\` escaped).
  It is at most 64 octets (UTF-8) in that form.
- The domain is written in lower-case Unicode (U-labels): `BÜCHER.de`,
  `bücher.de` and `xn--bcher-kva.de` are all `bücher.de`. It is at most 255
  octets as A-labels, and the whole mailbox at most 254 octets with the
  domain as A-labels (RFC 5321 section 4.5.3.1, the path's 256 less `<>`).
- An IPv4 literal is written in plain decimal (`[127.0.0.1]`), an IPv6
  literal as `[IPv6:` plus its RFC 5952 text (lower case, the longest run of
  zero groups as `::`, an IPv4-mapped address as `::ffff:a.b.c.d`).

Every output line is one JSON object; the first is the header
(`{"corpus": "email", "reference": ..., "cases": N}`), each further line a
case: `{"input": "...", "valid": true, "mailbox": "joe@bücher.de", "origin": "..."}`
(`mailbox` null when not valid).
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import sys

import idna

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "corpus", "email", "cases.jsonl")
REQUIREMENTS = os.path.join(ROOT, "scripts", "corpus-requirements.txt")

ATEXT_ASCII = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~")


def is_atext(char: str) -> bool:
    return char in ATEXT_ASCII or ord(char) > 127


def is_qtext(char: str) -> bool:
    code = ord(char)
    return code in (32, 33) or 35 <= code <= 91 or 93 <= code <= 126 or code > 127


def is_dot_string(text: str) -> bool:
    return all(atom and all(is_atext(char) for char in atom) for atom in text.split("."))


def split(address: str) -> tuple[str, str] | None:
    """(normalised local part, the rest after `@`), or None."""
    if address.startswith('"'):
        content = []
        index = 1
        while True:
            if index >= len(address):
                return None
            char = address[index]
            if char == "\\":
                if index + 1 >= len(address) or not 32 <= ord(address[index + 1]) <= 126:
                    return None
                content.append(address[index + 1])
                index += 2
            elif char == '"':
                index += 1
                break
            elif is_qtext(char):
                content.append(char)
                index += 1
            else:
                return None
        if address[index:index + 1] != "@":
            return None
        text = "".join(content)
        if text and is_dot_string(text):
            local = text
        else:
            local = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return local, address[index + 1:]
    at = address.find("@")
    if at < 0 or not is_dot_string(address[:at]):
        return None
    return address[:at], address[at + 1:]


# Snum is ASCII digits (RFC 5321 4.1.3); `\d` and `$` would also take other
# digit scripts and a trailing line break.
IPV4 = re.compile(r"([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})")
LDH_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


def literal(inner: str) -> str | None:
    match = IPV4.fullmatch(inner)
    if match:
        parts = [int(group) for group in match.groups()]
        return "[" + ".".join(map(str, parts)) + "]" if all(part <= 255 for part in parts) else None
    if inner[:5].lower() != "ipv6:":
        return None
    text = inner[5:]
    if not re.fullmatch(r"[0-9A-Fa-f:.]+", text):
        return None
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError:
        return None
    if address.ipv4_mapped is not None:
        return f"[IPv6:::ffff:{address.ipv4_mapped}]"
    return f"[IPv6:{address.compressed}]"


def domain(text: str) -> tuple[str, str] | None:
    """(Unicode form, A-label form), or None."""
    if text.startswith("[") and text.endswith("]"):
        written = literal(text[1:-1])
        return (written, written) if written else None
    if not text:
        return None
    try:
        ascii_form = idna.encode(text, uts46=True, std3_rules=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return None
    labels = ascii_form.split(".")
    if len(ascii_form) > 255 or not all(LDH_LABEL.match(label) and len(label) <= 63 for label in labels):
        return None
    try:
        unicode_form = idna.decode(ascii_form)
    except (idna.IDNAError, UnicodeError):
        return None
    return unicode_form, ascii_form


def normalise(address: str) -> str | None:
    parts = split(address)
    if parts is None:
        return None
    local, rest = parts
    if len(local.encode("utf-8")) > 64:
        return None
    forms = domain(rest)
    if forms is None:
        return None
    unicode_form, ascii_form = forms
    if len(local.encode("utf-8")) + 1 + len(ascii_form) > 254:
        return None
    return f"{local}@{unicode_form}"


LOCALS = [
    # dot-strings
    "joe", "Joe.Bloggs", "JOE", "a", "x" * 64, "x" * 65, "!#$%&'*+-/=?^_`{|}~", "user+tag", "o'neil", "te~st",
    "~test", "test~", "te.s.t", "1234", "a.b.c.d", "δοκιμή", "用户", "𝕏", "café", "cafe\u0301", "\u0085", "\uffff",
    "Ünïcødé", "ü" * 32, "ü" * 33, "실례",
    # quoted strings
    '"joe"', '"Joe.Bloggs"', '"joe bloggs"', '"joe..bloggs"', '"joe@bloggs"', '""', '"\\j\\o\\e"', '"a\\"b"',
    '"a\\\\b"', '"δοκιμή"', '".joe"', '"joe."', '" "', '"a\\ b"', '"(comment)"', '"<x>"', '"a,b"', '"a\\b"',
    '"\\"\\""', '"x' + "x" * 62 + '"', '"' + "x" * 64 + '"', '"a b' + "x" * 61 + '"',
    # not local parts
    "", ".joe", "joe.", "jo..e", "joe bloggs", 'jo"e', "jo\\e", "(comment)joe", "joe(comment)", "a,b", "a;b",
    "a:b", "a[b]", "a<b", "a>b", '"unterminated', '"a"b', 'a"b"', '"a\x01"', '"a\x7f"', '"\\é"', '"a\tb"', "\t",
    "jo\x00e", "a\nb", "joe ", " joe",
]

DOMAINS = [
    "example.com", "EXAMPLE.COM", "Example.Com", "sub.example.co.uk", "localhost", "a.b", "123.com", "1.2.3.4",
    "xn--bcher-kva.de", "XN--BCHER-KVA.DE", "bücher.de", "BÜCHER.DE", "例子.广告", "실례.테스트", "café.com",
    "cafe\u0301.com", "faß.de", "FASS.de", "ＥＸＡＭＰＬＥ.com", "ex\u3002com", "xn--55qx5d.cn", "公司.cn",
    "ex-ample.com", "e--x.com", "a" * 63 + ".com", "münchen.de", "straße.de", "παράδειγμα.δοκιμή",
    ".".join(["a" * 63] * 3) + "." + "b" * 57, ".".join(["a" * 63] * 4),
    "[127.0.0.1]", "[IPv6:::1]", "[ipv6:2001:DB8::1]", "[IPv6:::ffff:192.0.2.1]", "[IPv6:2001:db8:0:0:0:0:0:1]",
    "[001.002.003.004]", "[IPv6:2001:db8::0:1]", "[IPv6:1:0:0:2:0:0:0:3]",
    # not domains
    "", "-example.com", "example-.com", "ex_ample.com", "example..com", ".example.com", "example.com.",
    "exa mple.com", "[127.0.0.300]", "[IPv6:::1%eth0]", "[tag:content]", "[1.2.3]", "[IPv6:12345::]", "[]",
    "[IPv6:1.2.3.4]", "xn--zz.de", "a" * 64 + ".com", "invalid=domain.com", "example.com>", "exam@ple.com",
    "example.com ", " example.com", "١٢٣.com", "exa\u200dmple.com", "example.c_m",
]

WHOLE = [
    # the examples and other display-name and header forms
    ("John Doe <user@example.com>", "display name"), ('"John Doe" <user@example.com>', "display name"),
    ("evil@attacker.example <user@example.com>", "display name"), ("Jane <user@example.com>", "display name"),
    ("<user@example.com>", "angle brackets"), ("user@example.com (Comment)", "comment"),
    ("(Comment)user@example.com", "comment"), ("user(c)@example.com", "comment"), ("user@(c)example.com", "comment"),
    ('"quoted"@example.com', "issue 14"), ("quoted@example.com", "issue 14"), ("user@bücher.de", "issue 14"),
    ("user1@oceania.org, user2@oceania.org", "two addresses"), ("user1@oceania.org; user2@oceania.org", "two addresses"),
    ('"Winston Smith" <winston.smith@recdep.minitrue> (Records Department)', "header"),
    ("mailto:user@example.com", "uri"), ("user@@example.com", "two @"), ("user@example@com", "two @"),
    ("user", "no @"), ("@", "no local part"), ("user＠example.com", "full-width @"), ("user@example.com\n", "newline"),
    (" user@example.com", "white space"), ("user@example.com ", "white space"), ("user @example.com", "white space"),
    ("user@ example.com", "white space"), ("2962", "suite"), ("joe.bloggs@example.com", "suite"),
    ("\"\"@example.com", "empty quoted"), ("user@[IPv6:::1]", "literal"), ("Ann@Example.COM", "case"),
    ("ann@example.com", "case"), ("ANN@EXAMPLE.COM", "case"), ("\"ann\"@EXAMPLE.com", "case"),
    # where IDNA 2008 (this reference) and UTS #46 (the engine's idna crate)
    # part: listed with their reasons in tests/data/email-corpus-xfail.json
    ("x@\u2603.com", "IDNA 2008 against UTS #46: symbol"), ("x@a\u19da.com", "IDNA 2008 against UTS #46: not PVALID"),
    ("x@a\u00b7b.com", "IDNA 2008 against UTS #46: CONTEXTO"), ("x@\u0628.1", "IDNA 2008 against UTS #46: bidi"),
    ("x@[\u0661.\u0662.\u0663.\u0664]", "literal: non-ASCII digits"), ("x@[1.2.3.4\n]", "literal: line break"),
]


def check_version() -> str:
    pinned = None
    with open(REQUIREMENTS, encoding="utf-8") as requirements:
        for line in requirements:
            match = re.match(r"^idna==(\S+)", line.strip())
            if match:
                pinned = match.group(1)
    if pinned is None:
        sys.exit(f"{REQUIREMENTS} pins no idna version")
    if idna.__version__ != pinned:
        sys.exit(f"idna {idna.__version__} is installed, {pinned} is pinned in {REQUIREMENTS}: run scripts/gen-corpus.sh")
    return pinned


def line(value: dict) -> str:
    """One JSON line, UTF-8 as is, but with the characters some readers
    take for line breaks (NEL, LINE and PARAGRAPH SEPARATOR) escaped."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("\u0085", "\\u0085").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def main() -> None:
    version = check_version()
    cases = []
    seen = set()

    def add(text: str, origin: str) -> None:
        if text in seen:
            return
        seen.add(text)
        mailbox = normalise(text)
        cases.append({"input": text, "valid": mailbox is not None, "mailbox": mailbox, "origin": origin})

    for text, origin in WHOLE:
        add(text, origin)
    for local in LOCALS:
        for domain_text in DOMAINS:
            add(f"{local}@{domain_text}", "local x domain")
    header = {
        "corpus": "email",
        "reference": f"scripts/gen-email-corpus.py grammar (RFC 5321 4.1.2, RFC 6531 3.3) with idna {version}",
        "idna": version,
        "unicode": idna.idnadata.__version__,
        "generator": "scripts/gen-email-corpus.py",
        "cases": len(cases),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as out:
        out.write(line(header) + "\n")
        for case in cases:
            out.write(line(case) + "\n")
    valid = sum(case["valid"] for case in cases)
    print(f"{OUT}: {len(cases)} cases ({valid} valid) from idna {version}")


if __name__ == "__main__":
    main()
