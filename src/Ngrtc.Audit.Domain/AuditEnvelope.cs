namespace Ngrtc.Audit.Domain;

/// <summary>The CloudEvents 1.0 attributes of an accepted audit event, extensions included.</summary>
public sealed record AuditEnvelope(
    string Id,
    string Source,
    string Type,
    DateTimeOffset Time,
    string Tenant,
    string NfType,
    string Purpose,
    string LegalBasis,
    string? CorrelationId = null,
    string? Subject = null)
{
    /// <summary>The idempotency key (<c>source</c>, <c>id</c>) as the event's stream key. A CloudEvents
    /// <c>source</c> is a URI-reference and holds no space, so the key is unambiguous.</summary>
    public string StreamKey => $"{Source} {Id}";
}
