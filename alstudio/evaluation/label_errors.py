"""Which given labels out-of-sample predictions contradict: confident learning via cleanlab.

cleanlab's ``find_label_issues`` (Northcutt et al., "Confident learning", JAIR 2021) counts,
per pair (given class, likely class), the items whose predicted probability of the likely
class exceeds that class's average self-confidence, and flags as many of the least
self-confident items in each off-diagonal cell as the estimated noise rate says ("prune by
noise rate"). An item is flagged only when the model is confident *and* the given class is
unlikely, so a merely uncertain model flags nothing. The score is cleanlab's label quality
(the out-of-sample probability of the given class): the lower, the more suspect.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Suspect:
    index: int  # row in the arrays given
    given: int
    likely: int  # the class the model prefers
    score: float  # label quality; low = suspect


def find_suspects(labels: np.ndarray, probs: np.ndarray) -> list[Suspect]:
    """Rows whose label ``labels[i]`` the out-of-sample ``probs[i]`` contradict, worst first."""
    labels = np.asarray(labels, dtype=np.int64)
    probs = np.asarray(probs, dtype=np.float64)
    if labels.size == 0:
        return []
    probs = np.clip(probs, 1e-6, 1.0)
    probs = probs / probs.sum(axis=1, keepdims=True)
    # cleanlab is imported here: it pulls in scikit-learn and pandas, which nothing else needs.
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        flagged = find_label_issues(labels, probs, filter_by="prune_by_noise_rate",
                                    return_indices_ranked_by="self_confidence")
        quality = get_label_quality_scores(labels, probs, method="self_confidence")
    for warning in caught:
        log.info("cleanlab: %s", warning.message)
    return [Suspect(index=int(i), given=int(labels[i]), likely=int(np.argmax(probs[i])),
                    score=float(quality[i])) for i in np.asarray(flagged, dtype=np.int64)]
