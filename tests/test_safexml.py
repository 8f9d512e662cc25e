"""addin/xlsx/safexml.py: the well-formedness check of a part.

The compiled check (``addin/xlsx/_wellformed.c``) may only vouch for a part
lxml accepts: it is fuzzed here as C reading hostile bytes should be — every
part of the templates and of workbooks as Excel, openpyxl and LibreOffice
write them, with bytes replaced, inserted, deleted and cut. Whenever it says
well-formed, lxml with the package's parser settings must agree; and on the
parts as written it must vouch (else it saves nothing). A refusal is always
lxml's: same message with or without the compiled check.
``JIXIAO_SCAN_MUTANTS`` raises the number of mutants (``make fuzz``).
"""

from __future__ import annotations

import os
import random
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from lxml import etree
from xlsx_helpers import built

from addin.xlsx import safexml
from addin.xlsx.model import UnreadableWorkbookError
from addin.xlsx.safexml import SAFE_PARSING, check_well_formed

MUTANTS = int(os.environ.get("JIXIAO_SCAN_MUTANTS", "400"))
TEMPLATES = sorted((Path(__file__).resolve().parents[1] / "workbooks" / "templates").glob("*.xlsx"))

#: what a mutation inserts: markup, quotes, references good and bad, names with
#: prefixes declared and not, bytes UTF-8 or XML does not allow, nesting
PIECES = [
    b"<", b">", b'"', b"'", b"/", b"=", b":", b" ", b"\t", b"\n", b"&amp;", b"&#24037;", b"&#0;",
    b"&#x110000;", b"&#xD800;", b"&#65535;", b"&nbsp;", b"&", b";", b"]]>", b"]]", b"<a>", b"</a>",
    b"<a/>", b"<x:a/>", b"<p:a/>", b'<a xmlns:p="u"><p:b/></a>', b'<a xmlns:p=""/>',
    b'<a xmlns="http://www.w3.org/XML/1998/namespace"/>', b' p:x="1"', b' x:y="1" x14ac:y="2"',
    b' xml:space="preserve"', b' a="1" a="2"', b' xmlns:q="v"', b"<!--x-->", b"<![CDATA[1]]>",
    b"<?p?>", b"<!DOCTYPE a>", b"\xff", b"\x00", b"\x01", b"\x7f", b"\xc2\x80", b"\xc0\x80",
    b"\xed\xa0\x80", b"\xef\xbf\xbe", b"\xf4\x90\x80\x80", b"\xe5\xb7", b"\xe5\xb7\xa5", b"\xef\xbb\xbf",
    b"<a>" * 40, b"</a>" * 40,
]  # fmt: skip


@pytest.fixture(scope="module")
def compiled() -> ModuleType:
    return built(safexml._wellformed, "addin.xlsx._wellformed")


def _lxml_accepts(data: bytes) -> bool:
    """Whether lxml builds a tree of ``data``: stricter than the check's own
    lxml pass (a parser target that keeps nothing lets an undeclared prefix
    through), so what the compiled check vouches for passes both."""
    try:
        etree.fromstring(data, etree.XMLParser(**SAFE_PARSING))
    except etree.XMLSyntaxError:
        return False
    return True


def _parts() -> list[bytes]:
    """Every XML part of the templates (written by this project, openpyxl and
    Excel) and a sheet with what the corpus of real files holds: namespaces
    declared below the root, prefixed attributes, references, CJK text."""
    parts = []
    for path in TEMPLATES:
        with zipfile.ZipFile(path) as z:
            parts += [z.read(n) for n in z.namelist() if n.endswith((".xml", ".rels"))]
    parts.append(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="urn:r" xmlns:x14ac="urn:ac"><sheetData>'
        '<row r="1" x14ac:dyDescent="0.25"><c r="A1" t="inlineStr"><is><t xml:space="preserve"> 工号 &amp; '
        "&#24037;&#x53F7; &lt;&gt;&quot;&apos; ]] ] &gt;</t></is></c>"
        "<c r='B1'><f>IF(A1&gt;=1,\"是\",\"否\")</f><v>1</v></c></row></sheetData>"
        '<extLst><ext uri="{X}" xmlns:x14="urn:x14"><x14:id>1</x14:id></ext></extLst>'
        "</worksheet>\n".encode()
    )
    return parts


def test_the_parts_every_writer_produces_are_vouched_for(compiled: ModuleType) -> None:
    parts = _parts()
    assert len(parts) > 50
    for data in parts:
        assert _lxml_accepts(data)
        assert compiled.check(data), data[:200]


#: pieces that keep a part well-formed when put after a tag's ``>`` (most of
#: the time): the mutants the check may vouch for, near the ones it must not
BALANCED = [
    b"<a/>", b'<a b="1"/>', b"<a>&amp;&#24037;</a>", b'<p:a xmlns:p="urn:p" p:b="&quot;"/>',
    b'<a xml:space="preserve"> ]] </a>', b"\xe5\xb7\xa5", b"&lt;", b" ", b"\r\n", b'<a b=\'"\'/>',
]  # fmt: skip


