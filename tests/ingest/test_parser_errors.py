"""Broken records are errors naming file, line or entry and field, and the following records go on;
unreadable files are one clear SourceError."""

import gzip
import json

import pytest

from ingest.errors import RecordError, SourceError
from ingest.parsers import parse_file
from ingest.types import ParsedRecord
from tests.ingest import writers

SAMPLES = writers.samples(3)
FIRST, SECOND, THIRD = SAMPLES


def parse(tmp_path, name: str, data: bytes, **options) -> list:
    return list(parse_file(writers.write(tmp_path / name, data), **options))


def ids(results: list) -> list[str]:
    return [r.external_id for r in results if isinstance(r, ParsedRecord)]


def errors(results: list) -> list[tuple]:
    return [(e.file, e.line, e.field) for e in results if isinstance(e, RecordError)]


def test_jsonl_broken_lines_are_errors_and_the_next_lines_go_on(tmp_path):
    lines = [
        json.dumps({"id": FIRST.id, "title": FIRST.title}),
        "{not json",
        json.dumps({"id": "x", "title": ""}),
    ]
    data = ("\n".join(lines) + "\n").encode() + writers.jsonl([SECOND])

    results = parse(tmp_path, "r.jsonl", data)

    assert ids(results) == [FIRST.id, SECOND.id]
    assert errors(results) == [("r.jsonl", 2, ""), ("r.jsonl", 3, "title")]
    assert "invalid JSON" in results[1].reason


def test_json_array_entries_are_numbered_and_a_syntax_error_names_the_entry(tmp_path):
    objects = [{"id": FIRST.id, "title": FIRST.title}, {"id": "x"}, {"id": SECOND.id, "title": SECOND.title}]
    results = parse(tmp_path, "r.json", json.dumps(objects).encode())

    assert ids(results) == [FIRST.id, SECOND.id]
    assert errors(results) == [("r.json", 2, "title")]
    with pytest.raises(SourceError, match=r"r\.json: invalid JSON in entry 3"):
        parse(tmp_path, "r.json", json.dumps(objects).encode()[:-30])
    with pytest.raises(SourceError, match=r"s\.json: expected a JSON array"):
        parse(tmp_path, "s.json", b'"just a string"')


def test_csv_rows_with_missing_fields_or_stray_cells_are_errors(tmp_path):
    data = writers.delimited(SAMPLES) + b"x,,no title\nfour,cells,too,many,here\n"

    results = parse(tmp_path, "r.csv", data)

    assert ids(results) == [s.id for s in SAMPLES]
    assert errors(results) == [("r.csv", 5, "title"), ("r.csv", 6, "")]
    assert "5 cells but 4 columns" in results[-1].reason


def test_csv_mapping_names_the_columns_and_semicolons_separate(tmp_path):
    data = b"doi;Title;Summary;Subjects;year\n10.1/a;A title;An abstract;cs.CL|cs.AI;2025\n"
    mapping = {"id": "doi", "title": "Title", "abstract": "Summary", "labels": "Subjects"}

    (record,) = parse(tmp_path, "r.csv", data, mapping=mapping)

    assert (record.external_id, record.title, record.abstract, record.labels) == (
        "10.1/a",
        "A title",
        "An abstract",
        ("cs.CL", "cs.AI"),
    )
    assert record.metadata == {"year": "2025"}
    with pytest.raises(SourceError, match=r"r\.csv: no column 'Abstract' for the field 'abstract'"):
        parse(tmp_path, "r.csv", data, mapping={**mapping, "abstract": "Abstract"})
    with pytest.raises(SourceError, match=r"r\.csv: no column 'id' for the field 'id'"):
        parse(tmp_path, "r.csv", data)


