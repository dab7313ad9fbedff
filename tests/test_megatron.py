"""configs/megatron.py: Megatron-LM and NeMo blends in scripts, args files, YAML and blend JSON."""

from __future__ import annotations

import json
import textwrap

import pytest

from pytest_mixlint.configs.megatron import config_blend, script_blend
from pytest_mixlint.documents.syntax import parse_text


def shares(blend):
    return {(e.name or e.path): round(e.weight, 6) if e.weight is not None else None for e in blend.entries}


SCRIPT = """\
    #!/bin/bash
    # Pretrain 1.3B on our blend
    DATA_ROOT=/lustre/data
    BLEND="0.6 ${DATA_ROOT}/web_text_document"
    BLEND="${BLEND} 0.3 ${DATA_ROOT}/code_text_document"
    BLEND="${BLEND} 0.1 ${DATA_ROOT}/books_text_document"
    torchrun --nproc_per_node 8 pretrain_gpt.py \\
        --num-layers 24 --hidden-size 2048 \\
        --data-path $BLEND \\
        --split 969,30,1 \\
        --lr 3e-4
"""


def test_a_launch_script(tmp_path):
    blend, problems = script_blend(textwrap.dedent(SCRIPT), "train.sh", str(tmp_path))
    assert problems == []
    assert shares(blend) == {"/lustre/data/web_text_document": 0.6, "/lustre/data/code_text_document": 0.3,
                             "/lustre/data/books_text_document": 0.1}


BOOKS = 'BLEND="${BLEND} 0.1 ${DATA_ROOT}/books_text_document"'


@pytest.mark.parametrize(("old", "new", "line", "message"), [
    ("DATA_ROOT=/lustre/data", "", 4, "--data-path: $DATA_ROOT is never set in the script"),
    (BOOKS, f'if [ -n "$BIG" ]; then\n{BOOKS}\nfi', 7, "--data-path: $BLEND is assigned inside the if block at line 6"),
    ("--data-path $BLEND", "--data-path $(cat blend.txt)", 9, "--data-path: a command substitution $(cat blend.txt)"),
])
def test_what_the_script_cannot_say_is_located(tmp_path, old, new, line, message):
    blend, problems = script_blend(textwrap.dedent(SCRIPT).replace(old, new), "train.sh", str(tmp_path))
    assert blend is None and any(p.message.startswith(message) and p.line == line for p in problems), problems
    assert all(p.hint for p in problems)


def test_args_files_and_per_split_json(tmp_path):
    (tmp_path / "blend.txt").write_text("0.25 /d/a\n0.75 /d/b\n")
    blend, problems = script_blend("python pretrain_gpt.py --data-args-path blend.txt\n", "t.sh", str(tmp_path))
    assert problems == [] and shares(blend) == {"/d/a": 0.25, "/d/b": 0.75}
    (tmp_path / "splits.json").write_text(json.dumps({"train": ["1", "/d/a", "3", "/d/b"], "valid": ["1", "/d/v"]}))
    blend, _ = script_blend("python pretrain_gpt.py --per-split-data-args-path splits.json\n", "t.sh", str(tmp_path))
    assert shares(blend) == {"/d/a": 0.25, "/d/b": 0.75}
    _, problems = script_blend("python p.py --data-args-path missing.txt\n", "t.sh", str(tmp_path))
    assert "missing.txt: cannot read file" in problems[0].message and problems[0].line == 1


def test_a_script_passing_two_blends_is_ambiguous(tmp_path):
    text = "python a.py --data-path 1 /x\npython b.py --data-path 1 /y\n"
    blend, problems = script_blend(text, "t.sh", str(tmp_path))
    assert blend is None and "passes a blend 2 times (lines 1, 2)" in problems[0].message


def test_a_prefix_list_without_weights(tmp_path):
    blend, problems = script_blend("python a.py --data-path /d/a /d/b /d/c\n", "t.sh", str(tmp_path))
    assert problems == [] and not blend.weighted


def test_nemo_data_prefix_in_yaml():
    text = textwrap.dedent("""\
        model:
          data:
            data_prefix:
              train:
                - 0.7
                - /data/web_text_document
                - 0.3
                - /data/code_text_document
              validation: [1.0, /data/val_text_document]
    """)
    blend, problems = config_blend(parse_text(text, "c.yaml", "yaml"), "c.yaml")
    assert problems == [] and shares(blend) == {"/data/web_text_document": 0.7, "/data/code_text_document": 0.3}
    assert [e.line for e in blend.entries] == [6, 8]


