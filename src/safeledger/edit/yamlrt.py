"""Round-trip YAML editing that changes only the lines it must (ruamel.yaml).

ruamel.yaml's round-trip mode keeps comments, key order, quoting and flow/block style,
which is why the editing commands use it rather than re-serialising records.  It
normalises a few things on output, though (indentation widths, spacing inside flow
collections, a long line re-wrapped…).  So the editor never writes ruamel's output
directly: it dumps the document twice, before and after the change, and applies only
the *difference* between those two dumps to the original text (a line-based three-way
merge).  Lines the edit did not touch therefore stay byte for byte as written, even
where ruamel would have spelt them differently."""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.tokens import CommentToken

from safeledger.errors import SafeledgerError

BIG_WIDTH = 1 << 30  # never re-wrap long lines


def make_yaml(mapping: int = 2, sequence: int = 2, offset: int = 0) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = BIG_WIDTH
    yaml.allow_unicode = True
    yaml.default_flow_style = False
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    # Never write anchors/aliases for values the editor puts twice (the same date as
    # verified_on and in reinspections); anchors written by hand are kept.
    representer = yaml.representer
    keep = representer.ignore_aliases

    def ignore_aliases(data: Any) -> bool:
        if isinstance(data, CommentedMap | CommentedSeq):
            return bool(keep(data))
        return True

    representer.ignore_aliases = ignore_aliases
    return yaml


def _dump(yaml: YAML, data: Any) -> str:
    buf = io.StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()


_INDENTS = [(2, 2, 0), (2, 4, 2), (4, 4, 0), (4, 4, 2), (4, 6, 4), (2, 4, 0), (4, 2, 0), (3, 3, 0)]


def _guess_indents(text: str) -> list[tuple[int, int, int]]:
    """Candidate (mapping, sequence, offset) settings, the likeliest first."""
    seq = re.search(r"^( *)\S[^\n]*:\s*\n( *)- ", text, re.M)
    key = re.search(r"^( *)[^\s#-][^\n]*:\s*\n( *)[^\s#-]", text, re.M)
    guess: list[tuple[int, int, int]] = []
    if key or seq:
        m = len(key.group(2)) - len(key.group(1)) if key else 2
        m = m if m > 0 else 2
        if seq:
            off = len(seq.group(2)) - len(seq.group(1))
            guess.append((m, off + 2, off))
        guess.append((m, m, 0))
    return guess + [c for c in _INDENTS if c not in guess]


@dataclass(slots=True)
class YamlDocument:
    """A parsed YAML file ready for editing; :meth:`render` gives the new text."""

    text: str  # the original text (BOM removed, newlines as "\n")
    yaml: YAML
    data: Any
    base: str  # ruamel's dump of the unchanged document
    newline: str
    bom: bool

    @classmethod
    def parse(cls, raw: bytes, name: str) -> YamlDocument:
        bom = raw.startswith(b"\xef\xbb\xbf")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise SafeledgerError(f"{name}: not UTF-8 text (byte offset {err.start})") from None
        newline = "\r\n" if "\r\n" in text else "\n"
        text = text.replace("\r\n", "\n")
        best: tuple[int, YAML, Any, str] | None = None
        for mapping, sequence, offset in _guess_indents(text):
            yaml = make_yaml(mapping, sequence, offset)
            try:
                data = yaml.load(text)
            except YAMLError as exc:
                raise SafeledgerError(f"{name}: cannot be parsed as YAML: {exc}") from None
            base = _dump(yaml, data)
            if base == text:
                return cls(text, yaml, data, base, newline, bom)
            score = _same_lines(text, base)
            if best is None or score > best[0]:
                best = (score, yaml, data, base)
        assert best is not None
        _, yaml, data, base = best
        return cls(text, yaml, data, base, newline, bom)

    def render(self) -> bytes:
        """The original bytes with exactly the lines the edit changed replaced."""
        new = _dump(self.yaml, self.data)
        text = merge_lines(self.text, self.base, new)
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode("utf-8")


def _same_lines(a: str, b: str) -> int:
    matcher = difflib.SequenceMatcher(None, a.splitlines(), b.splitlines(), autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks())


class MergeConflict(SafeledgerError):
    pass


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _reindent(line: str, delta: int) -> str:
    if delta > 0:
        return " " * delta + line
    if delta < 0:
        return line[min(-delta, _indent(line)) :]
    return line


def _shape(line: str) -> tuple[int, bool, int]:
    """(indent, is a ``- `` item line, indent of the content after the dash)."""
    indent = _indent(line)
    dash = line[indent : indent + 2] in ("- ", "-\n") or line[indent:].rstrip() == "-"
    return indent, dash, indent + 2 if dash else indent


def _delta_for(line: str, context: list[tuple[str, int | None]], default: int) -> int:
    """The indentation shift for an inserted ``line``: that of its nearest sibling above
    (same depth), else of its parent (the nearest line above that is less indented)."""
    if not line.strip() or line.lstrip().startswith("#"):
        return default
    indent, dash, _content = _shape(line)
    for prev, shift in reversed(context):
        if shift is None or not prev.strip() or prev.lstrip().startswith("#"):
            continue
        p_indent, p_dash, p_content = _shape(prev)
        if dash:
            if p_dash and p_indent == indent:
                return shift
            if (not p_dash and p_indent <= indent) or (p_dash and p_content <= indent):
                return shift
        else:
            if p_content == indent:
                return shift
            if p_content < indent:
                return shift
    return default


