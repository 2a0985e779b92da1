using System.Text.Json;
using JasperFx.Events;
using Marten.Events.Projections;
using Ngrtc.Audit.Contracts.Catalogue;
using Ngrtc.Audit.Domain;

namespace Ngrtc.Audit.Projections;

/// <summary>
/// What the traffic of one processing activity (GDPR Art 30) actually showed: events per type, purposes and legal
/// bases as emitters declared them, recipients and data categories seen, the policy versions that classified them.
/// The records of processing join it with the policy. Counts and names only, no subject.
/// </summary>
public sealed class ProcessingObserved
{
    /// <summary>The processing activity.</summary>
    public string Id { get; set; } = "";

    public long Events { get; set; }

    public Dictionary<string, long> ByEventType { get; set; } = [];

    public Dictionary<string, long> ByPurpose { get; set; } = [];

    public Dictionary<string, long> ByLegalBasis { get; set; } = [];

    /// <summary>Recipients outside the network named by the events: DC AS applications (disclosures, session management, subscriptions).</summary>
    public Dictionary<string, long> ByRecipient { get; set; } = [];

    /// <summary>Personal-data categories present (impu, tel-uri, avatar-id, …) and data categories disclosed (session-event, …).</summary>
    public Dictionary<string, long> ByDataCategory { get; set; } = [];

    public Dictionary<string, long> ByPolicyVersion { get; set; } = [];

    public DateTimeOffset FirstSeen { get; set; }

    public DateTimeOffset LastSeen { get; set; }

    private static void Count(Dictionary<string, long> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;

    public void Record(AuditEventRecorded e, EventDescriptor descriptor)
    {
        var at = e.Envelope.Time;
        FirstSeen = Events == 0 || at < FirstSeen ? at : FirstSeen;
        LastSeen = Events == 0 || at > LastSeen ? at : LastSeen;
        Events++;
        Count(ByEventType, e.Envelope.Type);
        Count(ByPurpose, e.Envelope.Purpose);
        Count(ByLegalBasis, e.Envelope.LegalBasis);
        Count(ByPolicyVersion, e.PolicyVersion ?? "none");
        foreach (var field in descriptor.PersonalFields)
        {
            if (e.Pseudonyms.ContainsKey(field.JsonName) || e.Pseudonyms.ContainsKey(field.JsonName + "[0]"))
            {
                Count(ByDataCategory, field.PersonalData!.Category);
            }
        }

        foreach (var name in descriptor.ProcessingActivity == ProcessingActivities.DataChannelExposure ? RecipientFields : [])
        {
            if (RegisterFacts.Text(e.Data, name) is { } recipient)
            {
                Count(ByRecipient, recipient);
            }
        }

        if (e.Data.ValueKind == JsonValueKind.Object && e.Data.TryGetProperty("dataCategories", out var categories) && categories.ValueKind == JsonValueKind.Array)
        {
            foreach (var category in categories.EnumerateArray())
            {
                if (category.ValueKind == JsonValueKind.String)
                {
                    Count(ByDataCategory, category.GetString()!);
                }
            }
        }
    }

    /// <summary>The exposure contracts' fields that name a third-party recipient (never personal data).</summary>
    private static readonly string[] RecipientFields = ["recipient", "requester", "consumer"];
}

public sealed partial class ProcessingObservedProjection : MultiStreamProjection<ProcessingObserved, string>
{
    public ProcessingObservedProjection()
    {
        Identities<AuditEventRecorded>(e => AuditCatalogue.Find(e.Envelope.Type) is { } d ? [d.ProcessingActivity] : []);
    }

    public override ProcessingObserved? Evolve(ProcessingObserved? snapshot, string id, IEvent e)
    {
        if (e.Data is AuditEventRecorded recorded && AuditCatalogue.Find(recorded.Envelope.Type) is { } descriptor)
        {
            snapshot ??= new ProcessingObserved { Id = id };
            snapshot.Record(recorded, descriptor);
        }

        return snapshot;
    }
}
