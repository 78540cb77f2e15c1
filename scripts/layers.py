#!/usr/bin/env python3
"""The layer check: the edges between the modules of each crate must point
down the declared layer order (scripts/layers.toml) and form no circle.
Known debts are listed in scripts/layers-baseline.txt; the check fails on
any edge that breaks a rule and is not listed there, and on a listed edge
that no longer exists (remove it: the list only shrinks).

    python3 scripts/layers.py                   # check
    python3 scripts/layers.py --graph           # print every edge
    python3 scripts/layers.py --write-baseline  # after paying a debt
    python3 scripts/layers.py --self-test       # the check catches what it must

A module is a top-level file or folder of a crate's `src/`. Inside every
folder below the root, its files and sub-folders must not use each other in
a circle either (a child may use its folder's mod.rs, the folder's face). An edge is any
path into another module: `crate::x`, `$crate::x`, `super::…` that climbs
to the crate root, and in lib.rs a bare `x::`. `crate::Name` for a name
lib.rs re-exports counts as an edge to the module it comes from; lib.rs's
own `pub use` lines are its facade, not edges. Comments, strings and the
items under `#[cfg(test)]` are not read: the rules are about shipped code.
Aliasing the crate (`use crate as c`, `crate::{self as c}`) is refused, as
it would hide edges.
"""

