"""ZIP and tar archives of mixed formats, nesting, hidden files, members not read, Annif corpora and zip bombs."""

import io
import stat
import tarfile
import zipfile

import pytest

from ingest.errors import RecordError, SourceError
from ingest.parsers import parse_file
from ingest.types import ParsedRecord
from tests.ingest import writers
from tests.ingest.test_formats import expected, summary

SAMPLES = writers.samples(12)


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def tar_bytes(members: dict[str, bytes], mode: str = "w:gz") -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def mixed_members() -> dict[str, bytes]:
    """Two records in each of six formats, one gzip-compressed, one a PDF, plus what must be skipped."""
    s = SAMPLES
    return {
        "refs/a.bib": writers.bibtex(s[0:2]),
        "refs/b.ris": writers.ris(s[2:4]),
        "data/c.jsonl.gz": writers.gzipped(writers.jsonl(s[4:6])),
        "data/d.csv": writers.delimited(s[6:8]),
        "articles/e.xml": writers.jats(s[8:10]),
        f"papers/{s[10].id}.pdf": writers.paper_pdf(s[10]),
        "json/f.json": writers.json_array(s[11:12]),
        ".hidden/notes.jsonl": b"not records",
        "refs/.DS_Store": b"\x00\x01",
        "__MACOSX/refs/._a.bib": b"\x00\x05\x16\x07",
    }


def test_a_zip_of_mixed_formats_gives_every_record_named_by_member(tmp_path):
    path = writers.write(tmp_path / "batch.zip", zip_bytes(mixed_members()))

    results = list(parse_file(path))

    assert summary(results) == [(*row[:1], *row[1:]) for row in expected(SAMPLES[:10])] + [
        (f"papers/{SAMPLES[10].id}", *expected(SAMPLES[10:11])[0][1:]),
        *expected(SAMPLES[11:]),
    ]
    assert [r.file for r in results[:2]] == ["batch.zip:refs/a.bib"] * 2
    assert results[4].file == "batch.zip:data/c.jsonl.gz"
    assert results[10].file == f"batch.zip:papers/{SAMPLES[10].id}.pdf"


@pytest.mark.parametrize("mode, name", [("w:gz", "batch.tar.gz"), ("w", "batch.tar"), ("w:gz", "batch.tgz")])
def test_a_tar_archive_gives_the_same_records_as_the_zip(tmp_path, mode, name):
    zipped = list(parse_file(writers.write(tmp_path / "batch.zip", zip_bytes(mixed_members()))))
    path = writers.write(tmp_path / name, tar_bytes(mixed_members(), mode))

    results = list(parse_file(path))

    assert summary(results) == summary(zipped)
    assert results[0].file == f"{name}:refs/a.bib"


def test_an_archive_in_an_archive_is_read_but_no_deeper(tmp_path):
    innermost = zip_bytes({"deep.jsonl": writers.jsonl(SAMPLES[2:3])})
    inner = zip_bytes({"inner.jsonl": writers.jsonl(SAMPLES[1:2]), "innermost.zip": innermost})
    outer = zip_bytes({"outer.jsonl": writers.jsonl(SAMPLES[:1]), "inner.zip": inner})
    path = writers.write(tmp_path / "outer.zip", outer)

    results = list(parse_file(path))

    assert summary(results[:2]) == expected(SAMPLES[:2])
    assert results[1].file == "outer.zip:inner.zip:inner.jsonl"
    error = results[2]
    assert isinstance(error, RecordError) and error.file == "outer.zip:inner.zip:innermost.zip"
    assert "nested archive" in error.reason


