using JasperFx.Events;
using Marten.Events.Projections;
using Ngrtc.Audit.Contracts.Exposure;
using Ngrtc.Audit.Domain;

namespace Ngrtc.Audit.Projections;

/// <summary>
/// All-time view per recipient (<c>/api/v1/exposure/recipients</c>); the dated register with operations,
/// rejections and violations is <see cref="Facts"/> (<c>/api/v1/registers/exposure</c>).
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

    /// <summary>Metrics of the dated exposure register (<see cref="RegisterCountsProjection"/> rows of register <c>exposure</c>).</summary>
    public static class Metrics
    {
        public const string Disclosures = "disclosures";
        public const string DataCategories = "data-categories";
        public const string Operations = "operations";
        public const string Decisions = "decisions";
        public const string Subscriptions = "subscriptions";
        public const string Rejections = "rejections";

        /// <summary>
        /// Consent violations of the application (the recipient or requester of the call), by reason, on the day of
        /// the call: one per <c>ConsentViolationDetected</c>, taken back by its <c>ConsentViolationCleared</c>
        /// (<see cref="RegisterCountsProjection"/>), so the register counts the violations that stand or may still stand.
        /// </summary>
        public const string Violations = "violations";
    }

    /// <summary>
    /// What one recorded event adds to the dated exposure register, keyed by the DC AS application (recipient of a
    /// disclosure, requester of a session-management operation, consumer of a subscription); null for other types.
    /// Distinct subjects are the pseudonyms disclosures went out about (per epoch: pseudonyms of one person in two
    /// epochs are unlinkable by design, so they count as two).
    /// </summary>
    public static RegisterFacts? Facts(AuditEventRecorded e)
    {
        var data = e.Data;
        switch (e.Envelope.Type)
        {
            case ExposureDisclosed.Type when RegisterFacts.Text(data, "recipient") is { } recipient:
            {
                List<RegisterCount> counts = [new(AuditRegisters.Exposure, recipient, Metrics.Disclosures, RegisterFacts.Text(data, "eventType") ?? "")];
                counts.AddRange(RegisterFacts.Texts(data, "dataCategories").Distinct()
                    .Select(c => new RegisterCount(AuditRegisters.Exposure, recipient, Metrics.DataCategories, c)));
                return new RegisterFacts(
                    counts,
                    RegisterFacts.Text(data, "subject") is { } subject ? [new(AuditRegisters.Exposure, recipient, subject)] : []);
            }

            case ExposureSessionManagementRequested.Type when RegisterFacts.Text(data, "requester") is { } requester:
            {
                List<RegisterCount> counts = [new(AuditRegisters.Exposure, requester, Metrics.Operations, RegisterFacts.Text(data, "operation") ?? "")];
                if (RegisterFacts.Text(data, "nefAuthorization") == "denied")
                {
                    counts.Add(new(AuditRegisters.Exposure, requester, Metrics.Rejections, RegisterFacts.Text(data, "cause") ?? "nef-denied"));
                }

                return new RegisterFacts(counts, []);
            }

            case ExposureSessionManagementDecided.Type when RegisterFacts.Text(data, "requester") is { } requester:
            {
                var result = RegisterFacts.Text(data, "result") ?? "";
                List<RegisterCount> counts = [new(AuditRegisters.Exposure, requester, Metrics.Decisions, result)];
                if (result == "rejected")
                {
                    counts.Add(new(AuditRegisters.Exposure, requester, Metrics.Rejections, RegisterFacts.Text(data, "rejectCause") ?? "rejected"));
                }

                return new RegisterFacts(counts, []);
            }

            case ExposureSubscriptionChanged.Type when RegisterFacts.Text(data, "consumer") is { } consumer:
                return new RegisterFacts([new(AuditRegisters.Exposure, consumer, Metrics.Subscriptions, RegisterFacts.Text(data, "change") ?? "")], []);

            default:
                return null;
        }
    }

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
        Identities<AuditEventRecorded>(e => ExposureEvents.RecipientOf(e) is { } recipient ? [recipient] : []);
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
