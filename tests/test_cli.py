"""The ``topicwire`` command, run as a user runs it: a real process, real files, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run
from topicwire.clidoc import render_reference
from topicwire.model import Article
from topicwire.record import read_record, write_record
from topicwire.secured import SecuredPayload, load_key, seal

EXAMPLES = ROOT / "examples" / "records"


def test_seed_round_trip_through_the_cli(tmp_path: Path, seed_path: Path) -> None:
    """The issue's acceptance flow, with --site and from inside the site folder."""
    site = tmp_path / "s"
    run("init", site, "--topic", "AI")
    run("import", "--site", site, seed_path)
    run("export", "--site", site, "--format", "md", "--out", tmp_path / "o")
    (exported,) = (tmp_path / "o" / "_news").iterdir()
    assert (
        exported.name
        == "2023-11-20-amazon-to-cut-jobs-at-alexa-unit-to-sharpen-focus-on-generative-ai.md"
    )
    assert exported.read_bytes() == seed_path.read_bytes()

    run("export", "--format", "md", "--out", tmp_path / "o2", cwd=site)
    (again,) = (tmp_path / "o2" / "_news").iterdir()
    assert again.read_bytes() == seed_path.read_bytes()


def test_init_makes_a_site_and_refuses_to_overwrite(site: Path) -> None:
    for part in (
        "topicwire.toml",
        "topics",
        "providers",
        "sources.opml",
        "secret.key",
        "topicwire.db",
    ):
        assert (site / part).exists(), part
    assert (site / "secret.key").stat().st_mode & 0o777 == 0o600
    again = run("init", site, "--topic", "AI", ok=False)
    assert again.returncode == 1
    assert "already exists" in again.stderr


def test_commands_outside_a_site_say_so(tmp_path: Path) -> None:
    result = run("list", cwd=tmp_path, ok=False)
    assert result.returncode == 1
    assert "not a topicwire site" in result.stderr


def test_import_reference_reports_every_file(
    site: Path, reference_records: list[Path], shared: Path
) -> None:
    base = shared / "reference" / "everyday-ai"
    result = run("import", "--site", site, base / "_news", base / "_archive")
    assert "Read 42 file(s). Imported 42 article(s): 42 new" in result.stdout
    listed = run("list", "--site", site, "--limit", "100")
    assert "42 of 42 article(s)" in listed.stdout
    # Importing again changes nothing and duplicates nothing.
    again = run("import", "--site", site, base / "_news", base / "_archive")
    assert "0 new, 0 updated, 42 unchanged" in again.stdout


def test_import_folder_with_bad_files(site: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for path in EXAMPLES.glob("*.md"):
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "bad-type.md").write_text('---\ntitle: "x"\nquality: high\n---\n', encoding="utf-8")
    (folder / "no-front-matter.md").write_text("just text\n", encoding="utf-8")
    (folder / "items.jsonl").write_text(
        '{"title": "ok", "webUrl": "https://example.com/ok"}\n{broken\n{"title": "no url"}\n',
        encoding="utf-8",
    )
    result = run("import", "--site", site, folder, ok=False)
    assert result.returncode == 1
    assert "Imported 4 article(s): 4 new" in result.stdout
    assert f"{folder / 'bad-type.md'}:3" in result.stderr
    assert "valid integer" in result.stderr
    assert "no front matter" in result.stderr
    assert f"{folder / 'items.jsonl'}:2" in result.stderr
    assert f"{folder / 'items.jsonl'}:3" in result.stderr
    assert "neither webUrl nor originalUrl" in result.stderr
    listed = run("list", "--site", site)
    assert "4 of 4 article(s)" in listed.stdout
    assert "City council pauses facial recognition pilot pending audit" in listed.stdout


