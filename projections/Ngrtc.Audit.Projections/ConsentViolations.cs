using JasperFx.Events;
using Marten.Events.Projections;
using Ngrtc.Audit.Domain;

namespace Ngrtc.Audit.Projections;

/// <summary>
/// A consent violation as the privacy officers see it: the call (by its event id, the subject by pseudonym), why,
/// and whether a consent recorded inside the grace window cleared it. Its status depends on the time it is read:
/// <see cref="StatusAt"/>.
/// </summary>
public sealed class ConsentViolation
{
    /// <summary>The violation as its detection describes it (not yet cleared).</summary>
    public static ConsentViolation From(ConsentViolationDetected d) => new()
    {
        Id = d.ViolationId,
        SubjectPseudonym = d.SubjectPseudonym,
        Purpose = d.Purpose,
        Recipient = d.Recipient,
        EventType = d.EventType,
        EventSource = d.EventSource,
        EventId = d.EventId,
        CallTime = d.CallTime,
        Reason = d.Reason,
        PolicyVersion = d.PolicyVersion,
        DetectedAt = d.DetectedAt,
        GraceUntil = d.GraceUntil,
    };

    public const string Provisional = "provisional";
    public const string Confirmed = "confirmed";
    public const string Cleared = "cleared";

    public string Id { get; set; } = "";

    public string SubjectPseudonym { get; set; } = "";

    public string Purpose { get; set; } = "";

    public string Recipient { get; set; } = "";

    public string EventType { get; set; } = "";

    public string EventSource { get; set; } = "";

    public string EventId { get; set; } = "";

    public DateTimeOffset CallTime { get; set; }

    public string Reason { get; set; } = "";

    public string? PolicyVersion { get; set; }

    public DateTimeOffset DetectedAt { get; set; }

    public DateTimeOffset GraceUntil { get; set; }

    public DateTimeOffset? ClearedAt { get; set; }

    public string? ClearedByEventSource { get; set; }

    public string? ClearedByEventId { get; set; }

    public DateTimeOffset? ClearedByConsentTime { get; set; }

    /// <summary>Cleared; provisional until the grace window ends; confirmed after it (nothing can clear it any more).</summary>
    public string StatusAt(DateTimeOffset now) =>
        ClearedAt is not null ? Cleared : now < GraceUntil ? Provisional : Confirmed;
}

public sealed partial class ConsentViolationProjection : MultiStreamProjection<ConsentViolation, string>
{
    public ConsentViolationProjection()
    {
        Identity<ConsentViolationDetected>(e => e.ViolationId);
        Identity<ConsentViolationCleared>(e => e.ViolationId);
    }

    public override ConsentViolation? Evolve(ConsentViolation? snapshot, string id, IEvent e)
    {
        switch (e.Data)
        {
            case ConsentViolationDetected d:
                return ConsentViolation.From(d);
            case ConsentViolationCleared c when snapshot is not null:
                snapshot.ClearedAt = c.At;
                snapshot.ClearedByEventSource = c.ConsentEventSource;
                snapshot.ClearedByEventId = c.ConsentEventId;
                snapshot.ClearedByConsentTime = c.ConsentTime;
                return snapshot;
            default:
                return snapshot;
        }
    }
}
