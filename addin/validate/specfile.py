"""Reading a structure spec file (``jixiao validate --spec SPEC``): JSON checked
against ``workbooks/spec.schema.json``, so a malformed spec is a message naming
the key and what was expected — never a traceback, never a misspelt key
silently ignored.

The checker implements the part of JSON Schema (draft 2020-12) the schema
uses: ``type``, ``enum``, ``pattern``, ``minimum``, ``properties``,
``patternProperties``, ``additionalProperties``, ``required``, ``anyOf`` of
``required`` lists, ``items`` and local ``$ref``; the project needs no schema
library for it.

>>> print(check_spec({"sheets": ["人员"], "inputs": [{"sheet": "人员", "cell": "B4", "colum": "B"}]})[0][1])
inputs[0]: unknown key 'colum' (allowed: sheet, cell, column, header, first_row, last_row, kind, choices, choices_name, required, name)
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from addin.language import say

__all__ = ["SpecError", "check_spec", "load_spec", "schema"]

_TYPES: dict[str, tuple[str, str]] = {
    "object": ("对象 {…}", "an object {…}"),
    "array": ("列表 […]", "a list […]"),
    "string": ("文本", "a string"),
    "integer": ("整数", "a whole number"),
    "number": ("数值", "a number"),
    "boolean": ("true 或 false", "true or false"),
    "null": ("null", "null"),
}


class SpecError(ValueError):
    """A spec file that cannot be used; ``problems`` are (zh, en) messages."""

    def __init__(self, path: str, problems: list[tuple[str, str]]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("; ".join(en for _, en in problems))

    def render(self, lang: str = "zh") -> str:
        """One line per problem, after the file name."""
        head = say(lang, f"结构说明文件 {self.path} 有误：", f"spec file {self.path} is not valid:")
        return "\n".join([head, *(f"  {say(lang, zh, en)}" for zh, en in self.problems)])


def schema() -> dict[str, Any]:
    """The spec's JSON Schema (``workbooks/spec.schema.json``)."""
    text = resources.files("workbooks").joinpath("spec.schema.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _is_type(value: Any, name: str) -> bool:
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return {
        "object": isinstance(value, dict), "array": isinstance(value, list),
        "string": isinstance(value, str), "boolean": isinstance(value, bool), "null": value is None,
    }[name]  # fmt: skip


class _Checker:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.problems: list[tuple[str, str]] = []

    def fail(self, where: str, zh: str, en: str) -> None:
        at = where or "(top)"
        at_zh = where or "（顶层）"
        self.problems.append((f"{at_zh}：{zh}", f"{at}: {en}"))

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.root
            for part in str(node["$ref"]).removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    def check(self, value: Any, node: dict[str, Any], where: str) -> None:
        node = self.resolve(node)
        if "type" in node:
            types = node["type"] if isinstance(node["type"], list) else [node["type"]]
            if not any(_is_type(value, t) for t in types):
                zh = " 或 ".join(_TYPES[t][0] for t in types)
                en = " or ".join(_TYPES[t][1] for t in types)
                self.fail(where, f"应为{zh}，实为 {json.dumps(value, ensure_ascii=False)}",
                          f"expected {en}, found {json.dumps(value, ensure_ascii=False)}")
                return
        if "enum" in node and value not in node["enum"]:
            allowed = ", ".join(json.dumps(v, ensure_ascii=False) for v in node["enum"])
            self.fail(where, f"取值 {json.dumps(value, ensure_ascii=False)} 不在允许的 {allowed} 中",
                      f"{json.dumps(value, ensure_ascii=False)} is not one of {allowed}")
        if "pattern" in node and isinstance(value, str) and not re.search(node["pattern"], value):
            self.fail(where, f"格式不对：{value!r}（应形如 {self._example(node)}）",
                      f"badly formed: {value!r} (expected like {self._example(node)})")
        if "minimum" in node and _is_type(value, "number") and value < node["minimum"]:
            self.fail(where, f"应不小于 {node['minimum']}，实为 {value}",
                      f"must be at least {node['minimum']}, found {value}")
        if isinstance(value, dict):
            self.check_object(value, node, where)
        if isinstance(value, list) and "items" in node:
            for i, item in enumerate(value):
                self.check(item, node["items"], f"{where}[{i}]")

    @staticmethod
    def _example(node: dict[str, Any]) -> str:
        examples = {"^[A-Za-z]{1,3}[0-9]+$": "B4", "^[A-Za-z]{1,3}$": "B",
                    "^[A-Za-z]{1,3}[0-9]+(:[A-Za-z]{1,3}[0-9]+)?$": "C4:C35"}
        return examples.get(node["pattern"], "人员!A4:B9")

    def check_object(self, value: dict[str, Any], node: dict[str, Any], where: str) -> None:
        props: dict[str, Any] = node.get("properties", {})
        patterns: dict[str, Any] = node.get("patternProperties", {})
        extra = node.get("additionalProperties", True)
        for key in node.get("required", []):
            if key not in value:
                self.fail(where, f"缺少必需的键“{key}”", f"missing required key {key!r}")
        if node.get("anyOf") and not any(
            all(k in value for k in alt.get("required", [])) for alt in node["anyOf"]
        ):
            zh = " 或 ".join("+".join(alt["required"]) for alt in node["anyOf"])
            en = " or ".join("+".join(alt["required"]) for alt in node["anyOf"])
            self.fail(where, f"须有键 {zh}", f"needs the key(s) {en}")
        for key, item in value.items():
            at = f"{where}.{key}" if where else key
            if key in props:
                self.check(item, props[key], at)
            elif any(re.search(p, key) for p in patterns):
                continue
            elif extra is False:
                allowed = ", ".join(props)
                self.fail(where, f"未知的键“{key}”（可用：{allowed}）",
                          f"unknown key {key!r} (allowed: {allowed})")
            elif isinstance(extra, dict):
                self.check(item, extra, at)


def check_spec(data: Any) -> list[tuple[str, str]]:
    """The (zh, en) problems of a spec read from JSON; empty when it is valid."""
    root = schema()
    checker = _Checker(root)
    checker.check(data, root, "")
    return checker.problems


def load_spec(path: str | Path) -> dict[str, Any]:
    """Read and check a spec file; raises :class:`SpecError` (exit 2 in the CLI)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(str(path), [(f"无法读取：{exc}", f"cannot be read: {exc}")]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(str(path), [(
            f"第 {exc.lineno} 行第 {exc.colno} 列不是有效的 JSON：{exc.msg}",
            f"line {exc.lineno} column {exc.colno} is not valid JSON: {exc.msg}",
        )]) from None  # fmt: skip
    problems = check_spec(data)
    if problems:
        raise SpecError(str(path), problems)
    assert isinstance(data, dict)
    return data
