using System.Text.Json;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Ngrtc.Audit.Domain;
using Weasel.Core;
using Weasel.Postgresql.Tables;

namespace Ngrtc.Audit.Projections;

/// <summary>The three registers of the privacy officers' API, as their rows name them.</summary>
public static class AuditRegisters
{
    public const string Exposure = "exposure";
    public const string Identity = "identity";
    public const string Avatars = "avatars";

    public const string Schema = "ngrtc";

    /// <summary>Per tenant, register, key and UTC day: how many events of one metric had one label.</summary>
    public const string CountsTable = Schema + ".register_counts";

    /// <summary>
    /// The same counters summed per UTC month (<c>day</c> is the month's first day), written with the day rows in the
    /// same statements: a period's whole months are read here, ~30 times fewer rows, and only its days before the
    /// first whole month and after the last one are read in <see cref="CountsTable"/>.
    /// </summary>
    public const string MonthsTable = Schema + ".register_months";

    /// <summary>The first day of <paramref name="day"/>'s month, as <see cref="MonthsTable"/> keys it.</summary>
    public static DateOnly MonthOf(DateOnly day) => new(day.Year, day.Month, 1);

    /// <summary><see cref="MonthOf"/> in SQL, for a date column or expression.</summary>
    public static string MonthOfSql(string day) => $"({day} - extract(day from {day})::int + 1)";

    /// <summary>Per tenant, register, key and UTC day: each subject (pseudonym) seen, once.</summary>
    public const string SubjectsTable = Schema + ".register_subjects";

    /// <summary>
    /// The counter metric, in <see cref="CountsTable"/>, of subjects first seen by a key on a day, labelled with
    /// their pseudonyms' epoch. Pseudonyms of one person in two epochs are two subjects, so the distinct subjects of
    /// a period are the ones first seen in it plus the ones first seen before it and seen again in it — and those
    /// can only be of the epochs its first day falls in (the exposure register's query).
    /// </summary>
    public const string FirstSeenSubjects = "first-seen-subjects";

    /// <summary>
    /// The label of a subject row's first-seen counter in SQL: the text between a pseudonym's first two dots, as
    /// <see cref="RegisterSubject.Epoch"/> gives it for every pseudonym (<c>p1.&lt;epoch&gt;.&lt;mac&gt;</c>; a subject is
    /// always one — the projection's "" for any other value is not told apart here).
    /// </summary>
    public const string EpochOfPseudonymSql = "split_part(pseudonym, '.', 2)";
}

/// <summary>+1 to <see cref="Metric"/>/<see cref="Label"/> of one register item on the event's UTC day.</summary>
public readonly record struct RegisterCount(string Register, string Key, string Metric, string Label);

/// <summary>A subject (keyed pseudonym, never an identifier) seen by one register item on the event's UTC day.</summary>
public readonly record struct RegisterSubject(string Register, string Key, string Pseudonym)
{
    /// <summary>The label of the subject's first-seen counter: its pseudonym's epoch ("" for a value that is no pseudonym).</summary>
    public string Epoch => ConsentEpochs.EpochOf(Pseudonym) ?? "";
}

/// <summary>What one recorded event adds to the registers that need no lookup (exposure, avatars).</summary>
public sealed record RegisterFacts(IReadOnlyList<RegisterCount> Counts, IReadOnlyList<RegisterSubject> Subjects)
{
    public static readonly RegisterFacts None = new([], []);

    public static RegisterFacts Of(AuditEventRecorded e) =>
        ExposureRegister.Facts(e) ?? AvatarRegister.Facts(e) ?? None;

    /// <summary>The UTC day an event counts on: the emitter's <c>time</c>, not the time it was stored.</summary>
    public static DateOnly DayOf(AuditEventRecorded e) => DateOnly.FromDateTime(e.Envelope.Time.UtcDateTime);

    /// <summary>A string property of an event's data, or null when it is absent or not a string.</summary>
    public static string? Text(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    internal static bool Flag(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    internal static IEnumerable<string> Texts(JsonElement data, string name)
    {
        if (data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String)
                {
                    yield return item.GetString()!;
                }
            }
        }
    }
}

/// <summary>
/// The three registers as counters in plain tables, one row per (tenant, register, key, UTC day, metric, label):
/// a period is any run of whole days, and its counts are the sums of its days' rows. Inline, in the ingestion
/// transaction, and for all its events at once (<see cref="RegisterWrites"/>): each counter it touches is written
/// once, with the transaction's sum, not once per event — fewer statements, and fewer row versions for VACUUM.
/// Every write adds to a counter or inserts if absent, so concurrent transactions never lose a count.
/// </summary>
public sealed class RegisterCountsProjection : IProjection
{
    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var writes = new Dictionary<string, RegisterWrites>(StringComparer.Ordinal);
        RegisterWrites Of(string tenant) =>
            writes.TryGetValue(tenant, out var w) ? w : writes[tenant] = new RegisterWrites(tenant);

