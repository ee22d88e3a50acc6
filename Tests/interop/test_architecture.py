"""The import rules of docs/architecture.md, checked against the code.

Every module under Sources/ must have a row in the document's import table, every row must name a
module that exists, and each module may import only the Mooring modules and packages its row
allows (plus the standard library and the always-allowed system modules).
"""

import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
ALWAYS_ALLOWED = {"Swift", "Glibc", "Darwin", "Dispatch", "Synchronization", "_Concurrency"}
IMPORT = re.compile(
    r"^\s*(?:@[A-Za-z_]+(?:\([^)]*\))?\s+)*(?:public\s+|internal\s+|package\s+|private\s+|fileprivate\s+)?"
    r"import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)",
    re.MULTILINE,
)


def names(cell: str) -> set[str]:
    return set(re.findall(r"`([^`]+)`", cell))


def import_table() -> dict[str, tuple[set[str], set[str]]]:
    text = DOC.read_text()
    match = re.search(r"<!-- import-table:start -->(.*?)<!-- import-table:end -->", text, re.S)
    assert match, "docs/architecture.md has no import table between its markers"
    rows = {}
    for line in match.group(1).strip().splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        assert len(cells) == 4, f"malformed row: {line}"
        (module,) = names(cells[0])
        assert module not in rows, f"{module} has two rows"
        rows[module] = (names(cells[2]), names(cells[3]))
    return rows


def strip_comments(source: str) -> str:
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    return re.sub(r"//[^\n]*", "", source)


def imports_of(module_dir: pathlib.Path) -> dict[str, list[str]]:
    """Imported module -> the files importing it."""
    found: dict[str, list[str]] = {}
    for path in sorted(module_dir.rglob("*.swift")):
        for name in IMPORT.findall(strip_comments(path.read_text())):
            found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return found


def source_modules() -> list[str]:
    return sorted(p.name for p in (ROOT / "Sources").iterdir() if p.is_dir())


def test_every_module_has_exactly_one_row():
    table = import_table()
    missing = sorted(set(source_modules()) - set(table))
    stale = sorted(set(table) - set(source_modules()))
    assert not missing, f"modules missing from docs/architecture.md's import table: {missing}"
    assert not stale, f"rows in docs/architecture.md name no module under Sources/: {stale}"


@pytest.mark.parametrize("module", source_modules())
def test_imports_follow_the_table(module):
    table = import_table()
    if module not in table:
        pytest.fail(f"{module} has no row in docs/architecture.md")
    mooring, packages = table[module]
    allowed = mooring | packages | ALWAYS_ALLOWED
    own_modules = set(source_modules())
    wrong = {}
    for name, files in imports_of(ROOT / "Sources" / module).items():
        if name == module:
            continue
        if name not in allowed:
            wrong[name] = files
        elif name in own_modules and name not in mooring:
            wrong[name] = files
    assert not wrong, (
        f"{module} imports what docs/architecture.md does not allow it: "
        + "; ".join(f"{name} (in {', '.join(files[:3])})" for name, files in sorted(wrong.items()))
    )


def test_the_checker_catches_a_forbidden_import(tmp_path, monkeypatch):
    # The rule itself must be able to fail: a CSIDriver file importing CloudController is refused.
    fake = tmp_path / "Sources" / "CSIDriver"
    fake.mkdir(parents=True)
    (fake / "Bad.swift").write_text("import Logging\n@preconcurrency import CloudController\n// import Yams\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = imports_of(fake)
    assert set(found) == {"Logging", "CloudController"}
    mooring, packages = import_table()["CSIDriver"]
    assert "CloudController" not in mooring | packages


def test_forbidden_pairs_stated_in_the_document_hold():
    table = import_table()
    assert "CloudController" not in table["CSIDriver"][0] and "CSIDriver" not in table["CloudController"][0]
    assert "CSINode" not in table["CSIController"][0] and "CSIController" not in table["CSINode"][0]
    # The local cloud's wire models are its own: of Mooring it may use only the metrics listener,
    # RateLimiting (the dependency-free token bucket) and SystemIO (its command runner).
    assert table["LocalCloud"][0] <= {"MetricsHTTP", "RateLimiting", "SystemIO"}, "LocalCloud imports no Mooring module but MetricsHTTP, RateLimiting and SystemIO"
    assert not table["MetricsHTTP"][0], "MetricsHTTP imports no Mooring module (LocalCloud uses it)"
    assert "Foundation" not in table["csi-node"][1] | table["CSIDriver"][1] | table["CSINode"][1] | table["CSIStartup"][1]
    for module, (mooring, _) in table.items():
        if module != "RPC":
            assert "CGRPC" not in mooring, f"only RPC touches gRPC core, not {module}"
        if module != "CSI":
            assert "CSIProtoC" not in mooring, f"only CSI touches protobuf-c, not {module}"
        if module != "SystemIO":
            assert "CSystemIO" not in mooring, f"only SystemIO uses its C shim, not {module}"


C_WRAPPERS = {"RPC", "CSI", "SystemIO"}


def test_only_the_wrappers_import_the_c_library_elsewhere_each_file_is_explained():
    text = DOC.read_text()
    unexplained = []
    for module in source_modules():
        if module in C_WRAPPERS:
            continue
        found = imports_of(ROOT / "Sources" / module)
        for name in ("Glibc", "Darwin"):
            for path in found.get(name, []):
                if path.removeprefix("Sources/") not in text:
                    unexplained.append(path)
    assert not unexplained, (
        "only RPC, CSI and SystemIO import the C library; explain these in docs/architecture.md "
        f"(\"C and the operating system\") or move the calls into SystemIO: {sorted(set(unexplained))}"
    )
