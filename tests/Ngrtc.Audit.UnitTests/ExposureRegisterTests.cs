using Ngrtc.Audit.Contracts.Exposure;
using Ngrtc.Audit.Projections;

namespace Ngrtc.Audit.UnitTests;

public class ExposureRegisterTests
{
    [Fact]
    public void the_register_counts_by_event_type_and_category_and_tracks_first_and_last_seen()
    {
        var register = new ExposureRegister { Id = "dcas-1" };
        var t1 = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

        register.Record(new ExposureDisclosed("s1", "APP_DC_ESTABLISHED", "dcas-1", ["media-info", "media-info", "location-cell"], "tel:+1"), t1);
        register.Record(new ExposureDisclosed("s1", "APP_DC_RELEASED", "dcas-1", ["media-info"], "tel:+2"), t1.AddHours(-1));

        register.Disclosures.ShouldBe(2);
        register.ByEventType.ShouldBe(new Dictionary<string, long> { ["APP_DC_ESTABLISHED"] = 1, ["APP_DC_RELEASED"] = 1 });
        register.ByDataCategory.ShouldBe(new Dictionary<string, long> { ["media-info"] = 2, ["location-cell"] = 1 });
        register.FirstSeen.ShouldBe(t1.AddHours(-1));
        register.LastSeen.ShouldBe(t1);
    }
}
