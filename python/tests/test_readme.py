"""The README's Python example runs as written (in a scratch directory that
has the repository's tests/data)."""

import contextlib
import io
import os
import re

from conftest import ROOT


def test_the_readme_example_runs(tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("\n## Python\n") :]
    section = section[: section.index("\n## ", 1)]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1
    assert "pip install ./python" in section
    os.symlink(ROOT / "tests", tmp_path / "tests")
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(blocks[0], "README.md", "exec"), {})
    lines = out.getvalue().splitlines()
    assert "[1]" in lines and "1 3 4" in lines
    assert lines[0].startswith("exact 8 'discussed the state"), lines[0]
    assert lines[-1] == "[Group(representative=1, members=[1, 3])]"
    assert (tmp_path / "archive.ndx").is_file()
