using System.Net;
using System.Text.Json.Nodes;
using Ngrtc.Audit.Contracts.Catalogue;
using Ngrtc.Audit.Tests;
using Ngrtc.Audit.Service.Hosting;

namespace Ngrtc.Audit.IntegrationTests;

public class SchemaEndpointTests(ServiceFixture service)
{
    [Fact]
    public async Task the_list_names_every_type_with_its_classification_and_link()
    {
        using var client = service.Client(Roles.PrivacyOfficer, ServiceFixture.NewTenant());

        var response = await client.GetAsync("/api/v1/schemas");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var schemas = (await response.Json()).GetProperty("schemas").EnumerateArray().ToList();
        schemas.Select(s => s.GetProperty("type").GetString()).ShouldBe(AuditCatalogue.Ordered.Select(d => d.Type));
        var disclosed = schemas.Single(s => s.GetProperty("type").GetString() == "ngrtc.exposure.disclosed.v1");
        disclosed.GetProperty("retentionClass").GetString().ShouldBe("A");
        disclosed.GetProperty("processingActivity").GetString().ShouldBe("data-channel-exposure");
        disclosed.GetProperty("personalDataFields").EnumerateArray().Select(f => f.GetString()).ShouldBe(["subject"]);
        disclosed.GetProperty("link").GetString().ShouldBe("/api/v1/schemas/ngrtc.exposure.disclosed.v1");
    }

    [Fact]
    public async Task every_link_answers_the_schema_the_catalogue_writes()
    {
        // Emitters read the schemas too (any valid token may).
        using var client = service.Client(Roles.Emitter, ServiceFixture.NewTenant(), "urn:ngrtc:nf:DCSF:dcsf-1");
        var list = await (await client.GetAsync("/api/v1/schemas")).Json();

        foreach (var entry in list.GetProperty("schemas").EnumerateArray())
        {
            var response = await client.GetAsync(entry.GetProperty("link").GetString());

            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/schema+json");
            var type = entry.GetProperty("type").GetString()!;
            (await response.Content.ReadAsStringAsync()).ShouldBe(JsonSchemaWriter.Write(AuditCatalogue.Get(type)));
        }
    }

    [Fact]
    public async Task an_unknown_type_is_a_404_problem()
    {
        using var client = service.Client(Roles.PrivacyOfficer, ServiceFixture.NewTenant());

        var response = await client.GetAsync("/api/v1/schemas/ngrtc.exposure.leaked.v1");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Json()).GetProperty("type").GetString().ShouldBe("urn:ngrtc:audit:problem:not-found");
    }

    [Fact]
    public async Task the_example_of_every_type_is_stored()
    {
        var tenant = ServiceFixture.NewTenant();

        // Each example as its own NF instance sends it (one batch per source).
        await service.PostAsEmitters([.. AuditCatalogue.Ordered.Select((d, i) => (JsonNode)Events.Example(d.Type, $"ex-{i}", tenant))]);

        (await Api.StoredEventCount(tenant)).ShouldBe(AuditCatalogue.All.Count);
    }
}
