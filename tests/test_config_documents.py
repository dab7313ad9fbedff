"""Training configs as documents (#11): the same rules on a Megatron script, a NeoX config, an
llm-foundry YAML, a manifest, through both front ends."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_mixlint.cli import main

ROOT = Path(__file__).parent.parent
REPO = Path(__file__).parent / "data" / "config-repo"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    shutil.copytree(REPO, tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "repo")
    return tmp_path / "repo"


def check_json(*argv):
    out = io.StringIO()
    status = main(["check", "--format", "json", *argv], out)
    return status, json.loads(out.getvalue())


def test_the_same_rules_on_every_config_format_and_the_manifest(repo):
    status, report = check_json()
    documents = {d["path"]: d for d in report["documents"]}
    assert status == 1 and set(documents) == {"mix.mixture.yaml", "train/pretrain_1b.sh", "configs/neox/20b.yml",
                                              "yamls/mpt.yaml"}
    rules = {path: {r["rule"] for r in d["results"]} for path, d in documents.items()}
    assert len({frozenset(r) for r in rules.values()}) == 1  # the same rules everywhere
    script = {r["rule"]: r for r in documents["train/pretrain_1b.sh"]["results"]}
    assert script["min-code-share"]["outcome"] == "failed" and script["min-code-share"]["observed"] == pytest.approx(0.03)
    assert script["commercial-use"]["outcome"] == "failed" and "'books'" in json.dumps(script["commercial-use"])
    assert {c["name"]: c["share"] for c in documents["configs/neox/20b.yml"]["components"]} == {
        "web": pytest.approx(0.9), "starcoder": pytest.approx(0.1)}
    assert documents["yamls/mpt.yaml"]["kind"] == "config"


def test_pytest_gives_the_same_results(repo):
    _, ours = check_json()
    completed = subprocess.run([sys.executable, "-m", "pytest", "--mixlint", "-p", "no:cacheprovider", "-q",
                                "--mixlint-report=r.json"], cwd=repo, capture_output=True, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    theirs = json.loads((repo / "r.json").read_text())
    assert completed.returncode == 1 and ours["documents"] == theirs["documents"]
    assert "train/pretrain_1b.sh::min-code-share FAILED" in completed.stdout or \
        "FAILED train/pretrain_1b.sh::min-code-share" in completed.stdout


def test_what_a_script_cannot_say_is_a_located_error(repo):
    (repo / "train" / "pretrain_1b.sh").write_text("torchrun pretrain_gpt.py --data-path $BLEND\n")
    _, report = check_json("train/pretrain_1b.sh")
    (result,) = report["documents"][0]["results"]
    assert result["rule"] == "mixlint-load" and result["line"] == 1
    assert "--data-path: $BLEND is never set in the script" in result["message"]


def test_a_bad_format_in_the_ini_is_a_usage_error(repo, capsys):
    (repo / "pytest.ini").write_text("[pytest]\nmixlint_configs = train/*.sh = megatorn\n")
    out = io.StringIO()
    assert main(["check"], out) == 2
    assert "'megatorn' is no config format (did you mean 'megatron'?)" in capsys.readouterr().err


def test_configs_are_recognised_by_their_content(repo):
    (repo / "pytest.ini").write_text("[pytest]\n")  # no mixlint_configs line
    _, report = check_json()
    assert {d["path"]: d["kind"] for d in report["documents"]} == {
        "mix.mixture.yaml": "manifest", "train/pretrain_1b.sh": "config", "configs/neox/20b.yml": "config",
        "yamls/mpt.yaml": "config"}


@pytest.mark.parametrize(("name", "text"), [
    (".github/workflows/ci.yml", "on:\n  push:\n    paths: ['src/**']\njobs: {}\n"),
    ("docker-compose.yml", "services:\n  web: {image: nginx}\n"),
    ("scripts/run.sh", "python train.py --lr 1\n"),
    ("notes.yaml", "data:\n  paths: not-a-list\n"),
    # what only looks like a config
    ("eval/ppl.sh", "python eval/perplexity.py --data-path /data/heldout_text_document\n"),
    ("notes.sh", "# run with --data-path 1 /x\necho hi\n"),
    ("evals/suite.yaml", "data:\n  paths: [hellaswag.jsonl, piqa.jsonl]\n"),
    ("logging.yaml", "dataset:\n  streams: {stdout: {level: info}}\n"),
])
def test_files_that_are_not_configs_are_left_alone(tmp_path, name, text):
    from pytest_mixlint.configs.detect import detect_format

    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    assert detect_format(str(path)) is None


def test_a_large_json_data_file_is_not_read(tmp_path):
    from pytest_mixlint.configs.detect import MAX_CONFIG_BYTES, detect_format

    data = tmp_path / "train.json"
    data.write_text(json.dumps({"train-data-paths": ["/a"], "pad": "x" * MAX_CONFIG_BYTES}))
    assert detect_format(str(data)) is None


def test_show_reads_a_file_as_the_format_asked(repo):
    (repo / "blend.conf").write_text("python pretrain_gpt.py --data-path 0.5 /d/web 0.5 /d/code\n")
    out = io.StringIO()
    assert main(["show", "blend.conf", "--as", "megatron"], out) == 0
    assert "blend.conf (config: blend)" in out.getvalue() and "50.0%" in out.getvalue()


def test_import_writes_a_manifest_that_checks_like_the_config(repo):
    out = io.StringIO()
    assert main(["import", "train/pretrain_1b.sh", "-o", "imported.mixture.yaml"], out) == 0
    text = (repo / "imported.mixture.yaml").read_text()
    assert text.startswith("# Imported by `mixlint import` from train/pretrain_1b.sh (megatron format)")
    assert "# train/pretrain_1b.sh:4" in text  # books: where its path is added to the blend
    assert '  - name: "starcoder"  # train/pretrain_1b.sh:3' in text and "    weight: 3%" in text
    _, report = check_json("train/pretrain_1b.sh", "imported.mixture.yaml")
    config, manifest = (d for d in sorted(report["documents"], key=lambda d: d["kind"]))
    outcomes = [{r["rule"]: (r["outcome"], r["observed"]) for r in d["results"]} for d in (config, manifest)]
    assert outcomes[0] == {rule: outcome for rule, outcome in outcomes[1].items() if rule in outcomes[0]}
    assert main(["import", "mix.mixture.yaml"], io.StringIO()) == 2  # a manifest is no config


def test_a_measured_rule_reads_exact_tokens_from_megatron_data(repo):
    """The script's prefixes are Megatron indexed datasets here: measured by tokens, no tokenizer."""
    from tests.test_tokenized import write_megatron

    for name, tokens in (("cc/cc_text_document", 850), ("starcoder/code_content_document", 30),
                         ("books/pg19_text_document", 120)):
        (repo / "data" / name).parent.mkdir(parents=True, exist_ok=True)
        write_megatron(repo / "data" / name, [[1] * (tokens // 10)] * 10)
    (repo / "train" / "pretrain_1b.sh").write_text(
        (repo / "train" / "pretrain_1b.sh").read_text().replace("DATA=/lustre/corpus", "DATA=../data"))
    (repo / "mixlint.yaml").write_text("mixlint-rules: 1\nrules:\n  - {id: d, kind: measured, by: tokens}\n")
    with open(repo / "pytest.ini", "a") as ini:  # data is not a text file: its size is not limited
        ini.write("mixlint_max_file_bytes = 1000\n")  # the .bin of cc has 1,700
    status, report = check_json("train/pretrain_1b.sh")
    (result,) = report["documents"][0]["results"]
    assert status == 0 and result["outcome"] == "passed", result["message"]
    measured = {c["name"]: c["measured"]["tokens"] for c in report["documents"][0]["components"]}
    assert measured == {"web": 850, "starcoder": 30, "books": 120}
    (repo / "data" / "books" / "pg19_text_document.bin").write_bytes(b"\0" * 10)  # cut short
    status, report = check_json("train/pretrain_1b.sh")
    (result,) = report["documents"][0]["results"]
    assert status == 1 and "its index says 240" in result["message"]


def test_an_uncatalogued_source_fails_the_licence_rule_with_the_fix(repo):
    (repo / "mixlint.yaml").write_text("mixlint-rules: 1\nrules:\n  - {id: lic, kind: license-mix}\n")
    _, report = check_json("configs/neox/20b.yml")
    (result,) = report["documents"][0]["results"]
    assert result["outcome"] == "passed"  # both sources are in the catalogue
    (repo / "mixlint.catalog.yaml").write_text("- {match: '*/cc*', name: web, domain: web, license: MIT}\n")
    _, report = check_json("configs/neox/20b.yml")
    (result,) = report["documents"][0]["results"]
    assert result["outcome"] == "failed" and "catalogue" in json.dumps(result["findings"])


def test_a_config_never_reads_outside_the_root_or_a_fifo(repo, tmp_path):
    import os as _os

    (tmp_path / "secret.txt").write_text("0.5 /secret/a 0.5 /secret/b\n")
    (repo / "train" / "pretrain_1b.sh").write_text(f"torchrun pretrain_gpt.py --data-args-path {tmp_path}/secret.txt\n")
    _, report = check_json("train/pretrain_1b.sh")
    (result,) = report["documents"][0]["results"]
    assert "outside the repository root" in result["message"] and "/secret/a" not in json.dumps(report)
    _os.mkfifo(repo / "fifo.txt")
    (repo / "train" / "pretrain_1b.sh").write_text("torchrun pretrain_gpt.py --data-args-path ../fifo.txt\n")
    _, report = check_json("train/pretrain_1b.sh")  # returns: a FIFO is never opened
    assert "not a regular file" in report["documents"][0]["results"][0]["message"]


def test_check_reads_a_named_file_as_the_format_asked(repo):
    (repo / "blend.conf").write_text("python pretrain_gpt.py --data-path 0.99 /d/cc/web 0.01 /d/starcoder/code\n")
    status, report = check_json("blend.conf", "--as", "megatron")
    (document,) = report["documents"]
    assert document["kind"] == "config" and status == 1  # 1% code: min-code-share fails


# --- what a config leaves to the run, declared in the ini (mixlint_variables) -------------------------------

LEFT_TO_THE_RUN = """\
#!/bin/bash
if [ "$SIZE" = big ]; then
  BLEND="0.8 $DATA_PATH/cc/cc_text_document 0.2 $DATA_PATH/starcoder/code_content_document"
else
  BLEND="0.9 $DATA_PATH/cc/cc_text_document 0.1 $DATA_PATH/starcoder/code_content_document"
fi
torchrun pretrain_gpt.py --data-path $BLEND
"""


def test_an_unset_variable_names_the_ini_line_that_declares_it(repo):
    (repo / "train" / "left.sh").write_text(LEFT_TO_THE_RUN.replace("$BLEND", "0.5 $DATA_PATH/cc/x 0.5 /d/starcoder/y"))
    _, report = check_json("train/left.sh")
    (load,) = report["documents"][0]["results"]
    assert load["rule"] == "mixlint-load" and load["line"] == 7
    assert load["findings"][0]["hint"].startswith("declare the value the run uses in the ini "
                                                  "(mixlint_variables: DATA_PATH = VALUE)")


def test_declared_variables_resolve_a_script_and_choose_its_branch(repo):
    (repo / "train" / "left.sh").write_text(LEFT_TO_THE_RUN)
    _, report = check_json("train/left.sh")
    hints = {f["hint"] for f in report["documents"][0]["results"][0]["findings"]}
    assert any("mixlint_variables: BLEND = VALUE" in h for h in hints)  # the branch: declare the blend itself
    with open(repo / "pytest.ini", "a") as ini:
        ini.write("mixlint_variables =\n    DATA_PATH = /lustre\n"
                  "    BLEND = 0.8 /lustre/cc/cc_text_document 0.2 /lustre/starcoder/code_content_document\n")
    _, report = check_json("train/left.sh")
    (document,) = report["documents"]
    assert {c["name"]: c["share"] for c in document["components"]} == {"web": pytest.approx(0.8),
                                                                        "starcoder": pytest.approx(0.2)}


def test_an_olmo_core_placeholder_is_declared_the_same_way(repo):
    (repo / "mix.txt").write_text("web,/lustre/cc/{TOKENIZER}/part-0.npy\ncode,/lustre/starcoder/{TOKENIZER}/a.npy\n")
    with open(repo / "pytest.ini", "a") as ini:
        ini.write("    mix.txt = olmo-core\n")
    _, report = check_json("mix.txt")
    assert "mixlint_variables: TOKENIZER = VALUE" in json.dumps(report)
    with open(repo / "pytest.ini", "a") as ini:
        ini.write("mixlint_variables = TOKENIZER = dolma2\n")
    _, report = check_json("mix.txt")
    (document,) = report["documents"]
    assert [c["name"] for c in document["components"]] == ["web", "starcoder"]


def test_a_malformed_variable_line_is_a_usage_error(repo, capsys):
    with open(repo / "pytest.ini", "a") as ini:
        ini.write("mixlint_variables = DATA PATH = /x\n")
    assert main(["check"], io.StringIO()) == 2
    assert "mixlint_variables: 'DATA PATH = /x' is not 'NAME = VALUE'" in capsys.readouterr().err


# --- exact tokens of every tokenized format a config names ---------------------------------------------------

TOKENIZED = Path(__file__).parent / "data" / "tokenized"
COUNTS = json.loads((TOKENIZED / "expected.json").read_text())


def measured_tokens(path):
    out = io.StringIO()
    status = main(["show", path, "--measured", "--format", "json"], out)
    (document,) = json.loads(out.getvalue())["documents"]
    return status, {c["name"]: c["measured"]["tokens"] for c in document["components"]}


def test_llm_foundry_streams_over_local_mds_are_counted(repo):
    shutil.copytree(TOKENIZED, repo / "data")
    (repo / "yamls" / "mds.yaml").write_text(
        "train_loader:\n  dataset:\n    streams:\n"
        "      web: {local: ../data/mds-int32, remote: s3://corpus/cc/mds, proportion: 0.7}\n"
        "      code: {local: ../data/mds-int64-bytes, remote: s3://corpus/starcoder/mds, proportion: 0.3}\n")
    status, tokens = measured_tokens("yamls/mds.yaml")
    assert status == 0 and tokens == {"web": COUNTS["mds-int32"]["tokens"], "starcoder": COUNTS["mds-int64-bytes"]["tokens"]}  # the catalogue names the remote


def test_a_nanotron_stage_over_datatrove_folders_is_counted(repo):
    shutil.copytree(TOKENIZED, repo / "data")
    (repo / "nanoset.yaml").write_text(
        "data_stages:\n  - name: stable\n    data:\n      dataset:\n"
        "        dataset_folder: [data/datatrove-uint16, data/datatrove-uint32]\n        dataset_weights: [0.6, 0.4]\n")
    status, tokens = measured_tokens("nanoset.yaml::stable")
    assert status == 0 and sorted(tokens.values()) == sorted([COUNTS["datatrove-uint16"]["tokens"],
                                                              COUNTS["datatrove-uint32"]["tokens"]])


def test_olmo_token_files_are_read_with_the_configs_memmap_dtype(repo):
    shutil.copytree(TOKENIZED, repo / "data")
    config = "data:\n  memmap_dtype: {dtype}\n  paths:\n    - data/olmo-raw/part-0-00000.npy\n"
    (repo / "olmo.yaml").write_text(config.format(dtype="uint32"))
    status, tokens = measured_tokens("olmo.yaml")
    assert status == 0 and list(tokens.values()) == [COUNTS["olmo-raw/part-0-00000.npy"]["tokens"]]
    (repo / "olmo.yaml").write_text(config.format(dtype="uint16"))  # what OLMo would read: the sidecar disagrees
    out = io.StringIO()
    assert main(["show", "olmo.yaml", "--measured"], out) == 1


@pytest.mark.parametrize(("name", "fmt", "text"), [
    ("train/gt.sh", "megatron",  # token counts in comments
     'B="0.7 /c/cc/cc_text_document"  # (57.21 GT)\nB="$B 0.3 /c/starcoder/s_content_document"  # 12 GT, 0.5 epochs\n'
     "python pretrain_gpt.py --data-path $B  # 0.2 /c/books/b_text_document\n"),
    ("configs/neox/m.yml", "neox",  # a _missing_categories table and a free-text note
     '{"train-data-paths": ["/c/cc/a", "/c/starcoder/b"], "train-data-weights": [0.7, 0.3],\n'
     ' "_missing_categories": {"books": 0.1}, "note": "95% CC, 5% books",\n "valid-data-paths": ["/c/books/v"]}\n'),
    ("d.json", "dclm", '{"name": "m", "sources": [{"uuid": "1", "name": "cc"}, {"uuid": "2", "name": "starcoder"}],'
                       ' "note": "95% CC, 5% books", "num_tokens": 1000}\n'),
])
def test_what_only_looks_like_a_source_is_not_one(repo, name, fmt, text):
    (repo / name).write_text(text)
    out = io.StringIO()
    assert main(["show", name, "--as", fmt, "--format", "json"], out) == 0
    (document,) = json.loads(out.getvalue())["documents"]
    assert len(document["components"]) == 2 and "books" not in json.dumps(document["components"])


def test_a_dolma_mixer_over_raw_documents_is_measured_as_a_manifests_data_files(repo):
    import gzip

    for name, count in (("cc", 6), ("starcoder", 2)):
        folder = repo / "data" / "raw" / name
        folder.mkdir(parents=True)
        with gzip.open(folder / "part-0.jsonl.gz", "wt") as handle:
            for i in range(count):
                handle.write(json.dumps({"id": f"{name}-{i}", "text": "x" * 100, "source": name}) + "\n")
    (repo / "dolma.yaml").write_text("streams:\n  - name: web\n    documents: [data/raw/cc/*.jsonl.gz]\n"
                                     "  - name: code\n    documents: [data/raw/starcoder/*.jsonl.gz]\n")
    out = io.StringIO()
    assert main(["show", "dolma.yaml", "--as", "dolma", "--measured", "--format", "json"], out) == 0
    (document,) = json.loads(out.getvalue())["documents"]
    assert {c["name"]: c["measured"]["documents"] for c in document["components"]} == {"web": 6, "starcoder": 2}


def test_a_stream_is_described_by_its_remote_whether_or_not_a_local_copy_is_here(repo):
    """The catalogue matches the remote path on every machine; the local copy is what is measured."""
    stream = "train_loader:\n  dataset:\n    streams:\n      web: {local: ../data/mds-int32, remote: s3://corpus/cc/mds}\n"
    (repo / "yamls" / "one.yaml").write_text(stream)
    _, without = check_json("yamls/one.yaml")
    shutil.copytree(TOKENIZED, repo / "data")
    _, with_copy = check_json("yamls/one.yaml")
    licences = [d["documents"][0]["components"][0]["license"] for d in (without, with_copy)]
    assert licences == ["ODC-By-1.0", "ODC-By-1.0"]
    status, tokens = measured_tokens("yamls/one.yaml")
    assert status == 0 and tokens == {"web": COUNTS["mds-int32"]["tokens"]}


def test_a_config_with_a_syntax_error_is_a_located_error_not_left_out(repo):
    (repo / "smol.yaml").write_text("data_stages:\n  - name: stable\n    data:\n      dataset:\n"
                                    "        dataset_folder: [a, b]\n        dataset_weights:\n        - 0.5\n       - 0.5\n")
    status, report = check_json("smol.yaml")
    (document,) = report["documents"]
    (load,) = document["results"]
    assert status == 1 and load["rule"] == "mixlint-load" and load["line"] == 8


def test_a_streams_split_is_where_its_local_copy_is_read(repo):
    """MosaicML Streaming reads local/<split>/index.json (llm-foundry: train_loader.dataset.split)."""
    (repo / "data" / "web").mkdir(parents=True)
    shutil.copytree(TOKENIZED / "mds-int32", repo / "data" / "web" / "train")
    (repo / "yamls" / "split.yaml").write_text(
        "train_loader:\n  dataset:\n    split: train\n    streams:\n"
        "      web: {local: ../data/web, remote: s3://corpus/cc/mds}\n")
    status, tokens = measured_tokens("yamls/split.yaml")
    assert status == 0 and tokens == {"web": COUNTS["mds-int32"]["tokens"]}


def test_nanotron_folders_with_weights_in_a_mapping_and_missing_values(repo):
    (repo / "n.yaml").write_text("data_stages:\n  - name: s\n    data:\n      dataset:\n        dataset_folder:\n"
                                 "          /d/cc: 0.5\n          /d/starcoder: 0.5\n")
    out = io.StringIO()
    assert main(["show", "n.yaml", "--as", "nanotron", "--format", "json"], out) == 0
    (document,) = json.loads(out.getvalue())["documents"]
    assert {c["name"]: c["share"] for c in document["components"]} == {"web": 0.5, "starcoder": 0.5}
    (repo / "o.yaml").write_text("data:\n  paths:\n    - ???\n")
    status, report = check_json("o.yaml", "--as", "olmo")
    assert status == 1 and "???: a value the run is given" in report["documents"][0]["results"][0]["message"]


def test_a_nemo_data_dir_from_the_parent_config_is_declared_in_the_ini(repo):
    (repo / "gpt.yaml").write_text("model:\n  data:\n    data_prefix:\n      - 0.5\n      - ${data_dir}/cc/cc_text_document\n"
                                   "      - 0.5\n      - ${data_dir}/starcoder/s_text_document\n")
    status, report = check_json("gpt.yaml")
    (load,) = report["documents"][0]["results"]
    assert load["line"] == 5 and "${data_dir}" in load["message"]
    with open(repo / "pytest.ini", "a") as ini:
        ini.write("mixlint_variables = data_dir = /lustre\n")
    _, report = check_json("gpt.yaml")
    assert {c["name"] for c in report["documents"][0]["components"]} == {"web", "starcoder"}


def test_an_olmo_core_mix_under_the_runs_base_dir(repo):
    (repo / "mix.txt").write_text("web,preprocessed/cc/{TOKENIZER}/part-0.npy\n")
    with open(repo / "pytest.ini", "a") as ini:
        ini.write("    mix.txt = olmo-core\nmixlint_variables =\n    TOKENIZER = dolma2\n    MIX_BASE_DIR = /weka/oe-data\n")
    _, report = check_json("mix.txt")
    out = io.StringIO()
    main(["import", "mix.txt"], out)
    assert "/weka/oe-data/preprocessed/cc/dolma2/part-0.npy" in out.getvalue()


def test_a_neox_local_setup_with_one_data_path_is_recognised(tmp_path):
    from pytest_mixlint.configs.detect import detect_format

    (tmp_path / "local_setup.yml").write_text('{"data_path": "data/enwik8/enwik8_text_document",\n'
                                              ' "vocab_file": "data/gpt2-vocab.json", "merge_file": "data/gpt2-merges.txt"}\n')
    assert detect_format(str(tmp_path / "local_setup.yml")) == "neox"
