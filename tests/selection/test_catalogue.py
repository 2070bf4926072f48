"""The torch-free catalogue says what the running strategies really are."""

from __future__ import annotations

import subprocess
import sys

from alstudio.selection import DEFAULT_STRATEGY, STRATEGIES
from alstudio.selection.catalogue import (
    CATALOGUE,
    COMMITTEE_STRATEGIES,
    DEFAULT_ALIAS,
    resolve,
    strategy_names,
)


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


def test_reading_the_catalogue_loads_no_torch() -> None:
    code = ("import sys\n"
            "from alstudio.selection.catalogue import CATALOGUE\n"
            "from alstudio.workflow.config import RoundConfig\n"
            "import alstudio.learning.names\n"
            "assert RoundConfig().strategy in CATALOGUE\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True)