def test_a_broken_bibtex_block_is_an_error_at_its_first_line(tmp_path):
    good = writers.bibtex([FIRST]).decode()
    broken = "@article{broken,\n  title = {Never closed,\n"
    duplicate = "@article{dup, title={One}}\n@article{dup, title={Two}}\n"
    data = (
        good
        + "\n"
        + broken
        + writers.bibtex([SECOND]).decode()
        + duplicate
        + "@misc{untitled, year={2025}}\n"
    )

    results = parse(tmp_path, "r.bib", data.encode())

    first_line = good.count("\n") + 2
    assert ids(results) == [FIRST.id, SECOND.id, "dup"]
    assert errors(results) == [
        ("r.bib", first_line, ""),
        ("r.bib", data[: data.index("@article{dup, title={Two}")].count("\n") + 1, "id"),
        ("r.bib", data.count("\n"), "title"),
    ]
    assert "broken BibTeX block" in results[1].reason
    assert "duplicate citation key 'dup'" in results[4].reason


def test_a_large_bibtex_file_is_read_in_pieces_with_strings_and_lines_kept(tmp_path):
    many = writers.samples(400)
    body = writers.bibtex(many).decode()
    data = '@string{arxiv = "arXiv preprint"}\n' + body + "@article{last, title={Last}, journal=arxiv}\n"
    assert len(data) > 2 * 256 * 1024  # more than two pieces

    results = parse(tmp_path, "big.bib", data.encode())

    assert ids(results) == [s.id for s in many] + ["last"]
    starts = [n for n, line in enumerate(data.splitlines(), start=1) if line.startswith("@article")]
    assert [r.line for r in results] == starts
    assert results[-1].metadata["journal"] == "arXiv preprint"


def test_bibtex_latex_is_decoded_and_braces_stripped(tmp_path):
    data = (
        '@article{key,\n  title = {The {B}ose--{E}instein {\\"o}dd case},\n'
        "  abstract = {We get 64.4\\% with $x^2$.},\n  doi = {10.1/x},\n  keywords = {a; b, c}\n}\n"
    )

    (record,) = parse(tmp_path, "r.bib", data.encode())

    assert record.title == "The Bose\u2013Einstein \u00f6dd case"
    assert record.abstract == "We get 64.4% with $x^2$."
    assert record.labels == ("a", "b, c")
    assert record.metadata == {"entry_type": "article", "doi": "10.1/x", "keywords": ["a", "b, c"]}


def test_an_unclosed_ris_reference_is_an_error_and_the_next_goes_on(tmp_path):
    data = (
        b"TY  - JOUR\nTI  - Unclosed\n" + writers.ris([FIRST]) + b"TY  - JOUR\nID  - x\nER  - \nTY  - JOUR\n"
    )

    results = parse(tmp_path, "r.ris", data)

    assert ids(results) == [FIRST.id]
    untitled, unclosed = data.index(b"TY  - JOUR\nID  - x"), data.rindex(b"TY  - JOUR")
    lines = [data[:untitled].count(b"\n") + 1, data[:unclosed].count(b"\n") + 1]
    assert errors(results) == [("r.ris", 1, ""), ("r.ris", lines[0], "title"), ("r.ris", lines[1], "")]
    assert "not closed by an ER line" in results[0].reason


def test_ris_falls_back_to_t1_n2_and_do(tmp_path):
    data = b"TY  - JOUR\nT1  - Primary title\nN2  - Notes abstract\nDO  - 10.1/y\nKW  - cs.CL\nER  - \n"

    (record,) = parse(tmp_path, "r.ris", data)

    assert (record.external_id, record.title, record.abstract, record.labels) == (
        "10.1/y",
        "Primary title",
        "Notes abstract",
        ("cs.CL",),
    )


def test_a_jats_article_without_a_title_is_an_error_by_entry_number(tmp_path):
    articles = (
        writers.jats_article(FIRST) + writers.jats_article(SECOND, title="") + writers.jats_article(THIRD)
    )

    results = parse(tmp_path, "r.xml", f"<articles>{articles}</articles>".encode())

    assert ids(results) == [FIRST.id, THIRD.id]
    assert errors(results) == [("r.xml", 2, "title")]


