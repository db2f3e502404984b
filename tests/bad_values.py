"""The bad values every parameter of every tool is tried with (tests/site/test_bad_input.py): the
issue's list, and number spellings Python would accept but a permalink must not; and the broken
files every upload field is tried with."""

import html
import re

BAD = [
    "",
    "   ",
    "-1",
    "0",
    "1e309",
    "9" * 400,
    "nan",
    "inf",
    "-inf",
    "0x10",  # Python's int(x, 0) reads it
    "1_000",  # Python's int() and float() read it
    "1.5",
    "abc",
    "\u0661\u0662",  # Arabic-Indic digits: Python's int() would accept them
    "\uff11",  # a full-width digit one
    "x" * 10_240,
]

# (content, what the message must say): files no tool can read, whatever columns it wants.
BAD_FILES = [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (b"PK\x03\x04\x14\x00\x06\x00", "Excel workbook"),
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"a,b,c\n1,2,3\n", "Its header row names: a, b, c"),
    (b"a,b\n1,caf\xe9\n", "not UTF-8"),
    (b'a,b\n"1,2\n', "not valid CSV"),
]


ERRORS_BOX = re.compile(r'<div class="errors" role="alert" data-testid="errors">(.*?)</div>', re.S)


def error_box_text(response) -> str:
    """The messages of the page's error box, as a reader sees them. Searching the whole page
    instead would always find a field's label (it is on the input) and a " to " somewhere."""
    box = ERRORS_BOX.search(response.content.decode())
    assert box, "no error box on the page"
    return html.unescape(re.sub(r"<[^>]+>", " ", box.group(1)))
