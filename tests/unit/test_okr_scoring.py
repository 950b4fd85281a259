

def test_achieved_means_the_target_was_reached() -> None:
    from huddle.dashboard.core.okr_scoring import achieved
    assert achieved("increase", 70, 80, 80) and achieved("increase", 70, 80, 82.5)  # 100 %, 125 %
    assert not achieved("increase", 70, 80, 79.9)  # 99 %
    assert achieved("decrease", 12, 3, 2) and not achieved("decrease", 12, 3, 4)
    assert achieved("stay_above", None, 95, 95) and not achieved("stay_above", None, 95, 94)
    assert not achieved("increase", 70, 80, None)  # no value is never achieved
