from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

# Tests never touch the Hugging Face Hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

# pytester's in-process runs forget the modules imported during each run; a C++ extension such
# as DuckDB's aborts the process when it is imported a second time, and datasets registers Arrow
# extension types that cannot be registered twice. Imported here, they stay.
import datasets.load  # noqa: E402, F401
import duckdb  # noqa: E402, F401
import pyarrow.parquet  # noqa: E402, F401


@pytest.fixture
def write(tmp_path: Path):
    """write("a/b.yaml", text) -> Path, dedenting the text."""

    def _write(name: str, text: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write
