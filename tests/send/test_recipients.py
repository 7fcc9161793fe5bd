"""Reading the recipients CSV: columns, merge fields, and every kind of bad row."""

from __future__ import annotations

from pathlib import Path

import pytest

from pubkit.send.recipients import (
    RecipientsError,
    address_problem,
    parse_recipients,
    read_recipients,
)


def test_columns_become_merge_fields_and_header_case_does_not_matter() -> None:
    listed = parse_recipients(
        "Email, Name ,First_Name,Clinic\n"
        "ana@example.org,Ana Lima,Ana,Austin\n"
        " bo@example.org ,,, \n"
    )
    assert not listed.problems
    ana, bo = listed.recipients
    assert (ana.email, ana.name, ana.line) == ("ana@example.org", "Ana Lima", 2)
    assert ana.fields == {"email": "ana@example.org", "name": "Ana Lima", "first_name": "Ana",
                          "clinic": "Austin"}
    assert (bo.email, bo.name, bo.fields["clinic"]) == ("bo@example.org", "", "")


def test_spreadsheet_headers_become_field_names() -> None:
    listed = parse_recipients("E-Mail Address;First Name;Last-Name\nana@example.org;Ana;Lima\n")
    (ana,) = listed.recipients
    assert ana.fields == {"email": "ana@example.org", "first_name": "Ana", "last_name": "Lima"}
    assert ana.name == "Ana Lima"


def test_name_falls_back_to_first_and_last_name() -> None:
    listed = parse_recipients("email,first_name,last_name\nc@example.org,Cy,Diaz\n")
    assert listed.recipients[0].name == "Cy Diaz"


def test_semicolon_and_tab_separated_files_are_read() -> None:
    for sep in (";", "\t"):
        listed = parse_recipients(f"name{sep}email\nDee, Jr.{sep}dee@example.org\n")
        assert [(r.name, r.email) for r in listed.recipients] == [("Dee, Jr.", "dee@example.org")]


def test_excel_byte_order_mark_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(b"\xef\xbb\xbfEMAIL,name\r\nx@example.org,X\r\ny@example.org,Y\r\n")
    listed = read_recipients(path)
    assert [(r.email, r.line) for r in listed.recipients] == [("x@example.org", 2),
                                                              ("y@example.org", 3)]


BAD_ROWS = [
    ("  ,Nameless", "blank email address"),
    ("not-an-address,X", "invalid email address 'not-an-address'"),
    ("two@@example.org,X", "invalid email address"),
    ("a b@example.org,X", "bad characters before '@'"),
    ("dot.@example.org,X", "bad characters before '@'"),
    ("x@localhost,X", "bad domain 'localhost'"),
    ("jürgen@bücher.example,X", "non-ASCII before '@'"),
    ("x@-bad.example,X", "bad domain"),
    ("x@10.0.0.1,X", "bad domain"),
    ("Ana <ana@example.org>,X", "invalid email address"),
    ('"ana@example.org\nBcc: all@example.org",X', "line break in field 'email'"),
    ('e@example.org,"Eve\r\nBcc: all@example.org"', "line break in field 'name'"),
    ("f@example.org,Fay\u2028Smith", "line break in field 'name'"),
    ("g@example.org,Gus\x85", "line break in field 'name'"),
    ("h@example.org,Hal\x00", "control character in field 'name'"),
]


@pytest.mark.parametrize(("row", "message"), BAD_ROWS)
def test_bad_rows_are_reported_with_their_line_and_skipped(row: str, message: str) -> None:
    listed = parse_recipients(f"email,name\nok@example.org,Ok\n{row}\nlast@example.org,Last\n",
                              "list.csv")
    assert [r.email for r in listed.recipients] == ["ok@example.org", "last@example.org"]
    (problem,) = listed.problems
    assert problem.line == 3 and problem.path == "list.csv"
    assert message in problem.message and problem.message.endswith("skipped")
    assert str(problem).startswith("list.csv:3: warning: ")


def test_line_numbers_count_physical_lines_after_multiline_fields() -> None:
    listed = parse_recipients('email,note\na@example.org,"one\ntwo"\nb@example.org,x\nbad,y\n')
    assert [p.line for p in listed.problems] == [2, 5]
    assert [(r.email, r.line) for r in listed.recipients] == [("b@example.org", 4)]


def test_duplicates_are_caught_case_insensitively() -> None:
    listed = parse_recipients("email\nAna@Example.org\nbo@example.org\nana@example.ORG\n")
    assert [r.email for r in listed.recipients] == ["Ana@Example.org", "bo@example.org"]
    (dup,) = listed.problems
    assert dup.line == 4 and "duplicate address ana@example.ORG (first on line 2)" in dup.message


def test_empty_lines_are_ignored_quietly() -> None:
    listed = parse_recipients("email\n\na@example.org\n,\n\n")
    assert [r.email for r in listed.recipients] == ["a@example.org"] and not listed.problems


@pytest.mark.parametrize(("text", "message"), [
    ("name,address\nAna,ana@example.org\n", r"list\.csv:1: no 'email' column \(columns: name, address\)"),
    ("", "empty file"),
    ("email,E-mail\na@example.org,b@example.org\n", "column email appears twice"),
    ('email\n"a@example.org\n', "unreadable CSV"),
])
def test_unusable_files_are_errors(text: str, message: str) -> None:
    with pytest.raises(RecipientsError, match=message):
        parse_recipients(text, "list.csv")


def test_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("email,name\na@example.org,Ana\nb@example.org,Jos\xe9\n".encode("latin-1"))
    with pytest.raises(RecipientsError, match=r"latin1\.csv:3: not UTF-8"):
        read_recipients(path)
    with pytest.raises(RecipientsError, match="cannot read"):
        read_recipients(tmp_path / "missing.csv")


@pytest.mark.parametrize("address", [
    "simple@example.com", "first.last+tag@sub.example.co.uk", "o'brien@example.ie",
    "user@xn--bcher-kva.example", "ana@bücher.example", "x@a-b.example",
])
def test_valid_addresses(address: str) -> None:
    assert address_problem(address) is None


def test_a_lang_column_gives_each_recipient_a_checked_language() -> None:
    hostile = "es\u202e<script>"
    listed = parse_recipients(
        "email,lang\n"
        "en@example.org,en\n"
        "es@example.org, es \n"
        "mx@example.org,es-MX\n"
        "zh@example.org,zh-Hant-TW\n"
        "none@example.org,\n"
        "dots@example.org,../../etc/passwd\n"
        f"rtl@example.org,{hostile}\n"
        f"long@example.org,es-{'x' * 40}\n"
        "under@example.org,es_MX\n"
    )
    assert not listed.problems  # a bad language skips nobody
    langs = {r.email.partition("@")[0]: r.lang for r in listed.recipients}
    assert langs == {"en": "en", "es": "es", "mx": "es-MX", "zh": "zh-Hant-TW", "none": "",
                     "dots": "", "rtl": "", "long": "", "under": ""}
    assert [d.line for d in listed.languages] == [7, 8, 9, 10]
    first = listed.languages[0]
    assert str(first).startswith("<recipients>:7: warning: lang '../../etc/passwd' is not a "
                                 "language tag")
    assert "gets the base language" in first.message
    # The value is shown quoted and cut short, never as raw control text.
    assert "\\u202e" in listed.languages[1].message
    assert len(listed.languages[2].message) < 250


def test_a_language_column_is_read_like_lang() -> None:
    listed = parse_recipients("Email,Language\nana@example.org,es\n")
    assert listed.recipients[0].lang == "es"
