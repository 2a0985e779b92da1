using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Ngrtc.Audit.Integrity;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Integrity;
using Npgsql;

namespace Ngrtc.Audit.IntegrationTests;

/// <summary>
/// The policy: published at start-up and through the API, stamped on every event (and covered by its leaf), and the
/// records of processing built from it and from the traffic.
/// </summary>
public class PolicyTests(ServiceFixture service)
{
    private static StringContent Body(string json) => new(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    private static async Task<string?> StoredPolicyVersion(string tenant, string eventId)
    {
        using var stored = JsonDocument.Parse((await Api.StoredData(tenant, eventId))!);
        return stored.RootElement.TryGetProperty("policyVersion", out var v) ? v.GetString() : null;
    }

    [Fact]
    public async Task the_configured_file_is_published_at_start_up()
    {
        using var client = service.Client(Roles.PrivacyOfficer, ServiceFixture.NewTenant());
        var response = await client.GetAsync($"/api/v1/policy/{SuitePolicy.Version}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var policy = await response.Json();
        policy.GetProperty("source").GetString().ShouldBe($"file:{SuitePolicy.Version}.json");
        policy.GetProperty("digest").GetString().ShouldStartWith("sha256:");
        policy.GetProperty("policy").GetProperty("consent").GetProperty("graceSeconds").GetInt32().ShouldBe(SuitePolicy.GraceSeconds);
    }

    [Fact]
    public async Task events_keep_the_version_that_classified_them_and_the_leaf_makes_the_stamp_tamper_evident()
    {
        var tenant = ServiceFixture.NewTenant();
        using var admin = service.Client(Roles.Admin, tenant);
        await service.PostAsEmitters(Ngrtc.Audit.Tests.Events.IdentityVerified("before", tenant));
        var before = await StoredPolicyVersion(tenant, "before");
        before.ShouldNotBeNull();

        var v2 = "suite.v2-" + Guid.NewGuid().ToString("n")[..8];
        var published = await admin.PostAsync("/api/v1/policy", Body(SuitePolicy.Json(v2)));
        published.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await (await admin.GetAsync("/api/v1/policy")).Json()).GetProperty("version").GetString().ShouldBe(v2);
        await service.PostAsEmitters(Ngrtc.Audit.Tests.Events.IdentityVerified("after", tenant));

        (await StoredPolicyVersion(tenant, "before")).ShouldBe(before);
        (await StoredPolicyVersion(tenant, "after")).ShouldBe(v2);

        // The event and its publication are on the record.
        await using var database = NpgsqlDataSource.Create(ServiceFixture.ConnectionString);
        await using (var count = database.CreateCommand("select count(*) from ngrtc.mt_events where type = 'policy_published' and data->>'version' = $1"))
        {
            count.Parameters.AddWithValue(v2);
            ((long)(await count.ExecuteScalarAsync())!).ShouldBe(1);
        }

        // Sealed, then the stamp of the second event rewritten: verification finds that event.
        await ServiceFixture.Eventually(
            async () => (await admin.GetAsync($"/api/v1/integrity/tree-heads/latest?tenant={tenant}")) is { IsSuccessStatusCode: true } r
                && (await r.Json()).GetProperty("treeSize").GetInt64() == 2 ? "" : null,
            "a tree head of size 2");
        await using (var tamper = database.CreateCommand(
            "update ngrtc.mt_events set data = jsonb_set(data, '{policyVersion}', to_jsonb($2::text)) where tenant_id = $1 and stream_id = 'audit-log' and data->'envelope'->>'id' = 'after'"))
        {
            tamper.Parameters.AddWithValue(tenant);
            tamper.Parameters.AddWithValue(before!);
            (await tamper.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        var verifier = TreeHeadVerifier.FromJwks(await (await admin.GetAsync("/api/v1/integrity/jwks")).Content.ReadAsStringAsync());
        var result = (await VerifyLog.RunAsync(service.Host.Services.GetRequiredService<NpgsqlDataSource>(), verifier, CancellationToken.None)).Single(r => r.Tenant == tenant);
        result.Problem.ShouldNotBeNull();
        result.LeafIndex.ShouldBe(1);
        result.EventId.ShouldBe("after");
    }

    [Fact]
    public async Task a_published_version_never_changes_and_an_invalid_policy_is_refused_naming_the_member()
    {
        using var admin = service.Client(Roles.Admin, ServiceFixture.NewTenant());
        var same = await admin.PostAsync("/api/v1/policy", Body(SuitePolicy.Json()));
        // The bytes the suite's start-up published: nothing changes.
        same.StatusCode.ShouldBe(HttpStatusCode.OK);

        var v3 = "suite.v3-" + Guid.NewGuid().ToString("n")[..8];
        (await admin.PostAsync("/api/v1/policy", Body(SuitePolicy.Json(v3)))).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await admin.PostAsync("/api/v1/policy", Body(SuitePolicy.Json(v3)))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var changed = JsonNode.Parse(SuitePolicy.Json(v3))!;
        changed["title"] = "changed";
        var conflict = await admin.PostAsync("/api/v1/policy", Body(changed.ToJsonString()));
        conflict.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await conflict.Json()).GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("version");

        var invalid = JsonNode.Parse(SuitePolicy.Json("suite.invalid"))!;
        invalid["activities"]!["consent-management"]!["eventTypes"] = new JsonArray();
        var refused = await admin.PostAsync("/api/v1/policy", Body(invalid.ToJsonString()));
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var fields = (await refused.Json()).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToList();
        fields.ShouldBe(["activities.consent-management.eventTypes", "activities.consent-management.eventTypes"]);
        (await admin.GetAsync("/api/v1/policy/suite.invalid")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task the_records_of_processing_declare_the_policy_and_show_the_observed_traffic_as_json_and_csv()
    {
        var tenant = ServiceFixture.NewTenant();
        await service.PostAsEmitters(
            Ngrtc.Audit.Tests.Events.ExposureDisclosed("d-1", tenant, recipient: "dcas-app-1"),
            Ngrtc.Audit.Tests.Events.ExposureDisclosed("d-2", tenant, recipient: "dcas-app-2", subject: "tel:+491555000002"),
            Ngrtc.Audit.Tests.Events.IdentityVerified("v-1", tenant));

        using var officer = service.Client(Roles.PrivacyOfficer, tenant);
        var policy = (await (await officer.GetAsync("/api/v1/policy")).Json()).GetProperty("policy");
        var ropa = await (await officer.GetAsync($"/api/v1/ropa?tenant={tenant}")).Json();
        ropa.GetProperty("jurisdiction").GetString().ShouldBe("EU");
        var activities = ropa.GetProperty("activities").EnumerateArray().ToDictionary(a => a.GetProperty("activity").GetString()!);
        activities.Keys.Order().ShouldBe(policy.GetProperty("activities").EnumerateObject().Select(a => a.Name).Order());

        var exposure = activities["data-channel-exposure"];
        var declared = policy.GetProperty("activities").GetProperty("data-channel-exposure");
        Strings(exposure.GetProperty("purposes")).ShouldBe(Strings(declared.GetProperty("purposes")));
        Strings(exposure.GetProperty("legalBases")).ShouldBe(Strings(declared.GetProperty("legalBases")));
        Strings(exposure.GetProperty("recipients")).ShouldBe(Strings(declared.GetProperty("recipients")));
        exposure.GetProperty("dataCategories").EnumerateArray().Select(c => c.GetString()).ShouldContain("impu");
        var disclosed = exposure.GetProperty("eventTypes").EnumerateArray().Single(t => t.GetProperty("type").GetString() == "ngrtc.exposure.disclosed.v1");
        disclosed.GetProperty("retentionClass").GetString().ShouldBe("A");
        disclosed.GetProperty("retentionPeriod").GetString().ShouldBe(policy.GetProperty("jurisdictions").GetProperty("EU").GetProperty("retention").GetProperty("A").GetString());

        var observed = exposure.GetProperty("observed");
        observed.GetProperty("events").GetInt64().ShouldBe(2);
        observed.GetProperty("recipients").GetProperty("dcas-app-1").GetInt64().ShouldBe(1);
        observed.GetProperty("recipients").GetProperty("dcas-app-2").GetInt64().ShouldBe(1);
        observed.GetProperty("dataCategories").GetProperty("impu").GetInt64().ShouldBe(2);
        observed.GetProperty("dataCategories").GetProperty("session-event").GetInt64().ShouldBe(2);
        activities["third-party-identity-assurance"].GetProperty("observed").GetProperty("events").GetInt64().ShouldBe(1);
        activities["avatar-communication"].GetProperty("observed").GetProperty("events").GetInt64().ShouldBe(0);

        var csv = await officer.GetAsync($"/api/v1/ropa?tenant={tenant}&format=csv");
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(1 + activities.Count);
        lines[0].ShouldStartWith("activity,purposes,legal_bases");
        lines.Single(l => l.StartsWith("\"data-channel-exposure\"", StringComparison.Ordinal)).ShouldContain("\"dcas-app-1=1; dcas-app-2=1\"");

        (await officer.GetAsync($"/api/v1/ropa?tenant={tenant}&format=xml")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    private static List<string?> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString())];
}
