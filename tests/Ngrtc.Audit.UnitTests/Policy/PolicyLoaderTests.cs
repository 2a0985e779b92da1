using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Ngrtc.Audit.Contracts.Catalogue;
using Ngrtc.Audit.Service.Policy;

namespace Ngrtc.Audit.UnitTests.Policy;

public class PolicyLoaderTests
{
    private static readonly string DefaultFile = Path.Combine(Integrity.RepositoryPaths.Root, "ops", "policy", "eu-default.v1.json");

    private static JsonObject Default() => JsonNode.Parse(File.ReadAllText(DefaultFile))!.AsObject();

    private static IReadOnlyList<string> Errors(JsonObject policy) =>
        Should.Throw<PolicyInvalidException>(() => PolicyLoader.Load(Encoding.UTF8.GetBytes(policy.ToJsonString()), "under test"))
            .Errors.Select(e => e.ToString()).ToList();

    [Fact]
    public void the_shipped_eu_default_is_valid_and_covers_every_catalogue_type_under_its_activity()
    {
        var loaded = PolicyLoader.LoadFile(DefaultFile);
        loaded.Version.ShouldBe("eu-default.v1");
        loaded.Policy.Activities.Keys.Order().ShouldBe(ProcessingActivities.All.Order());
        foreach (var descriptor in AuditCatalogue.All)
        {
            loaded.Policy.ActivityOf(descriptor.Type).ShouldBe(descriptor.ProcessingActivity);
        }

        loaded.Policy.RetentionPeriod("any-tenant", RetentionClass.A).ShouldBe("P24M");
        loaded.Policy.RetentionPeriod("any-tenant", RetentionClass.T0).ShouldBe("P7D");
    }

    [Fact]
    public void the_digest_is_the_sha256_of_the_bytes_as_published()
    {
        var bytes = File.ReadAllBytes(DefaultFile);
        PolicyLoader.Load(bytes, "file").Digest.ShouldBe("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    [Fact]
    public void a_catalogue_type_the_policy_does_not_list_is_refused_by_name()
    {
        var policy = Default();
        var types = policy["activities"]!["data-channel-exposure"]!["eventTypes"]!.AsArray();
        types.RemoveAt(0);
        Errors(policy).ShouldContain("activities.data-channel-exposure.eventTypes: must list ngrtc.exposure.disclosed.v1 (every catalogue type is covered)");
    }

    [Fact]
    public void a_type_under_another_activity_than_the_catalogues_is_refused()
    {
        var policy = Default();
        policy["activities"]!["consent-management"]!["eventTypes"]!.AsArray().Add("ngrtc.identity.verified.v1");
        Errors(policy).ShouldContain("activities.consent-management.eventTypes[2]: the catalogue puts this type under third-party-identity-assurance");
    }

    [Fact]
    public void an_unknown_type_and_a_missing_activity_are_refused()
    {
        var policy = Default();
        policy["activities"]!["consent-management"]!["eventTypes"]!.AsArray().Add("ngrtc.nothing.v1");
        policy["activities"]!.AsObject().Remove("security-incident-management");
        var errors = Errors(policy);
        errors.ShouldContain("activities.consent-management.eventTypes[2]: not an event type of the catalogue");
        errors.ShouldContain("activities.security-incident-management: missing: every processing activity of the catalogue needs an entry");
    }

    [Fact]
    public void every_retention_class_needs_a_period_in_every_jurisdiction()
    {
        var policy = Default();
        policy["jurisdictions"]!["DE"]!["retention"]!.AsObject().Remove("C");
        policy["jurisdictions"]!["EU"]!["retention"]!["T0"] = "7 days";
        var errors = Errors(policy);
        errors.ShouldContain("jurisdictions.DE.retention.C: missing: every retention class needs a period");
        errors.ShouldContain(e => e.StartsWith("jurisdictions.EU.retention.T0: must be an ISO 8601 period", StringComparison.Ordinal));
    }

    [Fact]
    public void version_legal_bases_jurisdictions_and_consent_rule_are_checked()
    {
        var policy = Default();
        policy["version"] = "no spaces allowed";
        policy["defaultJurisdiction"] = "XX";
        policy["tenants"] = new JsonObject { ["op-9"] = "YY" };
        policy["activities"]!["data-channel-exposure"]!["legalBases"]!.AsArray().Add("because");
        policy["consent"]!["graceSeconds"] = -1;
        var errors = Errors(policy);
        errors.ShouldContain(e => e.StartsWith("version:", StringComparison.Ordinal));
        errors.ShouldContain("defaultJurisdiction: must name one of the jurisdictions");
        errors.ShouldContain("tenants.op-9: must name one of the jurisdictions");
        errors.ShouldContain(e => e.StartsWith("activities.data-channel-exposure.legalBases[2]: must be one of consent", StringComparison.Ordinal));
        errors.ShouldContain("consent.graceSeconds: must be 0–86400");
    }

    [Fact]
    public void an_unknown_member_or_malformed_json_names_where()
    {
        var policy = Default();
        policy["retention"] = "P1Y";
        Errors(policy).Single().ShouldStartWith("$.retention:");
        Should.Throw<PolicyInvalidException>(() => PolicyLoader.Load("{\"version\": "u8.ToArray(), "under test")).Errors.Single().Field.ShouldStartWith("$");
    }

    [Fact]
    public void a_missing_file_fails_with_the_configuration_key_to_fix()
    {
        var e = Should.Throw<PolicyInvalidException>(() => PolicyLoader.LoadFile("/nonexistent/policy.json"));
        e.Message.ShouldContain("Ngrtc:Policy:Path");
    }

    [Fact]
    public void tenants_take_their_jurisdictions_periods()
    {
        var policy = Default();
        policy["tenants"] = new JsonObject { ["262-01"] = "DE" };
        var loaded = PolicyLoader.Load(Encoding.UTF8.GetBytes(policy.ToJsonString()), "under test").Policy;
        loaded.RetentionPeriod("262-01", RetentionClass.I).ShouldBe("P6Y");
        loaded.RetentionPeriod("208-01", RetentionClass.I).ShouldBe("P5Y");
        PolicyLoader.Add(new DateTimeOffset(2026, 1, 31, 0, 0, 0, TimeSpan.Zero), "P1M").ShouldBe(new DateTimeOffset(2026, 2, 28, 0, 0, 0, TimeSpan.Zero));
    }
}
