"""Backup names sort by the time they were made, so pruning never drops the newest one."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from alstudio.project.backups import backup_stamp

# 2001 to 2255: years whose stamps all have the same width
_TIMES = st.integers(min_value=10**18, max_value=9 * 10**18)


@given(_TIMES, _TIMES)
def test_backup_stamps_sort_as_their_times(a: int, b: int) -> None:
    if a != b:
        assert (backup_stamp(a) < backup_stamp(b)) == (a < b)


def test_a_second_ticking_over_does_not_give_a_newer_backup_an_older_name() -> None:
    # the last nanosecond of one second and the first of the next
    before, after = 1_764_000_009_999_999_999, 1_764_000_010_000_000_001
    assert backup_stamp(before) < backup_stamp(after)
    assert backup_stamp(after).endswith("-000000001")
