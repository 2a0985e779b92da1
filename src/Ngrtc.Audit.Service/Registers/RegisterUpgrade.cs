using Ngrtc.Audit.Projections;
using Npgsql;
using Weasel.Core;
using Weasel.Postgresql.Tables;

namespace Ngrtc.Audit.Service.Registers;

/// <summary>
/// Brings register rows written by an older version up to what the current projection writes, once per database,
/// at start-up (after Marten applied the schema, before this node ingests): the exposure register's first-seen subject
/// counters (<see cref="AuditRegisters.FirstSeenSubjects"/>), without which the distinct subjects of those days would
/// read 0, then the month counters (<see cref="AuditRegisters.MonthsTable"/>), summed again from the day counters,
/// without which whole months would read nothing. It holds the log lock of every tenant, so no ingestion runs
/// meanwhile on any node, and records each upgrade it ran in <see cref="Table"/>.
/// </summary>
public sealed class RegisterUpgrade(NpgsqlDataSource database, ILogger<RegisterUpgrade> log) : IHostedService
{
    public const string Table = AuditRegisters.Schema + ".register_upgrades";

    /// <summary>The upgrade that wrote the first-seen subject counters (a loader that writes them itself marks it done).</summary>
    public const string FirstSeenCounters = "first-seen-subjects-v1";

    /// <summary>The upgrade that summed the month counters from the day counters (run again after any other).</summary>
    public const string MonthCounters = "register-months-v1";

    /// <summary>Every upgrade, in the order they run (a loader that writes their rows itself marks them all done).</summary>
    public static readonly string[] All = [FirstSeenCounters, MonthCounters];

    public static ISchemaObject TableDefinition()
    {
        var table = new Table(Table);
        table.AddColumn<string>("name").AsPrimaryKey();
        table.AddColumn<DateTimeOffset>("applied_at").NotNull();
        return table;
    }

    public async Task StartAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await Run(connection, tx, "select pg_advisory_xact_lock(hashtextextended('ngrtc-register-upgrade', 0))", ct);
        var done = await Run(connection, tx, $"select count(*) from {Table} where name = any('{{{string.Join(',', All)}}}')", ct);
        if (done == All.Length)
        {
            return;
        }

        // The same lock, in the same order, as the appender takes for ingestion: the tenants' writers wait for us. Only
        // the tenants locked are rewritten (a tenant whose first events commit meanwhile is written by the projection).
        string[] tenants;
        await using (var locking = new NpgsqlCommand(
            $"""
            select coalesce(array_agg(t order by t), array[]::text[]) from (
              select t, pg_advisory_xact_lock(hashtextextended('ngrtc-audit-log ' || t, 0)) from (
                select tenant_id as t from {AuditRegisters.CountsTable} union select tenant_id from {AuditRegisters.SubjectsTable} order by 1) o) l
            """, connection, tx) { CommandTimeout = 0 })
        {
            tenants = (string[])(await locking.ExecuteScalarAsync(ct))!;
        }

        if (await Run(connection, tx, $"select count(*) from {Table} where name = '{FirstSeenCounters}'", ct) == 0)
        {
            await FirstSeenAsync(connection, tx, tenants, ct);
        }

        await Run(connection, tx, $"delete from {AuditRegisters.MonthsTable} where tenant_id = any($1)", ct, tenants);
        var months = await Run(connection, tx, $"""
            with inserted as (
              insert into {AuditRegisters.MonthsTable} (tenant_id, register, key, day, metric, label, n)
              select tenant_id, register, key, {AuditRegisters.MonthOfSql("day")}, metric, label, sum(n)
              from {AuditRegisters.CountsTable} where tenant_id = any($1)
              group by tenant_id, register, key, {AuditRegisters.MonthOfSql("day")}, metric, label
              returning 1)
            select count(*) from inserted
            """, ct, tenants);
        await Run(connection, tx, $"delete from {Table} where name = '{MonthCounters}'", ct);
        await Run(connection, tx, $"insert into {Table} (name, applied_at) values ('{MonthCounters}', now())", ct);
        await tx.CommitAsync(ct);
        log.LogInformation("Register upgrade {Upgrade}: {Counters} month counters written", MonthCounters, months);
    }

    private async Task FirstSeenAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string[] tenants, CancellationToken ct)
    {
        await Run(connection, tx, $"delete from {AuditRegisters.CountsTable} where metric = '{AuditRegisters.FirstSeenSubjects}' and tenant_id = any($1)", ct, tenants);
        var counters = await Run(connection, tx, $"""
            with inserted as (
              insert into {AuditRegisters.CountsTable} (tenant_id, register, key, day, metric, label, n)
              select tenant_id, register, key, first_day, '{AuditRegisters.FirstSeenSubjects}', epoch, count(*)
              from (
                select tenant_id, register, key, min(day) as first_day,
                       {AuditRegisters.EpochOfPseudonymSql} as epoch
                from {AuditRegisters.SubjectsTable} where tenant_id = any($1)
                group by tenant_id, register, key, pseudonym) firsts
              group by tenant_id, register, key, first_day, epoch
              returning 1)
            select count(*) from inserted
            """, ct, tenants);
        await Run(connection, tx, $"insert into {Table} (name, applied_at) values ('{FirstSeenCounters}', now())", ct);
        log.LogInformation("Register upgrade {Upgrade}: {Counters} first-seen subject counters written", FirstSeenCounters, counters);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    private static async Task<long> Run(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct, string[]? tenants = null)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx) { CommandTimeout = 0 };
        if (tenants is not null)
        {
            command.Parameters.AddWithValue(tenants);
        }

        return await command.ExecuteScalarAsync(ct) is long n ? n : 0;
    }
}