import pathlib
import re
import sys
import tempfile
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CONFIG = ROOT / "scripts" / "layers.toml"
BASELINE = ROOT / "scripts" / "layers-baseline.txt"

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def strip(text: str) -> str:
    """The text with comments, string and char literals blanked out."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            out.append(" ")
        elif re.match(r'b?r#*"', text[i:i + 12]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'b?r(#*)"', text[i:])
            end = '"' + m.group(1)
            j = text.find(end, i + m.end())
            i = n if j < 0 else j + len(end)
            out.append('""')
        elif c == '"' or (c == "b" and text.startswith('b"', i) and (i == 0 or not text[i - 1].isalnum())):
            i += 2 if c == "b" else 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            out.append('""')
        elif c == "'":
            # A char literal ('x', '\n', '\u{..}'), or a lifetime ('a).
            m = re.match(r"'(\\.[^']*|[^\\'])'", text[i:])
            if m:
                i += m.end()
                out.append("' '")
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def drop_test_items(text: str) -> str:
    """Remove each item marked `#[cfg(test)]` (a test module, a helper)."""
    while True:
        m = re.search(r"#\[cfg\(test\)\]", text)
        if not m:
            return text
        i, n = m.end(), len(text)
        # Skip further attributes and whitespace, then the item to its end.
        while True:
            while i < n and text[i].isspace():
                i += 1
            if text.startswith("#[", i):
                depth = 0
                while i < n:
                    depth += text[i] == "["
                    depth -= text[i] == "]"
                    i += 1
                    if depth == 0:
                        break
            else:
                break
        depth = 0
        while i < n:
            ch = text[i]
            if ch == ";" and depth == 0:
                i += 1
                break
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    i += 1
                    break
            i += 1
        text = text[: m.start()] + text[i:]


def top_modules(src: pathlib.Path) -> set[str]:
    mods = set()
    for p in src.iterdir():
        if p.is_dir() and p.name not in ("bin", "snapshots"):
            mods.add(p.name)
        elif p.suffix == ".rs" and p.stem not in ("lib", "main"):
            mods.add(p.stem)
    return mods


def module_path(src: pathlib.Path, file: pathlib.Path) -> list[str]:
    """The file's module path: [] for lib.rs, ["x"] for x.rs or x/mod.rs."""
    parts = list(file.relative_to(src).with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return parts


def group_names(text: str, start: int) -> list[str]:
    """The first segments named inside the `{ … }` that starts at `start`."""
    depth, names, cur, i = 0, [], "", start
    while i < len(text):
        c = text[i]
        if c == "{":
            depth += 1
            if depth > 1:
                names.append(cur.strip())
            cur = ""
        elif c == "}":
            if depth == 1 and cur.strip():
                names.append(cur.strip())
            depth -= 1
            cur = ""
            if depth == 0:
                break
        elif c == "," and depth == 1:
            names.append(cur.strip())
            cur = ""
        elif depth == 1:
            cur += c
        i += 1
    out = []
    for n in names:
        n = n.split("::")[0].split(" as ")[0].strip()
        if n and n != "self":
            out.append(n)
    return out


def reexports(lib_text: str, mods: set[str]) -> dict[str, str]:
    """Names lib.rs re-exports from its modules: name -> module."""
    found = {}
    for m in re.finditer(rf"pub(?:\([^)]*\))?\s+use\s+(?:crate::|self::)?({IDENT})::([^;]+);", lib_text):
        module, rest = m.group(1), m.group(2).strip()
        if module not in mods:
            continue
        if rest.startswith("{"):
            inner = rest[1:rest.rfind("}")]
            items = [x.strip() for x in inner.split(",") if x.strip()]
        else:
            items = [rest]
        for item in items:
            name = item.split(" as ")[-1].split("::")[-1].strip()
            if re.fullmatch(IDENT, name):
                found[name] = module
    return found


def edges_of(crate: str) -> tuple[set[tuple[str, str]], set[str]]:
    src = ROOT / "crates" / crate / "src"
    mods = top_modules(src)
    root_file = src / "lib.rs" if (src / "lib.rs").exists() else src / "main.rs"
    lib_clean = drop_test_items(strip(root_file.read_text()))
    names = reexports(lib_clean, mods)
    edges, problems = set(), set()

    def unit(name: str) -> str:
        if name in mods:
            return name
        return names.get(name, "lib")

    for file in sorted(src.rglob("*.rs")):
        rel = file.relative_to(src).parts
        if rel[0] == "bin":
            continue
        path = module_path(src, file)
        me = path[0] if path else "lib"
        text = drop_test_items(strip(file.read_text()))
        if re.search(r"\buse\s+crate\s+as\b", text) or re.search(r"\bcrate::\{[^}]*\bself\s+as\b", text):
            problems.add(f"{crate}: {me} aliases the crate, which hides its edges")
        # A glob of the folder's own module (`use super::*` in a child)
        # hides which of its siblings' names a file uses: name them.
        if len(path) > 1 and re.search(rf"\buse\s+(?:super|crate::{me})::\*", text):
            problems.add(f"{crate}: {me} has a glob import from inside the crate, which hides its edges")
        targets = []
        # crate:: and $crate:: paths, single or grouped.
        for m in re.finditer(rf"(?:\$)?\bcrate::(?:({IDENT})|\{{)", text):
            if m.group(1):
                targets.append(m.group(1))
            else:
                targets += group_names(text, m.end() - 1)
        # super:: chains that climb to the root.
        for m in re.finditer(rf"(?<![A-Za-z0-9_:])((?:super::)+)(?:({IDENT}|\*)|\{{)", text):
            ups = m.group(1).count("super::")
            if ups < len(path):
                continue  # stays inside this file's own top-level module
            if m.group(2) == "*":
                targets.append("*")
            elif m.group(2):
                targets.append(m.group(2))
            else:
                targets += group_names(text, m.end() - 1)
        # In the crate root, plain paths into its modules (not its facade).
        if not path:
            code = re.sub(rf"pub(?:\([^)]*\))?\s+use\s+[^;]+;", "", text)
            code = re.sub(rf"\b(?:pub(?:\([^)]*\))?\s+)?mod\s+{IDENT}\s*;", "", code)
            for m in re.finditer(rf"(?<![A-Za-z0-9_:$])({IDENT})::", code):
                if m.group(1) in mods:
                    targets.append(m.group(1))
        for t in targets:
            to = "lib" if t == "*" else unit(t)
            if to != me:
                edges.add((me, to))
    return edges, problems


def use_paths(text: str, i: int) -> list[list[str]]:
    """The paths of the use tree (or plain path) that starts at `i`:
    `a::b::{c, d::e}` gives [a, b, c] and [a, b, d, e]; `*` and `self` end
    a path."""
    n = len(text)

    def skip(i):
        while i < n and text[i].isspace():
            i += 1
        return i

    def tree(i):
        i = skip(i)
        if i < n and text[i] == "{":
            out, i = [], i + 1
            while True:
                i = skip(i)
                if i >= n or text[i] == "}":
                    return out, i + 1
                sub, i = tree(i)
                out += sub
                i = skip(i)
                if i < n and text[i] == ",":
                    i += 1
        m = re.compile(rf"{IDENT}|\*").match(text, i)
        if not m:
            return [[]], i
        seg, i = m.group(0), m.end()
        if seg in ("self", "*"):
            return [[]], i
        j = skip(i)
        if text.startswith("::", j):
            subs, i = tree(j + 2)
            return [[seg] + s for s in subs], i
        alias = re.compile(rf"\s+as\s+(?:{IDENT})").match(text, i)
        return [[seg]], alias.end() if alias else i

    return tree(i)[0]


def child_items(folder: pathlib.Path) -> dict[str, str]:
    """Names the children of a folder define (for its mod.rs to re-export):
    name -> child, for names only one child defines and mod.rs does not."""
    item = re.compile(rf"^\s*pub(?:\([^)]*\))?\s+(?:async\s+)?(?:unsafe\s+)?(?:fn|struct|enum|trait|const|static|type|mod)\s+({IDENT})", re.M)
    own = set()
    if (folder / "mod.rs").exists():
        own = set(item.findall(drop_test_items(strip((folder / "mod.rs").read_text()))))
    seen: dict[str, set[str]] = {}
    for child in folder.iterdir():
        if child.name == "mod.rs":
            continue
        f = child / "mod.rs" if child.is_dir() else child
        if f.suffix != ".rs" or not f.exists():
            continue
        for name in item.findall(drop_test_items(strip(f.read_text()))):
            seen.setdefault(name, set()).add(f.stem if f.name != "mod.rs" else child.name)
    return {n: next(iter(c)) for n, c in seen.items() if len(c) == 1 and n not in own}


def folder_edges(crate: str) -> set[tuple[str, str, str]]:
    """Edges between the children of each folder below the crate root:
    (folder, child, sibling). A child may use its folder's mod.rs (the
    folder's shared items and face), which is not a node."""
    src = ROOT / "crates" / crate / "src"
    found = set()
    items: dict[pathlib.Path, dict[str, str]] = {}
    for file in sorted(src.rglob("*.rs")):
        rel = file.relative_to(src).parts
        if rel[0] == "bin":
            continue
        path = module_path(src, file)
        if len(path) < 2:
            continue
        text = drop_test_items(strip(file.read_text()))
        targets = []
        for m in re.finditer(r"(?<![A-Za-z0-9_:$])\$?crate::", text):
            targets += use_paths(text, m.end())
        for m in re.finditer(r"(?<![A-Za-z0-9_:])((?:super::)+)", text):
            ups = m.group(1).count("super::")
            if ups > len(path):
                continue
            base = path[: len(path) - ups]
            targets += [base + t for t in use_paths(text, m.end())]
        for m in re.finditer(r"(?<![A-Za-z0-9_:])self::", text):
            targets += [path + t for t in use_paths(text, m.end())]
        for t in targets:
            # The deepest folder both sit in (below the root), and the child
            # of it on each side.
            k = 0
            while k < min(len(path), len(t)) and path[k] == t[k]:
                k += 1
            if k == 0 or k >= len(path) or k >= len(t):
                continue
            folder = src.joinpath(*path[:k])
            other = t[k]
            if not ((folder / f"{other}.rs").exists() or (folder / other).is_dir()):
                # A name mod.rs re-exports (`super::create_task`) counts as
                # a use of the child that defines it.
                if folder not in items:
                    items[folder] = child_items(folder)
                other = items[folder].get(other)
                if other is None or other == path[k]:
                    continue
            found.add(("/".join(path[:k]), path[k], other))
    return found


def folder_circles(crate: str, inner: set[tuple[str, str, str]]) -> set[str]:
    by_folder: dict[str, set[tuple[str, str]]] = {}
    for folder, a, b in inner:
        by_folder.setdefault(folder, set()).add((a, b))
    out = set()
    for folder, edges in sorted(by_folder.items()):
        for comp in cycles(edges):
            out.add(f"{crate}: circle in {folder}/: {' '.join(comp)}")
    return out


def cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    graph: dict[str, list[str]] = {}
    for a, b in edges:
        graph.setdefault(a, []).append(b)
        graph.setdefault(b, [])
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def violations(crate: str, rules: dict, edges) -> set[str]:
    layers = rules["layers"]
    open_layers = set(rules.get("open", []))
    level = {}
    for i, layer in enumerate(layers):
        for m in layer:
            level[m] = i
    found = set()
    src = ROOT / "crates" / crate / "src"
    for m in sorted(top_modules(src) | {"lib"}):
        if m not in level:
            found.add(f"{crate}: {m} is in no layer of scripts/layers.toml")
    for a, b in sorted(edges):
        la, lb = level.get(a), level.get(b)
        if la is None or lb is None:
            continue
        # Layers are listed top first: an edge must point to a later one,
        # or within a layer whose modules may use each other.
        if lb < la:
            found.add(f"{crate}: {a} -> {b} (upward)")
        elif lb == la and la not in open_layers:
            found.add(f"{crate}: {a} -> {b} (sideways)")
    for comp in cycles(edges):
        found.add(f"{crate}: circle {' '.join(comp)}")
    found |= forbidden_names(crate, rules.get("forbid", []))
    return found


def forbidden_names(crate: str, names: list[str]) -> set[str]:
    """Crates this crate's code must not name as a path (`name::…`, outside
    tests) nor list under [dependencies]: what a lower crate keeps to itself."""
    found = set()
    if not names:
        return found
    src = ROOT / "crates" / crate / "src"
    pattern = re.compile(r"(?<![\w:])(" + "|".join(map(re.escape, names)) + r")\s*::")
    for f in sorted(src.rglob("*.rs")):
        text = drop_test_items(strip(f.read_text()))
        for m in sorted(set(pattern.findall(text))):
            unit = (module_path(src, f) or ["lib"])[0]
            found.add(f"{crate}: {unit} names {m} (forbidden in this crate)")
    manifest = ROOT / "crates" / crate / "Cargo.toml"
    if manifest.exists():
        deps = tomllib.loads(manifest.read_text()).get("dependencies", {})
        for n in names:
            if n.replace("_", "-") in deps:
                found.add(f"{crate}: Cargo.toml depends on {n.replace('_', '-')} (forbidden in this crate)")
    return found


def check() -> tuple[set[str], list[str], int]:
    config = tomllib.loads(CONFIG.read_text())
    all_found, graph = set(), []
    for crate, rules in config.items():
        edges, problems = edges_of(crate)
        graph += [f"{crate}: {a} -> {b}" for a, b in sorted(edges)]
        inner = folder_edges(crate)
        all_found |= violations(crate, rules, edges) | problems | folder_circles(crate, inner)
        graph += [f"{crate}: {f}/{a} -> {f}/{b}" for f, a, b in sorted(inner)]
    return all_found, graph, len(config)


def self_test() -> int:
    """Plant each kind of bad import in a copy of web (in kit/mod.rs unless a
    plant names its file and module): each is caught."""
    global ROOT
    real = ROOT
    plants = [
        ("crate path", "fn x() { crate::portal::routes(); }"),
        ("grouped use", "use crate::{kit::error, portal::Exposure};"),
        ("super from a folder's mod.rs", "use super::portal::Exposure;"),
        ("super from a nested file", "use super::super::portal::Exposure;", "kit/layout.rs", "kit"),
        ("one surface using the other", "fn x() { crate::staff::routes(); }", "portal/files.rs", "portal"),
        ("super across surfaces", "use super::super::staff::routes;", "portal/files.rs", "portal"),
        ("re-exported name", "fn x() -> Option<crate::Exposure> { None }"),
        ("after a test helper", "#[cfg(test)]\nfn helper() {}\nfn x() { crate::portal::routes(); }"),
        ("after a string with //", 'const U: &str = "http://x"; fn x() { crate::portal::routes(); }'),
        ("crate alias", "use crate as root;"),
        ("a circle between two files of a folder", "use super::documents::routes as _d;", "staff/picks.rs", "staff"),
        ("a circle through a name the folder re-exports", "fn x() { super::staff_documents_of(); }", "staff/picks.rs", "staff"),
        ("a grouped circle inside a folder", "use crate::staff::{documents::routes as _d};", "staff/picks.rs", "staff"),
        ("a forbidden crate named", "fn x(_: courtyard_db::Db) {}", "ui/records.rs", "ui"),
        ("a glob from the folder's module", "use super::*;", "staff/picks.rs", "staff"),
    ]
    fine = [
        ("in a comment", "// crate::portal::routes()\n/* crate::staff::routes() */"),
        ("in a string", 'const S: &str = "crate::portal::routes";'),
        ("in a test module", "#[cfg(test)]\nmod tests { use crate::portal::Exposure; }"),
        ("an alias in a folder's group", "use super::{work_forms as documents};", "staff/picks.rs", "staff"),
        ("a forbidden crate in a comment", "// courtyard_db::Db is the app's business", "ui/records.rs", "ui"),
        ("a glob in a test module", "#[cfg(test)]\nmod tests { use super::*; }", "staff/picks.rs", "staff"),
    ]
    failures = 0
    cases = [(p[0], p[1], True, p[2] if len(p) > 2 else "kit/mod.rs", p[3] if len(p) > 3 else "kit") for p in plants]
    cases += [(f[0], f[1], False, f[2] if len(f) > 2 else "kit/mod.rs", f[3] if len(f) > 3 else "kit") for f in fine]
    for label, code, want, where, module in cases:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = pathlib.Path(tmp)
            for crate in tomllib.loads((real / "scripts" / "layers.toml").read_text()):
                dst = tmp / "crates" / crate / "src"
                for f in (real / "crates" / crate / "src").rglob("*.rs"):
                    target = dst / f.relative_to(real / "crates" / crate / "src")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(f.read_text())
            (tmp / "scripts").mkdir()
            (tmp / "scripts" / "layers.toml").write_text((real / "scripts" / "layers.toml").read_text())
            layout = tmp / "crates" / "web" / "src" / where
            layout.write_text(layout.read_text() + "\n" + code + "\n")
            ROOT = tmp
            before = ROOT
            try:
                found, _, _ = check()
            finally:
                ROOT = real
            caught = any(v.startswith(f"web: {module} ") or v.startswith(f"web: circle in {module}/") or (v.startswith("web: circle ") and module in v.split()[2:] and "circle in" not in v) for v in found)
            if caught != want:
                failures += 1
                print(f"self-test: {label}: {'not caught' if want else 'falsely reported'}: {sorted(found)}")
            del before
    print(f"self-test: {len(plants)} planted imports caught, {len(fine)} harmless ones passed" if not failures else f"self-test: {failures} failed")
    return 1 if failures else 0


def main() -> int:
    if "--self-test" in sys.argv:
        return self_test()
    all_found, graph, crates = check()
    if "--graph" in sys.argv:
        print("\n".join(graph))
        return 0
    if "--write-baseline" in sys.argv:
        BASELINE.write_text(
            "# Layer debts still to pay (scripts/layers.py). Remove a line when the\n"
            "# edge is gone; never add one by hand.\n" + "\n".join(sorted(all_found)) + ("\n" if all_found else "")
        )
        print(f"wrote {len(all_found)} known debts to {BASELINE.relative_to(ROOT)}")
        return 0
    known = {
        l.strip()
        for l in BASELINE.read_text().splitlines()
        if l.strip() and not l.startswith("#")
    } if BASELINE.exists() else set()
    new = sorted(all_found - known)
    paid = sorted(known - all_found)
    for v in new:
        print(f"layer rule broken: {v}")
    for v in paid:
        print(f"no longer true, remove it from scripts/layers-baseline.txt: {v}")
    if new or paid:
        return 1
    print(f"layers: {crates} crates checked, {len(known)} known debts (scripts/layers-baseline.txt), nothing new")
    return 0


if __name__ == "__main__":
    sys.exit(main())
