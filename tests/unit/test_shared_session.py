"""The readings of one page share one session of a database inside ``shared_context()``, closed when it ends."""

from __future__ import annotations

from huddle.dashboard.services.reading_context import shared_context, shared_session


class FakeSession:
    """A session that records being closed (what ``shared_session`` does with it)."""

    def __init__(self) -> None:
        self.closed = 0

    def __enter__(self) -> FakeSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.closed += 1


def test_one_session_per_factory_inside_a_shared_context() -> None:
    made: list[FakeSession] = []

    def factory() -> FakeSession:
        made.append(FakeSession())
        return made[-1]

    other: list[FakeSession] = []
    with shared_context():
        with shared_session(factory) as first, shared_session(factory) as second:  # type: ignore[arg-type]
            assert first is second
        assert first.closed == 0  # still open for the page's next reading
        with shared_context(), shared_session(factory) as nested:  # type: ignore[arg-type]
            assert nested is first
        with shared_session(lambda: other.append(FakeSession()) or other[-1]) as apart:  # type: ignore[arg-type]
            assert apart is not first
    assert len(made) == 1 and made[0].closed == 1 and other[0].closed == 1


def test_a_new_session_each_time_outside_a_shared_context() -> None:
    made: list[FakeSession] = []

    def factory() -> FakeSession:
        made.append(FakeSession())
        return made[-1]

    with shared_session(factory) as first:  # type: ignore[arg-type]
        assert first.closed == 0
    with shared_session(factory) as second:  # type: ignore[arg-type]
        assert second is not first
    assert [s.closed for s in made] == [1, 1]
