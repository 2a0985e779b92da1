using System.Text.Json;
using Ngrtc.Audit.Contracts.Catalogue;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Projections;

namespace Ngrtc.Audit.UnitTests;

public class RegisterFactsTests
{
    private static AuditEventRecorded Recorded(string type, string data, DateTimeOffset? time = null) => new(
        new AuditEnvelope("e-1", "urn:ngrtc:nf:IMSAS:imsas-1", type, time ?? new DateTimeOffset(2026, 10, 1, 23, 59, 0, TimeSpan.FromHours(-2)), "op-1", "IMSAS", "dpv:ServiceProvision", "consent"),
        JsonDocument.Parse(data).RootElement,
        new Dictionary<string, string>(),
        new Dictionary<string, ProtectedField>(),
        RetentionClass.A);

    [Fact]
    public void a_disclosure_counts_its_event_type_each_category_once_and_its_subject_pseudonym()
    {
        var facts = RegisterFacts.Of(Recorded(
            "ngrtc.exposure.disclosed.v1",
            """{"subscriptionId":"s","eventType":"APP_DC_ESTABLISHED","recipient":"app-a","dataCategories":["media-info","media-info","location-cell"],"subject":"p1.2026-10.abc"}"""));

        facts.Counts.ShouldBe([
            new RegisterCount("exposure", "app-a", "disclosures", "APP_DC_ESTABLISHED"),
            new RegisterCount("exposure", "app-a", "data-categories", "media-info"),
            new RegisterCount("exposure", "app-a", "data-categories", "location-cell"),
        ]);
        facts.Subjects.ShouldBe([new RegisterSubject("exposure", "app-a", "p1.2026-10.abc")]);
    }

    [Fact]
    public void a_redacted_disclosure_still_counts_but_names_no_subject()
    {
        var facts = RegisterFacts.Of(Recorded(
            "ngrtc.exposure.disclosed.v1",
            """{"subscriptionId":"s","eventType":"APP_DC_RELEASED","recipient":"app-a","dataCategories":["session-event"],"subject":null}"""));

        facts.Counts.Count.ShouldBe(2);
        facts.Subjects.ShouldBeEmpty();
    }

    [Fact]
    public void rejections_are_counted_by_cause_from_the_nef_and_the_ims_as()
    {
        RegisterFacts.Of(Recorded(
                "ngrtc.exposure.session-management-requested.v1",
                """{"requester":"app-a","operation":"add-dc","nefAuthorization":"denied","target":"p1.x.y","cause":"af-not-authorized-for-target"}"""))
            .Counts.ShouldBe([
                new RegisterCount("exposure", "app-a", "operations", "add-dc"),
                new RegisterCount("exposure", "app-a", "rejections", "af-not-authorized-for-target"),
            ]);
        RegisterFacts.Of(Recorded(
                "ngrtc.exposure.session-management-decided.v1",
                """{"requester":"app-a","operation":"add-dc","subscriptionCheck":"passed","dcCapabilityCheck":"passed","consentCheck":"failed","result":"rejected","initiatorIndicationSent":false,"target":"p1.x.y"}"""))
            .Counts.ShouldBe([
                new RegisterCount("exposure", "app-a", "decisions", "rejected"),
                new RegisterCount("exposure", "app-a", "rejections", "rejected"),
            ]);
    }

    [Fact]
    public void an_avatar_list_counts_each_listed_avatar_pseudonym_by_bar_domain()
    {
        var facts = RegisterFacts.Of(Recorded(
            "ngrtc.avatar.list-fetched.v1",
            """{"deliveryPath":"bootstrap-dc","barDomain":"untrusted","listSize":2,"user":"p1.u","avatarIds":["p1.a","p1.b","p1.a"]}"""));

        facts.Counts.ShouldBe([
            new RegisterCount("avatars", "p1.a", "bar-domain", "untrusted"),
            new RegisterCount("avatars", "p1.b", "bar-domain", "untrusted"),
        ]);
    }

    [Fact]
    public void events_of_other_types_add_nothing_and_the_day_is_the_utc_day_of_the_event_time()
    {
        var verified = Recorded("ngrtc.identity.verified.v1", """{"passportHash":"ab","result":"valid","orig":"p1.o","dest":"p1.d"}""");

        RegisterFacts.Of(verified).ShouldBe(RegisterFacts.None);
        RegisterFacts.DayOf(verified).ShouldBe(new DateOnly(2026, 10, 2)); // 23:59 at UTC-2
    }

    [Fact]
    public void identity_keys_split_at_the_last_slash()
    {
        IdentityRegister.KeyOf("ent-a", null).ShouldBe("ent-a/-");
        IdentityRegister.Split(IdentityRegister.KeyOf("ent/a", "trunk-1")).ShouldBe(("ent/a", "trunk-1"));
    }
}
