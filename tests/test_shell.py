"""configs/shell.py: launch scripts read statically, as real Megatron scripts write blends."""

from __future__ import annotations

import pytest

from pytest_mixlint.configs.shell import read_script


def values(script: str, flag: str = "--data-path", **known: str) -> list[tuple[int, list[str], list[str]]]:
    return [(v.line, [w.text for w in v.words], [u.construct for u in v.unresolved])
            for v in read_script(script, known).flag_values(flag)]


def test_a_blend_on_continued_lines_with_comments():
    script = ("#!/bin/bash\n# the blend\ntorchrun pretrain_gpt.py \\\n    --num-layers 24 \\\n"
              "    --data-path 0.3 /data/web_text_document 0.7 /data/code_text_document \\\n"
              "    --split 949,50,1  # train, valid, test\n")
    assert values(script) == [(5, ["0.3", "/data/web_text_document", "0.7", "/data/code_text_document"], [])]


def test_variables_accumulated_line_by_line():
    script = ('B1=/data/web\nB2="/data/code"\nDATA="0.7 ${B1}"\nDATA="${DATA} 0.3 $B2"\n'
              "python pretrain.py --data-path $DATA --lr 1e-4\n")
    assert values(script) == [(5, ["0.7", "/data/web", "0.3", "/data/code"], [])]


def test_arrays_appended_and_expanded():
    script = ('BLEND=(0.5 /a/x 0.5 "/b/y z")\nBLEND+=(0.1 /c)\nexport FIRST=${BLEND[1]}\n'
              'python train.py --data-path "${BLEND[@]}" --lr 1\npython t.py --data-path $FIRST\n')
    assert values(script) == [(4, ["0.5", "/a/x", "0.5", "/b/y z", "0.1", "/c"], []), (5, ["/a/x"], [])]


def test_flag_with_equals_several_statements_and_single_quotes():
    script = "X=1; python a.py --data-path=/one && python b.py --data-path '$X' /two\n"
    assert values(script) == [(1, ["/one"], []), (1, ["$X", "/two"], [])]


def test_defaults_and_values_the_user_declares():
    script = "python a.py --data-path ${ROOT:-/mnt}/web $DATA_ROOT/code\n"
    assert values(script, DATA_ROOT="/lustre") == [(1, ["/mnt/web", "/lustre/code"], [])]


@pytest.mark.parametrize(("script", "construct"), [
    ("python a.py --data-path $DATA_PATH\n", "$DATA_PATH is never set in the script"),
    ("python a.py --data-path $(cat blend.txt)\n", "a command substitution $(cat blend.txt)"),
    ("python a.py --data-path `cat blend.txt`\n", "a command substitution `...`"),
    ('if [ "$BIG" = 1 ]; then\n  DATA="1 /big"\nelse\n  DATA="1 /small"\nfi\npython a.py --data-path $DATA\n',
     "$DATA is assigned inside the if block at line 1"),
    ('for f in /data/*; do\n  DATA="$DATA 1 $f"\ndone\npython a.py --data-path $DATA\n',
     "$DATA is assigned inside the loop block at line 1"),
])
def test_what_only_running_the_script_gives_is_unresolved_and_located(script, construct):
    ((line, _, unresolved),) = values(script)
    assert any(u.startswith(construct) for u in unresolved), unresolved


def test_an_unset_variable_elsewhere_is_no_problem():
    script = 'cd $HOME/work\nmkdir -p "$LOGS"\npython a.py --data-path 1 /data/web\n'
    assert values(script) == [(3, ["1", "/data/web"], [])]


def test_nothing_is_executed(tmp_path):
    marker = tmp_path / "ran"
    script = f"python a.py --data-path $(touch {marker}) `touch {marker}`\ntouch {marker}\n"
    read_script(script).flag_values("--data-path")
    assert not marker.exists()


def test_a_command_inside_a_block_says_so():
    script = 'if true; then\n  python a.py --data-path 1 /x\nfi\n'
    (value,) = read_script(script).flag_values("--data-path")
    assert value.conditional == "inside the if block at line 1" and [w.text for w in value.words] == ["1", "/x"]


