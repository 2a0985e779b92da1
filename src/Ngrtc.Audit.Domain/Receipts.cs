using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Domain;

/// <summary>Receipt of a retention sweep: what was blanked, without personal data.</summary>
public sealed record RetentionRedactionExecuted(
    RetentionClass Retention,
    int AfterDays,
    DateTimeOffset Cutoff,
    int EventsRedacted,
    int FieldsBlanked,
    DateTimeOffset At);

/// <summary>Receipt of a compliance export written for one tenant and one period.</summary>
public sealed record ComplianceExportWritten(
    DateOnly Period,
    int EventCount,
    string EventsSha256,
    string RelativePath,
    DateTimeOffset At);

/// <summary>Stream keys of the service's own receipts, one stream per kind and tenant.</summary>
public static class ReceiptStreams
{
    public const string Retention = "receipts retention";
    public const string Exports = "receipts exports";
}
