using System.Collections.Frozen;
using System.Text;
using Ngrtc.Audit.Contracts.Catalogue;
using Ngrtc.Audit.Service.Hosting;

namespace Ngrtc.Audit.Service.Catalogue;

/// <summary>One type of the catalogue as the schema list shows it.</summary>
public sealed record SchemaSummary(
    string Type,
    string RetentionClass,
    string ProcessingActivity,
    IReadOnlyList<string> PersonalDataFields,
    string Link);

public sealed record SchemaList(IReadOnlyList<SchemaSummary> Schemas) : ICountedResult
{
    int ICountedResult.Rows => Schemas.Count;
}

/// <summary>
/// <c>GET /api/v1/schemas[/{type}]</c>: the JSON Schema of every event type, written from the catalogue at start-up
/// (the same writer as the committed files in src/Ngrtc.Audit.Contracts/schemas, which a unit test keeps equal).
/// </summary>
public static class GetSchemas
{
    public const string Path = "/api/v1/schemas";

    private static readonly FrozenDictionary<string, string> Schemas =
        AuditCatalogue.All.ToFrozenDictionary(d => d.Type, JsonSchemaWriter.Write, StringComparer.Ordinal);

    private static readonly SchemaList Summaries = new([
        .. AuditCatalogue.Ordered.Select(d => new SchemaSummary(
            d.Type,
            d.Retention.ToString(),
            d.ProcessingActivity,
            [.. d.PersonalFields.Select(f => f.JsonName)],
            $"{Path}/{d.Type}")),
    ]);

    public static IResult List() => Results.Ok(Summaries);

    public static IResult One(string type) =>
        Schemas.TryGetValue(type, out var schema)
            ? Results.Text(schema, JsonSchemaWriter.MediaType, Encoding.UTF8)
            : Problems.NotFound("No event type of the catalogue has this name; GET /api/v1/schemas lists them.");

    public static IEndpointRouteBuilder MapCatalogue(this IEndpointRouteBuilder app)
    {
        // Any valid token (the fallback policy): emitters validate against the schemas too.
        var group = app.MapGroup(Path).WithTags("Catalogue");
        group.MapGet("", List).WithName("ListSchemas").WithSummary("Every event type of the catalogue, with its classification");
        group.MapGet("/{type}", One).WithName("GetSchema").WithSummary("The JSON Schema (draft 2020-12) of one event type");
        return app;
    }
}