def merge_lines(original: str, base: str, new: str) -> str:
    """Apply the line changes base -> new to ``original`` (base is ruamel's rendering of
    original; they agree line for line except where ruamel normalised something).

    Lines are matched ignoring whitespace, so a file indented unevenly (4 spaces here, 2
    there) keeps its indentation: an inserted line is shifted like its nearest sibling
    (or parent) above it."""
    if base == original:
        return new
    o_lines = original.splitlines(keepends=True)
    b_lines = base.splitlines(keepends=True)
    n_lines = new.splitlines(keepends=True)
    # base line index -> (original line index, indentation delta)
    to_orig: dict[int, tuple[int, int]] = {}
    # Lines are compared without any whitespace: ruamel re-spaces flow collections and
    # comments ("[1,  2]" -> "[1, 2]") and indentation; such lines are still the same line.
    matcher = difflib.SequenceMatcher(
        None,
        ["".join(x.split()) for x in b_lines],
        ["".join(x.split()) for x in o_lines],
        autojunk=False,
    )
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            b, o = block.a + k, block.b + k
            to_orig[b] = (o, _indent(o_lines[o]) - _indent(b_lines[b]))

    def anchor(b_index: int) -> tuple[int, int]:
        """(original index, indentation delta) at base index ``b_index``."""
        if b_index in to_orig:
            return to_orig[b_index]
        if b_index - 1 in to_orig:  # right after a line both agree on
            o, delta = to_orig[b_index - 1]
            return o + 1, delta
        if b_index == len(b_lines):
            return len(o_lines), 0
        raise MergeConflict(
            "the edit touches lines that cannot be matched to the file as written; "
            "edit this record by hand"
        )

    out: list[str] = []
    pos = 0  # next original line to copy
    opcodes = difflib.SequenceMatcher(None, b_lines, n_lines, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            continue
        start, delta = anchor(i1)
        for k in range(i1, i2):  # replaced base lines must map one to one, in order
            if k not in to_orig or to_orig[k][0] != start + (k - i1):
                raise MergeConflict(
                    "the edit changes lines that cannot be matched to the file as written; "
                    "edit this record by hand"
                )
        if start < pos:
            raise MergeConflict("overlapping changes; edit this record by hand")
        out.extend(o_lines[pos:start])
        context: list[tuple[str, int | None]] = [
            (b_lines[k], to_orig[k][1] if k in to_orig else None) for k in range(i1)
        ]
        for line in n_lines[j1:j2]:
            shift = _delta_for(line, context, delta) if tag == "insert" else delta
            out.append(_reindent(line, shift))
            context.append((line, shift))
        pos = start + (i2 - i1)
    out.extend(o_lines[pos:])
    return "".join(out)


# --- keeping comments where they belong ----------------------------------------------


def _last_slot(node: Any) -> tuple[Any, Any, int] | None:
    """(collection, key or index, slot) holding the comment that ends ``node``: ruamel
    attaches the comment lines that follow a collection to its deepest last element
    (slot 2 of a mapping key, slot 0 of a sequence item)."""
    found: tuple[Any, Any, int] | None = None
    while True:
        if isinstance(node, CommentedMap) and len(node) and not node.fa.flow_style():
            key = list(node)[-1]
            found = (node, key, 2)
            node = node[key]
        elif isinstance(node, CommentedSeq) and len(node) and not node.fa.flow_style():
            found = (node, len(node) - 1, 0)
            node = node[-1]
        else:
            return found


def detach_trailing_comment(node: Any) -> str | None:
    """Remove and return the whole comment lines that follow ``node``'s last element
    (keeping an end-of-line comment in place), so that something appended to ``node``
    goes before them; give them back with :func:`attach_trailing_comment`."""
    slot = _last_slot(node)
    if slot is None:
        return None
    coll, key, pos = slot
    entry = coll.ca.items.get(key)
    if not entry or len(entry) <= pos or entry[pos] is None or isinstance(entry[pos], list):
        return None
    token = entry[pos]
    value: str = token.value
    cut = value.find("\n")
    if cut < 0 or cut == len(value) - 1:
        return None
    head, rest = value[: cut + 1], value[cut + 1 :]
    if head.strip():
        token.value = head
    else:
        entry[pos] = None
    return rest


def attach_trailing_comment(node: Any, lines: str | None) -> None:
    if not lines:
        return
    slot = _last_slot(node)
    if slot is None:
        return
    coll, key, pos = slot
    entry = coll.ca.items.setdefault(key, [None, None, None, None])
    while len(entry) < 4:
        entry.append(None)
    if entry[pos] is not None and not isinstance(entry[pos], list):
        entry[pos].value = entry[pos].value + lines
    else:
        entry[pos] = CommentToken("\n" + lines, CommentMark(0), None)
