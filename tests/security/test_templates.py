"""Ledger templates run in Jinja2's sandbox: no Python internals, no files or modules
outside the templates folders (symbolic links included), a clear error each time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from safeledger.errors import SafeledgerError
from safeledger.report.templates import TemplateFailure, make_environment, render_template

ESCAPES = {
    "mro": "{{ ''.__class__.__mro__ }}",
    "subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "cycler": "{{ cycler.__init__.__globals__ }}",
    "joiner": "{{ joiner.__init__.__globals__.os }}",
    "namespace": "{{ namespace.__init__.__globals__ }}",
    "lipsum": "{{ lipsum.__globals__ }}",
    "format": "{{ '{0.__class__}'.format(x) }}",
    "format_deep": "{{ '{0.__class__.__init__.__globals__}'.format(x) }}",
    "attr_filter": "{{ x|attr('__class__') }}",
    "self": "{{ self._TemplateReference__context }}",
    "func_globals": "{{ dash.__globals__ }}",
    "include_abs": "{% include '/etc/passwd' %}",
    "include_up": "{% include '../secret.txt' %}",
    "import_abs": "{% import '/etc/passwd' as p %}",
    "from_import": "{% from '../secret.txt' import x %}",
    "extends_abs": "{% extends '/etc/passwd' %}",
    "include_link": "{% include 'linked/secret.txt' %}",
    "include_file_link": "{% include 'leak.txt' %}",
    "range_bomb": "{% for i in range(10**9) %}{% endfor %}",
}


@pytest.fixture
def env_dir(tmp_path: Path) -> Path:
    (tmp_path / "secret.txt").write_text("TOPSECRET", encoding="utf-8")
    templates = tmp_path / "ledger" / "templates"
    templates.mkdir(parents=True)
    os.symlink(tmp_path, templates / "linked")  # a folder link leaving the templates folder
    os.symlink(tmp_path / "secret.txt", templates / "leak.txt")  # a file link
    for name, text in ESCAPES.items():
        (templates / f"{name}.md.j2").write_text(text, encoding="utf-8")
    return templates


@pytest.mark.parametrize("name", ESCAPES)
def test_escape_is_stopped_with_a_clear_error(env_dir: Path, name: str) -> None:
    env = make_environment(env_dir)
    with pytest.raises(SafeledgerError) as info:
        render_template(env, "quarterly", "md", name, {"x": 1, "dash": len})
    message = str(info.value)
    assert "TOPSECRET" not in message and "root:" not in message
    assert isinstance(info.value, TemplateFailure)
    assert f"{name}.md.j2" in message  # names the template
    assert info.value.exit_code == 2


def test_messages_say_why(env_dir: Path) -> None:
    env = make_environment(env_dir)
    with pytest.raises(TemplateFailure, match="stopped by the sandbox"):
        render_template(env, "quarterly", "md", "mro", {})
    with pytest.raises(TemplateFailure, match="cannot include or import '/etc/passwd'"):
        render_template(env, "quarterly", "md", "include_abs", {})
    with pytest.raises(TemplateFailure, match=r"cannot include or import 'leak\.txt'"):
        render_template(env, "quarterly", "md", "include_file_link", {})


def test_a_top_level_template_that_links_outside_is_not_used(env_dir: Path) -> None:
    os.symlink(env_dir.parent.parent / "secret.txt", env_dir / "evil.md.j2")
    env = make_environment(env_dir)
    with pytest.raises(SafeledgerError) as info:
        render_template(env, "quarterly", "md", "evil", {})
    assert "TOPSECRET" not in str(info.value)


def test_links_inside_the_templates_folder_still_work(env_dir: Path) -> None:
    (env_dir / "part.md.j2").write_text("inside {{ x }}", encoding="utf-8")
    os.symlink(env_dir / "part.md.j2", env_dir / "alias.md.j2")
    (env_dir / "main.md.j2").write_text("{% include 'alias.md.j2' %}", encoding="utf-8")
    env = make_environment(env_dir)
    assert render_template(env, "quarterly", "md", "main", {"x": 1}) == "inside 1"


def test_ledger_text_is_data_not_template(env_dir: Path) -> None:
    """A description holding template syntax is printed, never evaluated."""
    (env_dir / "show.md.j2").write_text("{{ text }}", encoding="utf-8")
    env = make_environment(env_dir)
    text = "{{ ''.__class__ }}{% include '/etc/passwd' %}"
    assert render_template(env, "quarterly", "md", "show", {"text": text}) == text
