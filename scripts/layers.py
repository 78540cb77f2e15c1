#!/usr/bin/env python3
"""The layer check: the `crate::` edges between the modules of each crate
must point down the declared layer order (scripts/layers.toml) and form no
circle. Known debts are listed in scripts/layers-baseline.txt; the check
fails on any edge that breaks a rule and is not listed there, and on a
listed edge that no longer exists (remove it: the list only shrinks).

    python3 scripts/layers.py            # check
    python3 scripts/layers.py --graph    # print every edge
    python3 scripts/layers.py --write-baseline   # after paying a debt

A module is a top-level file or folder of a crate's `src/`; `crate::Name`
for an item defined in lib.rs counts as an edge to `lib`.
"""

import pathlib
import re
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CONFIG = ROOT / "scripts" / "layers.toml"
BASELINE = ROOT / "scripts" / "layers-baseline.txt"

USE_GROUP = re.compile(r"crate::\{")
PATH = re.compile(r"\bcrate::([A-Za-z_][A-Za-z0-9_]*)")
COMMENT = re.compile(r"//[^\n]*")


def top_modules(src: pathlib.Path) -> set[str]:
    mods = set()
    for p in src.iterdir():
        if p.is_dir() and p.name not in ("bin", "snapshots"):
            mods.add(p.name)
        elif p.suffix == ".rs" and p.stem not in ("lib", "main"):
            mods.add(p.stem)
    return mods


def module_of(src: pathlib.Path, file: pathlib.Path) -> str:
    rel = file.relative_to(src)
    first = rel.parts[0]
    if len(rel.parts) == 1:
        return "lib" if rel.stem in ("lib", "main") else rel.stem
    return first


def group_names(text: str, start: int) -> list[str]:
    """The first segments named inside `crate::{ … }` starting at `start`."""
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


def edges_of(crate: str) -> set[tuple[str, str]]:
    src = ROOT / "crates" / crate / "src"
    mods = top_modules(src)
    edges = set()
    for file in sorted(src.rglob("*.rs")):
        if "bin" in file.relative_to(src).parts[:1]:
            continue
        me = module_of(src, file)
        text = COMMENT.sub("", file.read_text())
        # Tests may reach anywhere; the rules are about the shipped code.
        cut = text.find("#[cfg(test)]")
        if cut >= 0:
            text = text[:cut]
        targets = [m.group(1) for m in PATH.finditer(text)]
        for m in USE_GROUP.finditer(text):
            targets += group_names(text, m.end() - 1)
        for t in targets:
            to = t if t in mods else "lib"
            if to != me:
                edges.add((me, to))
    return edges


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
    return found


def main() -> int:
    config = tomllib.loads(CONFIG.read_text())
    all_found, graph = set(), []
    for crate, rules in config.items():
        edges = edges_of(crate)
        graph += [f"{crate}: {a} -> {b}" for a, b in sorted(edges)]
        all_found |= violations(crate, rules, edges)
    if "--graph" in sys.argv:
        print("\n".join(graph))
        return 0
    if "--write-baseline" in sys.argv:
        BASELINE.write_text(
            "# Layer debts still to pay (scripts/layers.py). Remove a line when the\n"
            "# edge is gone; never add one by hand.\n" + "\n".join(sorted(all_found)) + "\n"
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
    print(f"layers: {len(config)} crates checked, {len(known)} known debts (scripts/layers-baseline.txt), nothing new")
    return 0


if __name__ == "__main__":
    sys.exit(main())