def test_jsonl_export_imports_into_another_site(site: Path, tmp_path: Path) -> None:
    run("import", "--site", site, EXAMPLES)
    run("export", "--site", site, "--format", "jsonl", "--out", tmp_path / "j")
    lines = (tmp_path / "j" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    assert all(json.loads(line)["body"] for line in lines)

    other = tmp_path / "other"
    run("init", other, "--topic", "AI")
    run("import", "--site", other, tmp_path / "j" / "articles.jsonl")
    run("export", "--site", site, "--out", tmp_path / "a")
    run("export", "--site", other, "--out", tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a" / "_news").iterdir())
    assert names == sorted(p.name for p in EXAMPLES.glob("*.md"))
    for name in names:
        assert (tmp_path / "a" / "_news" / name).read_bytes() == (EXAMPLES / name).read_bytes()
        assert (tmp_path / "b" / "_news" / name).read_bytes() == (EXAMPLES / name).read_bytes()


def test_show_by_id_and_url(site: Path) -> None:
    run("import", "--site", site, EXAMPLES)
    url = "https://www.example.com/local/facial-recognition-pilot-paused"
    by_url = run("show", "--site", site, url + "?utm_source=newsletter")
    article_id = next(
        line.split()[0]
        for line in run("list", "--site", site).stdout.splitlines()
        if "City council" in line
    )
    by_id = run("show", "--site", site, article_id)
    assert by_url.stdout == by_id.stdout
    assert by_id.stdout == (
        EXAMPLES / "2026-11-19-city-council-pauses-facial-recognition-pilot-pending-audit.md"
    ).read_text(encoding="utf-8")
    as_json = json.loads(run("show", "--site", site, article_id, "--json").stdout)
    assert as_json["webUrl"] == url
    missing = run("show", "--site", site, "999", ok=False)
    assert missing.returncode == 1
    assert "no article" in missing.stderr


def test_decrypt_opens_our_secured_values(site: Path, tmp_path: Path) -> None:
    payload = SecuredPayload(
        text="The full text.",
        original_url="https://example.com/a?utm_source=x",
        fetch={"status": 200},
    )
    record = tmp_path / "sealed.md"
    write_record(Article(title="t", secured=seal(payload, load_key(site))), record)
    opened = json.loads(run("decrypt", "--site", site, record).stdout)
    assert opened["text"] == "The full text."
    assert opened["originalUrl"] == "https://example.com/a?utm_source=x"
    assert opened["fetch"] == {"status": 200}
    inside = json.loads(run("decrypt", record, cwd=site).stdout)
    assert inside == opened


def test_decrypt_says_a_foreign_value_cannot_be_opened(site: Path, seed_path: Path) -> None:
    result = run("decrypt", "--site", site, seed_path, ok=False)
    assert result.returncode == 1
    assert "cannot be opened with this site's key" in result.stderr
    assert read_record(seed_path).secured  # and the value itself is untouched


def test_readme_cli_reference_is_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert render_reference() in readme, "README's CLI reference is stale: run `make docs`"


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("init", "import", "export", "list", "show", "decrypt"):
        assert f"### `topicwire {command}`" in readme


def test_commands_load_only_what_they_run(tmp_path: Path) -> None:
    """``topicwire --help`` (and the command line before any command runs) loads neither the
    extraction stack nor the HTTP client nor the neighbour index: a user waits for those only
    in the commands that use them. Asked in a fresh interpreter, as a user's shell starts it."""
    heavy = ("trafilatura", "wordfreq", "ftfy", "aiohttp", "hnswlib", "datasketch", "alembic")
    probe = (
        f"import sys, topicwire.cli\nprint(','.join(m for m in {heavy!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert done.stdout.strip() == ""
    helped = subprocess.run(
        [sys.executable, "-m", "topicwire", "--help"], capture_output=True, text=True, cwd=tmp_path
    )
    assert helped.returncode == 0
    for command in ("publish", "fetch", "extract", "export", "stories", "serve"):
        assert command in helped.stdout
    # what `topicwire publish` runs on: none of those, nor numpy or cryptography either
    publishing = (
        "import sys, topicwire.cli, topicwire.site, topicwire.store, topicwire.publish.build\n"
        f"print(','.join(m for m in {(*heavy, 'numpy', 'cryptography')!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", publishing], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""


def test_lazy_package_names_load_on_first_use() -> None:
    """The packages that load their names on first use still answer every name they list,
    and refuse others the way a module does."""
    import topicwire.extract as extract
    import topicwire.fetch as fetch

    for package in (extract, fetch):
        for name in package.__all__:
            assert getattr(package, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = extract.nothing_here  # type: ignore[attr-defined]
