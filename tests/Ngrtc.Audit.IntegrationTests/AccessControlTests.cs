using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Tests;
using Npgsql;

namespace Ngrtc.Audit.IntegrationTests;

/// <summary>
/// The authorization matrix: every endpoint × every role (and no token, and four kinds of bad token) × own and
/// other tenant, from one table. A new endpoint is one row of <see cref="Endpoints"/>.
/// </summary>
[Collection(ServiceFixture.HangfireGlobals)] // the matrix enqueues Hangfire jobs
public class AccessControlTests(ServiceFixture service)
{
    private const string Emitter = Roles.Emitter;
    private const string Officer = Roles.PrivacyOfficer;
    private const string Reidentifier = Roles.Reidentifier;
    private const string Regulator = Roles.Regulator;
    private const string Admin = Roles.Admin;
    private const string Source = "urn:ngrtc:nf:IMSAS:imsas-eu1-02";

    /// <summary>The matrix's own tenant has a configured jurisdiction, so that its regulator may read its exports.</summary>
    private const string Own = ServiceFixture.JurisdictionTenant;

    private const string Other = "t-matrix-other";

    private const string SeedEvent = "matrix-seed";

    private static readonly string[] Everyone = [Emitter, Officer, Reidentifier, Regulator, Admin];

    private static readonly SemaphoreSlim Seeding = new(1, 1);
    private static bool _seeded;

    /// <summary>
    /// One row per endpoint: who may call it (<c>allowed</c>, answered <c>ok</c> in the own tenant), everyone else with
    /// a valid token 403, without one 401. <c>Public</c> rows answer <c>ok</c> to anyone, token or not.
    /// </summary>
    /// <summary>A well-formed pseudonym nobody has.</summary>
    private const string NoOne = "p1.2026-11.AAAAAAAAAAAAAAAAAAAAAA";

    private static readonly Row[] Endpoints =
    [
        new("POST", "/api/v1/events", 202, [Emitter], Body: t => Json(Events.ExposureDisclosed($"m-{Guid.NewGuid():n}", t), "application/cloudevents+json")),
        new("GET", "/api/v1/schemas", 200, Everyone),
        new("GET", "/api/v1/schemas/ngrtc.exposure.disclosed.v1", 200, Everyone),
        new("GET", "/api/v1/exposure/recipients", 200, [Officer, Admin]),
        new("GET", "/api/v1/exposure/recipients/nobody", 404, [Officer, Admin]),
        new("GET", "/api/v1/access-log", 200, [Officer, Admin]),
        new("GET", "/api/v1/integrity/jwks", 200, [], Public: true),
        new("GET", "/api/v1/integrity/tree-heads/latest", 200, [Officer, Regulator, Admin]),
        new("GET", "/api/v1/integrity/tree-heads/1", 200, [Officer, Regulator, Admin]),
        new("GET", $"/api/v1/integrity/proofs/inclusion?eventId={SeedEvent}", 200, [Officer, Regulator, Admin]),
        new("GET", "/api/v1/integrity/proofs/consistency?first=1&second=1", 200, [Officer, Regulator, Admin]),
        new("GET", "/api/v1/integrity/status", 200, [Officer, Regulator, Admin]),
        new("GET", "/api/v1/exports", 200, [Regulator]),
        new("GET", "/api/v1/exports/2020-01-01/events.jsonl", 404, [Regulator]),
        new("POST", "/api/v1/subjects/reveal", 200, [Reidentifier], Body: _ => JsonContent.Create(new
        {
            kind = "TelephoneNumber", identifier = "+4915550000999", caseId = "case-matrix", justification = "authorization matrix check",
        })),
        new("GET", "/api/v1/policy", 200, [Officer, Admin]),
        new("GET", $"/api/v1/policy/{SuitePolicy.Version}", 200, [Officer, Admin]),
        // The policy in force again, byte for byte: 200 and nothing changes for the rest of the suite.
        new("POST", "/api/v1/policy", 200, [Admin], Body: _ => new StringContent(SuitePolicy.Json(), System.Text.Encoding.UTF8, "application/json")),
        new("GET", $"/api/v1/consent/decision?subject={NoOne}&purpose=dpv:ServiceProvision&recipient=dcas-app-1", 200, [Officer, Admin]),
        new("POST", "/api/v1/consent/decision", 200, [Officer, Admin], Body: t => JsonContent.Create(new { tenant = t, subject = NoOne, purpose = "dpv:ServiceProvision", recipient = "dcas-app-1" })),
        new("GET", $"/api/v1/consent/subjects/{NoOne}", 404, [Officer, Admin]),
        new("GET", "/api/v1/violations", 200, [Officer, Admin]),
        new("GET", "/api/v1/ropa", 200, [Officer, Admin]),
        new("GET", "/api/v1/ropa?format=csv", 200, [Officer, Admin]),
        new("GET", "/api/v1/registers/exposure", 200, [Officer, Admin]),
        new("GET", "/api/v1/registers/exposure/nobody", 404, [Officer, Admin]),
        new("GET", "/api/v1/registers/identity", 200, [Officer, Admin]),
        new("GET", "/api/v1/registers/identity/nobody/-", 404, [Officer, Admin]),
        new("GET", "/api/v1/registers/avatars", 200, [Officer, Admin]),
        new("GET", $"/api/v1/registers/avatars/{NoOne}", 404, [Officer, Admin]),
        new("GET", "/api/v1/retention/schedule", 200, [Officer, Admin]),
        new("GET", "/api/v1/legal-holds", 200, [Officer, Admin]),
        new("GET", "/api/v1/legal-holds/no-such-hold", 404, [Officer, Admin]),
        new("POST", "/api/v1/legal-holds", 201, [Admin], Body: _ => JsonContent.Create(new { scope = "case", caseId = "case-matrix", reason = "authorization matrix" })),
        new("DELETE", "/api/v1/legal-holds/no-such-hold", 404, [Admin], Body: _ => JsonContent.Create(new { reason = "authorization matrix" })),
        new("POST", "/api/v1/jobs/retention", 202, [Admin]),
        new("POST", "/api/v1/jobs/export?period=2020-01-01", 202, [Admin]),
        new("POST", "/api/v1/jobs/verify", 202, [Admin]),
        new("POST", "/api/v1/admin/dashboard-session", 204, [Admin]),
        new("GET", "/hangfire", 200, [Admin]),
        new("GET", "/health/live", 200, [], Public: true),
        new("GET", "/health/ready", 200, [], Public: true),
        new("GET", "/openapi/v1.json", 200, [], Public: true),
        new("GET", "/docs/", 200, [], Public: true),
    ];

