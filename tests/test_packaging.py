"""Set-up files agree with each other: pyproject, environment.yml, lock file, Makefile, CI, README."""

from __future__ import annotations

import re
import tomllib

from cityscience.paths import project_root

ROOT = project_root()


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[;]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = _pyproject()["project"]
    wanted = {_name(d) for d in project["dependencies"] + project["optional-dependencies"]["dev"]}
    env = (ROOT / "environment.yml").read_text(encoding="utf-8")
    deps = env.split("dependencies:", 1)[1]
    listed = {_name(m) for m in re.findall(r"^\s+- ([A-Za-z0-9_.-]+[^:\n]*)$", deps, re.M)}
    listed -= {"pip", "python", "-e"}
    assert listed == wanted


def test_lock_pins_every_dependency():
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pinned = {_name(line) for line in lock.splitlines() if "==" in line}
    project = _pyproject()["project"]
    for dep in project["dependencies"] + project["optional-dependencies"]["dev"]:
        assert _name(dep) in pinned, f"{dep} is not pinned in requirements.lock (run `make lock`)"


def test_readme_commands_exist_and_ci_runs_make_test():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("build", "test"):
        assert f"make {target}" in readme
        assert re.search(rf"^{target}:", makefile, re.M)
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(encoding="utf-8"), re.M)



def test_the_command_line_prints_the_version_of_pyproject(capsys):
    """The version is written once (conventions.VERSION); pyproject reads it from there, so the installed
    package's metadata, ``cityscience --version`` and the workbooks agree."""
    from importlib.metadata import version as installed

    import pytest

    from cityscience.cli import main
    from cityscience.conventions import VERSION

    project = tomllib.loads((project_root() / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "cityscience.conventions.VERSION"}
    version = installed("cityscience")
    assert version == VERSION
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == f"cityscience {version}"
