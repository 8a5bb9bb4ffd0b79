"""The bunching margin learned from the portal's ``time.start``: never more daring than
configured, as wide as the portal's count can run ahead of ours, never below its floor."""

from connectors.bitrix24.arrival import ArrivalSpread
from connectors.bitrix24.budget import BucketPolicy
from connectors.bitrix24.envelope import CallTime
from connectors.bitrix24.limiter import RateLimiter


class TestArrivalSpread:
    def test_the_configured_margin_holds_until_enough_answers_arrived(self) -> None:
        spread = ArrivalSpread(min_samples=8)
        for i in range(7):
            spread.record(100.0 + i, 100.0 + i + 0.001)
        assert spread.jitter(0.2) == 0.2

    def test_a_constant_clock_offset_is_no_bunching(self) -> None:
        spread = ArrivalSpread(floor_seconds=0.02)
        for i in range(20):
            spread.record(100.0 + i, 5100.0 + i)  # the portal's clock is 5000 s ahead
        assert spread.jitter(0.2) == 0.02

    def test_requests_arriving_later_than_the_first_cost_no_margin(self) -> None:
        spread = ArrivalSpread(factor=1.0, floor_seconds=0.0)
        for i in range(20):
            spread.record(float(i), i + 0.002 + (0.5 if i % 2 else 0.0))
        assert spread.jitter(0.2) < 1e-9

    def test_the_margin_never_passes_the_configured_ceiling(self) -> None:
        spread = ArrivalSpread(factor=1.0, floor_seconds=0.0)
        spread.record(0.0, 0.5)
        for i in range(1, 20):
            spread.record(float(i), i + 0.001)
        assert spread.jitter(0.2) == 0.2

    def test_a_late_start_of_the_busy_period_is_remembered_while_it_lasts(self) -> None:
        spread = ArrivalSpread(floor_seconds=0.0, quiet_seconds=2.5)
        spread.record(0.0, 0.04)  # the first request reached the portal 40 ms late
        for i in range(1, 200):  # and the bucket never emptied since
            spread.record(i * 0.05, i * 0.05 + 0.002)
        assert abs(spread.jitter(0.2) - 0.038) < 1e-9

    def test_a_quiet_gap_that_drains_the_bucket_starts_afresh(self) -> None:
        spread = ArrivalSpread(floor_seconds=0.0, quiet_seconds=2.5, min_samples=8)
        spread.record(0.0, 0.09)
        for i in range(1, 20):
            spread.record(i * 0.05, i * 0.05 + 0.002)
        for i in range(8):
            spread.record(10.0 + i * 0.05, 10.0 + i * 0.05 + 0.002 + 0.001 * (i % 2 == 0))
        assert abs(spread.jitter(0.2) - 0.001) < 1e-9

    def test_answers_without_a_start_teach_nothing(self) -> None:
        spread = ArrivalSpread(min_samples=1)
        spread.record(1.0, None)
        assert spread.jitter(0.2) == 0.2


class TestLimiterMargin:
    async def test_the_limiter_narrows_the_margin_to_what_the_answers_show(self) -> None:
        policy = BucketPolicy(capacity=50, drain_per_second=10, jitter_seconds=0.2)
        limiter = RateLimiter(policy=policy)
        assert limiter.policy_for("p").usable_capacity == 50 - 1 - 2  # 1 slot + 0.2 s x 10/s
        for _ in range(10):
            grant = await limiter.acquire("p", ["crm.deal.get"])
            limiter.release(grant)
            await limiter.succeeded(grant, [("crm.deal.get", CallTime(start=grant.granted_at))])
        learned = limiter.policy_for("p")
        assert learned.jitter_seconds == 0.02
        assert abs(learned.usable_capacity - (50 - 1 - 0.2)) < 1e-9
        assert limiter.policy.jitter_seconds == 0.2  # the configured ceiling is unchanged
