using System.Text;
using System.Text.Json.Nodes;
using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Tests;
using RabbitMQ.Client;
using Ngrtc.Audit.Service.Hosting;

namespace Ngrtc.Audit.IntegrationTests;

/// <summary>Emitters that are not .NET: a plain AMQP client publishes CloudEvents JSON, no Wolverine involved.</summary>
public class RabbitMqIngestionTests(ServiceFixture service)
{
    private static async Task Publish(string contentType, string body, string? messageId = null)
    {
        var factory = new ConnectionFactory { Uri = new Uri(ServiceFixture.RabbitMqConnectionString) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var properties = new BasicProperties { ContentType = contentType, DeliveryMode = DeliveryModes.Persistent, MessageId = messageId };
        await channel.BasicPublishAsync("ngrtc.audit", "", mandatory: false, properties, Encoding.UTF8.GetBytes(body));
    }

    [Fact]
    public async Task a_plain_amqp_client_publishes_a_single_event_and_a_batch_and_both_are_stored()
    {
        var tenant = ServiceFixture.NewTenant();

        await Publish(CloudEventContentTypes.Single, Events.ExposureDisclosed("r-1", tenant, recipient: "dcas-amqp").ToJsonString());
        await Publish(
            CloudEventContentTypes.Batch,
            new JsonArray(Events.ExposureDisclosed("r-2", tenant, recipient: "dcas-amqp"), Events.IdentityVerified("r-3", tenant)).ToJsonString(),
            messageId: "not-a-guid");

        await ServiceFixture.StoredEventsReach(tenant, 3, "three events over AMQP");
        using var client = service.Client(Roles.PrivacyOfficer, tenant);
        await service.ProjectionsCaughtUp();
        var register = await (await client.GetAsync($"/api/v1/exposure/recipients/dcas-amqp?tenant={tenant}")).Json();
        register.GetProperty("disclosures").GetInt64().ShouldBe(2);
    }

    [Fact]
    public async Task a_content_type_with_parameters_is_read_as_its_media_type()
    {
        // AMQP clients often add a charset; the media type is what counts, as over HTTP.
        var tenant = ServiceFixture.NewTenant();

        await Publish(
            "Application/CloudEvents-Batch+JSON; charset=utf-8",
            new JsonArray(Events.ExposureDisclosed("p-1", tenant), Events.IdentityVerified("p-2", tenant)).ToJsonString());
        await Publish(CloudEventContentTypes.Single + "; charset=utf-8", Events.IdentityVerified("p-3", tenant).ToJsonString());

        await ServiceFixture.StoredEventsReach(tenant, 3, "three events over AMQP with charset parameters");
    }

    [Fact]
    public async Task a_redelivered_amqp_message_is_stored_once()
    {
        var tenant = ServiceFixture.NewTenant();
        var body = Events.ExposureDisclosed("r-dup", tenant).ToJsonString();

        await Publish(CloudEventContentTypes.Single, body);
        await Publish(CloudEventContentTypes.Single, body);
        await Publish(CloudEventContentTypes.Single, Events.ExposureDisclosed("r-after", tenant).ToJsonString());

        await ServiceFixture.StoredEventsReach(tenant, 2, "the duplicate and the next event");
        await Task.Delay(500);
        (await Api.StoredEventCount(tenant)).ShouldBe(2);
    }

    [Fact]
    public async Task an_invalid_amqp_message_is_dead_lettered_in_postgresql_with_the_reason()
    {
        var tenant = ServiceFixture.NewTenant();
        var bad = Events.ExposureDisclosed("r-bad", tenant);
        bad["type"] = "ngrtc.exposure.unheard-of.v1";

        await Publish(CloudEventContentTypes.Single, bad.ToJsonString());

        var reasons = await ServiceFixture.Eventually(
            async () => (await Api.DeadLetterReasons()).Where(r => r.Contains("type: unknown event type")).ToList() is { Count: > 0 } found ? found : null,
            "the dead letter");
        reasons.ShouldNotBeEmpty();
        (await Api.StoredEventCount(tenant)).ShouldBe(0);
    }
}
