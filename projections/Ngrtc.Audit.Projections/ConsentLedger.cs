using System.Text.Json;
using JasperFx.Events;
using Marten.Events.Projections;
using Ngrtc.Audit.Contracts.Consent;
using Ngrtc.Audit.Domain;

namespace Ngrtc.Audit.Projections;

/// <summary>
/// The consent ledger: one row per subject pseudonym × purpose × recipient (<c>*</c> for a consent not limited to
/// one recipient), with every consent and withdrawal recorded for it, in consent-time order. Pseudonyms only:
/// a pseudonym belongs to one epoch, so a person has one row per epoch in which their consent service reported.
/// </summary>
public sealed class ConsentLedger
{
    public const string AnyRecipient = "*";

    /// <summary><c>{pseudonym} {purpose} {recipient or *}</c>.</summary>
    public string Id { get; set; } = "";

    public string SubjectPseudonym { get; set; } = "";

    public string Purpose { get; set; } = "";

    /// <summary>Null: the consent covers every recipient of the purpose.</summary>
    public string? Recipient { get; set; }

    public List<ConsentRecord> History { get; set; } = [];

    public static string IdFor(string pseudonym, string purpose, string? recipient) => $"{pseudonym} {purpose} {recipient ?? AnyRecipient}";

    public void Add(ConsentRecord record)
    {
        // Consent services may report late: keep consent-time order (arrival order among equal times).
        var at = History.FindLastIndex(r => r.Time <= record.Time) + 1;
        History.Insert(at, record);
    }
}

/// <summary>One consent or withdrawal as the ledger keeps it: the subject by pseudonym, the event that reported it.</summary>
public sealed record ConsentRecord(
    string Kind,
    DateTimeOffset Time,
    DateTimeOffset? Expiry,
    string? Recipient,
    string SubjectPseudonym,
    string Purpose,
    string EventSource,
    string EventId,
    string NoticeVersion,
    string Channel,
    string? Scope,
    string? PolicyVersion)
{
    public const string Given = "given";
    public const string Withdrawn = "withdrawn";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The consent fact of a recorded consent event (its subject is the stored pseudonym), or null for any other event.</summary>
    public static ConsentRecord? From(AuditEventRecorded e)
    {
        var envelope = e.Envelope;
        if (envelope.Type == ConsentGiven.Type
            && e.Data.Deserialize<ConsentGiven>(Json) is { } given
            && e.Pseudonyms.GetValueOrDefault("subject") is { } givenBy)
        {
            return new ConsentRecord(Given, envelope.Time, given.Expiry, given.Recipient, givenBy, given.Purpose, envelope.Source, envelope.Id, given.NoticeVersion, given.Channel, given.Scope, e.PolicyVersion);
        }

        if (envelope.Type == ConsentWithdrawn.Type
            && e.Data.Deserialize<ConsentWithdrawn>(Json) is { } withdrawn
            && e.Pseudonyms.GetValueOrDefault("subject") is { } withdrawnBy)
        {
            return new ConsentRecord(Withdrawn, envelope.Time, null, withdrawn.Recipient, withdrawnBy, withdrawn.Purpose, envelope.Source, envelope.Id, withdrawn.NoticeVersion, withdrawn.Channel, null, e.PolicyVersion);
        }

        return null;
    }
}

/// <summary>The answer of the decision point: allowed or not, why, and the record that decided it (null: none applies).</summary>
public sealed record ConsentVerdict(bool Allowed, string Reason, ConsentRecord? DecidedBy)
{
    public const string Active = "consent-active";
    public const string NoConsent = "no-consent";
    public const string WithdrawnReason = "consent-withdrawn";
    public const string Expired = "consent-expired";
}

