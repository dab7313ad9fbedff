"""Property tests: whatever a card or manifest contains, loading either gives a Document or
located problems, and every built-in rule evaluates to an outcome — never an exception."""

from __future__ import annotations

import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_mixlint.documents import load_document
from pytest_mixlint.outcomes import evaluate
from pytest_mixlint.packs import builtin_pack_names, load_rules
from pytest_mixlint.problems import MixlintError
from pytest_mixlint.report import document_payload

RULES = load_rules([f"mixlint:{n}" for n in builtin_pack_names()], ".").rules
OUTCOMES = {"passed", "failed", "warned", "error", "skipped", "suppressed"}

quantities = st.builds(lambda n, unit: f"{n}{unit}", st.one_of(st.integers(-10, 10**30), st.floats(allow_nan=True)),
                       st.sampled_from(["", " GB", "TiB", "B", "T", "M", " EB", "k", "%", " parsecs"]))
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**40), st.floats(allow_nan=True),
                    st.text(max_size=12), quantities,
                    st.sampled_from(["mit", "other", "cc-by-nc-4.0", "MIT OR", "train", "code", "github"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                      max_leaves=12)
data_files = st.one_of(scalars, st.lists(st.one_of(scalars, st.fixed_dictionaries({"split": scalars, "path": values})),
                                          max_size=3))
config = st.fixed_dictionaries({"config_name": scalars, "data_files": data_files})
card_keys = st.sampled_from(["license", "licenses", "license_name", "language", "configs", "dataset_info",
                             "mixlint", "size_categories", "pretty_name", "extra_gated_prompt"])
split = st.fixed_dictionaries({"name": st.sampled_from(["train", "test", 3, None]), "num_bytes": scalars,
                               "num_examples": scalars})
dataset_info_entry = st.fixed_dictionaries({"config_name": scalars, "splits": st.one_of(st.lists(split, max_size=3), values)})
source = st.dictionaries(st.sampled_from(["name", "weight", "tokens", "bytes", "documents", "epochs", "license",
                                          "domain", "languages", "card", "tags", "data_files", "extra"]),
                         scalars, max_size=8)
manifest = st.fixed_dictionaries({"mixlint": st.sampled_from([1, 1, 2, "1"]),
                                  "sources": st.one_of(st.lists(source, max_size=5), values)},
                                 optional={"basis": scalars, "ignore": values, "name": scalars})
card = st.one_of(
    st.dictionaries(card_keys, values, max_size=6),
    st.fixed_dictionaries({"license": scalars, "dataset_info": st.one_of(st.lists(dataset_info_entry, max_size=3),
                                                                         dataset_info_entry)}),
    st.fixed_dictionaries({"license": scalars, "mixlint": st.one_of(manifest, values)}),
    st.fixed_dictionaries({"license": scalars, "configs": st.one_of(st.lists(config, max_size=4), values)}),
)


def check_never_crashes(tmp_path, name, text, kind):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    try:
        document = load_document(str(path), name, kind)
    except MixlintError as exc:
        assert exc.problems and all(p.path == name and p.message for p in exc.problems)
        return
    if document is None:
        return
    payload = document_payload(document, document.notes)  # what the summary and reports show
    json.dumps(payload, allow_nan=False)
    for rule in RULES:
        result = evaluate(rule, document)
        assert result.outcome in OUTCOMES
        assert "crashed" not in result.message, result.message
        json.dumps(result.to_json(), allow_nan=False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(metadata=card)
def test_any_card_front_matter(tmp_path, metadata):
    check_never_crashes(tmp_path, "README.md", "---\n" + yaml.safe_dump(metadata, allow_unicode=True) + "---\n# card\n", "card")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=manifest)
def test_any_manifest(tmp_path, data):
    check_never_crashes(tmp_path, "m.mixture.yaml", yaml.safe_dump(data, allow_unicode=True), "manifest")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_any_text_as_a_card_or_manifest(tmp_path, text):
    check_never_crashes(tmp_path, "README.md", "---\n" + text + "\n---\n", "card")
    check_never_crashes(tmp_path, "m.mixture.yaml", text, "manifest")


# Adversarial input (#8): names that try to restyle a report or a terminal, and data-file patterns
# that try to walk the filesystem, loop through links or leave the root.
hostile_text = st.one_of(st.text(max_size=20), st.sampled_from([
    "\n## ALL CHECKS PASSED\n<details>", "<img src=x onerror=alert(1)>", "| a | b |", "`code` *b* _i_ [l](u)",
    "\x1b]0;pwned\x07", "\x1b[31mred", "abc\u202edcba", "\r\nx", "\x00", "# heading", "@acme/security-team",
    "https://evil.example/login", "we\u200bb"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=hostile_text, source=hostile_text, licence=hostile_text)
def test_hostile_names_cannot_restyle_reports_or_terminals(tmp_path, name, source, licence):
    from pytest_mixlint.report import RunRecord, markdown

    path = tmp_path / "m.mixture.yaml"
    path.write_text(json.dumps({"mixlint": 1, "name": name or "x",
                                "sources": [{"name": source or "s", "weight": 1, "license": licence or "mit"},
                                            {"name": "other", "weight": 1}]}))
    try:
        document = load_document(str(path), "m.mixture.yaml", "manifest")
    except MixlintError:
        return
    record = RunRecord()
    payload = document_payload(document, document.notes)
    for rule in RULES:
        record.add(evaluate(rule, document).to_json(), payload)
        payload = None
    text = markdown.render(record)
    assert [line for line in text.splitlines() if line.startswith("#")] == ["# mixlint report", "## m.mixture.yaml — "
                                                                           + markdown.markdown(document.name)]
    assert "<" not in text.replace("\\<", "")
    assert not any(c in text for c in "\x1b\x07\x00\u202e\u200b\r")
    assert "@acme" not in text and "https://" not in text  # no mention, no link


hostile_patterns = st.one_of(st.text(max_size=30), st.sampled_from([
    "/**/*.jsonl", "../**/*", "**/**/**/**/**/**/**/**/*.jsonl", "data/**", "data/loop/**/x", "ftp://127.0.0.1/x",
    "hf://datasets/a/b/*.parquet", "*a*a*a*a*a*a*a*a*a*a*a*ab", "data/[ab].jsonl", "data/[", "./data/../data/*",
    "/etc/passwd", "data/etc/*", "\x00", "~/x"]))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(patterns=st.lists(hostile_patterns, min_size=1, max_size=3))
def test_hostile_data_file_patterns_are_bounded_and_located(tmp_path_factory, patterns):
    import signal

    from pytest_mixlint.scan.measure import measure_document

    repo = tmp_path_factory.mktemp("repo")
    (repo / "data" / "v").mkdir(parents=True)
    (repo / "data" / "v" / "a.jsonl").write_text('{"text": "abc"}\n')
    (repo / "data" / "loop").symlink_to(".")
    (repo / "data" / "etc").symlink_to("/etc")
    path = repo / "m.mixture.yaml"
    path.write_text(json.dumps({"mixlint": 1, "sources": [{"name": "web", "weight": 1, "data_files": patterns}]}))
    try:
        document = load_document(str(path), "m.mixture.yaml", "manifest")
    except MixlintError:
        return

    def hang(signum, frame):
        raise AssertionError(f"measuring {patterns!r} hangs")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(20)
    try:
        measurement = measure_document(document, str(repo))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    for problem in measurement.problems:
        assert problem.message and problem.path
        assert "passwd" not in problem.message or "outside the repository root" in problem.message
    if measurement.mixture is not None:
        assert measurement.mixture.sources[0].documents <= 1  # one real file, however it is reached
