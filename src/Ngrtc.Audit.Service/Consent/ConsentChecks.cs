using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Marten;
using Ngrtc.Audit.Contracts.Catalogue;
using Ngrtc.Audit.Contracts.Consent;
using Ngrtc.Audit.Contracts.Exposure;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Projections;
using Ngrtc.Audit.Protection;
using Ngrtc.Audit.Service.Ingestion;
using Ngrtc.Audit.Service.Policy;
using Ngrtc.Audit.Service.Protection;

namespace Ngrtc.Audit.Service.Consent;

/// <summary>
/// Consent violations, decided in the ingestion transaction (the tenant's log lock is held, so the ledger read here
/// is exactly what was committed before, and the events of the batch are walked in log order):
/// <list type="bullet">
/// <item>a disclosure (<c>ngrtc.exposure.disclosed.v1</c>) or an accepted session-management decision
/// (<c>…session-management-decided.v1</c>) whose legal basis is <c>consent</c>, while no consent of its subject is active
/// for its purpose and recipient at the call's time, records a provisional <see cref="ConsentViolationDetected"/>;</item>
/// <item>a consent recorded within the policy's grace window after that (<c>consent.graceSeconds</c>, counted on the
/// service's clock from the call's recording), given no later than the call and active at its time, clears it
/// (<see cref="ConsentViolationCleared"/>); after the window the violation stands.</item>
/// </list>
/// Across epochs: the person's identifier is in clear here (before it is stored only as pseudonym and ciphertext),
/// so the subject's pseudonym is computed for every epoch in which the tenant recorded consents, back to
/// <c>consent.lookbackEpochs</c>; anonymised epochs are skipped (their consents can no longer be linked).
/// </summary>
public sealed class ConsentChecks(FieldProtector protector, PolicyRegistry policy, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private enum Kind
    {
        None,
        Call,
        Consent,
    }

    /// <summary>A call that relies on consent: its recipient and the field holding its subject.</summary>
    private static (Kind Kind, string? Recipient, string? SubjectField) Classify(AuditEventRecorded r)
    {
        var envelope = r.Envelope;
        switch (envelope.Type)
        {
            case ConsentGiven.Type or ConsentWithdrawn.Type:
                return (Kind.Consent, null, "subject");
            // The one or two properties each needs, not the whole event: every call of a batch is classified.
            case ExposureDisclosed.Type when envelope.LegalBasis == "consent":
                return (Kind.Call, ExposureEvents.RecipientOf(r), "subject");
            case ExposureSessionManagementDecided.Type when envelope.LegalBasis == "consent":
                // A rejected request processed nothing: refusing it for want of consent is what should happen.
                return RegisterFacts.Text(r.Data, ResultField) == "accepted"
                    ? (Kind.Call, RegisterFacts.Text(r.Data, RequesterField), "target")
                    : (Kind.None, null, null);
            default:
                return (Kind.None, null, null);
        }
    }

    // The data's JSON names of the contracts' properties (web naming).
    private static readonly string ResultField = Json.PropertyNamingPolicy!.ConvertName(nameof(ExposureSessionManagementDecided.Result));
    private static readonly string RequesterField = Json.PropertyNamingPolicy!.ConvertName(nameof(ExposureSessionManagementDecided.Requester));

    /// <summary>
    /// Appends the violations and clearances the tenant's <paramref name="records"/> (with their validated
    /// <paramref name="events"/>, same order) give rise to. Does nothing, and reads nothing, for a batch without
    /// consent events or calls relying on consent.
    /// </summary>
    public async Task CheckAsync(IDocumentSession session, string tenant, IReadOnlyList<IncomingEvent> events, IReadOnlyList<AuditEventRecorded> records, CancellationToken ct)
    {
        List<(int Index, Kind Kind, string? Recipient, string SubjectField)>? relevant = null;
        for (var i = 0; i < records.Count; i++)
        {
            var (kind, recipient, field) = Classify(records[i]);
            if (kind != Kind.None && records[i].Pseudonyms.ContainsKey(field!))
            {
                (relevant ??= []).Add((i, kind, recipient, field!));
            }
        }

        if (relevant is null)
        {
            return;
        }

        var now = time.GetUtcNow();
        var rule = policy.Current.Policy.Consent;
        var policyVersion = policy.Current.Version;
        var known = new SortedSet<string>((await session.LoadAsync<ConsentEpochs>(ConsentEpochs.TheId, ct))?.Epochs ?? [], StringComparer.Ordinal);
        foreach (var item in relevant.Where(r => r.Kind == Kind.Consent))
        {
            if (ConsentEpochs.EpochOf(records[item.Index].Pseudonyms[item.SubjectField]) is { } epoch)
            {
                known.Add(epoch);
            }
        }

        // The person of each relevant event, by pseudonym in every epoch that matters (computed from the clear value).
        var people = new HashSet<string>[records.Count];
        foreach (var item in relevant)
        {
            var r = records[item.Index];
            var descriptor = events[item.Index].Descriptor;
            var kind = IdentifierKinds.ForCategory(descriptor.FieldsByName[item.SubjectField].PersonalData!.Category);
            var value = events[item.Index].Data.GetProperty(item.SubjectField).GetString()!;
            var own = r.Pseudonyms[item.SubjectField];
            IEnumerable<string> epochs = item.Kind == Kind.Call
                ? known.Where(e => string.CompareOrdinal(e, ConsentEpochs.EpochOf(own)) <= 0).TakeLast(rule.LookbackEpochs)
                : EpochsFrom(r.Envelope.Time, now.AddSeconds(rule.GraceSeconds), rule.LookbackEpochs);
            people[item.Index] = await PseudonymsAsync(tenant, own, epochs, kind, value, ct);
        }

        // Provisional violations a consent given in this batch may clear: its person's, inside their grace window, of a
        // call made no earlier than the batch's earliest consent (a consent clears only calls at or after its own time).
        var given = relevant.Where(r => r.Kind == Kind.Consent && records[r.Index].Envelope.Type == ConsentGiven.Type).ToList();
        var consentPeople = given.SelectMany(r => people[r.Index]).Distinct().ToArray();
        var open = consentPeople.Length == 0
            ? []
            : await OpenViolationsAsync(session, consentPeople, given.Min(r => records[r.Index].Envelope.Time), now, ct);

        var ledgers = new Dictionary<string, ConsentLedger?>(StringComparer.Ordinal);
        var preload = relevant.Where(r => r.Kind == Kind.Call)
            .SelectMany(r => people[r.Index].SelectMany(p => new[]
            {
                ConsentLedger.IdFor(p, records[r.Index].Envelope.Purpose, r.Recipient),
                ConsentLedger.IdFor(p, records[r.Index].Envelope.Purpose, null),
            }))
            .Distinct()
            .ToArray();
        await LoadAsync(session, ledgers, preload, ct);

        var batch = new List<ConsentRecord>();
        foreach (var item in relevant)
        {
            var r = records[item.Index];
            var person = people[item.Index];
            if (item.Kind == Kind.Call)
            {
                var entries = await EntriesAsync(session, ledgers, batch, person, r.Envelope.Purpose, item.Recipient!, ct);
                var verdict = ConsentDecisions.Decide(entries, item.Recipient!, r.Envelope.Time);
                if (!verdict.Allowed)
                {
                    var detected = new ConsentViolationDetected(
                        ViolationId(r.Envelope), r.Pseudonyms[item.SubjectField], r.Envelope.Purpose, item.Recipient!, r.Envelope.Type,
                        r.Envelope.Source, r.Envelope.Id, r.Envelope.Time, verdict.Reason, policyVersion, now, now.AddSeconds(rule.GraceSeconds));
                    session.Events.Append(PolicyStreams.ConsentViolations, detected);
                    // Whole, as the projection will hold it: a consent later in this batch may clear it, and the clearance
                    // repeats its reason for the registers.
                    open.Add(ConsentViolation.From(detected));
                }

                continue;
            }

            if (ConsentRecord.From(r) is not { } consent)
            {
                continue;
            }

            batch.Add(consent);
            if (consent.Kind != ConsentRecord.Given)
            {
                continue;
            }

            foreach (var violation in open.Where(v => v.ClearedAt is null
                && person.Contains(v.SubjectPseudonym)
                && v.Purpose == consent.Purpose
                && (consent.Recipient is null || consent.Recipient == v.Recipient)
                && v.CallTime >= consent.Time))
            {
                var entries = await EntriesAsync(session, ledgers, batch, person, consent.Purpose, violation.Recipient, ct);
                if (ConsentDecisions.Decide(entries, violation.Recipient, violation.CallTime).Allowed)
                {
                    violation.ClearedAt = now;
                    session.Events.Append(PolicyStreams.ConsentViolations, new ConsentViolationCleared(
                        violation.Id, consent.EventSource, consent.EventId, consent.Time, now, violation.Recipient, violation.CallTime, violation.Reason));
                }
            }
        }
    }

    private static async Task<List<ConsentViolation>> OpenViolationsAsync(
        IQuerySession session, string[] people, DateTimeOffset calledFrom, DateTimeOffset now, CancellationToken ct) =>
        [.. await session.Query<ConsentViolation>()
            .Where(v => v.ClearedAt == null && v.CallTime >= calledFrom && v.GraceUntil >= now && v.SubjectPseudonym.IsOneOf(people))
            .ToListAsync(ct)];

    /// <summary>A violation's id: from the call's idempotency key (source and id), so a call has at most one.</summary>
    public static string ViolationId(AuditEnvelope call) =>
        "cv-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(EventProtection.AssociatedEventId(call))))[..22].Replace('+', '-').Replace('/', '_');

    /// <summary>The epochs from the one of <paramref name="from"/> to the one of <paramref name="until"/>, at most <paramref name="max"/>.</summary>
    private IEnumerable<string> EpochsFrom(DateTimeOffset from, DateTimeOffset until, int max)
    {
        var window = protector.Epochs.WindowOf(from);
        for (var n = 0; n < max && window.Start <= until; n++)
        {
            yield return window.Epoch.Label;
            window = protector.Epochs.WindowOf(window.End);
        }
    }

    /// <summary>The person's pseudonym in each epoch (their own included); epochs already anonymised are skipped.</summary>
    public async Task<HashSet<string>> PseudonymsAsync(string tenant, string? own, IEnumerable<string> epochs, IdentifierKind kind, string value, CancellationToken ct)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        if (own is not null)
        {
            result.Add(own);
        }

        foreach (var label in epochs)
        {
            if (own is not null && ConsentEpochs.EpochOf(own) == label)
            {
                continue;
            }

            try
            {
                result.Add(await protector.PseudonymAsync(tenant, new Epoch(label), kind, value, ct));
            }
            catch (EpochAnonymisedException)
            {
                // Its pepper is gone: consents of that epoch cannot be linked to anyone any more.
            }
        }

        return result;
    }

    private static async Task LoadAsync(IQuerySession session, Dictionary<string, ConsentLedger?> ledgers, IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        var missing = ids.Where(id => !ledgers.ContainsKey(id)).ToArray();
        if (missing.Length == 0)
        {
            return;
        }

        foreach (var id in missing)
        {
            ledgers[id] = null;
        }

        foreach (var ledger in await session.LoadManyAsync<ConsentLedger>(ct, missing))
        {
            ledgers[ledger.Id] = ledger;
        }
    }

    /// <summary>The ledger records of the person for the purpose and recipient (and for every recipient), plus this batch's so far.</summary>
    private static async Task<List<ConsentRecord>> EntriesAsync(
        IQuerySession session, Dictionary<string, ConsentLedger?> ledgers, List<ConsentRecord> batch, HashSet<string> person, string purpose, string recipient, CancellationToken ct)
    {
        var ids = person.SelectMany(p => new[] { ConsentLedger.IdFor(p, purpose, recipient), ConsentLedger.IdFor(p, purpose, null) }).ToArray();
        await LoadAsync(session, ledgers, ids, ct);
        var entries = new List<ConsentRecord>();
        foreach (var id in ids)
        {
            if (ledgers[id] is { } ledger)
            {
                entries.AddRange(ledger.History);
            }
        }

        entries.AddRange(batch.Where(b => b.Purpose == purpose && person.Contains(b.SubjectPseudonym)));
        return entries;
    }
}