def test_commands_run_through_bash_c():
    script = ('BLEND="0.9 /data/web 0.1 /data/code"\n'
              'CMD="python pretrain_gpt.py --data-path $BLEND --lr 1"\n'
              'srun --jobid $SLURM_JOB_ID bash -c "$CMD"\n'
              "srun bash -c 'python pretrain_gpt.py --data-path 1 /x'\n")
    assert values(script) == [(3, ["0.9", "/data/web", "0.1", "/data/code"], []), (4, ["1", "/x"], [])]


def test_a_continued_command_locates_each_word_at_its_own_line():
    """A blend written one pair a line: each path, and what cannot be known, at the line it is on."""
    script = ("torchrun pretrain_gpt.py \\\n"          # 1
              "    --lr 3e-4 \\\n"                      # 2
              "    --data-path \\\n"                    # 3
              "        0.7 /data/web_text_document \\\n"  # 4
              "        0.3 ${CODE}/code_text_document \\\n"  # 5
              "    --split 949,50,1\n")                 # 6
    (value,) = read_script(script).flag_values("--data-path")
    assert value.line == 3 and [(w.text, w.line) for w in value.words] == [
        ("0.7", 4), ("/data/web_text_document", 4), ("0.3", 5), ("/code_text_document", 5)]
    assert [(u.line, u.construct) for u in value.unresolved] == [(5, "$CODE is never set in the script")]


def test_array_elements_and_quoted_strings_keep_their_lines():
    script = ('BLEND=(\n'                  # 1
              '  0.5 /d/web\n'             # 2
              '  0.5 "$(ls /d/code)"\n'    # 3
              ')\n'                        # 4
              'python train.py --data-path "${BLEND[@]}"\n')  # 5
    (value,) = read_script(script).flag_values("--data-path")
    assert value.line == 5 and [u.line for u in value.unresolved] == [3]


@pytest.mark.parametrize(("script", "words"), [
    ("R=/lustre/v1/corpus\nrun --data-path ${R%/corpus}/web ${R/v1/v2}/code ${R##*/}\n",
     ["/lustre/v1/web", "/lustre/v2/corpus/code", "corpus"]),
    ('L="a:0.7,b:0.3"\nrun --data-path ${L//,/ } ${L%%:*} ${L#*:}\n', ["a:0.7", "b:0.3", "a", "0.7,b:0.3"]),
    ("run --data-path ${X:=/d/web} ${Y-/d/code}\n", ["/d/web", "/d/code"]),
])
def test_parameter_expansions_that_edit_a_known_value(script, words):
    assert values(script) == [(2 if script.count("\n") > 1 else 1, words, [])]


def test_a_blend_rewritten_by_a_loop_is_one_error_naming_the_variable_to_declare():
    """IMPORTERS.md: `name@proportion` arrays and `path:weight` lists rewritten by a shell loop."""
    script = ('DATASETS=(web@0.7 code@0.3)\n'                      # 1
              'for d in "${DATASETS[@]}"; do\n'                      # 2
              '  BLEND="${BLEND} ${d#*@} /data/${d%@*}"\n'          # 3
              'done\n'                                               # 4
              'python pretrain_gpt.py --data-path $BLEND\n')        # 5
    (value,) = read_script(script).flag_values("--data-path")
    assert [(u.line, u.construct, u.variable) for u in value.unresolved] == [
        (3, "$BLEND is assigned inside the loop block at line 2", "BLEND")]
    (value,) = read_script(script, {"BLEND": "0.7 /data/web 0.3 /data/code"}).flag_values("--data-path")
    assert value.unresolved == () and [w.text for w in value.words] == ["0.7", "/data/web", "0.3", "/data/code"]


def test_a_loop_variable_used_outside_an_assignment_says_what_it_is():
    script = "for f in /d/*; do\n  python train.py --data-path 1 $f\ndone\n"
    (value,) = read_script(script).flag_values("--data-path")
    assert "$f is the variable of the loop at line 1" in [u.construct for u in value.unresolved]


def test_an_expansion_the_reader_does_not_do_is_named():
    (value,) = read_script("R=/x\nrun --data-path ${#R} ${R^^}\n").flag_values("--data-path")
    assert [u.construct.split(" is ")[0] for u in value.unresolved] == ["the expansion ${#R}", "the expansion ${R^^}"]


