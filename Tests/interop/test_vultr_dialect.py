"""The local cloud speaks Vultr's v2 dialect as Vultr's own clients (govultr v3, vultr-csi) expect
it: the golden request/response fixtures in fixtures/vultr-dialect (written from Vultr's public API
documentation and govultr's types; see their README) replayed step by step against a real
localcloud over HTTP. A status code, a field name, a JSON type or an error text that drifts from
what those clients decode or match fails here."""
import json
import pathlib
import re
import time

import pytest
import requests

from mooring_procs import LocalCloud

KEY = "dialect-key-90d1"
FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "vultr-dialect"
TYPES = {"<string>": str, "<int>": int, "<number>": (int, float), "<bool>": bool, "<array>": list, "<object>": dict}


def fixtures():
    return sorted(p.name for p in FIXTURES.glob("*.json"))


def fill(value, saved):
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda m: str(saved[m.group(1)]), value)
    if isinstance(value, list):
        return [fill(v, saved) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, saved) for k, v in value.items()}
    return value


def mismatches(expected, actual, where="body"):
    """Every way `actual` falls short of the pattern `expected`."""
    if isinstance(expected, str) and expected in TYPES:
        kind = TYPES[expected]
        ok = isinstance(actual, kind) and not (kind is int and isinstance(actual, bool))
        return [] if ok else [f"{where}: expected {expected}, got {actual!r}"]
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {actual!r}"]
        found = []
        for key, value in expected.items():
            if key not in actual:
                found.append(f"{where}.{key}: missing")
            else:
                found += mismatches(value, actual[key], f"{where}.{key}")
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: expected {len(expected)} items, got {actual!r}"]
        return [m for i, (e, a) in enumerate(zip(expected, actual)) for m in mismatches(e, a, f"{where}[{i}]")]
    if type(expected) is not type(actual) or expected != actual:
        return [f"{where}: expected {expected!r}, got {actual!r}"]
    return []


def dig(body, dotted):
    for part in dotted.split("."):
        body = body[part]
    return body


@pytest.fixture
def cloud(bin_dir, tmp_path):
    localcloud = LocalCloud(bin_dir, tmp_path, KEY, "--pending-ms", "50", "--vfs-dir", str(tmp_path / "vfs"))
    yield localcloud.url
    localcloud.stop()


def test_the_fixtures_are_there():
    assert {"blocks.json", "vfs.json"} <= set(fixtures())


@pytest.mark.parametrize("name", fixtures())
def test_localcloud_answers_like_vultr(cloud, name):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {KEY}"
    saved = {}
    for step in json.loads((FIXTURES / name).read_text())["steps"]:
        time.sleep(step.get("wait_ms", 0) / 1000)
        request, expected = step["request"], step["response"]
        body = fill(request.get("body"), saved) if "body" in request else None
        r = session.request(request["method"], cloud + fill(request["path"], saved), json=body, timeout=10)
        label = f"{name}: {step['name']}: {request['method']} {request['path']}"
        assert r.status_code == expected["status"], f"{label}: status {r.status_code}, body {r.text}"
        if expected.get("body") == "":
            assert r.content == b"", f"{label}: expected no body, got {r.text}"
        elif "body" in expected:
            problems = mismatches(fill(expected["body"], saved), r.json())
            assert not problems, f"{label}:\n" + "\n".join(problems)
        for key, dotted in step.get("save", {}).items():
            saved[key] = dig(r.json(), dotted)


def test_the_matcher_notices_drift():
    assert mismatches({"mount_tag": "<int>"}, {"mount_tag": "7"}) == ["body.mount_tag: expected <int>, got '7'"]
    assert mismatches({"a": {"b": 1}}, {"a": {}}) == ["body.a.b: missing"]
    assert mismatches({"error": "Attachment Not Found"}, {"error": "attachment not found"})
    assert not mismatches({"x": "<number>"}, {"x": 0.5, "y": 1})


def test_blocks_and_snapshots_kept_in_the_old_shape_are_answered_in_vultrs(bin_dir, tmp_path):
    """A data directory from a localcloud before the dialect fixes (blocks without the later fields,
    snapshots with `date_created` and size in GB) still loads, and is answered in Vultr's shape."""
    import sqlite3
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {KEY}"
    first = LocalCloud(bin_dir, tmp_path, KEY, "--pending-ms", "0")
    try:
        block = session.post(first.url + "/v2/blocks", json={"region": "ewr", "size_gb": 12, "label": "old"}, timeout=10).json()["block"]
        snapshot = session.post(first.url + "/v2/blocks/snapshots", json={"block_id": block["id"], "description": "old"},
                                timeout=10).json()
    finally:
        first.stop()
    with sqlite3.connect(tmp_path / "cloud" / "localcloud.sqlite") as db:
        old_block = {k: v for k, v in block.items() if k not in {
            "pending_charges", "attached_to_instance_ip", "attached_to_instance_label", "os_id", "snapshot_id", "bootable"}}
        old_snapshot = {"id": snapshot["id"], "date_created": "2026-01-02T03:04:05+00:00", "description": "old",
                        "block_id": block["id"], "state": "COMPLETE", "size": 12, "region": "ewr"}
        db.execute("UPDATE resource SET body = ? WHERE kind = 'block' AND id = ?", (json.dumps(old_block).encode(), block["id"]))
        db.execute("UPDATE resource SET body = ? WHERE kind = 'snapshot' AND id = ?",
                   (json.dumps(old_snapshot).encode(), snapshot["id"]))
    second = LocalCloud(bin_dir, tmp_path, KEY)
    try:
        got = session.get(f"{second.url}/v2/blocks/{block['id']}", timeout=10).json()["block"]
        assert got["label"] == "old" and got["bootable"] is False and got["snapshot_id"] == "" and got["pending_charges"] == 0
        snap = session.get(f"{second.url}/v2/blocks/snapshots/{snapshot['id']}", timeout=10).json()
        assert snap["size"] == 12 * 2**30 and snap["added_at"] == "2026-01-02T03:04:05+00:00" and "date_created" not in snap
        # A block restored from it is as large as the snapshot's source.
        restored = session.post(second.url + "/v2/blocks", json={"region": "ewr", "label": "r", "snapshot_id": snapshot["id"]},
                                timeout=10).json()["block"]
        assert restored["size_gb"] == 12 and restored["snapshot_id"] == snapshot["id"]
    finally:
        second.stop()
