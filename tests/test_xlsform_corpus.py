"""Each form of the corpus (tests/xlsform_corpus.py) gets its verdict: accepted, or refused
with every problem found in one pass, each naming the unsupported feature or the mistake
in the author's own words, with its sheet and row."""

import io

import pytest

from haven.scoring import xform, xlsform, xlsform_reader
from tests.xlsform import workbook
from tests.xlsform_corpus import ACCEPTED, FORMS, CorpusForm


def xls_workbook(sheets: dict[str, list[list]]) -> bytes:
    """The same sheets in the older binary .xls format."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value != "":
                    sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def data_of(entry: CorpusForm) -> bytes:
    return xls_workbook(entry.sheets) if entry.file.endswith(".xls") else workbook(entry.sheets)


def test_the_corpus_is_varied_enough():
    assert len(FORMS) >= 20
    assert sum(entry.verdict == ACCEPTED for entry in FORMS) >= 10
    assert any(entry.file.endswith(".xls") for entry in FORMS)


@pytest.mark.parametrize("entry", FORMS, ids=[entry.file for entry in FORMS])
def test_each_form_gets_its_verdict(entry: CorpusForm):
    data = data_of(entry)
    if entry.verdict == ACCEPTED:
        form = xlsform_reader.load(data, entry.file, entry.media)
        assert form.index(), entry.style
        # The XForm the fill page's engine reads names the same form.
        assert f'id="{form.form_id}"' in xform.xform_of(data, entry.file)
        return
    with pytest.raises(xlsform.FormError) as caught:
        xlsform_reader.load(data, entry.file, entry.media)
    problems = caught.value.problems
    text = " | ".join(map(str, problems)).lower()
    for word in entry.named:
        assert word.lower() in text, (entry.file, problems)
    for problem in problems:
        assert problem.sheet and problem.row, problem  # where to look
        assert "../" not in problem.message and "/data/" not in problem.message, problem