    public static TheoryData<string> EndpointNames => [.. Endpoints.Select(e => e.Name)];

    [Theory]
    [MemberData(nameof(EndpointNames))]
    public async Task every_role_and_token_gets_the_expected_status_in_its_own_and_another_tenant(string endpoint)
    {
        var row = Endpoints.Single(e => e.Name == endpoint);
        await SeedOwnTenant();
        var wrongKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var admin = new TokenClaims("matrix-admin", [Admin], Own);
        var callers = new List<(string Caller, Func<HttpClient> Client, int Expected)>();
        foreach (var role in Everyone)
        {
            callers.Add((role, () => Client(role), row.Public || row.Allowed.Contains(role) ? row.Ok : 403));
        }

        var rejected = row.Public ? row.Ok : 401;
        callers.Add(("no token", service.Anonymous, rejected));
        callers.Add(("expired token", () => WithToken(ServiceFixture.Token(admin, TimeSpan.FromMinutes(5), notBefore: DateTimeOffset.UtcNow.AddMinutes(-10))), rejected));
        callers.Add(("wrong audience", () => WithToken(ServiceFixture.Token(admin, audience: "another-service")), rejected));
        callers.Add(("wrong issuer", () => WithToken(ServiceFixture.Token(admin, issuer: "https://idp.example.org")), rejected));
        callers.Add(("bad signature", () => WithToken(ServiceFixture.Token(admin, key: wrongKey)), rejected));

        var mismatches = new List<string>();
        foreach (var (caller, client, expected) in callers)
        {
            foreach (var (tenant, label) in new[] { (Own, "own"), (Other, "other") })
            {
                // In another tenant only public endpoints answer; the rest refuse a token of this tenant (403), or want one (401).
                var want = label == "own" || row.Public ? expected : caller == "no token" || expected == 401 ? 401 : 403;
                using var http = client();
                using var request = new HttpRequestMessage(new HttpMethod(row.Method), label == "own" ? row.Path : WithTenant(row.Path, tenant))
                {
                    Content = row.Body?.Invoke(tenant),
                };
                using var response = await http.SendAsync(request);
                if ((int)response.StatusCode != want)
                {
                    mismatches.Add($"{caller,-16} {label,-5} expected {want}, got {(int)response.StatusCode}: {Short(await response.Content.ReadAsStringAsync())}");
                }
                else if (want is 401 or 403 && !row.Public)
                {
                    response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", $"{caller} {label}");
                }
            }
        }

        mismatches.ShouldBeEmpty($"{row.Name}:\n{string.Join('\n', mismatches)}");
    }

