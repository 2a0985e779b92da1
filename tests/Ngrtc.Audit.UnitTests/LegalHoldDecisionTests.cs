using Ngrtc.Audit.Projections;
using Ngrtc.Audit.Service.LegalHolds;

namespace Ngrtc.Audit.UnitTests;

public class LegalHoldDecisionTests
{
    [Theory]
    [InlineData(null, "reason")]
    [InlineData("", "reason")]
    [InlineData("complaint of anna@example.org", "reason")]
    [InlineData("call from sip:someone", "reason")]
    [InlineData("number +49 1555 0001", "reason")]
    [InlineData("msisdn 491555000123", "reason")]
    public void a_reason_that_is_missing_or_carries_an_identifier_is_refused(string? reason, string field) =>
        PlaceLegalHold.ValidateReason(reason)!.Field.ShouldBe(field);

    [Theory]
    [InlineData("litigation LIT-2026-0042")]
    [InlineData("court order of 2026-11-28, case 17/2026")]
    public void an_ordinary_reason_is_accepted(string reason) => PlaceLegalHold.ValidateReason(reason).ShouldBeNull();

    [Fact]
    public void each_scope_needs_its_own_field()
    {
        PlaceLegalHold.Validate(new PlaceLegalHoldRequest("subject", "r")).Select(e => e.Field).ShouldBe(["subject"]);
        PlaceLegalHold.Validate(new PlaceLegalHoldRequest("enterprise", "r")).Select(e => e.Field).ShouldBe(["enterpriseId"]);
        PlaceLegalHold.Validate(new PlaceLegalHoldRequest("case", null)).Select(e => e.Field).ShouldBe(["caseId", "reason"]);
        PlaceLegalHold.Validate(new PlaceLegalHoldRequest("case", "r", CaseId: "icid-1")).ShouldBeEmpty();
        PlaceLegalHold.Validate(new PlaceLegalHoldRequest("subject", "r", Subject: "p1.2026-11.AAAAAAAAAAAAAAAAAAAAAA")).ShouldBeEmpty();
    }

    [Fact]
    public void the_request_never_prints_its_subject() =>
        new PlaceLegalHoldRequest("subject", "r", Subject: "tel:+491555000001").ToString().ShouldNotContain("1555000001");

    [Fact]
    public void a_released_hold_cannot_be_released_again_and_a_release_needs_a_reason()
    {
        var now = new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
        var hold = new LegalHold { Id = "legal-hold lh-1", HoldId = "lh-1", Scope = "case", Keys = ["icid-1"], Reason = "r", PlacedAt = now };

        ReleaseLegalHold.Decide(hold, new ReleaseLegalHoldRequest(null), now).Released.ShouldBeNull();
        ReleaseLegalHold.Decide(null, new ReleaseLegalHoldRequest("done"), now).Released.ShouldBeNull();
        var (released, _) = ReleaseLegalHold.Decide(hold, new ReleaseLegalHoldRequest(" done "), now);
        released.ShouldBe(new Ngrtc.Audit.Domain.LegalHoldReleased("lh-1", "done", now));

        hold.ReleasedAt = now;
        ReleaseLegalHold.Decide(hold, new ReleaseLegalHoldRequest("again"), now).Released.ShouldBeNull();
    }
}
