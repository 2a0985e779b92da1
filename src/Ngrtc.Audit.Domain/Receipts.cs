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

/// <summary>Receipt of a data subject's erasure (crypto-shredding): counts and epochs, never who.</summary>
public sealed record SubjectErasureExecuted(string CaseId, int KeysDestroyed, IReadOnlyList<string> Epochs, int DeadLettersRemoved, DateTimeOffset At);

/// <summary>Receipt of an epoch's anonymisation: its pepper (and its data keys) destroyed.</summary>
public sealed record EpochAnonymised(string Epoch, bool PepperDestroyed, int DataKeysDestroyed, DateTimeOffset At);

/// <summary>Receipt of a key-encryption-key rotation: every key and pepper rewrapped under <see cref="KekId"/>.</summary>
public sealed record KeysRewrapped(string KekId, int SubjectKeys, int PeppersAndIndexKeys, DateTimeOffset At);

/// <summary>Receipt of a privileged read of a subject's data (access request or re-identification).</summary>
public sealed record SubjectDataRevealed(string CaseId, string Purpose, int Events, int Values, int Erased, DateTimeOffset At);

/// <summary>Stream keys of the key-management and data-subject receipts.</summary>
public static class SubjectReceiptStreams
{
    public const string Erasure = "receipts erasure";
    public const string Keys = "receipts keys";
    public const string Reveals = "receipts reveals";
}

/// <summary>A full verification of a tenant's log found it intact.</summary>
public sealed record IntegrityVerified(long Events, long SealedSize, int TreeHeads, DateTimeOffset At);

/// <summary>Alert: a full verification found the tenant's log tampered with (or damaged), and where.</summary>
public sealed record IntegrityViolationDetected(string Problem, long? LeafIndex, string? EventId, DateTimeOffset At);

public static class IntegrityReceiptStreams
{
    public const string Verifications = "receipts integrity";
}
