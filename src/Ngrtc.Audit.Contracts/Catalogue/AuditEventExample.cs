using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Ngrtc.Audit.Contracts.Catalogue;

/// <summary>A contract record of the catalogue: it carries a complete example, so every type is documented by one.</summary>
public interface IAuditEventData
{
    /// <summary>A complete, valid, fictitious event of this type (numbers +4915550…, domains example.org).</summary>
    static abstract AuditEventExample Example { get; }
}

/// <summary>
/// The example event of one type: who sends it and why, and its <c>data</c> as the contract record itself, so the
/// compiler checks the example against the contract.
/// </summary>
public sealed record AuditEventExample(string NfType, string Instance, string Purpose, string LegalBasis, object Data)
{
    public const string Tenant = "example-operator";

    public static readonly DateTimeOffset Time = new(2026, 11, 28, 10, 15, 0, TimeSpan.Zero);

    public string Id { get; init; } = "example-1";

    public string? CorrelationId { get; init; }

    public JsonObject ToCloudEvent() => AuditCloudEvent.Create(
        Data,
        Id,
        AuditCloudEvent.Source(NfType, Instance),
        Time,
        Tenant,
        NfType,
        Purpose,
        LegalBasis,
        CorrelationId,
        dataSchema: CloudEventEnvelope.SchemaId(AuditCloudEvent.TypeOf(Data.GetType())));
}

/// <summary>Builds the CloudEvent an emitter sends for a contract record: the one way the examples and the simulation write events.</summary>
public static class AuditCloudEvent
{
    /// <summary>How <c>data</c> is written: camelCase names (as the catalogue reads them), absent optional fields left out.</summary>
    public static JsonSerializerOptions DataOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Source(string nfType, string instance) => $"urn:ngrtc:nf:{nfType}:{instance}";

    public static string TypeOf(Type contract) =>
        contract.GetCustomAttribute<AuditEventTypeAttribute>()?.Type
        ?? throw new ArgumentException($"{contract.Name} is not a contract of the catalogue (no [AuditEventType]).", nameof(contract));

    /// <summary>Writes an RFC 3339 UTC timestamp, with milliseconds only when there are any.</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFF'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static JsonObject Create(
        object data,
        string id,
        string source,
        DateTimeOffset time,
        string tenant,
        string nfType,
        string purpose,
        string legalBasis,
        string? correlationId = null,
        string? subject = null,
        string? dataSchema = null)
    {
        var e = new JsonObject
        {
            ["specversion"] = CloudEventEnvelope.SpecVersion,
            ["id"] = id,
            ["source"] = source,
            ["type"] = TypeOf(data.GetType()),
            ["time"] = Timestamp(time),
            ["datacontenttype"] = CloudEventEnvelope.DataContentType,
        };
        if (dataSchema is not null)
        {
            e["dataschema"] = dataSchema;
        }

        if (subject is not null)
        {
            e["subject"] = subject;
        }

        e["tenant"] = tenant;
        e["nftype"] = nfType;
        if (correlationId is not null)
        {
            e["correlationid"] = correlationId;
        }

        e["purpose"] = purpose;
        e["legalbasis"] = legalBasis;
        e["data"] = JsonSerializer.SerializeToNode(data, data.GetType(), DataOptions);
        return e;
    }
}
