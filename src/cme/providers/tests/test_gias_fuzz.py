"""Fuzzing the GIAS importer with hostile extracts (hypothesis): no crash; an honest success
(every row counted as added, updated, unchanged or skipped) or a refusal naming row and column;
the directory unchanged on refusal."""

from hypothesis import given

from cme.providers.gias import read_extract
from cme.providers.models import Organisation
from cme.providers.services import ImportRefused, gias_import
from cme.testing.hostile import FUZZ, data_rows, hostile_file

HEAD = ("URN,LA (code),LA (name),EstablishmentNumber,EstablishmentName,TypeOfEstablishment (name),"
        "EstablishmentStatus (name),OpenDate,CloseDate,PhaseOfEducation (name),StatutoryLowAge,"
        "StatutoryHighAge,Postcode\r\n")
GOOD = (HEAD
        + "140201,901,Northmoor,3001,St Thérèse’s Primary,Community school,Open,01-09-1990,,Primary,4,11,NM1 1AA\r\n"
        + "140202,901,Northmoor,4001,Moor High,Academy converter,Open,01-09-2012,,Secondary,11,16,NM1 2AA\r\n"
        + "140203,901,Northmoor,,Moor Children's Centre,Children's centre,Open,,,Not applicable,,,NM1 3AA\r\n"
        ).encode("cp1252")


def _state():
    return sorted(Organisation.objects.values_list("urn", "name", "estab", "status", "postcode"))


@FUZZ
@given(data=hostile_file(GOOD))
def test_hostile_gias_extracts(la_a, data):
    before = _state()
    extract = read_extract(data)
    try:
        report = gias_import(actor=None, extract=extract, file_name="f.csv")
    except ImportRefused as refused:
        assert refused.problems
        for problem in refused.problems:
            assert problem.row > 0 and problem.column, str(problem)
        assert _state() == before
    else:
        taken = report.added + report.updated + report.unchanged + sum(report.skipped_types.values())
        assert taken + report.outside_filter == data_rows(data), "a success must count every row"