def test_a_blend_json():
    text = json.dumps({"datasets": [{"name": "web", "path": "/d/web", "weight": 3},
                                    {"name": "code", "path": "/d/code", "weight": 1}]}, indent=1)
    blend, problems = config_blend(parse_text(text, "blend.json", "json"), "blend.json")
    assert problems == [] and shares(blend) == {"web": 0.75, "code": 0.25}
    bad = json.dumps({"datasets": [{"path": "/d/web", "weight": "heavy"}]}, indent=1)
    assert "must be a number" in config_blend(parse_text(bad, "b.json", "json"), "b.json")[1][0].message


def test_a_config_without_a_blend():
    assert config_blend(parse_text("lr: 0.1\n", "c.yaml", "yaml"), "c.yaml") == (None, [])


def test_the_bigcode_weighted_split_flag(tmp_path):
    text = ('python pretrain_gpt.py --train-weighted-split-paths "TRAIN: 0.75 0:0.95 /d/python_content_document, '
            '0.25 0:0.95 /d/java_content_document" --valid-weighted-split-paths "VALID: 1 0.95:1 /d/python"\n')
    blend, problems = script_blend(text, "bigcode.sh", str(tmp_path))
    assert problems == [] and shares(blend) == {"/d/python_content_document": 0.75, "/d/java_content_document": 0.25}


def test_each_source_is_at_the_line_its_path_is_written_on(tmp_path):
    script = ("python pretrain_gpt.py \\\n    --data-path \\\n      0.7 /d/web_text_document \\\n"
              "      0.3 /d/code_text_document\n")
    blend, problems = script_blend(script, "train.sh", str(tmp_path))
    assert problems == [] and [(e.path, e.line) for e in blend.entries] == [
        ("/d/web_text_document", 3), ("/d/code_text_document", 4)]


@pytest.mark.parametrize(("script", "shares"), [
    # A command string built from an array (CMD="python ... ${ARGS[@]}"; srun bash -c "$CMD").
    ('B="0.5 /d/a 0.5 /d/b"\nARGS=(\n  --data-path ${B}\n)\nCMD="python pretrain_gpt.py ${ARGS[@]}"\nsrun bash -c "$CMD"\n',
     {"/d/a": 0.5, "/d/b": 0.5}),
    # A blend printed before it is passed: echo runs no trainer.
    ('DATA_ARGS=(--data-path 0.5 /d/a 0.5 /d/b)\necho "${DATA_ARGS[@]}"\ntorchrun pretrain_gpt.py "${DATA_ARGS[@]}"\n',
     {"/d/a": 0.5, "/d/b": 0.5}),
    # A flag given twice in one command: argparse keeps the last.
    ("python pretrain_gpt.py --data-path 0.5 /d/a 0.5 /d/b --data-path 1 /d/c\n", {"/d/c": 1.0}),
])
def test_launch_script_shapes_from_a_new_users_trial(tmp_path, script, shares):
    blend, problems = script_blend(script, "train.sh", str(tmp_path))
    assert problems == [] and {e.path: e.weight for e in blend.entries} == shares


@pytest.mark.parametrize(("script", "says"), [
    ("python pretrain_gpt.py --data-path 50% /d/a 50% /d/b\n", "'50%' is not a weight Megatron reads: write a number (50 or 0.5)"),
    ("python pretrain_gpt.py --data-path=0.5 /d/a 0.5 /d/b\n", "--data-path=0.5 gives the flag one value; the 3 words after it"),
    ("source ./blend_env.sh\ntorchrun pretrain_gpt.py --data-path $BLEND\n",
     "$BLEND is never set in the script (the script sources ./blend_env.sh at line 1, which is not read)"),
])
def test_what_a_new_user_got_wrong_is_said_plainly(tmp_path, script, says):
    blend, problems = script_blend(script, "train.sh", str(tmp_path))
    assert blend is None and says in problems[0].message


