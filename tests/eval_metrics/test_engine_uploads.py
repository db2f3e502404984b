"""Uploaded CSV files to columns: picked by header name, and every bad file a clear error on the
`file` field naming what was found and what is allowed."""

import codecs
import random

import pytest

from calculators.kit.errors import InputError
from eval_metrics.uploads import MAX_ROWS, MAX_UPLOAD_BYTES, read_columns

REGRESSION = [("y_true", "y_pred")]
ROC = [("y_true", "y_score"), ("fpr", "tpr")]


def error(data, choices=REGRESSION, **kwargs) -> str:
    with pytest.raises(InputError) as caught:
        read_columns(data, choices, **kwargs)
    assert caught.value.field == "file"
    return str(caught.value)


def test_values_round_trip_exactly():
    # repr() writes the shortest string that reads back as the same float: the file holds
    # exactly these numbers, so the parser must return them unchanged.
    rng = random.Random(0)
    y_true = [rng.gauss(0, 1e3) for _ in range(500)] + [0.0, -0.0, 1e-300, 1e15, 5e-324]
    y_pred = [rng.uniform(-1, 1) for _ in y_true]
    lines = ["y_true,y_pred"] + [f"{t!r},{p!r}" for t, p in zip(y_true, y_pred, strict=True)]
    r = read_columns("\n".join(lines).encode(), REGRESSION)
    assert r.values["y_true"] == tuple(y_true) and r.values["y_pred"] == tuple(y_pred)
    assert r.rows == len(y_true) and r.names == ("y_true", "y_pred")


def test_columns_by_header_name_in_any_order_others_ignored():
    data = b'id,Y_PRED , note,y_true\r\n1,2.5,hello,3\r\n2,0,"a, quoted",-0.5\r\n'
    r = read_columns(data, REGRESSION)
    assert r.values == {"y_true": (3.0, -0.5), "y_pred": (2.5, 0.0)}
    assert r.header == ("id", "Y_PRED", "note", "y_true")
    assert r.sources == {"y_true": "y_true", "y_pred": "Y_PRED"}


@pytest.mark.parametrize(
    ("data", "separator"),
    [
        (b"y_true;y_pred\n1;2\n3;4\n", ";"),
        (b"y_true\ty_pred\n1\t2\n3\t4\n", "\t"),
        (codecs.BOM_UTF8 + b"y_true,y_pred\n1,2\n3,4\n", ","),  # Excel's "CSV UTF-8"
        ("y_true\ty_pred\r\n1\t2\r\n3\t4\r\n".encode("utf-16"), "\t"),  # Excel's "Unicode text"
        (b"y_true,y_pred,\n1,2,\n\n3,4,,\n,,\n", ","),  # trailing separators, blank rows
        (b'"y_true","y_pred"\n"1","2"\n"3","4"\n', ","),
    ],
)
def test_spreadsheet_exports(data, separator):
    r = read_columns(data, REGRESSION)
    assert r.values == {"y_true": (1.0, 3.0), "y_pred": (2.0, 4.0)} and r.separator == separator


def test_the_first_matching_choice_wins_and_aliases():
    r = read_columns(b"fpr,tpr\n0.1,0.5\n", ROC)
    assert r.names == ("fpr", "tpr")
    r = read_columns(b"y_true,y_prob\n1,0.9\n0,0.2\n", ROC)  # a probability is a score
    assert r.names == ("y_true", "y_score") and r.sources["y_score"] == "y_prob"
    assert r.values["y_score"] == (0.9, 0.2)
    r = read_columns(b"x,y,label\n0,0,1\n", [("x", "y", "labels")])
    assert r.values["labels"] == (1.0,)
    # The column's own name wins over an alias.
    r = read_columns(b"y_prob,y_score,y_true\n0.1,5,1\n", ROC)
    assert r.values["y_score"] == (5.0,)


def test_no_matching_columns_names_those_found_and_those_read():
    message = error(b"target,prediction\n1,2\n")
    assert "target, prediction" in message and "y_true and y_pred" in message
    message = error(b"a,b\n1,2\n", ROC)
    assert "a, b" in message and "y_true and y_score (or y_prob), or fpr and tpr" in message


def test_a_missing_column_is_named():
    message = error(b"y_true,other\n1,2\n")
    assert "no y_pred column" in message and "y_true, other" in message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"  \n\n", "empty"),
        (b"1,2\n3,4\n", "no header row"),
        (b"y_true,y_pred\n", "no rows of values"),
        (b"y_true,y_pred,y_true\n1,2,3\n", "y_true 2 times"),
        (b"y_true,y_pred\n1,2\n3\n", "1 cell on line 3 where the header has 2"),
        (b"y_true,y_pred\n1,2\n\n3,4,5\n", "3 cells on line 4"),
        (
            b"y_true,y_pred\n1,2\n3,abc\n",
            "\u201cabc\u201d in column y_pred on line 3, not a plain number",
        ),
        (b"y_true,y_pred\n1,\n", "an empty cell"),
        (b"y_true,y_pred\n1,nan\n", "\u201cnan\u201d"),
        (b"y_true,y_pred\n1,inf\n", "\u201cinf\u201d"),
        (b"y_true,y_pred\n1,1e999\n", "too large to be a finite number"),
        (b"y_true,y_pred\n1," + b"1" * 41 + b"\n", "over 40 characters"),
        (b"y_true;y_pred\n1;0,5\n", "decimal comma"),
        ("y_true,y_pred\n1,\u0661\n".encode(), "not a plain number"),  # Arabic-Indic one
        (b"y_true,y_pred\n1,2\x00\n", "binary"),
        (b"PK\x03\x04\x14\x00\x06\x00", "Excel workbook (.xlsx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Excel workbook"),
        (b"%PDF-1.7\n", "PDF"),
        ("y_true,y_pred\n1,2 caf\u00e9\n".encode("latin-1"), "not UTF-8 text (byte 22"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "does not decode as UTF-16"),
        (b'y_true,y_pred\n1,"2\n', "not valid CSV"),
    ],
)
def test_bad_files(data, words):
    assert words in error(data)


def test_errors_name_the_line_a_person_sees():
    # A quoted note spanning two lines: the bad value is on the file's line 5.
    data = b'note,y_true,y_pred\n"a\nb",1,2\nx,3,4\ny,5,oops\n'
    assert "column y_pred on line 5" in error(data)


def test_size_and_row_caps():
    header = b"y_true,y_pred\n"
    assert MAX_UPLOAD_BYTES == 10 * 1024 * 1024 and MAX_ROWS == 100_000
    big = header + b"1,2\n" * (MAX_UPLOAD_BYTES // 4)
    assert "over the limit of 10,485,760 bytes (10 MiB)" in error(big)
    assert "3 rows, over the limit of 2" in error(header + b"1,2\n" * 3, max_rows=2)
    r = read_columns(header + b"1,2\n" * MAX_ROWS, REGRESSION)
    assert r.rows == MAX_ROWS
    assert "100,001 rows" in error(header + b"1,2\n" * (MAX_ROWS + 1))
