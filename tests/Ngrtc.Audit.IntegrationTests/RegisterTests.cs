using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ngrtc.Audit.Contracts.Avatars;
using Ngrtc.Audit.Contracts.Exposure;
using Ngrtc.Audit.Contracts.Identity;
using Microsoft.Extensions.Logging.Abstractions;
using Ngrtc.Audit.Projections;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Registers;
using Npgsql;
using Ngrtc.Audit.Tests;

namespace Ngrtc.Audit.IntegrationTests;

public class RegisterTests(ServiceFixture service)
{
    private const string Day1 = "2026-10-01";
    private const string Day2 = "2026-10-02";

    /// <summary>The catalogue example of <paramref name="type"/> at a time of its own, with its data fields changed as given.</summary>
    internal static JsonObject Event(string type, string id, string tenant, string time, string? correlation, params (string Field, JsonNode? Value)[] data)
    {
        var e = Events.Example(type, id, tenant);
        e["time"] = time;
        if (correlation is null)
        {
            e.Remove("correlationid");
        }
        else
        {
            e["correlationid"] = correlation;
        }

        var body = e["data"]!.AsObject();
        foreach (var (field, value) in data)
        {
            if (value is null)
            {
                body.Remove(field);
            }
            else
            {
                body[field] = value;
            }
        }

        return e;
    }

    private static JsonObject Disclosed(string id, string tenant, string day, string recipient, string eventType, string subject, params string[] categories) =>
        Event(ExposureDisclosed.Type, id, tenant, $"{day}T10:00:00Z", "icid-1",
            ("recipient", recipient), ("eventType", eventType), ("subject", subject), ("dataCategories", new JsonArray([.. categories.Select(c => (JsonNode)c)])));

    private async Task<JsonElement> Get(string tenant, string path)
    {
        using var client = service.Client(Roles.PrivacyOfficer, tenant);
        var response = await client.GetAsync(path);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Json();
    }

    private async Task Ingest(string tenant, params JsonNode[] events)
    {
        await service.PostAsEmitters(events);
        await ServiceFixture.StoredEventsReach(tenant, events.Length, "the register's events");
    }

