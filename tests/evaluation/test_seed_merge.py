"""More seeds run later and merged give the figures of one run over all those seeds."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from alstudio.errors import AlstudioError
from alstudio.evaluation.seed_merge import merge_results, seeds_of, subset_result

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "benchmarks"


def _tiny(seeds: int, first_seed: int) -> dict[str, Any]:
    from alstudio.evaluation.simulate import SimulationConfig, simulate
    from alstudio.learning.training import TrainConfig
    from alstudio.workflow.demo import demo_archive

    config = SimulationConfig(strategies=["random", "coreset_uncertainty"], seeds=seeds,
                              first_seed=first_seed, initial=10, batch=10, budget=30,
                              rare_class=0, threads=1,
                              train=TrainConfig(max_epochs=2, min_steps=10))
    return simulate(demo_archive(), config)


@pytest.fixture(scope="module")
def runs() -> dict[str, dict[str, Any]]:
    return {"both": _tiny(2, 0), "first": _tiny(1, 0), "second": _tiny(1, 1)}


def test_merged_seeds_equal_one_run_of_all_of_them(runs: dict[str, dict[str, Any]]) -> None:
    both, first, second = runs["both"], runs["first"], runs["second"]
    assert seeds_of(second) == [1] and second["config"]["first_seed"] == 1
    merged = merge_results([second, first], sources=["second.json", "first.json"])
    assert merged["config"]["seed_list"] == [0, 1] and merged["config"]["seeds"] == 2
    assert merged["curves"] == both["curves"]  # joined in seed order, whatever the file order
    assert merged["full_data"] == both["full_data"]
    assert merged["summary"] == both["summary"]  # computed again, as a two-seed run does
    assert merged["collapses"] == both["collapses"]
    assert merged["merged_from"] == [{"source": "second.json", "seeds": [1]},
                                     {"source": "first.json", "seeds": [0]}]
    json.dumps(merged, allow_nan=False)  # strict JSON, as the simulator writes


def test_a_strategy_missing_from_one_run_is_left_out(runs: dict[str, dict[str, Any]]) -> None:
    extra = copy.deepcopy(runs["second"])
    extra["config"]["strategies"].append("badge")
    extra["curves"]["badge"] = extra["curves"]["coreset_uncertainty"]
    merged = merge_results([runs["first"], extra])
    assert merged["config"]["strategies"] == ["random", "coreset_uncertainty"]
    assert merged["left_out"] == ["badge"] and "badge" not in merged["summary"]


def test_runs_of_different_benchmarks_or_the_same_seeds_are_refused(
        runs: dict[str, dict[str, Any]]) -> None:
    other = copy.deepcopy(runs["second"])
    other["scenario"] = "natural"
    other["config"]["train"]["lr"] = 0.1
    with pytest.raises(AlstudioError, match=r"scenario .* natural; training lr"):
        merge_results([runs["first"], other], sources=["a.json", "b.json"])
    with pytest.raises(AlstudioError, match=r"Seed 0 is in both a\.json and b\.json"):
        merge_results([runs["first"], runs["both"]], sources=["a.json", "b.json"])
    with pytest.raises(AlstudioError, match="two or more"):
        merge_results([runs["first"]])


def test_a_pretraining_written_before_its_colour_setting_counts_as_mild(
        runs: dict[str, dict[str, Any]]) -> None:
    """Encoders pretrained before the colour jitter was a setting used the mild one: such a
    run merges with a mild run, never with a strong one."""
    first, second = copy.deepcopy(runs["first"]), copy.deepcopy(runs["second"])
    first["config"]["pretrain"] = {"epochs": 20, "seed": 0}
    second["config"]["pretrain"] = {"epochs": 20, "seed": 0, "colour": "mild"}
    merge_results([first, second])
    second["config"]["pretrain"]["colour"] = "strong"
    with pytest.raises(AlstudioError, match=r"'colour': 'mild'.* vs .*'colour': 'strong'"):
        merge_results([first, second])


@pytest.mark.parametrize("name", ["breastmnist-natural-probe", "breastmnist-rare-probe",
                                  "retinamnist-natural-probe", "retinamnist-rare-probe"])
def test_the_committed_ten_seed_probe_files_are_their_two_halves_merged(name: str) -> None:
    """The README's ten-seed probe figures: seeds 0-4 of the product-recipe run and seeds
    5-9 run later (after the colour setting existed) rebuild the committed file exactly."""
    halves = [json.loads((COMMITTED / "ablation-full-recipe" / f"{name}.json").read_text()),
              json.loads((COMMITTED / "ablation-ten-seeds" / "seeds-5-9" / f"{name}.json")
                         .read_text())]
    committed = json.loads((COMMITTED / "ablation-ten-seeds" / f"{name}.json").read_text())
    merged = merge_results(halves)
    assert merged["summary"] == committed["summary"]
    assert merged["config"]["seed_list"] == list(range(10))


@pytest.mark.parametrize("name", ["retinamnist-rare-semi", "retinamnist-natural-both",
                                  "retinamnist-rare-both", "breastmnist-natural-both",
                                  "breastmnist-rare-both"])
def test_the_committed_split_seed_files_are_their_two_halves_merged(name: str) -> None:
    """Five product-recipe cells ran as seeds 0-2 and 3-4 side by side; each committed
    five-seed file is exactly their merge, curves and summary."""
    halves_dir = COMMITTED / "ablation-full-recipe" / "seed-halves"
    halves = [json.loads((halves_dir / f"{name}-seeds-{part}.json").read_text())
              for part in ("0-2", "3-4")]
    committed = json.loads((COMMITTED / "ablation-full-recipe" / f"{name}.json").read_text())
    merged = merge_results(halves)
    assert merged["config"]["seed_list"] == [0, 1, 2, 3, 4]
    assert merged["curves"] == committed["curves"]
    assert merged["summary"] == committed["summary"]


def test_committed_runs_of_older_versions_are_read_and_checked() -> None:
    """Files written before `first_seed` and the semi-supervised settings existed still
    merge: their seeds count from 0, a setting one file lacks is no difference."""
    old = json.loads((COMMITTED / "breastmnist-rare.json").read_text())
    new = json.loads((COMMITTED / "full-recipe" / "breastmnist-rare-full.json").read_text())
    assert seeds_of(old) == seeds_of(new) == [0, 1, 2, 3, 4]
    moved = copy.deepcopy(new)
    moved["config"]["first_seed"] = 5
    merged = merge_results([old, moved])  # seeds 0-4 of one file "and" 5-9 of the other
    assert merged["config"]["strategies"] == ["random", "coreset_uncertainty"]
    assert merged["left_out"] == ["badge", "coreset", "coreset_uncertainty:rare_share=0.25",
                                  "entropy"]
    # the two versions measured the same: random's and the default's curves agree exactly
    for strategy in ("random", "coreset_uncertainty"):
        assert old["curves"][strategy] == new["curves"][strategy]
        assert len(merged["curves"][strategy]["balanced_accuracy"]) == 10


def test_the_merge_script_writes_the_file_and_prints_the_summary(
        runs: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    a, b, out = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "merged.json"
    a.write_text(json.dumps(runs["first"]))
    b.write_text(json.dumps(runs["second"]))
    script = ROOT / "benchmarks" / "merge_seeds.py"
    done = subprocess.run([sys.executable, str(script), str(a), str(b), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "seeds [0, 1]" in done.stdout and "coreset_uncertainty" in done.stdout
    assert json.loads(out.read_text())["config"]["seeds"] == 2
    refused = subprocess.run([sys.executable, str(script), str(a), str(a), "--out", str(out)],
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "Seed 0 is in both" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_the_table_mode_reads_committed_results_without_merging() -> None:
    script = ROOT / "benchmarks" / "merge_seeds.py"
    done = subprocess.run([sys.executable, str(script), "--table",
                           str(COMMITTED / "breastmnist-natural.json")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| breastmnist")]
    assert len(rows) == 4  # every strategy but random, each against random
    default = next(row for row in rows if "`coreset_uncertainty`" in row)
    assert "113 / 175" in default and "1.56× (95% interval" in default
    badge = next(row for row in rows if "`badge`" in row)
    assert "/ -0.013 ± 0.003 |" in badge  # its area against the default's, paired by seed


@pytest.mark.parametrize(("first", "name"), [
    ("breastmnist-natural.json", "breastmnist-natural"),
    ("full-recipe/breastmnist-rare-full.json", "breastmnist-rare-share"),
    ("full-recipe/retinamnist-rare-full.json", "retinamnist-rare"),
    ("shortlist/breastmnist-rare.json", "breastmnist-rare-shortlist5"),
])
def test_the_committed_ten_seed_files_are_their_two_halves_merged(first: str, name: str) -> None:
    """The README's ten-seed figures come from these files: each is rebuilt from seeds 0-4
    and seeds 5-9 as committed, and must match what is committed to the last digit."""
    halves = [json.loads((COMMITTED / first).read_text()),
              json.loads((COMMITTED / "ten-seeds" / "seeds-5-9" /
                          f"{name.replace('-share', '')}.json").read_text())]
    committed = json.loads((COMMITTED / "ten-seeds" / f"{name}.json").read_text())
    merged = merge_results(halves, sources=[m["source"] for m in committed["merged_from"]])
    assert merged["summary"] == committed["summary"]
    assert merged["config"]["seed_list"] == list(range(10))


def test_an_undefined_full_data_metric_stays_undefined(runs: dict[str, dict[str, Any]]) -> None:
    """The simulator writes NaN as null; a merge reads it back, and writes null again."""
    broken = copy.deepcopy(runs["second"])
    broken["full_data"]["auc"]["per_seed"] = [None]
    merged = merge_results([runs["first"], broken])
    assert merged["full_data"]["auc"]["per_seed"][1] is None
    assert merged["full_data"]["auc"]["mean"] is None
    json.dumps(merged, allow_nan=False)


def test_the_committed_fifteen_seed_file_is_its_four_parts_merged() -> None:
    parts = ["full-recipe/retinamnist-natural-full.json",
             "ten-seeds/seeds-5-9/retinamnist-natural.json",
             "fifteen-seeds/seeds-10-14/retinamnist-natural-seeds-10-12.json",
             "fifteen-seeds/seeds-10-14/retinamnist-natural-seeds-13-14.json"]
    merged = merge_results([json.loads((COMMITTED / p).read_text()) for p in parts])
    committed = json.loads((COMMITTED / "fifteen-seeds" / "retinamnist-natural.json")
                           .read_text())
    assert merged["summary"] == committed["summary"]
    assert merged["config"]["seed_list"] == list(range(15))


def test_part_of_a_run_equals_a_run_of_only_that_part(runs: dict[str, dict[str, Any]]) -> None:
    """Seed 1 and random alone, kept from the two-seed run, are the one-seed run of seed 1."""
    part = subset_result(runs["both"], ["random"], [1], source="both.json")
    second = runs["second"]
    assert part["config"]["strategies"] == ["random"] and part["left_out"] == [
        "coreset_uncertainty"]
    assert part["config"]["seed_list"] == [1]
    assert part["curves"]["random"] == second["curves"]["random"]
    assert part["full_data"] == second["full_data"]
    assert part["summary"]["random"] == second["summary"]["random"]
    assert part["collapses"] == {"random": None}  # counted over both seeds, not seed 1's own
    assert part["merged_from"] == [{"source": "both.json", "seeds": [1]}]
    whole = subset_result(runs["both"])
    assert whole["summary"] == runs["both"]["summary"]
    assert whole["collapses"] == runs["both"]["collapses"]


def test_a_part_that_was_never_run_is_refused(runs: dict[str, dict[str, Any]]) -> None:
    with pytest.raises(AlstudioError, match=r"a\.json holds no badge"):
        subset_result(runs["both"], ["badge"], source="a.json")
    with pytest.raises(AlstudioError, match=r"did not run seed\(s\) \[7\].*\[0, 1\]"):
        subset_result(runs["both"], seeds=[0, 7])


def test_the_first_half_of_a_ten_seed_file_is_the_five_seed_run() -> None:
    """The committed ten-seed file kept to seeds 0-4 gives the committed five-seed figures
    again, and says which file those seeds came from."""
    ten = json.loads((COMMITTED / "ten-seeds" / "breastmnist-natural.json").read_text())
    five = json.loads((COMMITTED / "breastmnist-natural.json").read_text())
    part = subset_result(ten, ["random", "coreset_uncertainty"], range(5))
    assert part["merged_from"] == [{"source": "breastmnist-natural.json",
                                    "seeds": [0, 1, 2, 3, 4]}]
    for strategy in ("random", "coreset_uncertainty"):
        assert part["curves"][strategy] == five["curves"][strategy]
        assert part["summary"][strategy] == five["summary"][strategy]  # to the last digit


def test_the_script_keeps_a_part_of_one_file(tmp_path: Path) -> None:
    out = tmp_path / "five.json"
    script = ROOT / "benchmarks" / "merge_seeds.py"
    done = subprocess.run([sys.executable, str(script),
                           str(COMMITTED / "ten-seeds" / "breastmnist-natural.json"),
                           "--keep-seeds", "0-4", "--keep-strategies", "coreset_uncertainty",
                           "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    kept = json.loads(out.read_text())
    assert kept["config"]["strategies"] == ["random", "coreset_uncertainty"]
    assert kept["config"]["seed_list"] == [0, 1, 2, 3, 4]
    assert kept["summary"]["coreset_uncertainty"]["balanced_accuracy"][
        "label_efficiency"] == pytest.approx(175 / 113, abs=0.01)
