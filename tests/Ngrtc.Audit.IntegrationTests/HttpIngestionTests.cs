using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Protection;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Tests;

namespace Ngrtc.Audit.IntegrationTests;

public class HttpIngestionTests(ServiceFixture service)
{
    private const string Imsas = "urn:ngrtc:nf:IMSAS:imsas-eu1-02";

    [Fact]
    public async Task a_single_event_is_stored_and_shows_in_the_exposure_register()
    {
        var tenant = ServiceFixture.NewTenant();
        var e = Events.ExposureDisclosed("h-1", tenant, recipient: "dcas-ar");
        using var client = service.Emitter(e);

        var response = await client.PostEvent(e);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var body = await response.Json();
        body.GetProperty("stored").GetInt32().ShouldBe(1);
        body.GetProperty("results")[0].GetProperty("status").GetString().ShouldBe("stored");
        (await Api.StoredEventCount(tenant)).ShouldBe(1);

        await service.ProjectionsCaughtUp();

        using var officer = service.Client(Roles.PrivacyOfficer, tenant);
        var register = await (await officer.GetAsync($"/api/v1/exposure/recipients/dcas-ar?tenant={tenant}")).Json();
        register.GetProperty("disclosures").GetInt64().ShouldBe(1);
        register.GetProperty("distinctSubjects").GetInt64().ShouldBe(1);
        register.GetProperty("byDataCategory").GetProperty("media-info").GetInt64().ShouldBe(1);
        register.GetRawText().ShouldNotContain("1555000001");
    }

    [Fact]
    public async Task an_event_of_an_anonymised_epoch_gets_a_problem_naming_its_time_not_a_server_error()
    {
        var tenant = ServiceFixture.NewTenant();
        var protector = service.Host.Services.GetRequiredService<FieldProtector>();
        await protector.DestroyEpochAsync(tenant, new Epoch("2026-10"), DateTimeOffset.UtcNow);
        var late = Events.ExposureDisclosed("h-old", tenant, time: "2026-10-15T10:00:00Z");
        using var client = service.Emitter(late);

        var response = await client.PostEvent(late);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Json();
        problem.GetRawText().ShouldContain("2026-10");
        problem.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("time");
        problem.GetRawText().ShouldNotContain("1555000001");
        (await Api.StoredEventCount(tenant)).ShouldBe(0);

        // The service goes on: an event of the current epoch is stored.
        (await client.PostEvent(Events.ExposureDisclosed("h-new", tenant, time: Ngrtc.Audit.Contracts.Catalogue.AuditCloudEvent.Timestamp(DateTimeOffset.UtcNow)))).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await Api.StoredEventCount(tenant)).ShouldBe(1);
    }

    [Fact]
    public async Task a_batch_answers_with_an_outcome_per_event_and_stores_the_valid_ones()
    {
        var tenant = ServiceFixture.NewTenant();
        // One NF instance sends the whole batch (a token speaks for one source).
        var invalid = Events.IdentityVerified("b-2", tenant).Also(e => e["source"] = Imsas);
        invalid["data"]!.AsObject().Remove("dest");
        using var client = service.Client(Roles.Emitter, tenant, Imsas);

        var response = await client.PostBatch(
            Events.ExposureDisclosed("b-1", tenant),
            invalid,
            Events.IdentityVerified("b-3", tenant).Also(e => e["source"] = Imsas),
            Events.ExposureDisclosed("b-1", tenant));

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var body = await response.Json();
        body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("status").GetString())
            .ShouldBe(["stored", "rejected", "stored", "duplicate"]);
        var problem = body.GetProperty("results")[1].GetProperty("problem");
        problem.GetProperty("status").GetInt32().ShouldBe(400);
        problem.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("[1].data.dest");
        (await Api.StoredEventCount(tenant)).ShouldBe(2);
    }

    [Fact]
    public async Task the_same_event_sent_twice_over_http_and_once_over_the_bus_is_stored_once()
    {
        var tenant = ServiceFixture.NewTenant();
        var e = Events.ExposureDisclosed("dup-1", tenant, recipient: "dcas-dup");
        using var client = service.Emitter(e);

        (await (await client.PostEvent(e)).Json()).GetProperty("stored").GetInt32().ShouldBe(1);
        var again = await (await client.PostEvent(e)).Json();
        await service.Bus().PublishAsync(AuditEventMessage.Single(e.ToJsonString()));
        await service.Bus().PublishAsync(AuditEventMessage.Single(Events.ExposureDisclosed("dup-2", tenant, recipient: "dcas-dup").ToJsonString()));

        again.GetProperty("duplicates").GetInt32().ShouldBe(1);
        again.GetProperty("results")[0].GetProperty("status").GetString().ShouldBe("duplicate");
        // dup-2 was published after the duplicate on the same queue: once it is in, the duplicate was handled.
        await ServiceFixture.StoredEventsReach(tenant, 2, "dup-2 over the bus");
        await service.ProjectionsCaughtUp();
        using var officer = service.Client(Roles.PrivacyOfficer, tenant);
        var register = await (await officer.GetAsync($"/api/v1/exposure/recipients/dcas-dup?tenant={tenant}")).Json();
        register.GetProperty("disclosures").GetInt64().ShouldBe(2);
    }

    public static TheoryData<string, string, string, string> BadInputs => new()
    {
        { "bad JSON", CloudEventContentTypes.Single, "{\"specversion\": \"1.0\", \"id\": ", "$" },
        { "missing attribute", CloudEventContentTypes.Single, Without("source"), "source" },
        { "unknown type", CloudEventContentTypes.Single, With(e => e["type"] = "ngrtc.exposure.sold.v1"), "type" },
        { "wrong field type", CloudEventContentTypes.Single, With(e => e["data"]!["dataCategories"] = "media-info"), "data.dataCategories" },
        { "unknown field", CloudEventContentTypes.Single, With(e => e["data"]!["payload"] = "hi"), "data.payload" },
        { "empty batch", CloudEventContentTypes.Batch, "[]", "$" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task bad_input_gets_a_problem_naming_the_field_and_the_service_keeps_serving(string _, string contentType, string body, string field)
    {
        var tenant = ServiceFixture.NewTenant();
        using var client = service.Client(Roles.Emitter, tenant, Imsas);

        var response = await client.PostRaw(contentType, body);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Json();
        problem.GetProperty("status").GetInt32().ShouldBe(400);
        problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ShouldContain(field);
        problem.GetProperty("detail").GetString()!.ShouldNotContain("1555000001");

        (await client.PostEvent(Events.ExposureDisclosed("after-bad", tenant))).StatusCode.ShouldBe(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task another_media_type_is_refused_with_415()
    {
        using var client = service.Client(Roles.Emitter, "op-1", Imsas);

        var response = await client.PostRaw("application/json", Events.ExposureDisclosed().ToJsonString());

        response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        (await response.Json()).GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("content-type");
    }

    private static string Without(string attribute)
    {
        var e = Events.ExposureDisclosed(tenant: ServiceFixture.NewTenant());
        e.Remove(attribute);
        return e.ToJsonString();
    }

    private static string With(Action<System.Text.Json.Nodes.JsonObject> change)
    {
        var e = Events.ExposureDisclosed(tenant: ServiceFixture.NewTenant());
        change(e);
        return e.ToJsonString();
    }
}
