using System.Text.Json;
using Ngrtc.Audit.Contracts.Exposure;
using Ngrtc.Audit.Domain;

namespace Ngrtc.Audit.Projections;

/// <summary>Reads the exposure facts projections need from a recorded event.</summary>
public static class ExposureEvents
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static ExposureDisclosed? Disclosed(AuditEventRecorded e) =>
        e.Envelope.Type == ExposureDisclosed.Type ? e.Data.Deserialize<ExposureDisclosed>(Json) : null;

    /// <summary>
    /// A disclosure's recipient, read as the one property it is: the projections that only key by it do not
    /// deserialise the whole event (several of them see every disclosure in the ingestion transaction).
    /// </summary>
    public static string? RecipientOf(AuditEventRecorded e) =>
        e.Envelope.Type == ExposureDisclosed.Type ? RegisterFacts.Text(e.Data, RecipientName) : null;

    private static readonly string RecipientName = Json.PropertyNamingPolicy!.ConvertName(nameof(ExposureDisclosed.Recipient));

    public static string? SubjectPseudonym(AuditEventRecorded e) =>
        e.Pseudonyms.GetValueOrDefault(nameof(ExposureDisclosed.Subject).ToLowerInvariant());
}
