"""Training configs as documents (SPEC part E, issue 11): reading what a run will use.

In progress: ``shell.py`` reads launch scripts statically (the blends of Megatron-style
``--data-path`` flags). The importers that turn configs into mixtures build on it.
"""
