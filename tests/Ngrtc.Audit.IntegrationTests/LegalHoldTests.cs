using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Ngrtc.Audit.Contracts.Avatars;
using Ngrtc.Audit.Contracts.Identity;
using Ngrtc.Audit.Service.Hosting;

namespace Ngrtc.Audit.IntegrationTests;

public class LegalHoldTests(ServiceFixture service)
{
    internal static Task<HttpResponseMessage> Place(HttpClient client, string tenant, object body) =>
        client.PostAsJsonAsync($"/api/v1/legal-holds?tenant={tenant}", body);

    internal static Task<HttpResponseMessage> Release(HttpClient client, string tenant, string holdId, string? reason) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/legal-holds/{holdId}?tenant={tenant}")
        {
            Content = reason is null ? null : JsonContent.Create(new { reason }),
        });

    private static async Task<string> Field(HttpResponseMessage response)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Json();
        problem.GetProperty("type").GetString().ShouldBe(Problems.InvalidInputType);
        return problem.GetProperty("errors")[0].GetProperty("field").GetString()!;
    }

    [Fact]
    public async Task a_hold_without_a_valid_scope_or_reason_is_refused_naming_the_field()
    {
        var tenant = ServiceFixture.NewTenant();
        using var admin = service.Client(Roles.Admin, tenant);

        (await Field(await Place(admin, tenant, new { scope = "enterprise", enterpriseId = "ent-1" }))).ShouldBe("reason");
        (await Field(await Place(admin, tenant, new { scope = "enterprise", enterpriseId = "ent-1", reason = "  " }))).ShouldBe("reason");
        (await Field(await Place(admin, tenant, new { scope = "everything", reason = "litigation LIT-2026-0042" }))).ShouldBe("scope");
        (await Field(await Place(admin, tenant, new { reason = "litigation LIT-2026-0042" }))).ShouldBe("scope");
        (await Field(await Place(admin, tenant, new { scope = "subject", reason = "litigation LIT-2026-0042" }))).ShouldBe("subject");
        (await Field(await Place(admin, tenant, new { scope = "subject", subject = "p1.bad", reason = "litigation LIT-2026-0042" }))).ShouldBe("subject");
        (await Field(await Place(admin, tenant, new { scope = "subject", subject = "tel:+491555000001", subjectKind = "shoe-size", reason = "x" }))).ShouldBe("subjectKind");
        (await Field(await Place(admin, tenant, new { scope = "enterprise", reason = "litigation LIT-2026-0042" }))).ShouldBe("enterpriseId");
        (await Field(await Place(admin, tenant, new { scope = "case", reason = "litigation LIT-2026-0042" }))).ShouldBe("caseId");
        (await Field(await Place(admin, tenant, new { scope = "enterprise", enterpriseId = "ent-1" }))).ShouldBe("reason");
        (await Field(await Place(admin, tenant, new { scope = "enterprise", enterpriseId = "ent-1", reason = new string('x', 501) }))).ShouldBe("reason");
        (await Field(await Place(admin, tenant, new { scope = "case", caseId = "icid-1", reason = "complaint by +49 1555 000001" }))).ShouldBe("reason");
        var withAddress = await Place(admin, tenant, new { scope = "case", caseId = "icid-1", reason = "complaint of anna@example.org" });
        (await Field(withAddress)).ShouldBe("reason");
        (await withAddress.Content.ReadAsStringAsync()).ShouldNotContain("anna");

        using var officer = service.Client(Roles.PrivacyOfficer, tenant);
        var list = await (await officer.GetAsync($"/api/v1/legal-holds?tenant={tenant}")).Json();
        list.GetProperty("holds").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task a_subject_hold_holds_the_persons_pseudonyms_of_every_live_epoch_and_is_released_with_a_reason()
    {
        var tenant = ServiceFixture.NewTenant();
        var now = DateTimeOffset.UtcNow;
        var earlier = now.AddMonths(-2);
        // Two earlier events give the tenant the pepper of an earlier epoch.
        await service.PostAsEmitters(
            RegisterTests.Event(IdentityVerified.Type, "v1", tenant, earlier.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), "call-1", ("orig", "tel:+491555000071")));

        using var admin = service.Client(Roles.Admin, tenant);
        var placed = await Place(admin, tenant, new { scope = "subject", subject = "sip:+491555000071@ims.example.org", reason = "court order LIT-2026-0042" });
        placed.StatusCode.ShouldBe(HttpStatusCode.Created, await placed.Content.ReadAsStringAsync());
        var hold = await placed.Json();
        hold.GetRawText().ShouldNotContain("1555000071");
        var holdId = hold.GetProperty("holdId").GetString()!;
        holdId.ShouldStartWith("lh-");
        hold.GetProperty("scope").GetString().ShouldBe("subject");
        hold.GetProperty("active").GetBoolean().ShouldBeTrue();
        var epochs = hold.GetProperty("epochs").EnumerateArray().Select(e => e.GetString()).ToList();
        epochs.ShouldContain(earlier.ToString("yyyy-MM"));
        epochs.ShouldContain(now.ToString("yyyy-MM"));
        epochs.ShouldContain(now.AddMonths(1).ToString("yyyy-MM"));
        hold.GetProperty("keys").EnumerateArray().ShouldAllBe(k => k.GetString()!.StartsWith("p1."));

        // The held pseudonym of the earlier epoch is the one the stored event carries.
        var stored = JsonDocument.Parse((await Api.StoredData(tenant, "v1"))!).RootElement;
        hold.GetProperty("keys").EnumerateArray().Select(k => k.GetString()).ShouldContain(stored.GetProperty("pseudonyms").GetProperty("orig").GetString());

        // The placement event carries no identifier either.
        (await Api.StoredData(tenant, "v1")).ShouldNotBeNull();
        await using (var session = service.Store.QuerySession(tenant))
        {
            var events = await session.Events.FetchStreamAsync(Ngrtc.Audit.Domain.LegalHoldStreams.For(holdId));
            JsonSerializer.Serialize(events.Select(e => e.Data)).ShouldNotContain("1555000071");
        }

        using var officer = service.Client(Roles.PrivacyOfficer, tenant);
        var active = await (await officer.GetAsync($"/api/v1/legal-holds?tenant={tenant}&status=active")).Json();
        active.GetProperty("holds").EnumerateArray().Select(h => h.GetProperty("holdId").GetString()).ShouldBe([holdId]);

        (await Field(await Release(admin, tenant, holdId, null))).ShouldBe("reason");
        (await Release(admin, tenant, "lh-unknown", "done")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var released = await Release(admin, tenant, holdId, "case closed");
        released.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await released.Json()).GetProperty("active").GetBoolean().ShouldBeFalse();
        (await Release(admin, tenant, holdId, "again")).StatusCode.ShouldBe(HttpStatusCode.Conflict);

        (await (await officer.GetAsync($"/api/v1/legal-holds?tenant={tenant}&status=active")).Json()).GetProperty("holds").GetArrayLength().ShouldBe(0);
        var one = await (await officer.GetAsync($"/api/v1/legal-holds/{holdId}?tenant={tenant}")).Json();
        one.GetProperty("releaseReason").GetString().ShouldBe("case closed");
        one.GetProperty("releasedAt").ValueKind.ShouldBe(JsonValueKind.String);

        // Holds are per tenant: another tenant's officer does not find this one, and this token reads no other tenant.
        var other = ServiceFixture.NewTenant();
        using var otherOfficer = service.Client(Roles.PrivacyOfficer, other);
        (await otherOfficer.GetAsync($"/api/v1/legal-holds/{holdId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await officer.GetAsync($"/api/v1/legal-holds/{holdId}?tenant={other}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}

// Runs the real Hangfire retention job: one after the other with the suite's other job tests.
[Collection(ServiceFixture.HangfireGlobals)]
public class LegalHoldRetentionTests(ServiceFixture service)
{
    private static string Old(int minutes) =>
        DateTimeOffset.UtcNow.AddDays(-ServiceFixture.RetentionDays - 5).AddMinutes(minutes).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

    private async Task RunRetention()
    {
        using var client = service.Client(Roles.Admin, "any");
        var job = await (await client.PostAsync("/api/v1/jobs/retention", null)).Json();
        (await service.HangfireJobFinished(job.GetProperty("jobId").GetString()!)).ShouldBe("Succeeded");
    }

    private static async Task<bool> Redacted(string tenant, string id) =>
        JsonDocument.Parse((await Api.StoredData(tenant, id))!).RootElement.TryGetProperty("redactedAt", out var at) && at.ValueKind == JsonValueKind.String;

    [Fact]
    public async Task held_events_are_not_redacted_until_their_hold_is_released()
    {
        var tenant = ServiceFixture.NewTenant();
        await service.PostAsEmitters(
            RegisterTests.Event(IdentityVerified.Type, "subject-held", tenant, Old(1), "call-1", ("orig", "tel:+491555000081")),
            RegisterTests.Event(IdentityVerified.Type, "not-held", tenant, Old(2), "call-2", ("orig", "tel:+491555000082")),
            RegisterTests.Event(IdentityVerified.Type, "case-held", tenant, Old(3), "case-7", ("orig", "tel:+491555000083")),
            RegisterTests.Event(IdentityBindingChanged.Type, "enterprise-held", tenant, Old(4), null, ("enterpriseId", "ent-h"), ("bindingId", "bind-h1")),
            RegisterTests.Event(IdentityAsserted.Type, "enterprise-call", tenant, Old(5), "call-h", ("bindingId", "bind-h1"), ("trunkId", null), ("accessMode", "registration")),
            RegisterTests.Event(IdentityPresented.Type, "enterprise-call-presented", tenant, Old(6), "call-h"),
            RegisterTests.Event(AvatarListFetched.Type, "transit", tenant, Old(7), null));

        using var admin = service.Client(Roles.Admin, tenant);
        var holds = new List<string>();
        foreach (object body in new object[]
                 {
                     new { scope = "subject", subject = "tel:+491555000081", subjectKind = "TelephoneNumber", reason = "litigation LIT-1" },
                     new { scope = "case", caseId = "case-7", reason = "regulator inquiry 2026/17" },
                     new { scope = "enterprise", enterpriseId = "ent-h", reason = "fraud investigation F-12" },
                 })
        {
            var placed = await LegalHoldTests.Place(admin, tenant, body);
            placed.StatusCode.ShouldBe(HttpStatusCode.Created);
            holds.Add((await placed.Json()).GetProperty("holdId").GetString()!);
        }

        // The schedule shows each event's class, due date and holds.
        using var officer = service.Client(Roles.PrivacyOfficer, tenant);
        var schedule = await (await officer.GetAsync($"/api/v1/retention/schedule?tenant={tenant}")).Json();
        var byId = schedule.GetProperty("events").EnumerateArray().ToDictionary(e => e.GetProperty("eventId").GetString()!);
        byId.Count.ShouldBe(7);
        byId["subject-held"].GetProperty("holds").EnumerateArray().Select(h => h.GetString()).ShouldBe([holds[0]]);
        byId["case-held"].GetProperty("holds").EnumerateArray().Select(h => h.GetString()).ShouldBe([holds[1]]);
        byId["enterprise-held"].GetProperty("holds").EnumerateArray().Select(h => h.GetString()).ShouldBe([holds[2]]);
        byId["enterprise-call"].GetProperty("holds").EnumerateArray().Select(h => h.GetString()).ShouldBe([holds[2]]);
        byId["enterprise-call-presented"].GetProperty("holds").EnumerateArray().Select(h => h.GetString()).ShouldBe([holds[2]]);
        byId["not-held"].GetProperty("holds").GetArrayLength().ShouldBe(0);
        byId["not-held"].GetProperty("class").GetString().ShouldBe("A");
        byId["not-held"].GetProperty("enforced").GetBoolean().ShouldBeTrue();
        (byId["not-held"].GetProperty("dueAt").GetDateTimeOffset() - byId["not-held"].GetProperty("time").GetDateTimeOffset()).ShouldBe(TimeSpan.FromDays(ServiceFixture.RetentionDays));
        byId["transit"].GetProperty("class").GetString().ShouldBe("T0");
        byId["transit"].GetProperty("enforced").GetBoolean().ShouldBeFalse();
        (byId["transit"].GetProperty("dueAt").GetDateTimeOffset() - byId["transit"].GetProperty("time").GetDateTimeOffset()).ShouldBe(TimeSpan.FromDays(7));

        await RunRetention();

        (await Redacted(tenant, "not-held")).ShouldBeTrue();
        foreach (var held in new[] { "subject-held", "case-held", "enterprise-held", "enterprise-call", "enterprise-call-presented" })
        {
            (await Redacted(tenant, held)).ShouldBeFalse(held);
        }

        (await LegalHoldTests.Release(admin, tenant, holds[0], "litigation settled")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await LegalHoldTests.Release(admin, tenant, holds[2], "investigation closed")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await RunRetention();

        (await Redacted(tenant, "subject-held")).ShouldBeTrue();
        (await Redacted(tenant, "enterprise-held")).ShouldBeTrue();
        (await Redacted(tenant, "enterprise-call")).ShouldBeTrue();
        (await Redacted(tenant, "case-held")).ShouldBeFalse();
        var after = await (await officer.GetAsync($"/api/v1/retention/schedule?tenant={tenant}")).Json();
        after.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("eventId").GetString() == "subject-held")
            .GetProperty("redactedAt").ValueKind.ShouldBe(JsonValueKind.String);
    }

    [Fact]
    public async Task the_schedule_filters_by_due_date_and_pages_in_log_order()
    {
        var tenant = ServiceFixture.NewTenant();
        var recent = DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        await service.PostAsEmitters(
            RegisterTests.Event(IdentityVerified.Type, "due-1", tenant, Old(1), null),
            RegisterTests.Event(IdentityVerified.Type, "later", tenant, recent, null),
            RegisterTests.Event(IdentityVerified.Type, "due-2", tenant, Old(2), null),
            RegisterTests.Event(IdentityVerified.Type, "due-3", tenant, Old(3), null));

        using var officer = service.Client(Roles.PrivacyOfficer, tenant);
        var today = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd");
        var ids = new List<string>();
        string? continuation = null;
        do
        {
            var page = await (await officer.GetAsync($"/api/v1/retention/schedule?tenant={tenant}&dueBefore={today}&limit=2" + (continuation is null ? "" : $"&continuation={continuation}"))).Json();
            ids.AddRange(page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("eventId").GetString()!));
            continuation = page.GetProperty("continuation").GetString();
        }
        while (continuation is not null);

        ids.ShouldBe(["due-1", "due-2", "due-3"]);
        var bad = await officer.GetAsync($"/api/v1/retention/schedule?tenant={tenant}&dueBefore=soon");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.Json()).GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("dueBefore");
    }
}
