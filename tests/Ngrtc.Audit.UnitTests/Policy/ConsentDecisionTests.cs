using Ngrtc.Audit.Projections;

namespace Ngrtc.Audit.UnitTests.Policy;

/// <summary>The consent rule (ConsentDecisions.Decide), case by case.</summary>
public class ConsentDecisionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private static ConsentRecord Given(int minute, string? recipient = "app-1", int? expiresAtMinute = null, string id = "g") =>
        new(ConsentRecord.Given, T0.AddMinutes(minute), expiresAtMinute is { } e ? T0.AddMinutes(e) : null, recipient, "p1.2026-11.x", "dpv:ServiceProvision", "consent-svc", id, "n-1", "app", null, "v1");

    private static ConsentRecord Withdrawn(int minute, string? recipient = "app-1", string id = "w") =>
        new(ConsentRecord.Withdrawn, T0.AddMinutes(minute), null, recipient, "p1.2026-11.x", "dpv:ServiceProvision", "consent-svc", id, "n-1", "web", null, "v1");

    private static ConsentVerdict At(int minute, string recipient, params ConsentRecord[] records) =>
        ConsentDecisions.Decide(records, recipient, T0.AddMinutes(minute));

    [Fact]
    public void nothing_recorded_is_no_consent()
    {
        var verdict = At(5, "app-1");
        verdict.Allowed.ShouldBeFalse();
        verdict.Reason.ShouldBe(ConsentVerdict.NoConsent);
        verdict.DecidedBy.ShouldBeNull();
    }

    [Fact]
    public void a_grant_allows_from_its_time_on_and_decides()
    {
        At(10, "app-1", Given(10, id: "g1")).DecidedBy!.EventId.ShouldBe("g1");
        At(9, "app-1", Given(10)).Reason.ShouldBe(ConsentVerdict.NoConsent);
    }

    [Fact]
    public void a_withdrawal_ends_it_and_a_later_grant_restores_it()
    {
        var records = new[] { Given(0, id: "g1"), Withdrawn(10, id: "w1"), Given(20, id: "g2") };
        At(5, "app-1", records).Allowed.ShouldBeTrue();
        var withdrawn = At(15, "app-1", records);
        withdrawn.Reason.ShouldBe(ConsentVerdict.WithdrawnReason);
        withdrawn.DecidedBy!.EventId.ShouldBe("w1");
        At(25, "app-1", records).DecidedBy!.EventId.ShouldBe("g2");
    }

    [Fact]
    public void a_withdrawal_at_the_same_instant_as_the_grant_wins()
    {
        At(5, "app-1", Given(0), Withdrawn(0)).Allowed.ShouldBeFalse();
    }

    [Fact]
    public void an_expired_grant_denies_from_its_expiry_on()
    {
        At(59, "app-1", Given(0, expiresAtMinute: 60)).Allowed.ShouldBeTrue();
        var expired = At(60, "app-1", Given(0, expiresAtMinute: 60, id: "g1"));
        expired.Reason.ShouldBe(ConsentVerdict.Expired);
        expired.DecidedBy!.EventId.ShouldBe("g1");
    }

    [Fact]
    public void a_consent_for_every_recipient_covers_each_and_one_for_a_recipient_only_that_one()
    {
        At(5, "app-2", Given(0, recipient: null)).Allowed.ShouldBeTrue();
        At(5, "app-2", Given(0, recipient: "app-1")).Reason.ShouldBe(ConsentVerdict.NoConsent);
    }

    [Fact]
    public void a_withdrawal_for_every_recipient_ends_a_recipients_own_consent()
    {
        At(15, "app-1", Given(0, recipient: "app-1"), Withdrawn(10, recipient: null)).Reason.ShouldBe(ConsentVerdict.WithdrawnReason);
    }

    [Fact]
    public void a_withdrawal_for_one_recipient_ends_a_wide_consent_for_that_recipient_only()
    {
        var records = new[] { Given(0, recipient: null), Withdrawn(10, recipient: "app-1") };
        At(15, "app-1", records).Allowed.ShouldBeFalse();
        At(15, "app-2", records).Allowed.ShouldBeTrue();
    }

    [Fact]
    public void an_unexpired_grant_wins_over_an_expired_later_one()
    {
        At(30, "app-1", Given(0, recipient: null, id: "wide"), Given(10, expiresAtMinute: 20, id: "short")).DecidedBy!.EventId.ShouldBe("wide");
    }
}