def _mutate(rng: random.Random, data: bytes) -> bytes:
    """``data`` with one to four random edits: half the time pieces inserted
    after a ``>`` (then one byte-level edit a quarter of the time), otherwise
    any bytes anywhere."""
    b = bytearray(data)
    if rng.random() < 0.5:
        ends = [i + 1 for i, ch in enumerate(b) if ch == ord(">")]
        for _ in range(rng.randint(1, 4)):
            at = rng.choice(ends)
            b[at:at] = rng.choice(BALANCED)
        if rng.random() >= 0.25:
            return bytes(b)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(b) + 1)
        what = rng.random()
        if what < 0.45:
            b[at:at] = rng.choice(PIECES)
        elif what < 0.7 and at < len(b):
            b[at] = rng.randrange(256) if rng.random() < 0.3 else rng.choice(b'<>"\'/=:&;# ]xa')
        elif what < 0.9:
            del b[at : at + rng.randint(1, 12)]
        else:
            del b[at:]
    return bytes(b)


def test_mutated_parts_are_vouched_for_only_when_lxml_accepts_them(compiled: ModuleType) -> None:
    rng = random.Random(20261207)
    parts = [p for p in _parts() if len(p) < 200_000]
    vouched = refused = 0
    for _ in range(MUTANTS * 10):
        data = _mutate(rng, rng.choice(parts))
        if compiled.check(data):
            vouched += 1
            assert _lxml_accepts(data), data
        elif not _lxml_accepts(data):
            refused += 1
    assert vouched >= MUTANTS  # both sides really ran
    assert refused >= MUTANTS


@pytest.mark.parametrize(
    "data",
    [
        b"<a><b:c/></a>",  # a prefix nobody declared
        b'<a xmlns:b="u"/><b:c/>',  # two roots
        b'<a><b xmlns:p="u"/><p:c/></a>',  # a declaration out of scope
        b'<a p:x="1" xmlns:p="u" q:x="2" xmlns:q="u"/>',  # one attribute twice through two prefixes
        b"<a>\xef\xbf\xbf</a>",  # U+FFFF
        b"<a>&#xFFFE;</a>",
        b"<a>x]]>y</a>",
        b'<a b="1"c="2"/>',
        b"<a>" * 300 + b"</a>" * 300,  # deeper than libxml2 allows without huge_tree
        b'<?xml version="1.0" encoding="UTF-16"?><a/>',
    ],
)
def test_what_it_cannot_vouch_for_lxml_decides(
    data: bytes, compiled: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not compiled.check(data)
    # lxml decides, as without the compiled check: the same refusal, or none
    outcomes = []
    for module in (compiled, None):
        monkeypatch.setattr(safexml, "_wellformed", module)
        try:
            check_well_formed(data, "xl/worksheets/sheet1.xml")
            outcomes.append("accepted")
        except UnreadableWorkbookError as exc:
            outcomes.append(str(exc))
    assert outcomes[0] == outcomes[1]


def test_a_refusal_is_worded_the_same_without_the_compiled_check(
    monkeypatch: pytest.MonkeyPatch, compiled: ModuleType
) -> None:
    bad = b'<w><c r="A1"><v>1</v></w>'
    with pytest.raises(UnreadableWorkbookError) as with_it:
        check_well_formed(bad, "xl/worksheets/sheet1.xml")
    monkeypatch.setattr(safexml, "_wellformed", None)
    with pytest.raises(UnreadableWorkbookError) as without:
        check_well_formed(bad, "xl/worksheets/sheet1.xml")
    assert str(with_it.value) == str(without.value)
    assert "xl/worksheets/sheet1.xml" in str(with_it.value)


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"


@pytest.mark.parametrize(
    "head",
    [
        f'<?xml version="1.0"?><sst xmlns="{MAIN}" count="1"><si><t>x',  # cut off after the root
        f'<x:sst xmlns:x="{STRICT}"><x:si/></x:sst>',
        f'<!-- a comment --><sst xmlns="{MAIN}"/>',
        "<?xml version='1.0' encoding='UTF-16'?><sst xmlns='" + MAIN + "'/>",
    ],
)
def test_a_spreadsheetml_root_is_accepted(head: str) -> None:
    data = head.encode("utf-16") if "UTF-16" in head else head.encode()
    safexml.check_root(data, "xl/sharedStrings.xml", ("sst",))


@pytest.mark.parametrize(
    ("head", "roots", "shown"),
    [
        ('<sst count="1"><si><t>x</t></si></sst>', ("sst",), "'sst'"),  # xmlns gone
        ('<sst xmlns="NaN"/>', ("sst",), "'{NaN}sst'"),
        (f'<styleSheet xmlns="{MAIN}"/>', ("sst",), "styleSheet"),  # the wrong part
        ('<worksheet xmlns=""><sheetData/></worksheet>', (), "'worksheet'"),
    ],
)
def test_a_root_outside_spreadsheetml_is_refused_naming_the_part(
    head: str, roots: tuple[str, ...], shown: str
) -> None:
    """Read by local names such a part gave cells and strings nobody else sees
    (openpyxl could not open the output: ``make fuzz``); the tree form too."""
    for given in (head.encode(), etree.fromstring(head.encode())):
        with pytest.raises(UnreadableWorkbookError) as info:
            safexml.check_root(given, "xl/part.xml", roots)
        message = str(info.value)
        assert "xl/part.xml" in message
        assert shown in message
        assert "命名空间" in message.split(" / ")[0]


def test_a_head_without_its_root_or_not_xml_is_left_to_the_other_checks() -> None:
    safexml.check_root(b'<?xml version="1.0"?>' + b" " * 100, "p.xml", ("sst",))
    safexml.check_root(b"<sst xmlns=", "p.xml", ("sst",))
    safexml.check_root(b"not xml at all", "p.xml", ("sst",))
