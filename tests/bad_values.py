"""The bad values every numeric parameter of every tool is tried with (the issue's list)."""

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
