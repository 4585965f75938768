"""Hostile XML is refused before anything in it is expanded or fetched."""

from pathlib import Path

import pytest

from cme.movements.ctf import CtfError, parse_ctf, read_ctf

DATA = Path(__file__).parent / "data"


def test_external_entity_is_refused():
    with pytest.raises(CtfError, match="refused for safety") as caught:
        read_ctf(DATA / "xxe.xml")
    assert "root:" not in str(caught.value)  # nothing of /etc/passwd leaked into the message


def test_billion_laughs_is_refused():
    with pytest.raises(CtfError, match="refused for safety"):
        read_ctf(DATA / "billion_laughs.xml")


def test_oversized_file_is_refused_before_parsing(tmp_path):
    big = tmp_path / "big.xml"
    big.write_bytes(b"<CTfile>" + b" " * 2000 + b"</CTfile>")
    with pytest.raises(CtfError, match="larger than the 1,000 bytes"):
        read_ctf(big, max_bytes=1000)
    with pytest.raises(CtfError, match="larger than"):
        parse_ctf(big.read_bytes(), max_bytes=1000)


def test_an_xml_declaration_naming_an_unknown_encoding_is_refused_not_a_crash():
    """Found by fuzzing (issue 9): expat's LookupError escaped the reader."""
    with pytest.raises(CtfError, match="names an encoding that cannot be read"):
        parse_ctf(b'<?xml version="1.0" encoding="U999TF-8"?><CTfile><Header/></CTfile>')