def test_a_broken_member_is_one_error_and_the_others_go_on(tmp_path):
    members = {
        "a.jsonl": writers.jsonl(SAMPLES[:1]),
        "b.jsonl": b'{"id": "x", "title": "caf\xe9"}\n',
        "c.jsonl.gz": writers.gzipped(writers.jsonl(SAMPLES[1:2]))[:-30],
        "d.pdf": b"%PDF-1.4 nothing else",
        "e.jsonl": writers.jsonl(SAMPLES[2:3]),
    }
    path = writers.write(tmp_path / "batch.zip", zip_bytes(members))

    results = list(parse_file(path))

    assert summary([results[0], results[4]]) == expected([SAMPLES[0], SAMPLES[2]])
    errors = results[1:4]
    assert [(e.file, e.line, e.field, type(e)) for e in errors] == [
        ("batch.zip:b.jsonl", 1, "title", RecordError),
        ("batch.zip:c.jsonl.gz", 0, "", RecordError),
        ("batch.zip:d.pdf", 0, "", RecordError),
    ]
    assert errors[0].reason == "not UTF-8 text: byte 0xe9 at character 4; save the file as UTF-8"
    assert "truncated" in errors[1].reason
    assert "not a readable PDF" in errors[2].reason


def test_a_zip_of_annif_documents_pairs_texts_with_key_and_tsv_subject_files(tmp_path):
    members = {}
    for number, sample in enumerate(SAMPLES[:4]):
        text, subjects = writers.annif_document(sample)
        members[f"docs/{sample.id}.txt"] = text
        members[f"docs/{sample.id}.{'key' if number % 2 else 'tsv'}"] = subjects
    members["docs/unlabelled.txt"] = b"A document without subjects\n\nIts only paragraph.\n"
    path = writers.write(tmp_path / "corpus.zip", zip_bytes(members))

    results = list(parse_file(path))

    assert summary(results[:4]) == [(f"docs/{row[0]}", *row[1:]) for row in expected(SAMPLES[:4])]
    assert (results[4].external_id, results[4].title, results[4].abstract, results[4].labels) == (
        "docs/unlabelled",
        "A document without subjects",
        "Its only paragraph.",
        (),
    )


def test_a_zip_bomb_member_is_refused_by_its_compression_ratio(tmp_path):
    members = {"a.jsonl": writers.jsonl(SAMPLES[:1]), "bomb.jsonl": b"\n" * (30 * 1024 * 1024)}
    path = writers.write(tmp_path / "bomb.zip", zip_bytes(members))

    with pytest.raises(SourceError, match=r"bomb\.zip: member bomb\.jsonl: .*INGEST_MAX_COMPRESSION_RATIO"):
        list(parse_file(path))


def test_an_archive_over_the_total_size_limit_is_refused_naming_the_member(tmp_path, settings):
    settings.INGEST_MAX_ARCHIVE_BYTES = 10_000
    members = {f"part{n}.jsonl": writers.jsonl(SAMPLES[n : n + 1]) for n in range(12)}
    path = writers.write(tmp_path / "big.zip", zip_bytes(members, zipfile.ZIP_STORED))

    with pytest.raises(SourceError, match=r"big\.zip: member part\d+\.jsonl: .*INGEST_MAX_ARCHIVE_BYTES"):
        list(parse_file(path))


def test_a_gzip_bomb_inside_an_archive_sinks_the_archive(tmp_path):
    members = {
        "a.jsonl": writers.jsonl(SAMPLES[:1]),
        "b.jsonl.gz": writers.gzipped(b"0" * (30 * 1024 * 1024)),
    }
    path = writers.write(tmp_path / "batch.zip", zip_bytes(members, zipfile.ZIP_STORED))

    results = parse_file(path)
    assert isinstance(next(results), ParsedRecord)
    with pytest.raises(SourceError, match=r"batch\.zip:b\.jsonl\.gz: gzip data expands to more than"):
        list(results)


def test_a_tar_gz_bomb_is_refused(tmp_path, settings):
    settings.INGEST_MAX_ARCHIVE_BYTES = 2 * 1024 * 1024
    path = writers.write(tmp_path / "bomb.tar.gz", tar_bytes({"zeros.jsonl": b"\n" * (3 * 1024 * 1024)}))

    with pytest.raises(
        SourceError, match=r"bomb\.tar\.gz: .*(INGEST_MAX_COMPRESSION_RATIO|INGEST_MAX_ARCHIVE_BYTES)"
    ):
        list(parse_file(path))


