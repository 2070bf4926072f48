"""The torch-free catalogue says what the running strategies really are."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest

from alstudio.errors import AlstudioError
from alstudio.selection import DEFAULT_STRATEGY, STRATEGIES
from alstudio.selection.catalogue import (
    CATALOGUE,
    COMMITTEE_STRATEGIES,
    DEFAULT_ALIAS,
    get_strategy,
    may_read_committee,
    resolve,
    strategy_names,
)
from alstudio.workflow.round import RoundConfig


def test_the_catalogue_matches_the_registry() -> None:
    assert sorted(CATALOGUE) == sorted(STRATEGIES) == strategy_names()
    for name, info in CATALOGUE.items():
        running = STRATEGIES[name]
        assert info.title == running.title, name
        assert info.needs == running.needs, name
        assert info.parameters == running.parameters(), name
    assert {"bald", "vote_entropy", "kl_consensus"} == COMMITTEE_STRATEGIES


def test_the_default_and_its_alias() -> None:
    assert DEFAULT_STRATEGY in CATALOGUE
    assert resolve(DEFAULT_ALIAS) == DEFAULT_STRATEGY and resolve("margin") == "margin"


def test_the_registry_answers_the_alias_too() -> None:
    assert get_strategy(DEFAULT_ALIAS) is STRATEGIES[DEFAULT_STRATEGY]
    assert may_read_committee("bald") and may_read_committee("auto")
    assert not may_read_committee(DEFAULT_STRATEGY)


def test_a_round_request_resolves_its_name_once() -> None:
    assert RoundConfig(strategy=DEFAULT_ALIAS).strategy == DEFAULT_STRATEGY
    assert replace(RoundConfig(strategy=" margin"), batch_size=5).strategy == "margin"
    with pytest.raises(AlstudioError, match="Unknown strategy 'nosuch'") as err:
        RoundConfig(strategy="nosuch")
    assert DEFAULT_STRATEGY in (err.value.hint or "")


def test_reading_the_catalogue_loads_no_torch() -> None:
    code = ("import sys\n"
            "from alstudio.selection.catalogue import CATALOGUE\n"
            "from alstudio.workflow.round import RoundConfig\n"
            "import alstudio.learning.names\n"
            "assert RoundConfig().strategy in CATALOGUE\n"
            "assert RoundConfig(strategy='default').strategy in CATALOGUE\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_round_module_loads_the_engine_only_when_asked() -> None:
    """The request and the job share `workflow/round.py`; the job's torch comes with
    `load_engine` (or a round), never with the request."""
    code = ("import sys\n"
            "import alstudio.workflow\n"
            "from alstudio.workflow.round import ENGINE_MODULES, load_engine, run_round\n"
            "assert 'torch' not in sys.modules, 'torch was imported with the request'\n"
            "load_engine()\n"
            "assert 'torch' in sys.modules\n"
            "assert all(name in sys.modules for name in ENGINE_MODULES)\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_strategy_variants_are_parsed_and_checked_without_torch() -> None:
    from alstudio.selection.catalogue import parse_spec

    assert parse_spec("coreset_uncertainty") == ("coreset_uncertainty", {})
    assert parse_spec("coreset_uncertainty:shortlist_factor=5:uncertainty_measure="
                      "entropy") == ("coreset_uncertainty", {
                          "shortlist_factor": 5, "uncertainty_measure": "entropy"})
    assert parse_spec("default:rare_share=0.25") == ("coreset_uncertainty", {"rare_share": 0.25})
    assert parse_spec("entropy:density_weight=0.5")[1] == {"density_weight": 0.5}
    assert parse_spec("auto:large_pool_diversify=true")[1] == {"large_pool_diversify": True}
    with pytest.raises(AlstudioError, match="Unknown strategy 'nope'"):
        parse_spec("nope:k=1")
    with pytest.raises(AlstudioError, match="not a setting of coreset_uncertainty") as caught:
        parse_spec("coreset_uncertainty:shortlist=5")
    assert "shortlist_factor" in caught.value.hint
    with pytest.raises(AlstudioError, match="not a setting of random"):
        parse_spec("random:rare_share=0.25")
