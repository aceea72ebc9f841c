"""Paragraph ranges in the explore report's citation coverage ("never cited: ¶9-10")."""

import pytest

from engine.present.explore_text import _ranges


@pytest.mark.parametrize(("nums", "text"), [
    ([], ""),
    ([4], "¶4"),
    ([1, 2, 3, 5], "¶1-3, ¶5"),
    ([2, 4, 6, 7], "¶2, ¶4, ¶6-7"),
    ([9, 10], "¶9-10"),
])
def test_consecutive_paragraphs_merge_into_one_range(nums, text):
    assert _ranges(nums) == text
