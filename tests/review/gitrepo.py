"""Real git repositories in temporary folders, with fixed authors and dates."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

CONFIG = """\
organisation: 同心街道办事处
communities: [和平社区, 幸福社区]
"""

ENTERPRISES = """\
- id: E001
  name: 和平物业
  kind: 物业企业
  principal: 张伟
  community: 和平社区
- id: E002
  name: 幸福超市
  kind: business
  principal: 王芳
  community: 幸福社区
"""


def hazard(hid: str, found_on: str = "2025-03-01", **extra: str) -> str:
    fields = {
        "id": hid, "found_on": found_on, "enterprise": "E001", "location": "3号楼车库",
        "category": "消防设施", "level": "general", "description": f"灭火器过期 {hid}",
        "responsible": "李强", "deadline": "2025-03-31",
    }
    fields.update(extra)
    return "".join(f"{k}: {v}\n" for k, v in fields.items())


def as_list(*records: str) -> str:
    out = []
    for rec in records:
        lines = rec.splitlines()
        out.append("- " + lines[0] + "\n" + "".join(f"  {line}\n" for line in lines[1:]))
    return "".join(out)


CLOSED = {"rectified_on": "2025-03-20", "measures": "更换灭火器", "verified_on": "2025-03-25",
          "verified_by": "赵敏"}


class Repo:
    """A git repository under ``path``; every commit gets the next fixed date."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.day = 0
        path.mkdir(parents=True, exist_ok=True)
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
            "HOME": str(path.parent),
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "LC_ALL": "C",
        }
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, author: tuple[str, str] = ("张伟", "zw@example.cn")) -> str:
        env = dict(self.env)
        date = f"2025-04-{self.day + 1:02d}T09:00:00+08:00"
        env.update({
            "GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1],
            "GIT_COMMITTER_NAME": author[0], "GIT_COMMITTER_EMAIL": author[1],
            "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
        })
        proc = subprocess.run(["git", *args], cwd=self.path, env=env, capture_output=True,
                              text=True, check=True)
        return proc.stdout

    def write(self, rel: str, text: str) -> None:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def remove(self, rel: str) -> None:
        (self.path / rel).unlink()

    def commit(self, message: str, author: tuple[str, str] = ("张伟", "zw@example.cn")) -> str:
        self.day += 1
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, author=author)
        return self.git("rev-parse", "HEAD").strip()


def base_ledger(repo: Repo, sub: str = "ledger") -> Path:
    """A ledger in ``sub`` (a subfolder of the repository), committed on main."""
    p = f"{sub}/" if sub else ""
    repo.write(f"{p}safeledger.yaml", CONFIG)
    repo.write(f"{p}enterprises/all.yaml", ENTERPRISES)
    repo.write(f"{p}hazards/2025.yaml", as_list(
        hazard("H-2025-001"),
        hazard("H-2025-002", rectified_on="2025-03-20", measures="更换灭火器"),
        hazard("H-2025-003", **CLOSED),
        hazard("H-2025-004"),
    ))
    repo.write(f"{p}activities/2025.yaml", as_list(
        "id: A-001\nkind: inspection\ndate: 2025-03-01\nenterprise: E001\nprincipal_led: true\n",
        "id: A-002\nkind: drill\ndate: 2025-03-05\nenterprise: E002\ndrill_type: evacuation\n",
    ))
    repo.commit("建账 / start the ledger")
    return repo.path / sub if sub else repo.path