/// <summary>
/// The consent rule, pure. For a purpose and a recipient R at time t, the records that apply are those of the
/// purpose for R or for every recipient (<c>*</c>) with a consent time ≤ t. The latest applicable withdrawal ends
/// every grant made before it or at the same instant (a withdrawal for every recipient ends R's own consents too; a
/// withdrawal for R ends a consent for every recipient as far as R is concerned). A grant after it that has not
/// expired at t (expiry &gt; t) allows; the latest such grant decides. Otherwise: expired (if a later grant had
/// expired), withdrawn, or no consent.
/// </summary>
public static class ConsentDecisions
{
    public static ConsentVerdict Decide(IEnumerable<ConsentRecord> records, string recipient, DateTimeOffset at)
    {
        ConsentRecord? withdrawal = null;
        var grants = new List<ConsentRecord>();
        foreach (var r in records)
        {
            if (r.Time > at || (r.Recipient is not null && r.Recipient != recipient))
            {
                continue;
            }

            if (r.Kind == ConsentRecord.Withdrawn)
            {
                if (withdrawal is null || r.Time >= withdrawal.Time)
                {
                    withdrawal = r;
                }
            }
            else
            {
                grants.Add(r);
            }
        }

        ConsentRecord? active = null, expired = null;
        foreach (var g in grants)
        {
            if (withdrawal is not null && g.Time <= withdrawal.Time)
            {
                continue;
            }

            if (g.Expiry is { } end && end <= at)
            {
                expired = expired is null || g.Time >= expired.Time ? g : expired;
            }
            else
            {
                active = active is null || g.Time >= active.Time ? g : active;
            }
        }

        return active is not null ? new ConsentVerdict(true, ConsentVerdict.Active, active)
            : expired is not null ? new ConsentVerdict(false, ConsentVerdict.Expired, expired)
            : withdrawal is not null ? new ConsentVerdict(false, ConsentVerdict.WithdrawnReason, withdrawal)
            : new ConsentVerdict(false, ConsentVerdict.NoConsent, null);
    }
}

public sealed partial class ConsentLedgerProjection : MultiStreamProjection<ConsentLedger, string>
{
    public ConsentLedgerProjection()
    {
        Identities<AuditEventRecorded>(e => ConsentRecord.From(e) is { } r ? [ConsentLedger.IdFor(r.SubjectPseudonym, r.Purpose, r.Recipient)] : []);
    }

    public override ConsentLedger? Evolve(ConsentLedger? snapshot, string id, IEvent e)
    {
        if (e.Data is AuditEventRecorded recorded && ConsentRecord.From(recorded) is { } record)
        {
            snapshot ??= new ConsentLedger { Id = id, SubjectPseudonym = record.SubjectPseudonym, Purpose = record.Purpose, Recipient = record.Recipient };
            snapshot.Add(record);
        }

        return snapshot;
    }
}

/// <summary>The pseudonym epochs in which a tenant's consent service reported anything: where a cross-epoch decision looks.</summary>
public sealed class ConsentEpochs
{
    public const string TheId = "consent-epochs";

    public string Id { get; set; } = TheId;

    /// <summary>Epoch labels, ordinal order (labels of one schedule sort as their times do).</summary>
    public List<string> Epochs { get; set; } = [];

    public static string? EpochOf(string pseudonym) => pseudonym.Split('.') is [_, var epoch, _] ? epoch : null;

    public void Add(string epoch)
    {
        var at = Epochs.BinarySearch(epoch, StringComparer.Ordinal);
        if (at < 0)
        {
            Epochs.Insert(~at, epoch);
        }
    }
}

public sealed partial class ConsentEpochsProjection : MultiStreamProjection<ConsentEpochs, string>
{
    public ConsentEpochsProjection()
    {
        Identities<AuditEventRecorded>(e => e.Envelope.Type is ConsentGiven.Type or ConsentWithdrawn.Type ? [ConsentEpochs.TheId] : []);
    }

    public override ConsentEpochs? Evolve(ConsentEpochs? snapshot, string id, IEvent e)
    {
        if (e.Data is AuditEventRecorded recorded
            && ConsentRecord.From(recorded) is { } record
            && ConsentEpochs.EpochOf(record.SubjectPseudonym) is { } epoch)
        {
            snapshot ??= new ConsentEpochs { Id = id };
            snapshot.Add(epoch);
        }

        return snapshot;
    }
}
