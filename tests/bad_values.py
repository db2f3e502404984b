"""The bad values every numeric parameter of every tool is tried with (the issue's list)."""

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
    "1.5",
    "abc",
    "\u0661\u0662",  # Arabic-Indic digits: Python's int() would accept them
    "\uff11",  # a full-width digit one
    "x" * 10_240,
]


ERRORS_BOX = re.compile(r'<div class="errors" role="alert" data-testid="errors">(.*?)</div>', re.S)


def error_box_text(response) -> str:
    """The messages of the page's error box, as a reader sees them. Searching the whole page
    instead would always find a field's label (it is on the input) and a " to " somewhere."""
    box = ERRORS_BOX.search(response.content.decode())
    assert box, "no error box on the page"
    return html.unescape(re.sub(r"<[^>]+>", " ", box.group(1)))
