using JasperFx.Events;
using Marten.Events.Projections;
using Ngrtc.Audit.Domain;

namespace Ngrtc.Audit.Projections;

/// <summary>
/// One subject (by keyed pseudonym, never an identifier) seen by one recipient: answers "how many
/// distinct subjects" for the exposure register and, later, "which recipients got my data".
/// </summary>
public sealed class ExposureRecipientSubject
{
    /// <summary><c>{recipient} {pseudonym}</c>.</summary>
    public string Id { get; set; } = "";

    public string RecipientId { get; set; } = "";

    public string SubjectPseudonym { get; set; } = "";

    public long Disclosures { get; set; }

    public DateTimeOffset FirstSeen { get; set; }

    public DateTimeOffset LastSeen { get; set; }

    public static string IdFor(string recipient, string pseudonym) => $"{recipient} {pseudonym}";
}

public sealed partial class ExposureRecipientSubjectProjection : MultiStreamProjection<ExposureRecipientSubject, string>
{
    public ExposureRecipientSubjectProjection()
    {
        Identities<AuditEventRecorded>(e =>
            ExposureEvents.RecipientOf(e) is { } recipient && ExposureEvents.SubjectPseudonym(e) is { } p
                ? [ExposureRecipientSubject.IdFor(recipient, p)]
                : []);
    }

    public override ExposureRecipientSubject? Evolve(ExposureRecipientSubject? snapshot, string id, IEvent e)
    {
        if (e.Data is not AuditEventRecorded recorded
            || ExposureEvents.RecipientOf(recorded) is not { } recipient
            || ExposureEvents.SubjectPseudonym(recorded) is not { } pseudonym)
        {
            return snapshot;
        }

        var at = recorded.Envelope.Time;
        snapshot ??= new ExposureRecipientSubject
        {
            Id = id,
            RecipientId = recipient,
            SubjectPseudonym = pseudonym,
            FirstSeen = at,
            LastSeen = at,
        };
        snapshot.Disclosures++;
        snapshot.FirstSeen = at < snapshot.FirstSeen ? at : snapshot.FirstSeen;
        snapshot.LastSeen = at > snapshot.LastSeen ? at : snapshot.LastSeen;
        return snapshot;
    }
}
