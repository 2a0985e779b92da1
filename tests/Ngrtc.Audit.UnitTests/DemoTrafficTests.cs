using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Service.Demo;
using Ngrtc.Audit.Service.Ingestion;

namespace Ngrtc.Audit.UnitTests;

public class DemoTrafficTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void every_simulated_event_is_valid_and_all_four_types_appear()
    {
        var result = CloudEventReader.Read(CloudEventContentTypes.Batch, new DemoTraffic(7).NextBatch(Now, 200));

        result.BodyError.ShouldBeNull();
        result.Items.Where(i => !i.IsValid).SelectMany(i => i.Errors).ShouldBeEmpty();
        result.Items.Select(i => i.Event!.Envelope.Type).Distinct().Count().ShouldBe(4);
    }

    [Fact]
    public void the_seed_decides_the_traffic()
    {
        new DemoTraffic(7).NextBatch(Now, 50).ShouldBe(new DemoTraffic(7).NextBatch(Now, 50));
        new DemoTraffic(7).NextBatch(Now, 50).ShouldNotBe(new DemoTraffic(8).NextBatch(Now, 50));
    }
}