        foreach (var e in events)
        {
            switch (e.Data)
            {
                case AuditEventRecorded recorded:
                    Of(e.TenantId).Add(recorded);
                    break;

                // A consent violation counts for the application on the day of its call.
                case ConsentViolationDetected detected:
                    Of(e.TenantId).Count(
                        AuditRegisters.Exposure, detected.Recipient, DateOnly.FromDateTime(detected.CallTime.UtcDateTime),
                        ExposureRegister.Metrics.Violations, detected.Reason, 1);
                    break;

                // A cleared violation no longer counts (older clearances without the call's details are left as they were).
                case ConsentViolationCleared { Recipient: { } recipient, CallTime: { } callTime, Reason: { } reason }:
                    Of(e.TenantId).Count(
                        AuditRegisters.Exposure, recipient, DateOnly.FromDateTime(callTime.UtcDateTime), ExposureRegister.Metrics.Violations, reason, -1);
                    break;
            }
        }

        foreach (var tenant in writes.Values)
        {
            foreach (var (sql, parameters) in tenant.Statements())
            {
                operations.QueueSqlCommand(sql, parameters);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Counters keyed (tenant, register, key, day, metric, label): the day counters and the month counters alike.</summary>
    private static Table CountersTable(string name)
    {
        var table = new Table(name);
        table.AddColumn<string>("tenant_id").AsPrimaryKey();
        table.AddColumn<string>("register").AsPrimaryKey();
        table.AddColumn<string>("key").AsPrimaryKey();
        table.AddColumn("day", "date").AsPrimaryKey();
        table.AddColumn<string>("metric").AsPrimaryKey();
        table.AddColumn<string>("label").AsPrimaryKey();
        table.AddColumn<long>("n").NotNull();
        return table;
    }

    /// <summary>The register tables; Marten creates and migrates them with its own schema.</summary>
    public static IEnumerable<ISchemaObject> Tables()
    {
        // Today's counters are updated by every transaction: no index carries n and a page keeps room, so those
        // updates are HOT (no new index entries, old versions pruned in the page). The register queries read a key's
        // days by the primary key.
        var counts = CountersTable(AuditRegisters.CountsTable).WithFillFactor(70);

        // The epochs a key saw subjects of before a day (the distinct-subjects query), without reading other metrics.
        counts.Indexes.Add(new IndexDefinition("ix_register_counts_first_seen")
        {
            Columns = ["tenant_id", "register", "key", "day"],
            IncludeColumns = ["label"],
            Predicate = $"metric = '{AuditRegisters.FirstSeenSubjects}'",
        });
        yield return counts;

        // A month's counters, updated by every transaction that counts in it: HOT as the day counters, with more room.
        var months = CountersTable(AuditRegisters.MonthsTable).WithFillFactor(50);

        // The keys counted in one month, in key order: the page of a period read as one month (this month's avatars,
        // pseudonyms of this month's epoch) without walking the keys of the months before.
        months.Indexes.Add(new IndexDefinition("ix_register_months_keys") { Columns = ["tenant_id", "register", "day", "key"] });
        yield return months;

        // Ordered by pseudonym within a key, so distinct subjects of a key are one ordered index-only scan.
        var subjects = new Table(AuditRegisters.SubjectsTable);
        subjects.AddColumn<string>("tenant_id").AsPrimaryKey();
        subjects.AddColumn<string>("register").AsPrimaryKey();
        subjects.AddColumn<string>("key").AsPrimaryKey();
        subjects.AddColumn<string>("pseudonym").AsPrimaryKey();
        subjects.AddColumn("day", "date").AsPrimaryKey();

        // The subjects of some days, index-only: those of the epochs under way on a period's first day. Day before key:
        // with the key first, the planner took this index for a subject's first day (key, pseudonym) too, filtering
        // the key's rows one by one, where the primary key finds it at once.
        subjects.Indexes.Add(new IndexDefinition("ix_register_subjects_days")
        {
            Columns = ["tenant_id", "register", "day"],
            IncludeColumns = ["key", "pseudonym"],
        });
        yield return subjects;

        foreach (var table in IdentityRegister.Tables())
        {
            yield return table;
        }
    }
}
