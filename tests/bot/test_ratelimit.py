"""Token buckets: bursts, refill, and pauses after a 429, on a clock moved by hand."""

from __future__ import annotations

from bot.services.ratelimit import ChatBuckets, TokenBucket


class Tick:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_a_bucket_allows_its_burst_then_its_rate() -> None:
    tick = Tick()
    bucket = TokenBucket(rate=1, capacity=3, clock=tick)
    for _ in range(3):
        assert bucket.wait() == 0
        bucket.take()
    assert bucket.wait() == 1.0
    tick.t += 0.5
    assert bucket.wait() == 0.5
    tick.t += 0.5
    assert bucket.wait() == 0


def test_one_chat_does_not_hold_back_another_but_the_total_does() -> None:
    tick = Tick()
    buckets = ChatBuckets(overall=4, per_chat=1, burst=2, clock=tick)
    for _ in range(2):
        buckets.take("a")
    assert buckets.wait("a") > 0
    assert buckets.wait("b") == 0
    buckets.take("b")
    buckets.take("b")
    assert buckets.wait("c") > 0, "four messages this second: the overall limit"
