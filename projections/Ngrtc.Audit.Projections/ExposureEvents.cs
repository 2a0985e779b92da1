using System.Text.Json;
using Ngrtc.Audit.Contracts.Exposure;
using Ngrtc.Audit.Domain;

namespace Ngrtc.Audit.Projections;

/// <summary>Reads the exposure facts projections need from a recorded event.</summary>
internal static class ExposureEvents
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static ExposureDisclosed? Disclosed(AuditEventRecorded e) =>
        e.Envelope.Type == ExposureDisclosed.Type ? e.Data.Deserialize<ExposureDisclosed>(Json) : null;

    public static string? SubjectPseudonym(AuditEventRecorded e) =>
        e.Pseudonyms.GetValueOrDefault(nameof(ExposureDisclosed.Subject).ToLowerInvariant());
}
