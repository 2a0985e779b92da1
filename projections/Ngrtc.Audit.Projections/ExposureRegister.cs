using JasperFx.Events;
using Marten.Events.Projections;
using Ngrtc.Audit.Contracts.Exposure;
using Ngrtc.Audit.Domain;

namespace Ngrtc.Audit.Projections;

/// <summary>
/// Per recipient (DC AS application), what subscriber data it received: counts by disclosed event type
/// and data category, first and last seen. No subscriber identifier: distinct subjects are counted from
/// <see cref="ExposureRecipientSubject"/>, which holds keyed pseudonyms only.
/// </summary>
public sealed class ExposureRegister
{
    public string Id { get; set; } = "";

    public long Disclosures { get; set; }

    public Dictionary<string, long> ByEventType { get; set; } = [];

    public Dictionary<string, long> ByDataCategory { get; set; } = [];

    public DateTimeOffset FirstSeen { get; set; }

    public DateTimeOffset LastSeen { get; set; }

    public void Record(ExposureDisclosed disclosed, DateTimeOffset at)
    {
        if (Disclosures == 0 || at < FirstSeen)
        {
            FirstSeen = at;
        }

        if (at > LastSeen)
        {
            LastSeen = at;
        }

        Disclosures++;
        ByEventType[disclosed.EventType] = ByEventType.GetValueOrDefault(disclosed.EventType) + 1;
        foreach (var category in disclosed.DataCategories.Distinct())
        {
            ByDataCategory[category] = ByDataCategory.GetValueOrDefault(category) + 1;
        }
    }
}

public sealed partial class ExposureRegisterProjection : MultiStreamProjection<ExposureRegister, string>
{
    public ExposureRegisterProjection()
    {
        Identities<AuditEventRecorded>(e => ExposureEvents.Disclosed(e) is { } d ? [d.Recipient] : []);
    }

    public override ExposureRegister? Evolve(ExposureRegister? snapshot, string id, IEvent e)
    {
        if (e.Data is AuditEventRecorded recorded && ExposureEvents.Disclosed(recorded) is { } disclosed)
        {
            snapshot ??= new ExposureRegister { Id = id };
            snapshot.Record(disclosed, recorded.Envelope.Time);
        }

        return snapshot;
    }
}