@pytest.mark.parametrize(("script", "words"), [
    ("P=cc_text\nrun --data-path ${P/#cc/web} ${P/%text/doc} ${P/#text/x}\n", ["web_text", "cc_doc", "cc_text"]),
    (": ${DATA:=/data/cc}\nrun --data-path 1 $DATA\n", ["1", "/data/cc"]),
    ("X=/d\nrun --data-path ${X:+$X/web} ${Y:+$Y/code}\n", ["/d/web"]),
])
def test_anchored_replacements_assigning_defaults_and_alternates(script, words):
    assert [w for _, w, _ in values(script)][0] == words


def test_a_long_blend_is_split_by_a_replacement():
    blend = ",".join(["0.5 /data/shard"] * 1000)
    (value,) = read_script(f'B="{blend}"\nrun --data-path ${{B//,/ }}\n').flag_values("--data-path")
    assert len(value.words) == 2000


def test_a_blend_built_in_variables_keeps_each_paths_line():
    """The sources are where their paths are written, not where the blend is passed."""
    script = ('DATA=/lustre/corpus\n'                                      # 1
              'BLEND="0.85 ${DATA}/cc/cc_text_document"\n'                 # 2
              'BLEND="${BLEND} 0.03 ${DATA}/starcoder/code_document"\n'    # 3
              'ARGS=(\n'                                                    # 4
              '  --lr 3e-4\n'                                               # 5
              ')\n'                                                         # 6
              'torchrun pretrain_gpt.py "${ARGS[@]}" --data-path $BLEND\n')  # 7
    (value,) = read_script(script).flag_values("--data-path")
    assert [(w.text, w.line) for w in value.words] == [
        ("0.85", 2), ("/lustre/corpus/cc/cc_text_document", 2), ("0.03", 3), ("/lustre/corpus/starcoder/code_document", 3)]
    (value,) = read_script(script.replace("$BLEND", "0.5 ${DATA}/books/b 0.5 /d/x")).flag_values("--data-path")
    assert {w.line for w in value.words} == {7}  # written here: a variable inside a path is no origin


def test_nested_blends_and_declared_values_are_located_where_they_are_written():
    script = ('DATASET_1="0.3 /data/arxiv_text_document"\n'   # 1
              'DATASET_2="0.7 /data/web_text_document"\n'      # 2
              'DATASET="${DATASET_1} ${DATASET_2}"\n'          # 3
              'python pretrain_gpt.py --data-path ${DATASET}\n')  # 4
    (value,) = read_script(script).flag_values("--data-path")
    assert [w.line for w in value.words] == [1, 1, 2, 2]
    branch = 'if [ "$BIG" ]; then\n  B="0.5 /x/a 0.5 /x/b"\nelse\n  B="1 /y/a"\nfi\nrun --data-path $B\n'
    (value,) = read_script(branch, {"B": "0.5 /x/cc 0.5 /x/code"}).flag_values("--data-path")
    assert {w.line for w in value.words} == {6}  # the ini's value, where it is used, not the else branch


@pytest.mark.parametrize(("script", "words"), [
    ("N=/d/web\nrun --data-path 1 ${N/%/_text_document} 1 ${N/#//lustre}\n", ["1", "/d/web_text_document", "1", "/lustre/d/web"]),
    ("P=abc\nrun --data-path ${P//*/x}\n", ["x"]),
    ('EXTRA=""\nrun --data-path 1 /a ${EXTRA:+1 /b}\n', ["1", "/a"]),
])
def test_edge_expansions_as_bash_does_them(script, words):
    assert [w for _, w, _ in values(script)][0] == words


def test_an_alternate_of_a_conditional_variable_is_unknown():
    script = 'if [ "$X" ]; then\n  WITH_CODE=1\nfi\nrun --data-path 1 /a ${WITH_CODE:+1 /code}\n'
    (value,) = read_script(script).flag_values("--data-path")
    assert any("$WITH_CODE is assigned inside the if block" in u.construct for u in value.unresolved)
