"""UPN and ULN rules (pure: no Django), from the GovTalk UPN standard v2.0 and the ESFA DD01 rule.

See ../shared/reference/data-standards.md §2 and §3.
"""

import re

from cme.providers.identifiers import valid_la_codes

UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: no I, O or S
_PERMANENT = re.compile(r"^[A-HJ-NP-RT-Z][0-9]{12}$")
_TEMPORARY = re.compile(r"^[A-HJ-NP-RT-Z][0-9]{11}[A-HJ-NP-RT-Z]$")
TEMPORARY_ULN = "9999999999"





def upn_check_letter(upn: str) -> str:
    total = 0
    for pos in range(2, 14):
        ch = upn[pos - 1]
        total += pos * (int(ch) if ch.isdigit() else UPN_ALPHABET.index(ch))
    return UPN_ALPHABET[total % 23]


def upn_problem(upn: str) -> str | None:
    """Why a UPN is not valid, in words an officer understands; None when it is valid."""
    if len(upn) != 13:
        return "A UPN must be 13 characters long"
    if not (_PERMANENT.match(upn) or _TEMPORARY.match(upn)):
        return (
            "A UPN must be a letter, 11 digits, then a digit or a letter (not I, O or S)"
        )
    if upn[1:4] not in valid_la_codes():
        return f"A UPN’s characters 2 to 4 must be an LA code; {upn[1:4]} is not one"
    expected = upn_check_letter(upn)
    if upn[0] != expected:
        return f"The UPN’s check letter is wrong: it should be {expected}, not {upn[0]}"
    return None


def upn_is_temporary(upn: str) -> bool:
    return bool(_TEMPORARY.match(upn))


def normalise_upn(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def uln_problem(uln: str) -> str | None:
    if uln == TEMPORARY_ULN:
        return None
    if len(uln) != 10 or not uln.isdigit():
        return "A ULN must be 10 digits"
    r = sum(int(uln[i]) * (10 - i) for i in range(9)) % 11
    if r == 0 or 10 - r != int(uln[9]):
        return "The ULN’s check digit is wrong"
    return None
