namespace Ngrtc.Audit.Contracts.Catalogue;

/// <summary>One CloudEvents attribute of the envelope every audit event carries.</summary>
public sealed record EnvelopeAttribute(string Name, bool Required, string Description, IReadOnlyList<string>? AllowedValues = null);

/// <summary>
/// The CloudEvents 1.0 envelope (structured JSON mode) of every audit event: which attributes exist, which are
/// required and which values they take. The ingestion reader enforces it; schemas and docs are written from it.
/// </summary>
public static class CloudEventEnvelope
{
    public const string SpecVersion = "1.0";

    public const string DataContentType = "application/json";

    /// <summary>Prefix of a schema's <c>$id</c>; the type follows.</summary>
    public const string SchemaIdPrefix = "urn:ngrtc:audit:schema:";

    /// <summary>The emitting network function types (extension <c>nftype</c>).</summary>
    public static IReadOnlyList<string> NfTypes { get; } =
        ["DCSF", "DCAS", "IMSAS", "NEF", "HSS", "MF", "IBCF", "TAS", "PCSCF", "BAR", "NRF", "PKI", "CONSENT", "SOC"];

    /// <summary>GDPR Art 6 legal bases (extension <c>legalbasis</c>).</summary>
    public static IReadOnlyList<string> LegalBases { get; } =
        ["consent", "contract", "legal-obligation", "legitimate-interest", "vital-interest", "public-task"];

    public static IReadOnlyList<EnvelopeAttribute> Attributes { get; } =
    [
        new("specversion", true, "CloudEvents version; always 1.0."),
        new("id", true, "Unique per source; (source, id) is the idempotency key: a repeat is stored once."),
        new("source", true, "The emitting NF instance as a URI-reference without whitespace, e.g. urn:ngrtc:nf:DCSF:dcsf-eu1-07."),
        new("type", true, "The versioned event type of the catalogue."),
        new("time", true, "When it happened at the emitter: RFC 3339 with an offset (Z or ±hh:mm)."),
        new("datacontenttype", false, "application/json when present."),
        new("dataschema", false, "The schema's $id (urn:ngrtc:audit:schema:<type>) or another URI of it."),
        new("subject", false, "CloudEvents subject; must never carry personal data."),
        new("tenant", true, "The operator (PLMN or operator id) the event belongs to."),
        new("nftype", true, "The type of the emitting network function.", NfTypes),
        new("correlationid", false, "Links related events: ICID, IMS sessionId, PASSporT origid or NEF correlation id."),
        new("purpose", true, "Processing purpose code, W3C DPV style, e.g. dpv:ServiceProvision."),
        new("legalbasis", true, "GDPR Art 6 legal basis of the processing.", LegalBases),
        new("data", true, "The event's fields, as the type's contract defines them; never communication content."),
    ];

    public static string SchemaId(string type) => SchemaIdPrefix + type;
}
