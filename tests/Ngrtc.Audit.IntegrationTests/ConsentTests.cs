using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Service.Hosting;

namespace Ngrtc.Audit.IntegrationTests;

/// <summary>
/// The consent ledger as a decision point (grants, withdrawal, expiry, across epochs) and consent violations with the
/// grace window (README "Consent"), through the real host and store.
/// </summary>
public class ConsentTests(ServiceFixture service)
{
    private const string Subject = "tel:+491555000777";
    private const string Purpose = "dpv:ServiceProvision";
    private const string Recipient = "dcas-app-1";

    private static JsonObject Envelope(string type, string id, string tenant, string time, string nfType, string legalBasis, JsonObject data) => new()
    {
        ["specversion"] = "1.0",
        ["id"] = id,
        ["source"] = $"urn:ngrtc:nf:{nfType}:{nfType.ToLowerInvariant()}-1",
        ["type"] = type,
        ["time"] = time,
        ["datacontenttype"] = "application/json",
        ["tenant"] = tenant,
        ["nftype"] = nfType,
        ["purpose"] = Purpose,
        ["legalbasis"] = legalBasis,
        ["data"] = data,
    };

    private static JsonObject Given(string id, string tenant, string time, string? recipient = Recipient, string? expiry = null, string subject = Subject)
    {
        var data = new JsonObject { ["purpose"] = Purpose, ["noticeVersion"] = "n-1", ["channel"] = "app", ["subject"] = subject };
        if (recipient is not null)
        {
            data["recipient"] = recipient;
        }

        if (expiry is not null)
        {
            data["expiry"] = expiry;
        }

        return Envelope("ngrtc.consent.given.v1", id, tenant, time, "CONSENT", "legal-obligation", data);
    }

    private static JsonObject Withdrawn(string id, string tenant, string time, string? recipient = Recipient, string subject = Subject)
    {
        var data = new JsonObject { ["purpose"] = Purpose, ["noticeVersion"] = "n-1", ["channel"] = "web", ["subject"] = subject };
        if (recipient is not null)
        {
            data["recipient"] = recipient;
        }

        return Envelope("ngrtc.consent.withdrawn.v1", id, tenant, time, "CONSENT", "legal-obligation", data);
    }

    private static JsonObject Disclosed(string id, string tenant, string time, string subject = Subject) =>
        Ngrtc.Audit.Tests.Events.ExposureDisclosed(id, tenant, Recipient, subject, time);

    private static JsonObject Decided(string id, string tenant, string time, string result) =>
        Envelope("ngrtc.exposure.session-management-decided.v1", id, tenant, time, "IMSAS", "consent", new JsonObject
        {
            ["requester"] = Recipient,
            ["operation"] = "add-dc",
            ["subscriptionCheck"] = "passed",
            ["dcCapabilityCheck"] = "passed",
            ["consentCheck"] = "not-checked",
            ["result"] = result,
            ["initiatorIndicationSent"] = true,
            ["target"] = Subject,
        });

    private HttpClient Officer(string tenant) => service.Client(Roles.PrivacyOfficer, tenant);

    /// <summary>Posts the events over HTTP as their emitters, each NF instance with its own token, in order.</summary>
    private async Task Post(string tenant, params JsonObject[] events)
    {
        var before = await Api.StoredEventCount(tenant);
        await service.PostAsEmitters(events);
        (await Api.StoredEventCount(tenant)).ShouldBe(before + events.Length);
    }

    /// <summary>
    /// The events as one batch: a consent service and an IMS AS are different emitters, so over HTTP their events never
    /// share a request; on the bus (the PostgreSQL queue) one message may carry both.
    /// </summary>
    private async Task PostOneBatch(string tenant, params JsonObject[] events)
    {
        var before = await Api.StoredEventCount(tenant);
        await service.Bus().PublishAsync(AuditEventMessage.Batch(new JsonArray([.. events.Select(e => e.DeepClone())]).ToJsonString()));
        await ServiceFixture.StoredEventsReach(tenant, before + events.Length, "the batch on the bus");
    }