    private static List<KeyValuePair<string, long>> Map(JsonElement e) => Sorted(e.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64()));

    private static List<KeyValuePair<string, long>> Sorted(Dictionary<string, long> counts) => [.. counts.OrderBy(c => c.Key, StringComparer.Ordinal)];

    [Fact]
    public async Task the_exposure_register_counts_operations_categories_subjects_and_rejections_per_application_and_period()
    {
        var tenant = ServiceFixture.NewTenant();
        await Ingest(
            tenant,
            Disclosed("d1", tenant, Day1, "app-a", "APP_DC_ESTABLISHED", "tel:+491555000001", "session-event", "media-info"),
            Disclosed("d2", tenant, Day2, "app-a", "APP_DC_RELEASED", "sip:+491555000001@ims.example.org", "session-event"),
            Disclosed("d3", tenant, Day2, "app-a", "APP_DC_ESTABLISHED", "tel:+491555000002", "location-cell"),
            Disclosed("d4", tenant, Day1, "app-b", "APP_DC_ESTABLISHED", "tel:+491555000003", "session-event"),
            Event(ExposureSessionManagementRequested.Type, "r1", tenant, $"{Day1}T11:00:00Z", "nef-1", ("requester", "app-a"), ("operation", "add-dc")),
            Event(ExposureSessionManagementRequested.Type, "r2", tenant, $"{Day2}T11:00:00Z", "nef-2",
                ("requester", "app-a"), ("operation", "update-dc"), ("nefAuthorization", "denied"), ("cause", "af-not-authorized-for-target")),
            Event(ExposureSessionManagementDecided.Type, "c1", tenant, $"{Day1}T11:00:01Z", "nef-1",
                ("requester", "app-a"), ("consentCheck", "failed"), ("result", "rejected"), ("initiatorIndicationSent", false), ("rejectCause", "no-consent")),
            Event(ExposureSessionManagementDecided.Type, "c2", tenant, $"{Day2}T12:00:01Z", "nef-3", ("requester", "app-a")),
            Event(ExposureSubscriptionChanged.Type, "s1", tenant, $"{Day1}T09:00:00Z", "nef-4", ("consumer", "app-a")));

        var page = await Get(tenant, $"/api/v1/registers/exposure?tenant={tenant}");
        page.GetProperty("items").GetArrayLength().ShouldBe(2);
        page.GetProperty("continuation").ValueKind.ShouldBe(JsonValueKind.Null);
        var a = page.GetProperty("items")[0];
        a.GetProperty("recipientId").GetString().ShouldBe("app-a");
        a.GetProperty("disclosures").GetInt64().ShouldBe(3);
        Map(a.GetProperty("byEventType")).ShouldBe(Sorted(new Dictionary<string, long> { ["APP_DC_ESTABLISHED"] = 2, ["APP_DC_RELEASED"] = 1 }));
        Map(a.GetProperty("byDataCategory")).ShouldBe(Sorted(new Dictionary<string, long> { ["session-event"] = 2, ["media-info"] = 1, ["location-cell"] = 1 }));
        a.GetProperty("distinctSubjects").GetInt64().ShouldBe(2); // one number as a tel URI and as a SIP URI is one subject
        a.GetProperty("operations").GetInt64().ShouldBe(2);
        Map(a.GetProperty("byOperation")).ShouldBe(Sorted(new Dictionary<string, long> { ["add-dc"] = 1, ["update-dc"] = 1 }));
        Map(a.GetProperty("decisions")).ShouldBe(Sorted(new Dictionary<string, long> { ["accepted"] = 1, ["rejected"] = 1 }));
        Map(a.GetProperty("subscriptions")).ShouldBe(Sorted(new Dictionary<string, long> { ["created"] = 1 }));
        a.GetProperty("rejections").GetInt64().ShouldBe(2);
        Map(a.GetProperty("rejectionsByCause")).ShouldBe(Sorted(new Dictionary<string, long> { ["af-not-authorized-for-target"] = 1, ["no-consent"] = 1 }));
        // No consent was ever recorded and every call relied on it: the three disclosures and the accepted decision.
        a.GetProperty("violations").GetInt64().ShouldBe(4);
        Map(a.GetProperty("violationsByCause")).ShouldBe(Sorted(new Dictionary<string, long> { ["no-consent"] = 4 }));
        a.GetProperty("firstDay").GetString().ShouldBe(Day1);
        a.GetProperty("lastDay").GetString().ShouldBe(Day2);
        var b = page.GetProperty("items")[1];
        b.GetProperty("recipientId").GetString().ShouldBe("app-b");
        b.GetProperty("disclosures").GetInt64().ShouldBe(1);
        page.GetRawText().ShouldNotContain("1555000");

        // A period is whole UTC days: the second day alone.
        var day2 = await Get(tenant, $"/api/v1/registers/exposure/app-a?tenant={tenant}&from={Day2}&to={Day2}");
        day2.GetProperty("disclosures").GetInt64().ShouldBe(2);
        day2.GetProperty("distinctSubjects").GetInt64().ShouldBe(2);
        Map(day2.GetProperty("byOperation")).ShouldBe(Sorted(new Dictionary<string, long> { ["update-dc"] = 1 }));
        Map(day2.GetProperty("decisions")).ShouldBe(Sorted(new Dictionary<string, long> { ["accepted"] = 1 }));
        day2.GetProperty("rejections").GetInt64().ShouldBe(1);
        day2.GetProperty("subscriptions").EnumerateObject().ShouldBeEmpty();
        day2.GetProperty("firstDay").GetString().ShouldBe(Day2);

        var day1 = await Get(tenant, $"/api/v1/registers/exposure?tenant={tenant}&to={Day1}");
        day1.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("disclosures").GetInt64()).ShouldBe([1L, 1L]);
        day1.GetProperty("items")[0].GetProperty("distinctSubjects").GetInt64().ShouldBe(1);

        // Nothing of app-b on the second day: not listed, and not found alone.
        var onlyA = await Get(tenant, $"/api/v1/registers/exposure?tenant={tenant}&from={Day2}");
        onlyA.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("recipientId").GetString()).ShouldBe(["app-a"]);
        using var client = service.Client(Roles.PrivacyOfficer, tenant);
        (await client.GetAsync($"/api/v1/registers/exposure/app-b?tenant={tenant}&from={Day2}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task distinct_subjects_are_exact_for_every_period_across_epochs_and_late_events()
    {
        // Two monthly epochs: a person is one subject per epoch (pseudonyms of two epochs are unlinkable).
        string[] days = ["2026-09-28", "2026-09-29", "2026-09-30", "2026-10-01", "2026-10-02", "2026-10-03"];
        (string Subject, string Day)[] seen =
        [
            ("tel:+491555000011", "2026-09-28"), ("tel:+491555000011", "2026-09-30"), ("tel:+491555000011", "2026-10-02"),
            ("tel:+491555000011", "2026-10-03"), ("tel:+491555000012", "2026-09-29"), ("tel:+491555000012", "2026-10-01"),
            ("tel:+491555000012", "2026-10-03"), ("tel:+491555000013", "2026-09-30"), ("tel:+491555000014", "2026-10-02"),
            ("tel:+491555000014", "2026-10-03"), ("tel:+491555000014", "2026-10-03"),
        ];
        var tenant = ServiceFixture.NewTenant();
        var events = seen.Select((s, i) => Disclosed($"ds{i}", tenant, s.Day, "app-e", "APP_DC_ESTABLISHED", s.Subject, "session-event")).ToArray();

        // Later days first, then the earlier ones (a subject's first day moves back), and out of order within a batch.
        var late = events.Where((_, i) => string.CompareOrdinal(seen[i].Day, "2026-09-30") >= 0).Reverse().ToArray();
        var early = events.Except(late).ToArray();
        await service.PostAsEmitters(late);
        await ServiceFixture.StoredEventsReach(tenant, late.Length, "the later days");
        await service.PostAsEmitters(early);
        await ServiceFixture.StoredEventsReach(tenant, events.Length, "the earlier days");

        async Task EveryPeriodIsExact()
        {
            string?[] bounds = [null, .. days];
            foreach (var from in bounds)
            {
                foreach (var to in bounds.Where(t => t is null || from is null || string.CompareOrdinal(t, from) >= 0))
                {
                    var expected = seen
                        .Where(s => (from is null || string.CompareOrdinal(s.Day, from) >= 0) && (to is null || string.CompareOrdinal(s.Day, to) <= 0))
                        .Select(s => (s.Subject, Epoch: s.Day[..7]))
                        .Distinct()
                        .Count();
                    var query = $"tenant={tenant}" + (from is null ? "" : $"&from={from}") + (to is null ? "" : $"&to={to}");
                    var item = await Get(tenant, $"/api/v1/registers/exposure/app-e?{query}");
                    item.GetProperty("distinctSubjects").GetInt64().ShouldBe(expected, query.Replace(tenant, "T"));
                }
            }
        }

        await EveryPeriodIsExact();

        // A database written before the first-seen counters: the start-up upgrade recomputes them from the subject rows.
        await using (var database = NpgsqlDataSource.Create(ServiceFixture.ConnectionString))
        {
            foreach (var table in new[] { AuditRegisters.CountsTable, AuditRegisters.MonthsTable })
            {
                await using var wipe = database.CreateCommand($"delete from {table} where tenant_id = $1 and metric = '{AuditRegisters.FirstSeenSubjects}'");
                wipe.Parameters.AddWithValue(tenant);
                await wipe.ExecuteNonQueryAsync();
            }

            await using var forget = database.CreateCommand($"delete from {RegisterUpgrade.Table}");
            await forget.ExecuteNonQueryAsync();
            (await Get(tenant, $"/api/v1/registers/exposure/app-e?tenant={tenant}")).GetProperty("distinctSubjects").GetInt64().ShouldBe(0);
            await new RegisterUpgrade(database, NullLogger<RegisterUpgrade>.Instance).StartAsync(CancellationToken.None);
        }

        await EveryPeriodIsExact();
    }

    [Fact]
    public async Task registers_page_by_key_with_a_continuation_and_keep_tenants_apart()
    {
        var tenant = ServiceFixture.NewTenant();
        var other = ServiceFixture.NewTenant();
        await Ingest(tenant, [.. Enumerable.Range(1, 5).Select(i => Disclosed($"p{i}", tenant, Day1, $"app-{i}", "APP_DC_ESTABLISHED", $"tel:+49155500000{i}", "session-event"))]);
        await Ingest(other, Disclosed("o1", other, Day1, "app-other", "APP_DC_ESTABLISHED", "tel:+491555000009", "session-event"));

        var seen = new List<string>();
        string? continuation = null;
        var pages = 0;
        do
        {
            var page = await Get(tenant, $"/api/v1/registers/exposure?tenant={tenant}&limit=2" + (continuation is null ? "" : $"&continuation={continuation}"));
            page.GetProperty("items").GetArrayLength().ShouldBeLessThanOrEqualTo(2);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("recipientId").GetString()!));
            continuation = page.GetProperty("continuation").GetString();
            pages++;
        }
        while (continuation is not null);

        pages.ShouldBe(3);
        seen.ShouldBe(["app-1", "app-2", "app-3", "app-4", "app-5"]);

        var theirs = await Get(other, $"/api/v1/registers/exposure?tenant={other}");
        theirs.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("recipientId").GetString()).ShouldBe(["app-other"]);
        using var client = service.Client(Roles.PrivacyOfficer, tenant);
        (await client.GetAsync($"/api/v1/registers/exposure/app-other?tenant={tenant}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task a_period_read_as_its_month_less_some_days_lists_only_items_counted_on_its_days()
    {
        // 2026-10-02 … 2026-10-29 is read as October less the 1st, 30th and 31st: app-a, counted on the 30th only, is in
        // October's counters but not in the period, and must neither be listed (even with zero counts) nor end the paging.
        var tenant = ServiceFixture.NewTenant();
        await Ingest(
            tenant,
            Disclosed("m1", tenant, "2026-10-30", "app-a", "APP_DC_ESTABLISHED", "tel:+491555000031", "session-event"),
            Disclosed("m2", tenant, "2026-10-05", "app-b", "APP_DC_ESTABLISHED", "tel:+491555000032", "session-event"),
            Disclosed("m3", tenant, "2026-10-01", "app-b", "APP_DC_ESTABLISHED", "tel:+491555000033", "session-event"));

        var listed = new List<JsonElement>();
        string? continuation = null;
        var pages = 0;
        do
        {
            var page = await Get(tenant, $"/api/v1/registers/exposure?tenant={tenant}&from=2026-10-02&to=2026-10-29&limit=1" +
                (continuation is null ? "" : $"&continuation={continuation}"));
            listed.AddRange(page.GetProperty("items").EnumerateArray());
            continuation = page.GetProperty("continuation").GetString();
            pages++;
        }
        while (continuation is not null && pages < 5);

        listed.Select(i => i.GetProperty("recipientId").GetString()).ShouldBe(["app-b"]);
        listed[0].GetProperty("disclosures").GetInt64().ShouldBe(1);
        listed[0].GetProperty("distinctSubjects").GetInt64().ShouldBe(1);
        listed[0].GetProperty("firstDay").GetString().ShouldBe("2026-10-05");
        using var client = service.Client(Roles.PrivacyOfficer, tenant);
        (await client.GetAsync($"/api/v1/registers/exposure/app-a?tenant={tenant}&from=2026-10-02&to=2026-10-29")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Get(tenant, $"/api/v1/registers/exposure/app-b?tenant={tenant}&from=2026-10-01&to=2026-10-31")).GetProperty("disclosures").GetInt64().ShouldBe(2);
    }

    [Fact]
    public async Task the_identity_register_attributes_each_call_to_its_enterprise_and_trunk()
    {
        var tenant = ServiceFixture.NewTenant();
        string At(int second) => $"{Day1}T10:00:{second:D2}Z";
        await Ingest(
            tenant,
            Event(IdentityBindingChanged.Type, "b1", tenant, At(1), null, ("enterpriseId", "ent-a"), ("bindingId", "bind-a1"), ("trunkId", "trunk-a1")),
            Event(IdentityBindingChanged.Type, "b2", tenant, At(2), null, ("enterpriseId", "ent-b"), ("bindingId", "bind-b1"), ("trunkId", null)),
            // Call 1 over enterprise A's trunk, asserted, signed A, verified, presented.
            Event(IdentityAsserted.Type, "c1-1", tenant, At(3), "call-1", ("trunkId", "trunk-a1"), ("bindingId", "bind-a1")),
            Event(IdentitySigned.Type, "c1-2", tenant, At(4), "call-1", ("attest", "A")),
            Event(IdentityVerified.Type, "c1-3", tenant, At(5), "call-1", ("result", "valid")),
            Event(IdentityPresented.Type, "c1-4", tenant, At(6), "call-1", ("presentedKind", "third-party-id"), ("privacyApplied", false)),
            // Call 2 over the same trunk, rejected without a binding: the trunk names the enterprise.
            Event(IdentityAsserted.Type, "c2-1", tenant, At(7), "call-2",
                ("trunkId", "trunk-a1"), ("bindingId", null), ("result", "rejected"), ("cause", "trunk-mismatch")),
            // Call 3 of enterprise B by registration: signed B, stale, presented as a number with privacy.
            Event(IdentityAsserted.Type, "c3-1", tenant, At(8), "call-3", ("accessMode", "registration"), ("trunkId", null), ("bindingId", "bind-b1")),
            Event(IdentitySigned.Type, "c3-2", tenant, At(9), "call-3", ("attest", "B")),
            Event(IdentityVerified.Type, "c3-3", tenant, At(10), "call-3", ("result", "stale"), ("reasonCode", "403")),
            Event(IdentityPresented.Type, "c3-4", tenant, At(11), "call-3", ("presentedKind", "number"), ("privacyApplied", true)),
            Event(DelegateCertificateChanged.Type, "k1", tenant, At(12), null, ("enterpriseId", "ent-b")),
            // A signature of a call whose assertion was never recorded.
            Event(IdentitySigned.Type, "c9-2", tenant, At(13), "call-9", ("attest", "C")));

        var page = await Get(tenant, $"/api/v1/registers/identity?tenant={tenant}");
        var items = page.GetProperty("items").EnumerateArray().ToDictionary(i => $"{i.GetProperty("enterpriseId").GetString()}/{i.GetProperty("trunkId").GetString()}");
        items.Keys.ShouldBe(["ent-a/trunk-a1", "ent-b/-", "unattributed/-"]);

        var a = items["ent-a/trunk-a1"];
        a.GetProperty("assertions").GetInt64().ShouldBe(2);
        Map(a.GetProperty("assertionsByResult")).ShouldBe(Sorted(new Dictionary<string, long> { ["asserted"] = 1, ["rejected"] = 1 }));
        Map(a.GetProperty("assertionRejectionsByCause")).ShouldBe(Sorted(new Dictionary<string, long> { ["trunk-mismatch"] = 1 }));
        Map(a.GetProperty("signaturesByAttestation")).ShouldBe(Sorted(new Dictionary<string, long> { ["A"] = 1 }));
        Map(a.GetProperty("verificationsByResult")).ShouldBe(Sorted(new Dictionary<string, long> { ["valid"] = 1 }));
        Map(a.GetProperty("verificationsByReasonCode")).ShouldBe(Sorted(new Dictionary<string, long> { ["none"] = 1 }));
        Map(a.GetProperty("presentationsByKind")).ShouldBe(Sorted(new Dictionary<string, long> { ["third-party-id"] = 1 }));
        a.GetProperty("presentationsWithPrivacy").GetInt64().ShouldBe(0);
        Map(a.GetProperty("bindingChanges")).ShouldBe(Sorted(new Dictionary<string, long> { ["created"] = 1 }));

        var b = items["ent-b/-"];
        Map(b.GetProperty("assertionsByResult")).ShouldBe(Sorted(new Dictionary<string, long> { ["asserted"] = 1 }));
        Map(b.GetProperty("signaturesByAttestation")).ShouldBe(Sorted(new Dictionary<string, long> { ["B"] = 1 }));
        Map(b.GetProperty("verificationsByResult")).ShouldBe(Sorted(new Dictionary<string, long> { ["stale"] = 1 }));
        Map(b.GetProperty("verificationsByReasonCode")).ShouldBe(Sorted(new Dictionary<string, long> { ["403"] = 1 }));
        Map(b.GetProperty("presentationsByKind")).ShouldBe(Sorted(new Dictionary<string, long> { ["number"] = 1 }));
        b.GetProperty("presentationsWithPrivacy").GetInt64().ShouldBe(1);
        Map(b.GetProperty("delegateCertificateChanges")).ShouldBe(Sorted(new Dictionary<string, long> { ["issued"] = 1 }));

        Map(items["unattributed/-"].GetProperty("signaturesByAttestation")).ShouldBe(Sorted(new Dictionary<string, long> { ["C"] = 1 }));

        var one = await Get(tenant, $"/api/v1/registers/identity/ent-b/-?tenant={tenant}");
        one.GetProperty("signatures").GetInt64().ShouldBe(1);
        page.GetRawText().ShouldNotContain("acme-logistics.example.org");
    }

    [Fact]
    public async Task one_transaction_of_many_events_writes_the_same_register_rows_as_one_event_at_a_time()
    {
        // The projection writes each counter once per transaction with the transaction's sum, and attributes a call's
        // counts as their place among the events would: a signature before its call's assertion stays unattributed, a
        // call asserted twice counts under each attribution in turn, a binding moved mid-batch moves later calls only.
        string At(int second) => $"{Day1}T10:00:{second:D2}Z";
        JsonObject[] Events(string tenant) =>
        [
            Event(IdentityBindingChanged.Type, "b1", tenant, At(1), null, ("enterpriseId", "ent-a"), ("bindingId", "bind-a1"), ("trunkId", "trunk-a1")),
            Event(IdentityBindingChanged.Type, "b2", tenant, At(2), null, ("enterpriseId", "ent-b"), ("bindingId", "bind-b1"), ("trunkId", null)),
            Event(IdentitySigned.Type, "c5-1", tenant, At(3), "call-5", ("attest", "A")),
            Event(IdentityAsserted.Type, "c5-2", tenant, At(4), "call-5", ("trunkId", "trunk-a1"), ("bindingId", "bind-a1")),
            Event(IdentityVerified.Type, "c5-3", tenant, At(5), "call-5", ("result", "valid")),
            Event(IdentityAsserted.Type, "c5-4", tenant, At(6), "call-5", ("accessMode", "registration"), ("trunkId", null), ("bindingId", "bind-b1")),
            Event(IdentityPresented.Type, "c5-5", tenant, At(7), "call-5", ("presentedKind", "number"), ("privacyApplied", true)),
            Event(IdentityAsserted.Type, "c6-1", tenant, At(8), "call-6", ("trunkId", "trunk-a1"), ("bindingId", "bind-a1")),
            Event(IdentitySigned.Type, "c6-2", tenant, At(9), "call-6", ("attest", "B")),
            Event(IdentityBindingChanged.Type, "b3", tenant, At(10), null, ("enterpriseId", "ent-c"), ("bindingId", "bind-a1"), ("trunkId", "trunk-c1")),
            Event(IdentityAsserted.Type, "c7-1", tenant, At(11), "call-7", ("trunkId", "trunk-c1"), ("bindingId", "bind-a1")),
            Event(IdentitySigned.Type, "c7-2", tenant, At(12), "call-7", ("attest", "A")),
            Event(IdentitySigned.Type, "c6-3", tenant, At(13), "call-6", ("attest", "B")),
            // One subject seen on Day2 and then on Day1 (its first day moves back within the batch), another twice on Day1.
            Disclosed("d1", tenant, Day2, "app-x", "APP_DC_ESTABLISHED", "tel:+491555000021", "session-event"),
            Disclosed("d2", tenant, Day1, "app-x", "APP_DC_ESTABLISHED", "tel:+491555000021", "session-event", "location"),
            Disclosed("d3", tenant, Day1, "app-x", "APP_DC_ESTABLISHED", "tel:+491555000022", "session-event"),
            Disclosed("d4", tenant, Day1, "app-x", "APP_DC_ESTABLISHED", "tel:+491555000022", "session-event"),
        ];

        var together = ServiceFixture.NewTenant();
        var batch = Events(together);
        foreach (var e in batch)
        {
            e["source"] = batch[0]["source"]!.GetValue<string>();
        }

        await Ingest(together, batch);
        var apart = ServiceFixture.NewTenant();
        foreach (var e in Events(apart))
        {
            await service.PostAsEmitters(e);
        }

        await ServiceFixture.StoredEventsReach(apart, batch.Length, "the events one at a time");

        async Task<List<string>> Counters(string tenant)
        {
            await using var database = NpgsqlDataSource.Create(ServiceFixture.ConnectionString);
            await using var command = database.CreateCommand(
                $"select register || ' ' || key || ' ' || day || ' ' || metric || ' ' || label || ' = ' || n from {AuditRegisters.CountsTable} " +
                "where tenant_id = $1 and n <> 0");
            command.Parameters.AddWithValue(tenant);
            var rows = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add(reader.GetString(0));
            }

            return [.. rows.Order(StringComparer.Ordinal)];
        }

        // The month counters are the sums of the day counters, whichever way the events came.
        async Task<long> MonthsDisagreeingWithDays(string tenant)
        {
            var month = AuditRegisters.MonthOfSql("day");
            var months = $"select register, key, day, metric, label, n from {AuditRegisters.MonthsTable} where tenant_id = $1 and n <> 0";
            var sums = $"select register, key, {month}, metric, label, sum(n)::bigint from {AuditRegisters.CountsTable} where tenant_id = $1 " +
                $"group by register, key, {month}, metric, label having sum(n) <> 0";
            await using var database = NpgsqlDataSource.Create(ServiceFixture.ConnectionString);
            await using var command = database.CreateCommand(
                $"select (select count(*) from ({months} except all {sums}) a) + (select count(*) from ({sums} except all {months}) b), (select count(*) from ({months}) m)");
            command.Parameters.AddWithValue(tenant);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            reader.GetInt64(1).ShouldBeGreaterThan(0);
            return reader.GetInt64(0);
        }

        (await MonthsDisagreeingWithDays(together)).ShouldBe(0);
        (await MonthsDisagreeingWithDays(apart)).ShouldBe(0);

        var rows = await Counters(together);
        rows.ShouldBe(await Counters(apart));
        rows.ShouldContain($"identity unattributed/- {Day1} signatures A = 1");
        rows.ShouldContain($"identity ent-a/trunk-a1 {Day1} verifications valid = 1");
        rows.ShouldContain($"identity ent-b/- {Day1} presentations number = 1");
        rows.ShouldContain($"identity ent-a/trunk-a1 {Day1} signatures B = 2");
        rows.ShouldContain($"identity ent-c/trunk-c1 {Day1} signatures A = 1");
        rows.ShouldContain($"exposure app-x {Day1} {AuditRegisters.FirstSeenSubjects} 2026-10 = 2");
        rows.ShouldNotContain(r => r.StartsWith($"exposure app-x {Day2} {AuditRegisters.FirstSeenSubjects}"));

        var item = await Get(together, $"/api/v1/registers/exposure/app-x?tenant={together}&from={Day2}");
        item.GetProperty("distinctSubjects").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task the_avatar_register_counts_per_avatar_pseudonym_never_the_avatar_id()
    {
        var tenant = ServiceFixture.NewTenant();
        string At(int second) => $"{Day1}T10:00:{second:D2}Z";
        await Ingest(
            tenant,
            Event(AvatarModelChanged.Type, "m1", tenant, At(1), null, ("avatarId", "avatar-77"), ("biometricDerived", true)),
            Event(AvatarListFetched.Type, "l1", tenant, At(2), "icid-9", ("barDomain", "trusted"), ("listSize", 2), ("avatarIds", new JsonArray("avatar-77", "avatar-78"))),
            Event(AvatarListFetched.Type, "l2", tenant, At(3), "icid-9", ("barDomain", "untrusted"), ("listSize", 1), ("avatarIds", new JsonArray("avatar-77"))),
            Event(AvatarAuthorizationChecked.Type, "a1", tenant, At(4), "icid-9", ("avatarId", "avatar-77")),
            Event(AvatarAuthorizationChecked.Type, "a2", tenant, At(5), "icid-9", ("avatarId", "avatar-77"), ("result", "denied"), ("cause", "untrusted-bar")),
            Event(AvatarRepresentationDelivered.Type, "r1", tenant, At(6), "icid-9", ("avatarId", "avatar-77"), ("renderingMode", "receiver")),
            Event(AvatarRepresentationDelivered.Type, "r2", tenant, At(7), "icid-9", ("avatarId", "avatar-77"), ("renderingMode", "network")));

        var page = await Get(tenant, $"/api/v1/registers/avatars?tenant={tenant}");
        page.GetRawText().ShouldNotContain("avatar-7");
        var items = page.GetProperty("items").EnumerateArray().ToList();
        items.Count.ShouldBe(2);
        items.ShouldAllBe(i => i.GetProperty("avatarPseudonym").GetString()!.StartsWith("p1.2026-10."));
        var avatar = items.Single(i => i.GetProperty("authorizationChecks").GetInt64() == 2);
        Map(avatar.GetProperty("authorizationsByResult")).ShouldBe(Sorted(new Dictionary<string, long> { ["authorized"] = 1, ["denied"] = 1 }));
        Map(avatar.GetProperty("denialsByCause")).ShouldBe(Sorted(new Dictionary<string, long> { ["untrusted-bar"] = 1 }));
        avatar.GetProperty("deliveries").GetInt64().ShouldBe(2);
        Map(avatar.GetProperty("deliveriesByRenderingMode")).ShouldBe(Sorted(new Dictionary<string, long> { ["network"] = 1, ["receiver"] = 1 }));
        Map(avatar.GetProperty("listedByBarDomain")).ShouldBe(Sorted(new Dictionary<string, long> { ["trusted"] = 1, ["untrusted"] = 1 }));
        Map(avatar.GetProperty("modelChanges")).ShouldBe(Sorted(new Dictionary<string, long> { ["created"] = 1 }));
        avatar.GetProperty("biometricDerivedModelChanges").GetInt64().ShouldBe(1);
        var other = items.Single(i => i.GetProperty("authorizationChecks").GetInt64() == 0);
        Map(other.GetProperty("listedByBarDomain")).ShouldBe(Sorted(new Dictionary<string, long> { ["trusted"] = 1 }));

        var pseudonym = avatar.GetProperty("avatarPseudonym").GetString()!;
        var one = await Get(tenant, $"/api/v1/registers/avatars/{Uri.EscapeDataString(pseudonym)}?tenant={tenant}&from=2026-10-01&to=2026-10-31");
        one.GetProperty("deliveries").GetInt64().ShouldBe(2);
        var none = await Get(tenant, $"/api/v1/registers/avatars?tenant={tenant}&from=2026-10-02");
        none.GetProperty("items").GetArrayLength().ShouldBe(0);
    }

    [Theory]
    [InlineData("from=2026-13-01", "from")]
    [InlineData("from=yesterday", "from")]
    [InlineData("from=2026-10-02&to=2026-10-01", "to")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("continuation=***", "continuation")]
    public async Task a_bad_register_filter_is_refused_naming_the_parameter(string query, string field)
    {
        var tenant = ServiceFixture.NewTenant();
        using var client = service.Client(Roles.PrivacyOfficer, tenant);
        foreach (var register in new[] { "exposure", "identity", "avatars" })
        {
            var response = await client.GetAsync($"/api/v1/registers/{register}?tenant={tenant}&{query}");
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await response.Json()).GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe(field);
        }
    }
}
