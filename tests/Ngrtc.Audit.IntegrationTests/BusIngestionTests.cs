using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Tests;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.DeadLetters;
using Ngrtc.Audit.Service.Ingestion;
using Npgsql;
using Wolverine;

namespace Ngrtc.Audit.IntegrationTests;

public class BusIngestionTests(ServiceFixture service)
{
    [Fact]
    public async Task a_batch_published_on_the_postgresql_queue_is_stored_projected_and_queryable()
    {
        var tenant = ServiceFixture.NewTenant();
        var batch = new JsonArray(
            Events.ExposureDisclosed("q-1", tenant, recipient: "dcas-bus", subject: "tel:+491555000011"),
            Events.ExposureDisclosed("q-2", tenant, recipient: "dcas-bus", subject: "+49 1555 000011"),
            Events.ExposureDisclosed("q-3", tenant, recipient: "dcas-bus", subject: "tel:+491555000012"),
            Events.IdentityVerified("q-4", tenant));

        await service.Bus().PublishAsync(AuditEventMessage.Batch(batch.ToJsonString()));

        await ServiceFixture.StoredEventsReach(tenant, 4, "the published batch to be stored");
        await service.ProjectionsCaughtUp();
        using var client = service.Client(Roles.PrivacyOfficer, tenant);
        var page = await (await client.GetAsync($"/api/v1/exposure/recipients?tenant={tenant}")).Json();
        var register = page.GetProperty("recipients").EnumerateArray().ShouldHaveSingleItem();
        register.GetProperty("recipientId").GetString().ShouldBe("dcas-bus");
        register.GetProperty("disclosures").GetInt64().ShouldBe(3);
        // Two spellings of one number are one subject.
        register.GetProperty("distinctSubjects").GetInt64().ShouldBe(2);
    }

    [Fact]
    public async Task register_counts_stay_exact_when_many_messages_are_committed_concurrently()
    {
        var tenant = ServiceFixture.NewTenant();
        var bus = service.Bus();
        using var client = service.Client(Roles.Emitter, tenant, "urn:ngrtc:nf:IMSAS:imsas-eu1-02");

        await Task.WhenAll(Enumerable.Range(0, 60).Select(i => i % 3 == 0
            ? client.PostEvent(Events.ExposureDisclosed($"c-{i}", tenant, recipient: "dcas-busy", subject: $"tel:+4915550{i % 7:D4}"))
            : bus.PublishAsync(AuditEventMessage.Single(
                Events.ExposureDisclosed($"c-{i}", tenant, recipient: "dcas-busy", subject: $"tel:+4915550{i % 7:D4}").ToJsonString())).AsTask()));

        await ServiceFixture.StoredEventsReach(tenant, 60, "all 60 events");
        await service.ProjectionsCaughtUp();
        using var officer = service.Client(Roles.PrivacyOfficer, tenant);
        var register = await (await officer.GetAsync($"/api/v1/exposure/recipients/dcas-busy?tenant={tenant}")).Json();
        register.GetProperty("disclosures").GetInt64().ShouldBe(60);
        register.GetProperty("distinctSubjects").GetInt64().ShouldBe(7);
    }

    [Fact]
    public async Task concurrent_transactions_claiming_the_same_keys_in_opposite_orders_store_each_event_once()
    {
        // Keys are claimed before the tenant log is locked, in one order whatever the batch's: six transactions
        // with the same 1,000 keys at once, half of them listed backwards, store each event once and none fails.
        var tenant = ServiceFixture.NewTenant();
        var appender = service.Host.Services.GetRequiredService<AuditAppender>();
        const int Keys = CloudEventReader.MaxBatchSize;
        for (var round = 0; round < 2; round++)
        {
            var batch = new JsonArray([.. Enumerable.Range(0, Keys).Select(i => (JsonNode)Events.ExposureDisclosed($"race-{round}-{i}", tenant, recipient: "dcas-race"))]);
            var read = CloudEventReader.Read(CloudEventContentTypes.Batch, batch.ToJsonString());
            read.BodyError.ShouldBeNull();
            read.Items.ShouldAllBe(i => i.IsValid);
            var forward = read.Items.Select(i => i.Event!).ToList();
            var backward = Enumerable.Reverse(forward).ToList();

            var outcomes = await Task.WhenAll(Enumerable.Range(0, 6).Select(n =>
                Task.Run(() => appender.AppendAsync(n % 2 == 0 ? forward : backward, CancellationToken.None))));

            outcomes.SelectMany(o => o).Count(o => o.Status == AppendStatus.Stored).ShouldBe(Keys);
        }

        (await Api.StoredEventCount(tenant)).ShouldBe(2 * Keys);
    }

    [Fact]
    public async Task an_invalid_message_is_dead_lettered_with_the_reason_and_nothing_of_it_is_stored()
    {
        var tenant = ServiceFixture.NewTenant();
        var bad = Events.ExposureDisclosed("dl-2", tenant);
        bad["data"]!.AsObject().Remove("subject");
        var batch = new JsonArray(Events.ExposureDisclosed("dl-1", tenant), bad);

        await service.Bus().PublishAsync(AuditEventMessage.Batch(batch.ToJsonString()));
        await service.Bus().PublishAsync(AuditEventMessage.Single("{ not json"));

        var reasons = await ServiceFixture.Eventually(
            async () =>
            {
                var found = await Api.DeadLetterReasons();
                return found.Any(r => r.Contains("[1].data.subject: required field is missing")) && found.Any(r => r.Contains("not valid JSON"))
                    ? found
                    : null;
            },
            "both messages in the dead letters");
        reasons.ShouldAllBe(r => !r.Contains("1555000001"));
        (await Api.StoredEventCount(tenant)).ShouldBe(0);

        // The listener keeps going after dead-lettering.
        await service.Bus().PublishAsync(AuditEventMessage.Single(Events.ExposureDisclosed("dl-3", tenant).ToJsonString()));
        await ServiceFixture.StoredEventsReach(tenant, 1, "a valid message after the bad ones");
    }

    [Fact]
    public async Task a_refused_message_that_asks_to_be_kept_for_decades_is_kept_only_as_long_as_dead_letters_are()
    {
        // Wolverine dates a dead letter's expiry from the envelope's deliver-by, which the emitter sets.
        var tenant = ServiceFixture.NewTenant();
        var field = $"kept{Guid.NewGuid():N}"[..16];
        var bad = Events.ExposureDisclosed("dl-kept", tenant);
        bad["data"]![field] = "x";
        await service.Bus().PublishAsync(AuditEventMessage.Single(bad.ToJsonString()), new DeliveryOptions { DeliverBy = new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero) });

        await using var database = NpgsqlDataSource.Create(ServiceFixture.ConnectionString);
        var letter = await ServiceFixture.Eventually(
            async () => (await DeadLetterAdmin.ListAsync(database, 500, CancellationToken.None)).FirstOrDefault(l => l.Reason?.Contains(field) == true) is { Expires: { } expires, FailedAt: { } failed } found
                && expires <= failed + ServiceFixture.DeadLetterExpiration ? found : null,
            "the dead letter's expiry brought back to the configured lifetime");
        (letter.Expires!.Value - letter.FailedAt!.Value).ShouldBe(ServiceFixture.DeadLetterExpiration, TimeSpan.FromSeconds(1));
    }
}
