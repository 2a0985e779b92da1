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
    string? Subject = null);
