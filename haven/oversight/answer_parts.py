"""An answer too large for one archive, split into parts: every record, change and view is
in exactly one part, in order; every part carries the request and says which part it is."""

import io
import json
import zipfile

MAX_PARTS = 64


def _units(data: dict) -> list[tuple[str, str, object]]:
    """The answer's pieces in order: (list, section title, item)."""
    units: list[tuple[str, str, object]] = [
        ("held", section["title"], record)
        for section in data["held"]
        for record in section["records"]
    ]
    units += [("changes", "", entry) for entry in data["changes"]]
    units += [("views", "", entry) for entry in data["views"]]
    return units


def split(data: dict, count: int) -> list[dict]:
    """`data` in `count` parts of about equal size (by their JSON)."""
    units = _units(data)
    sizes = [len(json.dumps(unit[2], ensure_ascii=False)) for unit in units]
    target = sum(sizes) / count
    groups: list[list] = [[]]
    filled = 0.0
    for unit, size in zip(units, sizes, strict=True):
        if groups[-1] and filled + size > target and len(groups) < count:
            groups.append([])
            filled = 0.0
        groups[-1].append(unit)
        filled += size
    parts = []
    for number, group in enumerate(groups, 1):
        part = {
            **data,
            "part": number,
            "parts": len(groups),
            "held": [],
            "changes": [e for kind, _t, e in group if kind == "changes"],
            "views": [e for kind, _t, e in group if kind == "views"],
        }
        for kind, title, record in group:
            if kind != "held":
                continue
            if not part["held"] or part["held"][-1]["title"] != title:
                part["held"].append({"title": title, "records": []})
            part["held"][-1]["records"].append(record)
        if number > 1:  # said once, in the first part
            part.update(identified_exports=[], withheld=[])
        parts.append(part)
    return parts


def bundle(files: dict[str, bytes]) -> bytes:
    """The encrypted parts side by side in one plain ZIP (each part opens on its own)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()
