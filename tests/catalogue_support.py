"""Shared assertion of the self-check tests (tests/test_checks*.py): a catalogue of mistakes."""

from __future__ import annotations

from collections.abc import Callable, Sequence


def assert_catalogue_is_distinguishable(check: Callable, mistakes: Sequence,
                                        reference: Callable) -> None:
    """The reference passes ``check``, and each catalogued mistake is diagnosed as itself.

    Keys are unique, and each wrong implementation gets its own key and its own message:
    the probes tell every known mistake apart.
    """
    assert check(reference).passed
    assert len({m.key for m in mistakes}) == len(mistakes)
    for mistake in mistakes:
        result = check(mistake.impl)
        assert result.mistake == mistake.key, (mistake.key, str(result))
        assert result.message == mistake.message, (mistake.key, str(result))
