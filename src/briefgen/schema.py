"""The config's JSON Schema for editors (VS Code's YAML plug-in): keys, types and the
Chinese descriptions declared on the config models' fields."""

from __future__ import annotations

from typing import Any

from briefgen.config import BriefingCfg

# Keys a `mode="before"` validator turns into text: YAML `period: 2021` is a number.
_NUMBER_OK = {
    "BriefingCfg": ("period", "previous", "region"),
    "SourceCfg": ("period", "region"),
    "ChartCfg": ("periods", "regions"),
    "TableCfg": ("rows", "columns"),
}


def _loosen(node: Any) -> Any:
    """Let every plain string in `node` also be a number."""
    if isinstance(node, dict):
        if node.get("type") == "string" and set(node) <= {"type", "title", "description", "default"}:
            return {**node, "type": ["string", "number"]}
        return {k: _loosen(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_loosen(v) for v in node]
    return node


def config_schema() -> dict[str, Any]:
    """The config's JSON Schema (draft 2020-12) with Chinese descriptions."""
    schema = BriefingCfg.model_json_schema(by_alias=True)
    defs = schema.setdefault("$defs", {})
    models = {**defs, "BriefingCfg": schema}
    for model_name, node in models.items():
        for prop in node.get("properties", {}).values():
            if "description" in prop:
                prop.pop("title", None)  # pydantic's English "Caption" would hide the Chinese
        for key in _NUMBER_OK.get(model_name, ()):
            if key in node.get("properties", {}):
                node["properties"][key] = _loosen(node["properties"][key])
    # A department template may supply `meta`, `title`…: editors check keys and types only,
    # `briefgen validate` checks what is required after the template is applied.
    for node in models.values():
        node.pop("required", None)
    metrics = schema.get("properties", {}).get("metrics")
    if metrics and "additionalProperties" in metrics:
        # `key: 指标名` is short for `key: {indicator: 指标名}`.
        metrics["additionalProperties"] = {"anyOf": [metrics["additionalProperties"], {"type": "string"}]}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