    [Fact]
    public async Task an_emitter_sends_only_as_its_nf_instance_and_tenant_and_each_refused_event_names_the_attribute()
    {
        var tenant = ServiceFixture.NewTenant();
        using var emitter = service.Client(Emitter, tenant, Source);

        var single = await emitter.PostEvent(Events.IdentityVerified("s-1", tenant));
        var batch = await emitter.PostBatch(
            Events.ExposureDisclosed("b-1", tenant),
            Events.IdentityVerified("b-2", tenant),
            Events.ExposureDisclosed("b-3", ServiceFixture.NewTenant()));

        single.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        single.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await single.Json()).GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("source");
        batch.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var results = (await batch.Json()).GetProperty("results");
        results.EnumerateArray().Select(r => r.GetProperty("status").GetString()).ShouldBe(["stored", "rejected", "rejected"]);
        results[1].GetProperty("problem").GetProperty("status").GetInt32().ShouldBe(403);
        results[1].GetProperty("problem").GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("[1].source");
        results[2].GetProperty("problem").GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("[2].tenant");
        (await Api.StoredEventCount(tenant)).ShouldBe(1);

        using var noSource = service.Client(Emitter, tenant);
        var refused = await noSource.PostEvent(Events.ExposureDisclosed("n-1", tenant));
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await refused.Json()).GetProperty("detail").GetString()!.ShouldContain("source");
    }

    [Fact]
    public async Task a_persons_read_is_recorded_with_who_role_purpose_endpoint_filter_digest_and_rows_never_the_filter_values()
    {
        var tenant = ServiceFixture.NewTenant();
        using (var emitter = service.Client(Emitter, tenant, Source))
        {
            (await emitter.PostBatch(
                Events.ExposureDisclosed("r-1", tenant, recipient: "dcas-one"),
                Events.ExposureDisclosed("r-2", tenant, recipient: "dcas-two"))).EnsureSuccessStatusCode();
        }

        await service.ProjectionsCaughtUp();
        using var officer = service.Client(new TokenClaims("officer-7", [Officer], tenant));
        officer.DefaultRequestHeaders.Remove(AccessHeaders.Purpose);
        officer.DefaultRequestHeaders.Add(AccessHeaders.Purpose, "dsar-2026-113");
        var response = await officer.GetAsync($"/api/v1/exposure/recipients?tenant={tenant}&probe=tel%3A%2B4915550000123");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await officer.GetAsync("/api/v1/exposure/recipients/dcas-one")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var recorded = await AccessEvents(tenant);
        recorded.Count.ShouldBe(2); // the emitter's POST is not a person's read
        var list = recorded[0].RootElement;
        list.GetProperty("subject").GetString().ShouldBe("officer-7");
        list.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe([Officer]);
        list.GetProperty("purpose").GetString().ShouldBe("dsar-2026-113");
        list.GetProperty("endpoint").GetString().ShouldBe("GET /api/v1/exposure/recipients");
        // Keyed: a plain SHA-256 of a filter with a phone number in it could be found by trying numbers.
        var listDigest = list.GetProperty("filterDigest").GetString()!;
        listDigest.ShouldMatch("^[0-9a-f]{64}$");
        listDigest.ShouldNotBe(Sha256Hex("probe=tel%3A%2B4915550000123"));
        list.GetProperty("filterSha256").ValueKind.ShouldBe(JsonValueKind.Null);
        list.GetProperty("rows").GetInt32().ShouldBe(2);
        list.GetProperty("status").GetInt32().ShouldBe(200);
        var one = recorded[1].RootElement;
        one.GetProperty("endpoint").GetString().ShouldBe("GET /api/v1/exposure/recipients/{recipientId}");
        one.GetProperty("filterDigest").GetString()!.ShouldMatch("^[0-9a-f]{64}$");
        one.GetProperty("filterDigest").GetString().ShouldNotBe(listDigest);
        one.GetProperty("rows").GetInt32().ShouldBe(1);
        var text = string.Join('\n', recorded.Select(r => r.RootElement.GetRawText()));
        text.ShouldNotContain("4915550000123");
        text.ShouldNotContain("dcas-one");
        text.ShouldNotContain("probe");

        // Whoever knows a filter finds the reads made with it through the service, which holds the key.
        var found = await officer.GetAsync("/api/v1/access-log?filter=" + Uri.EscapeDataString("probe=tel%3A%2B4915550000123"));
        found.StatusCode.ShouldBe(HttpStatusCode.OK);
        var matches = (await found.Json()).GetProperty("entries").EnumerateArray().ToList();
        matches.Select(e => e.GetProperty("endpoint").GetString()).ShouldBe(["GET /api/v1/exposure/recipients"]);
        matches[0].GetProperty("filterDigest").GetString().ShouldBe(listDigest);
        var none = await officer.GetAsync("/api/v1/access-log?filter=" + Uri.EscapeDataString("probe=tel%3A%2B4915550000124"));
        (await none.Json()).GetProperty("entries").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task reading_the_access_log_is_itself_recorded_and_paged_newest_first()
    {
        var tenant = ServiceFixture.NewTenant();
        using var officer = service.Client(Officer, tenant);

        (await officer.GetAsync("/api/v1/schemas")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var first = await (await officer.GetAsync("/api/v1/access-log?pageSize=1")).Json();
        var second = await (await officer.GetAsync("/api/v1/access-log")).Json();

        first.GetProperty("entries").EnumerateArray().Single().GetProperty("endpoint").GetString().ShouldBe("GET /api/v1/schemas");
        var entries = second.GetProperty("entries").EnumerateArray().ToList();
        entries.Select(e => e.GetProperty("endpoint").GetString()).ShouldBe(["GET /api/v1/access-log", "GET /api/v1/schemas"]);
        entries[0].GetProperty("rows").GetInt32().ShouldBe(1);
        entries[0].GetProperty("purpose").GetString().ShouldBe(ServiceFixture.TestPurpose);
        entries[1].GetProperty("rows").GetInt32().ShouldBe(Ngrtc.Audit.Contracts.Catalogue.AuditCatalogue.All.Count);
        (await AccessEvents(tenant)).Count.ShouldBe(3);

        // Reads are appended in one statement, not through a session: Marten reads them back as its own events.
        await using var session = service.Store.QuerySession(tenant);
        var stream = await session.Events.FetchStreamAsync(Ngrtc.Audit.Domain.AccessLogStreams.Reads);
        stream.Select(e => e.Version).ShouldBe([1L, 2L, 3L]);
        stream.Select(e => ((Ngrtc.Audit.Domain.AccessRecorded)e.Data).Endpoint)
            .ShouldBe(["GET /api/v1/schemas", "GET /api/v1/access-log", "GET /api/v1/access-log"]);
        (await session.Events.FetchStreamStateAsync(Ngrtc.Audit.Domain.AccessLogStreams.Reads))!.Version.ShouldBe(3);
    }

    [Fact]
    public async Task a_person_states_a_purpose_that_is_not_an_identifier_and_an_emitter_needs_none()
    {
        var tenant = ServiceFixture.NewTenant();
        using var officer = service.Client(Officer, tenant);
        officer.DefaultRequestHeaders.Remove(AccessHeaders.Purpose);

        var none = await officer.GetAsync("/api/v1/schemas");
        officer.DefaultRequestHeaders.Add(AccessHeaders.Purpose, "call tel:+4915550000123");
        var identifier = await officer.GetAsync("/api/v1/schemas");
        using var emitter = service.Client(Emitter, tenant, Source);
        emitter.DefaultRequestHeaders.Remove(AccessHeaders.Purpose);
        var emitterRead = await emitter.GetAsync("/api/v1/schemas");

        none.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await none.Json()).GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe(AccessHeaders.Purpose);
        identifier.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await identifier.Content.ReadAsStringAsync()).ShouldNotContain("4915550000123");
        emitterRead.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await AccessEvents(tenant)).ShouldBeEmpty();
    }

    [Fact]
    public async Task a_reidentification_needs_a_justification_and_is_recorded_without_the_identifier()
    {
        var tenant = ServiceFixture.NewTenant();
        using var reidentifier = service.Client(Reidentifier, tenant);

        var missing = await reidentifier.PostAsJsonAsync("/api/v1/subjects/reveal", new { kind = "TelephoneNumber", identifier = "+4915550000777", caseId = "case-9" });
        var made = await reidentifier.PostAsJsonAsync(
            "/api/v1/subjects/reveal", new { kind = "TelephoneNumber", identifier = "+4915550000777", caseId = "case-9", justification = "court order 2026-44" });

        missing.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await missing.Json()).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ShouldBe(["justification"]);
        made.StatusCode.ShouldBe(HttpStatusCode.OK);
        var recorded = (await AccessEvents(tenant)).Select(r => r.RootElement).ToList();
        recorded.Select(r => r.GetProperty("endpoint").GetString()).ShouldBe(["POST /api/v1/subjects/reveal", "POST /api/v1/subjects/reveal"]);
        recorded.Select(r => r.GetProperty("status").GetInt32()).ShouldBe([400, 200]);
        string.Join('\n', recorded.Select(r => r.GetRawText())).ShouldNotContain("4915550000777");
    }

    [Fact]
    public async Task a_regulator_of_another_jurisdiction_reads_no_exports()
    {
        using var foreign = service.Client(new TokenClaims("regulator-fr", [Regulator], Own, Jurisdiction: "FR"));
        using var home = service.Client(Regulator, Own);

        var refused = await foreign.GetAsync("/api/v1/exports");

        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await refused.Json()).GetProperty("detail").GetString()!.ShouldContain("jurisdiction");
        (await home.GetAsync("/api/v1/exports")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_refused_token_gets_a_problem_that_says_what_is_wrong()
    {
        using var expired = WithToken(ServiceFixture.Token(new TokenClaims("x", [Officer], Own), TimeSpan.FromMinutes(1), notBefore: DateTimeOffset.UtcNow.AddHours(-1)));

        var response = await expired.GetAsync("/api/v1/schemas");

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
        (await response.Json()).GetProperty("detail").GetString()!.ShouldContain("expired");
    }

    /// <summary>
    /// The own tenant holds an event under a signed head and a finished verification before any row runs, so that
    /// every row's answer is the same whatever order the rows run in.
    /// </summary>
    private async Task SeedOwnTenant()
    {
        await Seeding.WaitAsync();
        try
        {
            if (_seeded)
            {
                return;
            }

            using var emitter = Client(Emitter);
            (await emitter.PostEvent(Events.ExposureDisclosed(SeedEvent, Own))).EnsureSuccessStatusCode();
            using var officer = Client(Officer);
            await ServiceFixture.Eventually(
                async () => (await officer.GetAsync("/api/v1/integrity/tree-heads/1")).IsSuccessStatusCode ? "" : null, "the seed's tree head");
            using var admin = Client(Admin);
            var job = await (await admin.PostAsync("/api/v1/jobs/verify", null)).Json();
            (await service.HangfireJobFinished(job.GetProperty("jobId").GetString()!)).ShouldBe("Succeeded");
            _seeded = true;
        }
        finally
        {
            Seeding.Release();
        }
    }

    private HttpClient Client(string role) => role == Emitter ? service.Client(role, Own, Source) : service.Client(role, Own);

    private HttpClient WithToken(string token) => ServiceFixture.WithToken(service.Anonymous(), token);

    private static string WithTenant(string path, string tenant) => path + (path.Contains('?') ? "&" : "?") + "tenant=" + tenant;

    private static StringContent Json(System.Text.Json.Nodes.JsonNode e, string mediaType) => new(e.ToJsonString(), Encoding.UTF8, mediaType);

    private static string Short(string body) => body.Length > 160 ? body[..160] + "…" : body;

    private static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static async Task<List<JsonDocument>> AccessEvents(string tenant)
    {
        await using var database = NpgsqlDataSource.Create(ServiceFixture.ConnectionString);
        await using var command = database.CreateCommand(
            "select data::text from ngrtc.mt_events where tenant_id = $1 and stream_id = 'access log' order by seq_id");
        command.Parameters.AddWithValue(tenant);
        var found = new List<JsonDocument>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            found.Add(JsonDocument.Parse(reader.GetString(0)));
        }

        return found;
    }

    private sealed record Row(string Method, string Path, int Ok, string[] Allowed, bool Public = false, Func<string, HttpContent>? Body = null)
    {
        public string Name => $"{Method} {Path}";
    }
}