def test_jats_nested_subjects_give_label_paths_and_the_body_gives_full_text(tmp_path):
    article = writers.jats_article(FIRST).replace(
        '<subj-group subj-group-type="arxiv">',
        "<subj-group><subject>Physics</subject><subj-group><subject>Optics</subject></subj-group></subj-group>"
        '<subj-group subj-group-type="arxiv">',
    )
    article = article.replace(
        "<abstract>", '<abstract abstract-type="graphical"><p>A picture</p></abstract><abstract>'
    )
    article = article.replace(
        'pub-id-type="arxiv">', 'pub-id-type="doi">10.1/z</article-id><article-id pub-id-type="arxiv">'
    )

    (record,) = parse(tmp_path, "one.xml", article.encode())

    assert record.labels == ("Physics/Optics", *FIRST.labels)
    assert record.external_id == "10.1/z" and record.abstract == FIRST.abstract
    assert record.full_text == "Introduction\n\nThe body of the paper."


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE article [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
        '<!DOCTYPE article [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',
    ],
    ids=["billion-laughs", "external-entity"],
)
def test_xml_entities_are_refused(tmp_path, doctype):
    data = f'<?xml version="1.0"?>\n{doctype}\n<article><front><article-meta>&c;</article-meta></front></article>'

    with pytest.raises(SourceError, match=r"bomb\.xml: XML entity declarations are not allowed"):
        parse(tmp_path, "bomb.xml", data.encode())


def test_a_jats_doctype_with_an_external_dtd_is_fine_and_not_fetched(tmp_path):
    doctype = '<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) v1.2//EN" "http://jats.nlm.nih.gov/x.dtd">'
    data = f'<?xml version="1.0" encoding="utf-8"?>\n{doctype}\n{writers.jats_article(FIRST)}'

    assert ids(parse(tmp_path, "a.xml", data.encode())) == [FIRST.id]


def test_malformed_xml_names_line_and_column_after_the_good_articles(tmp_path):
    data = f"<articles>{writers.jats_article(FIRST)}\n<article><front></article></articles>"
    results = parse_file(writers.write(tmp_path / "bad.xml", data.encode()))

    assert next(results).external_id == FIRST.id
    with pytest.raises(
        SourceError, match=r"bad\.xml: not well-formed XML at line 2, column \d+: mismatched tag"
    ):
        next(results)


def test_an_xml_file_without_articles_is_not_jats(tmp_path):
    with pytest.raises(SourceError, match=r"page\.html: no <article> element"):
        parse(tmp_path, "page.html", b"<html><body><p>Hello</p></body></html>")


def test_pdf_without_text_encrypted_or_broken(tmp_path):
    blank = writers.pdf([""])
    locked = writers.pdf(["Some text"], encrypt="secret")

    (scanned,) = parse(tmp_path, "scan.pdf", blank)
    (encrypted,) = parse(tmp_path, "locked.pdf", locked)

    assert (scanned.file, scanned.line, scanned.field, scanned.reason) == (
        "scan.pdf",
        1,
        "full_text",
        "no extractable text (scanned PDF?)",
    )
    assert isinstance(encrypted, RecordError) and "encrypted PDF" in encrypted.reason
    with pytest.raises(SourceError, match=r"cut\.pdf: not a readable PDF"):
        parse(tmp_path, "cut.pdf", writers.paper_pdf(FIRST)[:500])


def test_a_pdf_with_an_empty_user_password_is_read(tmp_path):
    (record,) = parse(tmp_path, "open.pdf", writers.pdf(["A readable title", "Text"], encrypt=""))

    assert record.title == "A readable title"


def test_a_pdf_over_the_member_size_limit_is_refused(tmp_path, settings):
    settings.INGEST_MAX_MEMBER_BYTES = 1000

    with pytest.raises(SourceError, match=r"p\.pdf: PDF larger than 1000 bytes"):
        parse(tmp_path, "p.pdf", writers.paper_pdf(FIRST))


def test_an_xml_article_over_the_member_size_limit_is_an_error_and_the_next_goes_on(tmp_path, settings):
    settings.INGEST_MAX_MEMBER_BYTES = 100_000
    huge = writers.jats_article(SECOND).replace("The body of the paper.", "words " * 40_000)
    data = f"<articles>{writers.jats_article(FIRST)}{huge}{writers.jats_article(THIRD)}</articles>"

    results = parse(tmp_path, "r.xml", data.encode())

    assert ids(results) == [FIRST.id, THIRD.id]
    assert errors(results) == [("r.xml", 2, "")]
    assert "article larger than 100000 bytes" in results[1].reason


