"""Merge simulator JSON files of one benchmark run on different seeds, and print the summary.

    alstudio simulate ARCHIVE.npz --seeds 5 --json first.json
    alstudio simulate ARCHIVE.npz --seeds 5 --first-seed 5 --json more.json
    python benchmarks/merge_seeds.py first.json more.json --out ten-seeds.json

The merged file is the one a single ten-seed run would have written (same curves, same
summary); `benchmarks/ablation.py --table` reads it like any other. The printout adds each
strategy's label efficiency with its 95% interval from a bootstrap over the seeds.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from alstudio.errors import AlstudioError
from alstudio.evaluation.report import format_summary
from alstudio.evaluation.seed_bootstrap import efficiency_interval
from alstudio.evaluation.seed_merge import merge_results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", type=Path, metavar="RESULT.json")
    parser.add_argument("--out", type=Path, required=True, metavar="MERGED.json")
    args = parser.parse_args(argv)
    try:
        loaded = [json.loads(path.read_text()) for path in args.results]
        merged = merge_results(loaded, sources=[path.name for path in args.results])
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: cannot merge: {exc}", file=sys.stderr)
        return 1
    except AlstudioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(merged, indent=1, allow_nan=False))
    if merged["left_out"]:
        print(f"left out (not in every run): {', '.join(merged['left_out'])}")
    print(f"seeds {merged['config']['seed_list']}")
    print(format_summary(merged))
    print("label efficiency against random, bootstrap over seeds:")
    for strategy in merged["config"]["strategies"][1:]:
        interval = efficiency_interval(merged, strategy)
        print(f"  {strategy}: {interval.describe()}, target reached in "
              f"{interval.reached:.0%} of resamples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