    private static async Task<string> StoredPseudonym(string tenant, string eventId, string field = "subject")
    {
        using var stored = JsonDocument.Parse((await Api.StoredData(tenant, eventId))!);
        return stored.RootElement.GetProperty("data").GetProperty(field).GetString()!;
    }

    /// <summary>An IMS AS allowed to ask the decision point, by identifier too (scope consent.decide).</summary>
    private HttpClient Decider(string tenant) =>
        service.Client(new TokenClaims("test-imsas", [Roles.Emitter], tenant, "urn:ngrtc:nf:IMSAS:imsas-eu1-02", Scopes: [AccessScopes.ConsentDecide]));

    /// <summary>A decision as its askers ask: by pseudonym a privacy officer, by identifier an emitter with the right.</summary>
    private async Task<JsonElement> Decision(string tenant, string subject, string at, string recipient = Recipient)
    {
        using var client = subject.StartsWith("p1.", StringComparison.Ordinal) ? Officer(tenant) : Decider(tenant);
        var response = await client.PostAsJsonAsync("/api/v1/consent/decision", new { tenant, subject, purpose = Purpose, recipient, at });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Json();
    }

    private async Task<JsonElement> Violations(string tenant, string query = "")
    {
        using var client = Officer(tenant);
        var response = await client.GetAsync($"/api/v1/violations?tenant={tenant}{query}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Json();
    }

    [Fact]
    public async Task only_an_emitter_granted_consent_decide_may_name_the_subject_by_identifier()
    {
        var tenant = ServiceFixture.NewTenant();
        await Post(tenant, Given("g-1", tenant, "2026-11-02T10:00:00Z"));
        var question = new { subject = Subject, purpose = Purpose, recipient = Recipient, at = "2026-11-05T00:00:00Z" };

        using var officer = Officer(tenant);
        var refused = await officer.PostAsJsonAsync("/api/v1/consent/decision", question);
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await refused.Json()).GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("subject");
        (await refused.Content.ReadAsStringAsync()).ShouldNotContain("491555000777");

        using var plainEmitter = service.Client(Roles.Emitter, tenant, "urn:ngrtc:nf:IMSAS:imsas-eu1-02");
        (await plainEmitter.PostAsJsonAsync("/api/v1/consent/decision", question)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        using var decider = Decider(tenant);
        var allowed = await decider.PostAsJsonAsync("/api/v1/consent/decision", question);
        allowed.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await allowed.Json()).GetProperty("decision").GetString().ShouldBe("allowed");
        var other = await decider.PostAsJsonAsync("/api/v1/consent/decision", new { tenant = ServiceFixture.NewTenant(), question.subject, question.purpose, question.recipient });
        other.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await other.Json()).GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("tenant");
    }

    [Fact]
    public async Task a_decision_follows_grant_withdrawal_and_expiry_and_names_the_deciding_record()
    {
        var tenant = ServiceFixture.NewTenant();
        await Post(
            tenant,
            Given("g-1", tenant, "2026-11-02T10:00:00Z"),
            Withdrawn("w-1", tenant, "2026-11-10T10:00:00Z"),
            Given("g-2", tenant, "2026-11-03T10:00:00Z", recipient: "dcas-app-2", expiry: "2026-11-20T00:00:00Z"));

        var allowed = await Decision(tenant, Subject, "2026-11-05T00:00:00Z");
        allowed.GetProperty("decision").GetString().ShouldBe("allowed");
        allowed.GetProperty("statusValidForProcessing").GetBoolean().ShouldBeTrue();
        allowed.GetProperty("legalBasis").GetString().ShouldBe("consent");
        allowed.GetProperty("record").GetProperty("eventId").GetString().ShouldBe("g-1");
        allowed.GetProperty("policyVersion").GetString().ShouldNotBeNullOrEmpty();
        allowed.GetProperty("subjectGivenAs").GetString().ShouldBe("identifier");
        allowed.GetProperty("subject").GetString().ShouldStartWith("p1.2026-11.");
        allowed.GetRawText().ShouldNotContain("491555000777");

        var withdrawn = await Decision(tenant, Subject, "2026-11-11T00:00:00Z");
        withdrawn.GetProperty("decision").GetString().ShouldBe("denied");
        withdrawn.GetProperty("reason").GetString().ShouldBe("consent-withdrawn");
        withdrawn.GetProperty("record").GetProperty("eventId").GetString().ShouldBe("w-1");

        (await Decision(tenant, Subject, "2026-11-19T00:00:00Z", "dcas-app-2")).GetProperty("decision").GetString().ShouldBe("allowed");
        var expired = await Decision(tenant, Subject, "2026-11-21T00:00:00Z", "dcas-app-2");
        expired.GetProperty("reason").GetString().ShouldBe("consent-expired");
        expired.GetProperty("record").GetProperty("eventId").GetString().ShouldBe("g-2");

        // The same by pseudonym, and the subject's history: one row per purpose × recipient, current state.
        var pseudonym = await StoredPseudonym(tenant, "g-1");
        (await Decision(tenant, pseudonym, "2026-11-05T00:00:00Z")).GetProperty("subjectGivenAs").GetString().ShouldBe("pseudonym");
        using var client = Officer(tenant);
        var history = await (await client.GetAsync($"/api/v1/consent/subjects/{pseudonym}?tenant={tenant}")).Json();
        var rows = history.GetProperty("consents").EnumerateArray().ToList();
        rows.Select(r => r.GetProperty("recipient").GetString()).ShouldBe([Recipient, "dcas-app-2"]);
        rows[0].GetProperty("state").GetString().ShouldBe("withdrawn");
        rows[0].GetProperty("history").EnumerateArray().Select(h => h.GetProperty("kind").GetString()).ShouldBe(["given", "withdrawn"]);
        rows[1].GetProperty("state").GetString().ShouldBe("expired");
    }

    [Fact]
    public async Task a_decision_by_identifier_finds_a_consent_given_in_an_earlier_epoch_and_a_pseudonym_only_its_own_epoch()
    {
        var tenant = ServiceFixture.NewTenant();
        await Post(tenant, Given("g-oct", tenant, "2026-10-15T10:00:00Z"), Disclosed("d-nov", tenant, "2026-11-28T10:00:00Z"));

        var byIdentifier = await Decision(tenant, Subject, "2026-11-28T10:00:00Z");
        byIdentifier.GetProperty("decision").GetString().ShouldBe("allowed");
        byIdentifier.GetProperty("epochsSearched").EnumerateArray().Select(e => e.GetString()).ShouldBe(["2026-10", "2026-11"]);
        byIdentifier.GetProperty("record").GetProperty("subjectPseudonym").GetString().ShouldStartWith("p1.2026-10.");

        var november = await StoredPseudonym(tenant, "d-nov");
        (await Decision(tenant, november, "2026-11-28T10:00:00Z")).GetProperty("decision").GetString().ShouldBe("denied");
        var october = await StoredPseudonym(tenant, "g-oct");
        (await Decision(tenant, october, "2026-11-28T10:00:00Z")).GetProperty("decision").GetString().ShouldBe("allowed");

        // Ingestion looks across epochs too: the November disclosure relied on the October consent.
        (await Violations(tenant)).GetProperty("total").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task a_call_relying_on_consent_without_one_is_a_violation_with_pseudonyms_only_and_a_consent_first_is_none()
    {
        var tenant = ServiceFixture.NewTenant();
        await Post(tenant, Given("g-1", tenant, "2026-11-28T09:00:00Z"), Disclosed("d-covered", tenant, "2026-11-28T10:00:00Z"));
        await Post(tenant, Disclosed("d-other", tenant, "2026-11-28T10:00:00Z", subject: "tel:+491555000888"));

        var page = await Violations(tenant);
        page.GetProperty("total").GetInt64().ShouldBe(1);
        var violation = page.GetProperty("violations")[0];
        violation.GetProperty("eventId").GetString().ShouldBe("d-other");
        violation.GetProperty("status").GetString().ShouldBe("provisional");
        violation.GetProperty("reason").GetString().ShouldBe("no-consent");
        violation.GetProperty("subjectPseudonym").GetString().ShouldStartWith("p1.2026-11.");
        violation.GetProperty("recipient").GetString().ShouldBe(Recipient);
        page.GetRawText().ShouldNotContain("491555000888");
    }

    [Fact]
    public async Task consent_recorded_inside_the_grace_window_clears_the_violation_of_an_earlier_call()
    {
        var tenant = ServiceFixture.NewTenant();
        await Post(tenant, Disclosed("d-1", tenant, "2026-11-28T10:00:00Z"));
        (await Violations(tenant)).GetProperty("violations")[0].GetProperty("status").GetString().ShouldBe("provisional");
        var register = await ExposureRegister(tenant);
        register.GetProperty("violations").GetInt64().ShouldBe(1);
        register.GetProperty("violationsByCause").GetProperty("no-consent").GetInt64().ShouldBe(1);

        // Reported late, but given before the call: it covers the call.
        await Post(tenant, Given("g-late", tenant, "2026-11-28T09:59:00Z"));

        var violation = (await Violations(tenant)).GetProperty("violations")[0];
        violation.GetProperty("status").GetString().ShouldBe("cleared");
        violation.GetProperty("clearedByEventId").GetString().ShouldBe("g-late");
        (await ExposureRegister(tenant)).GetProperty("violations").GetInt64().ShouldBe(0);
    }

    /// <summary>The exposure register's entry of the application, on the day of the calls.</summary>
    private async Task<JsonElement> ExposureRegister(string tenant)
    {
        using var client = Officer(tenant);
        var response = await client.GetAsync($"/api/v1/registers/exposure/{Recipient}?from=2026-11-28&to=2026-11-28");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Json();
    }

    [Fact]
    public async Task in_one_batch_the_log_order_decides_a_consent_after_the_call_clears_it_a_consent_before_prevents_it()
    {
        var tenant = ServiceFixture.NewTenant();
        await PostOneBatch(tenant, Disclosed("d-1", tenant, "2026-11-28T10:00:00Z"), Given("g-1", tenant, "2026-11-28T09:00:00Z"));
        (await Violations(tenant)).GetProperty("violations")[0].GetProperty("status").GetString().ShouldBe("cleared");
        // Detected and cleared in one transaction: the register takes it back under the reason it was counted with.
        var register = await ExposureRegister(tenant);
        register.GetProperty("violations").GetInt64().ShouldBe(0);
        register.GetProperty("violationsByCause").EnumerateObject().ShouldAllBe(c => c.Value.GetInt64() == 0);

        var other = ServiceFixture.NewTenant();
        await PostOneBatch(other, Given("g-1", other, "2026-11-28T09:00:00Z"), Disclosed("d-1", other, "2026-11-28T10:00:00Z"));
        (await Violations(other)).GetProperty("total").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task consent_given_after_the_call_never_clears_it()
    {
        var tenant = ServiceFixture.NewTenant();
        await Post(tenant, Disclosed("d-1", tenant, "2026-11-28T10:00:00Z"));
        await Post(tenant, Given("g-after", tenant, "2026-11-28T10:00:01Z"));

        var violation = (await Violations(tenant)).GetProperty("violations")[0];
        violation.GetProperty("status").GetString().ShouldBe("provisional");
        violation.GetProperty("clearedAt").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task consent_given_at_the_very_time_of_the_call_clears_it()
    {
        var tenant = ServiceFixture.NewTenant();
        await Post(tenant, Disclosed("d-1", tenant, "2026-11-28T10:00:00Z"));
        await Post(tenant, Given("g-same-time", tenant, "2026-11-28T10:00:00Z"));

        var violation = (await Violations(tenant)).GetProperty("violations")[0];
        violation.GetProperty("status").GetString().ShouldBe("cleared");
        violation.GetProperty("clearedByEventId").GetString().ShouldBe("g-same-time");
    }

    [Fact]
    public async Task consent_recorded_after_the_grace_window_leaves_the_violation_standing()
    {
        var tenant = ServiceFixture.NewTenant();
        await Post(tenant, Disclosed("d-1", tenant, "2026-11-28T10:00:00Z"));
        await Task.Delay(TimeSpan.FromSeconds(SuitePolicy.GraceSeconds + 0.5));
        await Post(tenant, Given("g-too-late", tenant, "2026-11-28T09:00:00Z"));

        var page = await Violations(tenant, "&status=confirmed");
        page.GetProperty("total").GetInt64().ShouldBe(1);
        page.GetProperty("violations")[0].GetProperty("status").GetString().ShouldBe("confirmed");
        (await Violations(tenant, "&status=cleared")).GetProperty("total").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task an_accepted_session_management_decision_without_consent_is_a_violation_a_rejected_one_is_not()
    {
        var tenant = ServiceFixture.NewTenant();
        await Post(tenant, Decided("s-accepted", tenant, "2026-11-28T10:00:00Z", "accepted"), Decided("s-rejected", tenant, "2026-11-28T10:01:00Z", "rejected"));

        var page = await Violations(tenant);
        page.GetProperty("total").GetInt64().ShouldBe(1);
        page.GetProperty("violations")[0].GetProperty("eventType").GetString().ShouldBe("ngrtc.exposure.session-management-decided.v1");
        page.GetProperty("violations")[0].GetProperty("subjectPseudonym").GetString().ShouldBe(await StoredPseudonym(tenant, "s-accepted", "target"));
    }

    [Fact]
    public async Task violations_filter_by_period_and_page_newest_call_first()
    {
        var tenant = ServiceFixture.NewTenant();
        await Post(tenant, [.. Enumerable.Range(0, 5).Select(i => Disclosed($"d-{i}", tenant, $"2026-11-2{i}T10:00:00Z", subject: $"tel:+49155500090{i}"))]);

        var first = await Violations(tenant, "&pageSize=2");
        first.GetProperty("total").GetInt64().ShouldBe(5);
        first.GetProperty("violations").EnumerateArray().Select(v => v.GetProperty("eventId").GetString()).ShouldBe(["d-4", "d-3"]);
        var third = await Violations(tenant, "&pageSize=2&page=3");
        third.GetProperty("violations").EnumerateArray().Select(v => v.GetProperty("eventId").GetString()).ShouldBe(["d-0"]);
        var period = await Violations(tenant, "&from=2026-11-21T00:00:00Z&to=2026-11-23T00:00:00Z");
        period.GetProperty("violations").EnumerateArray().Select(v => v.GetProperty("eventId").GetString()).ShouldBe(["d-2", "d-1"]);

        using var client = Officer(tenant);
        var bad = await client.GetAsync($"/api/v1/violations?tenant={tenant}&pageSize=0&from=yesterday");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.Json()).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ShouldBe(["from", "pageSize"]);
    }

    [Fact]
    public async Task a_decision_names_missing_fields_and_the_history_refuses_an_identifier_in_the_path()
    {
        var tenant = ServiceFixture.NewTenant();
        using var client = Officer(tenant);
        var missing = await client.GetAsync($"/api/v1/consent/decision?tenant={tenant}&purpose={Purpose}");
        missing.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await missing.Json()).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ShouldBe(["subject", "recipient"]);

        var identifier = await client.GetAsync($"/api/v1/consent/subjects/{Uri.EscapeDataString(Subject)}?tenant={tenant}");
        identifier.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await identifier.Content.ReadAsStringAsync()).ShouldNotContain("491555000777");
    }
}
