using System.Text.Json;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Domain;

/// <summary>
/// An emitter's audit event as the store holds it: the envelope, the validated <c>data</c>, the keyed
/// pseudonym of every personal-data field (by JSON field name) and the retention class that applied.
/// </summary>
public sealed record AuditEventRecorded(
    AuditEnvelope Envelope,
    JsonElement Data,
    IReadOnlyDictionary<string, string> Pseudonyms,
    RetentionClass Retention,
    DateTimeOffset? RedactedAt = null);