def test_a_broken_zip_is_a_source_error(tmp_path):
    data = zip_bytes({"a.jsonl": writers.jsonl(SAMPLES[:3])})
    path = writers.write(tmp_path / "broken.zip", data[: len(data) // 2])

    with pytest.raises(SourceError, match=r"broken\.zip: not a readable ZIP archive"):
        list(parse_file(path))


def not_read(results: list) -> dict[str, str]:
    """The members reported as not read: name → reason."""
    return {
        r.file: r.reason.removeprefix("not read: ")
        for r in results
        if isinstance(r, RecordError) and r.line == 0 and r.reason.startswith("not read: ")
    }


def test_zip_members_that_climb_out_are_absolute_or_links_are_reported_not_read(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.jsonl", writers.jsonl(SAMPLES[:1]))
        archive.writestr("./b.jsonl", writers.jsonl(SAMPLES[1:2]))
        for name in (
            "../evil.jsonl",
            "x/../../evil.jsonl",
            "..\\win.jsonl",
            "/etc/abs.jsonl",
            "C:/abs.jsonl",
        ):
            archive.writestr(name, writers.jsonl(SAMPLES[2:3]))
        link = zipfile.ZipInfo("link.jsonl")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
        archive.writestr("__MACOSX/._a.jsonl", b"\x00\x05")
    path = writers.write(tmp_path / "batch.zip", out.getvalue())

    results = list(parse_file(path))

    assert summary([r for r in results if isinstance(r, ParsedRecord)]) == expected(SAMPLES[:2])
    climbs = 'a path that climbs out of the archive ("..")'
    assert not_read(results) == {
        "batch.zip:../evil.jsonl": climbs,
        "batch.zip:x/../../evil.jsonl": climbs,
        "batch.zip:..\\win.jsonl": climbs,
        "batch.zip:/etc/abs.jsonl": "an absolute path",
        "batch.zip:C:/abs.jsonl": "an absolute path",
        "batch.zip:link.jsonl": "a symbolic link",
    }
    assert len(results) == 8  # nothing else: the resource fork is left out quietly


def test_tar_links_devices_and_escaping_paths_are_reported_not_read(tmp_path):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in {"a.jsonl": writers.jsonl(SAMPLES[:1]), "../up.jsonl": b"{}\n"}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, kind, target in [
            ("sym.jsonl", tarfile.SYMTYPE, "/etc/passwd"),
            ("hard.jsonl", tarfile.LNKTYPE, "a.jsonl"),
            ("tty", tarfile.CHRTYPE, ""),
            ("pipe", tarfile.FIFOTYPE, ""),
        ]:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, target
            archive.addfile(info)
    path = writers.write(tmp_path / "batch.tgz", out.getvalue())

    results = list(parse_file(path))

    assert summary([r for r in results if isinstance(r, ParsedRecord)]) == expected(SAMPLES[:1])
    assert not_read(results) == {
        "batch.tgz:../up.jsonl": 'a path that climbs out of the archive ("..")',
        "batch.tgz:sym.jsonl": "a symbolic link (to /etc/passwd)",
        "batch.tgz:hard.jsonl": "a hard link (to a.jsonl)",
        "batch.tgz:tty": "a device or FIFO",
        "batch.tgz:pipe": "a device or FIFO",
    }


def test_a_member_not_read_in_a_nested_archive_is_named_by_both(tmp_path):
    inner = zip_bytes({"../x.jsonl": b"{}\n", "ok.jsonl": writers.jsonl(SAMPLES[:1])})
    path = writers.write(tmp_path / "outer.zip", zip_bytes({"inner.zip": inner}))

    results = list(parse_file(path))

    assert not_read(results) == {
        "outer.zip:inner.zip:../x.jsonl": 'a path that climbs out of the archive ("..")'
    }
    assert summary(results[1:]) == expected(SAMPLES[:1])