def test_a_line_over_the_member_size_limit_in_a_csv_file_is_a_source_error(tmp_path, settings):
    settings.INGEST_MAX_MEMBER_BYTES = 1000

    with pytest.raises(SourceError, match=r"r\.csv: line 2 is longer than 1000 bytes"):
        parse(tmp_path, "r.csv", b"id,title\na," + b"x" * 2000)


@pytest.mark.parametrize("name, writer", [("r.json", writers.json_array), ("r.xml", writers.jats)])
def test_bytes_that_are_not_utf8_in_one_json_or_xml_document_name_the_file_and_the_byte_offset(
    tmp_path, name, writer
):
    data = writer(SAMPLES)
    offset = data.index(SECOND.title.encode()) + 3
    latin1 = data[:offset] + b"\xe9" + data[offset + 1 :]

    with pytest.raises(SourceError, match=rf"{name}: not UTF-8 text: byte 0xe9 at byte offset {offset}\b"):
        parse(tmp_path, name, latin1)


def test_a_truncated_gzip_file_is_a_source_error(tmp_path):
    data = gzip.compress(writers.jsonl(writers.samples(50)))

    with pytest.raises(SourceError, match=r"r\.jsonl\.gz: truncated compressed data"):
        parse(tmp_path, "r.jsonl.gz", data[: len(data) // 2])


def test_a_gzip_bomb_is_refused(tmp_path):
    with pytest.raises(SourceError, match=r"r\.jsonl\.gz: gzip data expands to more than .*gzip bomb"):
        parse(tmp_path, "r.jsonl.gz", gzip.compress(b"0" * (30 * 1024 * 1024)))


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("notes.dat", b"Just some prose\nwithout any structure\n", "unrecognised format"),
        ("empty.jsonl", b"  \n\n", "the file is empty"),
        ("excel.csv", "id,title\n".encode("utf-16"), "UTF-16 text"),
        (
            "image.jsonl",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "binary data, not text: byte 0x00 at byte offset 8",
        ),
    ],
)
def test_files_of_no_known_format_are_source_errors(tmp_path, name, data, message):
    with pytest.raises(SourceError, match=rf"^{name}: {message}"):
        parse(tmp_path, name, data)


def test_a_wrong_format_override_gives_clear_errors(tmp_path):
    with pytest.raises(SourceError, match=r"unknown format 'docx'"):
        parse(tmp_path, "r.jsonl", writers.jsonl(SAMPLES), format="docx")
    with pytest.raises(SourceError, match=r"r\.jsonl: no column 'id' for the field 'id'"):
        parse(tmp_path, "r.jsonl", writers.jsonl(SAMPLES), format="csv")


def test_a_missing_file_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match=r"gone\.jsonl: cannot read the file"):
        list(parse_file(tmp_path / "gone.jsonl"))


def test_annif_tsv_lines_without_subject_uris_are_errors(tmp_path):
    data = (
        writers.annif_tsv([FIRST])
        + b"no tab on this line\n"
        + b"Text\tcs.CL <cs.AI>\n"
        + writers.annif_tsv([SECOND])
    )

    results = parse(tmp_path, "corpus.tsv", data)

    assert [r.title for r in results if isinstance(r, ParsedRecord)] == [FIRST.title, SECOND.title]
    assert errors(results) == [("corpus.tsv", 2, "subjects"), ("corpus.tsv", 3, "subjects")]


def test_an_annif_text_without_a_sentence_end_is_titled_by_its_first_200_characters(tmp_path):
    text = " ".join(["word"] * 100)

    (record,) = parse(tmp_path, "corpus.tsv", f"{text}\t<http://example.org/subject/1>\n".encode())

    assert record.title == " ".join(["word"] * 40)[:199]
    assert record.abstract == " ".join(["word"] * 60)
    assert record.labels == ("http://example.org/subject/1",)


def test_csv_cells_may_span_lines_and_rows_keep_their_first_line(tmp_path):
    data = b'id,title,abstract\na,"A title","An abstract\nover two lines"\nb,,\nc,Third,\n'

    results = parse(tmp_path, "r.csv", data)

    assert results[0].abstract == "An abstract\nover two lines"
    assert errors(results) == [("r.csv", 4, "title")] and results[2].line == 5
