"""Print the size of each part of a built bundle, largest first.

Usage: python packaging/bundle_sizes.py [dist/alstudio] [--json] [--top N]

A part is a top-level entry of the bundle folder, and inside PyInstaller's ``_internal/``
(where the libraries sit) each of its own top-level entries: ``torch``, ``PySide6``,
``libpython3.11.so`` ... Loose shared libraries at the top of ``_internal`` are summed as one
part, so the table stays readable.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
INTERNAL = "_internal"


def tree_size(path: Path) -> tuple[int, int]:
    """(bytes, files) under ``path``; symbolic links count as nothing (they point inside)."""
    if path.is_symlink():
        return 0, 0
    if path.is_file():
        return path.stat().st_size, 1
    total = files = 0
    for child in path.rglob("*"):
        if child.is_file() and not child.is_symlink():
            total += child.stat().st_size
            files += 1
    return total, files


def parts(bundle: Path) -> list[dict[str, object]]:
    """One row per part: name, bytes, files; largest first."""
    rows: dict[str, list[int]] = {}

    def add(name: str, path: Path) -> None:
        size, count = tree_size(path)
        row = rows.setdefault(name, [0, 0])
        row[0] += size
        row[1] += count

    for entry in sorted(bundle.iterdir()):
        if entry.name == INTERNAL and entry.is_dir():
            for inner in sorted(entry.iterdir()):
                loose = inner.is_file() and (".so" in inner.name or inner.suffix in (".dll",
                                                                                    ".dylib"))
                add(f"{INTERNAL}/(loose shared libraries)" if loose
                    else f"{INTERNAL}/{inner.name}", inner)
        else:
            add(entry.name, entry)
    return sorted(({"part": name, "bytes": size, "files": count}
                   for name, (size, count) in rows.items()),
                  key=lambda row: -int(str(row["bytes"])))


def main(argv: list[str] | None = None) -> int:
    """Print the table (or JSON) of the bundle's parts and its total size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", nargs="?", type=Path, default=REPO / "dist" / "alstudio")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--top", type=int, default=20, help="rows to print (default 20)")
    args = parser.parse_args(argv)
    if not args.bundle.is_dir():
        print(f"bundle_sizes: no bundle at {args.bundle}; build one with scripts/package.sh",
              file=sys.stderr)
        return 1
    rows = parts(args.bundle)
    total = sum(int(str(row["bytes"])) for row in rows)
    if args.json:
        print(json.dumps({"bundle": str(args.bundle), "bytes": total, "parts": rows}, indent=2))
        return 0
    print(f"{'part':<48} {'MB':>9} {'files':>7}")
    for row in rows[:args.top]:
        print(f"{row['part']!s:<48} {int(str(row['bytes'])) / 1e6:>9.1f} {row['files']!s:>7}")
    rest = rows[args.top:]
    if rest:
        rest_bytes = sum(int(str(row["bytes"])) for row in rest)
        print(f"{f'({len(rest)} smaller parts)':<48} {rest_bytes / 1e6:>9.1f}")
    print(f"{'total':<48} {total / 1e6:>9.1f} {sum(int(str(r['files'])) for r in rows):>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
