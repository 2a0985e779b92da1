using Ngrtc.Audit.Protection;

namespace Ngrtc.Audit.UnitTests.Protection;

public class BoundedCacheTests
{
    [Fact]
    public void holds_at_most_its_capacity_and_keeps_what_is_used()
    {
        var cache = new BoundedCache<int, string>(100, TimeSpan.FromMinutes(5), TimeProvider.System);
        cache.Set(-1, "hot");
        for (var i = 0; i < 1000; i++)
        {
            cache.Set(i, "x");
            cache.TryGet(-1, out _).ShouldBeTrue();
        }

        cache.Count.ShouldBeLessThanOrEqualTo(100);
        cache.TryGet(999, out _).ShouldBeTrue();
        cache.TryGet(0, out _).ShouldBeFalse();
    }

    [Fact]
    public void entries_expire_and_can_be_removed()
    {
        var time = new ManualTime();
        var cache = new BoundedCache<string, int>(10, TimeSpan.FromMinutes(5), time);
        cache.Set("a", 1);
        cache.Set("b", 2);
        cache.Set("c", 3);

        cache.Remove("a");
        cache.RemoveWhere(k => k == "b");
        cache.TryGet("a", out _).ShouldBeFalse();
        cache.TryGet("b", out _).ShouldBeFalse();
        cache.TryGet("c", out var c).ShouldBeTrue();
        c.ShouldBe(3);
        time.Advance(TimeSpan.FromMinutes(6));
        cache.TryGet("c", out _).ShouldBeFalse();
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks = 1;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
