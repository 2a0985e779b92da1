using JasperFx.Events;
using Marten.Events.Aggregation;
using Ngrtc.Audit.Domain;

namespace Ngrtc.Audit.Projections;

/// <summary>A legal hold as placed and, once released, when and why. Keys are pseudonyms, enterprise or case ids only.</summary>
public sealed class LegalHold
{
    /// <summary>The hold's stream key (<see cref="LegalHoldStreams.For"/>).</summary>
    public string Id { get; set; } = "";

    public string HoldId { get; set; } = "";

    public string Scope { get; set; } = "";

    public List<string> Keys { get; set; } = [];

    public string Reason { get; set; } = "";

    public DateTimeOffset PlacedAt { get; set; }

    public DateTimeOffset? ReleasedAt { get; set; }

    public string? ReleaseReason { get; set; }

    public bool Active => ReleasedAt is null;
}

public sealed partial class LegalHoldProjection : SingleStreamProjection<LegalHold, string>
{
    public LegalHoldProjection()
    {
        // Evolve alone names no event types: without these, every stream appended in any session (the tenant's log on
        // each ingestion, the access log on each read) had its "hold" loaded — a round trip for nothing.
        IncludeType<LegalHoldPlaced>();
        IncludeType<LegalHoldReleased>();
    }

    public override LegalHold? Evolve(LegalHold? snapshot, string id, IEvent e)
    {
        switch (e.Data)
        {
            case LegalHoldPlaced placed:
                return new LegalHold
                {
                    Id = id,
                    HoldId = placed.HoldId,
                    Scope = placed.Scope,
                    Keys = [.. placed.Keys],
                    Reason = placed.Reason,
                    PlacedAt = placed.At,
                };
            case LegalHoldReleased released when snapshot is not null:
                snapshot.ReleasedAt = released.At;
                snapshot.ReleaseReason = released.Reason;
                return snapshot;
            default:
                return snapshot;
        }
    }
}