@pytest.mark.parametrize(("script", "says"), [
    # Megatron-LM's own train_gpt3_175b_distributed.sh: DATA_PATH=$5, unquoted ${DATA_ARGS[@]}.
    ("DATA_PATH=$5\nDATA_ARGS=(\n    --data-path $DATA_PATH\n    --split 949,50,1\n)\n"
     "torchrun pretrain_gpt.py ${DATA_ARGS[@]}\n", "$5, an argument of the script, is known only when it runs"),
    ('ARGS=(--data-path $DATA_PATH --split 1,0,0)\ntorchrun pretrain_gpt.py ${ARGS[@]}\n', "$DATA_PATH is never set"),
    ('ARGS="--data-path $DATA_PATH"\ntorchrun pretrain_gpt.py $ARGS\n', "$DATA_PATH is never set"),
    ('CMD="python pretrain_gpt.py --data-path ${B} --save x"\nsrun bash -c "$CMD"\n', "$B is never set"),
    ("python pretrain_gpt.py --data-path --lr 1\n", "--data-path is given no value"),
])
def test_a_blend_that_cannot_be_read_is_never_an_empty_mix(tmp_path, script, says):
    """An empty mix would pass every licence gate (the trial found this in the most common shape)."""
    blend, problems = script_blend(script, "train.sh", str(tmp_path))
    assert blend is None and any(says in p.message for p in problems), problems


def test_what_is_unknown_of_other_flags_in_an_array_does_not_hide_the_blend(tmp_path):
    script = 'B="0.5 /d/a 0.5 /d/b"\nARGS=(--data-path $B --vocab-file $VOCAB --merge-file $3)\ntorchrun pretrain_gpt.py ${ARGS[@]}\n'
    blend, problems = script_blend(script, "train.sh", str(tmp_path))
    assert problems == [] and {e.path: e.weight for e in blend.entries} == {"/d/a": 0.5, "/d/b": 0.5}


@pytest.mark.parametrize(("script", "says"), [
    # Where an unknown stood in a command string is lost: it may be in the blend.
    ('CMD="python pretrain_gpt.py --data-path 1 $UNSET_DIR/a 1 /b"\nsrun bash -c "$CMD"\n', "$UNSET_DIR is never set"),
    ('if [ "$BIG" ]; then\n  CMD="python pretrain_gpt.py --data-path 1 /a"\nelse\n'
     '  CMD="python pretrain_gpt.py --data-path 1 /b"\nfi\neval $CMD\n', "$CMD is assigned inside the if block"),
])
def test_what_is_unknown_in_a_command_string_is_never_silently_dropped(tmp_path, script, says):
    blend, problems = script_blend(script, "train.sh", str(tmp_path))
    assert blend is None and any(says in p.message for p in problems), problems


def test_a_command_run_through_eval_is_read(tmp_path):
    """Megatron-DeepSpeed's examples build run_cmd from option strings and eval it."""
    script = ('DATA_PATH="0.5 /d/a 0.5 /d/b"\n'
              'data_options=" --data-path ${DATA_PATH} --vocab-file ${VOCAB_PATH}"\n'
              'run_cmd="deepspeed --num_nodes ${num_node} pretrain_gpt.py ${data_options} --save ${CHECKPOINT_PATH}"\n'
              'echo ${run_cmd}\n'
              'eval ${run_cmd}\n')
    blend, problems = script_blend(script, "ds.sh", str(tmp_path))  # $VOCAB_PATH, $num_node: other flags'
    assert problems == [] and {e.path: e.weight for e in blend.entries} == {"/d/a": 0.5, "/d/b": 0.5}


def test_an_unknown_keeps_its_place_in_a_command_string(tmp_path):
    """What is unknown in a string stays where it stood: an unset --save is no problem of the blend."""
    script = ('B="0.5 /d/a 0.5 /d/b"\n'
              'CMD="python pretrain_gpt.py --master_addr $MASTER_ADDR --data-path ${B} --save ${CKPT} --tb $(date +%s)"\n'
              'srun bash -c "$CMD"\n')
    blend, problems = script_blend(script, "train.sh", str(tmp_path))
    assert problems == [] and {e.path: e.weight for e in blend.entries} == {"/d/a": 0.5, "/d/b": 0.5}
    blend, problems = script_blend(script.replace("${B}", "0.5 $DIR/a 0.5 /d/b"), "train.sh", str(tmp_path))
    assert blend is None and [p.message for p in problems] == ["--data-path: $DIR is never set in the script"]
