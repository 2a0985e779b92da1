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

    internal static string? Text(JsonElement data, string name) =>
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
/// transaction; every write is an increment (<c>n = n + 1</c>) or an insert-if-absent, so concurrent
/// transactions never lose a count, and the identity register's lookups (binding → enterprise, call →
/// enterprise and trunk) are SQL run in order in the same transaction, so they see the events of the same batch.
/// </summary>
public sealed partial class RegisterCountsProjection : EventProjection
{
    private const string CountUpsert =
        $"insert into {AuditRegisters.CountsTable} as c (tenant_id, register, key, day, metric, label, n) values (?, ?, ?, ?, ?, ?, 1) " +
        "on conflict (tenant_id, register, key, day, metric, label) do update set n = c.n + 1";

    /// <summary>
    /// The subject's row for the day, and the key's first-seen counter kept right: +1 on the day a pseudonym is first
    /// seen by the key, moved when an event of an earlier day arrives later (−1 on the old first day). The
    /// sub-statements share one snapshot, so <c>earlier</c> is the first day before this row. Safe because one
    /// transaction at a time writes a tenant's log and its inline projections (the appender's per-tenant lock).
    /// Its parameters are <see cref="SubjectSeenParameters"/>.
    /// </summary>
    private const string SubjectSeen =
        $"""
        with added as (
          insert into {AuditRegisters.SubjectsTable} (tenant_id, register, key, pseudonym, day) values (?, ?, ?, ?, ?)
          on conflict do nothing returning day),
        earlier as (
          select min(day) as day from {AuditRegisters.SubjectsTable} where tenant_id = ? and register = ? and key = ? and pseudonym = ?),
        moved as (
          update {AuditRegisters.CountsTable} set n = n - 1
          where tenant_id = ? and register = ? and key = ? and metric = '{AuditRegisters.FirstSeenSubjects}' and label = ?
            and day = (select day from earlier) and (select day from earlier) > ? and exists (select from added))
        insert into {AuditRegisters.CountsTable} as c (tenant_id, register, key, day, metric, label, n)
        select ?, ?, ?, ?, '{AuditRegisters.FirstSeenSubjects}', ?, 1
        where exists (select from added) and coalesce((select day from earlier) > ?, true)
        on conflict (tenant_id, register, key, day, metric, label) do update set n = c.n + 1
        """;

    private static object[] SubjectSeenParameters(string tenant, RegisterSubject s, DateOnly day)
    {
        var epoch = s.Epoch;
        return
        [
            tenant, s.Register, s.Key, s.Pseudonym, day,
            tenant, s.Register, s.Key, s.Pseudonym,
            tenant, s.Register, s.Key, epoch, day,
            tenant, s.Register, s.Key, day, epoch,
            day,
        ];
    }

    private const string CountAdd =
        $"insert into {AuditRegisters.CountsTable} as c (tenant_id, register, key, day, metric, label, n) values (?, ?, ?, ?, ?, ?, ?) " +
        "on conflict (tenant_id, register, key, day, metric, label) do update set n = c.n + excluded.n";

    public RegisterCountsProjection()
    {
        foreach (var table in Tables())
        {
            SchemaObjects.Add(table);
        }
    }

    public void Project(IEvent<AuditEventRecorded> e, IDocumentOperations operations)
    {
        var tenant = e.TenantId;
        var recorded = e.Data;
        var day = RegisterFacts.DayOf(recorded);
        var facts = RegisterFacts.Of(recorded);
        foreach (var count in facts.Counts)
        {
            operations.QueueSqlCommand(CountUpsert, tenant, count.Register, count.Key, day, count.Metric, count.Label);
        }

        foreach (var subject in facts.Subjects)
        {
            operations.QueueSqlCommand(SubjectSeen, SubjectSeenParameters(tenant, subject, day));
        }

        foreach (var (sql, parameters) in IdentityRegister.Statements(tenant, recorded, day))
        {
            operations.QueueSqlCommand(sql, parameters);
        }
    }

    /// <summary>A consent violation counts for the application on the day of its call.</summary>
    public void Project(IEvent<ConsentViolationDetected> e, IDocumentOperations operations) =>
        operations.QueueSqlCommand(
            CountAdd, e.TenantId, AuditRegisters.Exposure, e.Data.Recipient, DateOnly.FromDateTime(e.Data.CallTime.UtcDateTime),
            ExposureRegister.Metrics.Violations, e.Data.Reason, 1);

    /// <summary>A cleared violation no longer counts (older clearances without the call's details are left as they were).</summary>
    public void Project(IEvent<ConsentViolationCleared> e, IDocumentOperations operations)
    {
        if (e.Data is { Recipient: { } recipient, CallTime: { } callTime, Reason: { } reason })
        {
            operations.QueueSqlCommand(
                CountAdd, e.TenantId, AuditRegisters.Exposure, recipient, DateOnly.FromDateTime(callTime.UtcDateTime),
                ExposureRegister.Metrics.Violations, reason, -1);
        }
    }

    /// <summary>The register tables; Marten creates and migrates them with its own schema.</summary>
    public static IEnumerable<ISchemaObject> Tables()
    {
        var counts = new Table(AuditRegisters.CountsTable);
        counts.AddColumn<string>("tenant_id").AsPrimaryKey();
        counts.AddColumn<string>("register").AsPrimaryKey();
        counts.AddColumn<string>("key").AsPrimaryKey();
        counts.AddColumn("day", "date").AsPrimaryKey();
        counts.AddColumn<string>("metric").AsPrimaryKey();
        counts.AddColumn<string>("label").AsPrimaryKey();
        counts.AddColumn<long>("n").NotNull();

        // What the register queries read, index-only (no heap page per row): a key's days in order with their counts.
        counts.Indexes.Add(new IndexDefinition("ix_register_counts_read")
        {
            Columns = ["tenant_id", "register", "key", "day"],
            IncludeColumns = ["metric", "label", "n"],
        });

        // The epochs a key saw subjects of before a day (the distinct-subjects query), without reading other metrics.
        counts.Indexes.Add(new IndexDefinition("ix_register_counts_first_seen")
        {
            Columns = ["tenant_id", "register", "key", "day"],
            IncludeColumns = ["label"],
            Predicate = $"metric = '{AuditRegisters.FirstSeenSubjects}'",
        });
        yield return counts;

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
