using Ngrtc.Audit.Projections;
using Npgsql;
using Weasel.Core;
using Weasel.Postgresql.Tables;

namespace Ngrtc.Audit.Service.Registers;

/// <summary>
/// Brings register rows written by an older version up to what the current projection writes, once per database,
/// at start-up (after Marten applied the schema, before this node ingests): today, the exposure register's
/// first-seen subject counters (<see cref="AuditRegisters.FirstSeenSubjects"/>), which databases written before them
/// lack — without them the distinct subjects of those days would read 0. It holds the log lock of every tenant it
/// recomputes, so no ingestion runs meanwhile on any node, and records that it ran in <see cref="Table"/>.
/// </summary>
public sealed class RegisterUpgrade(NpgsqlDataSource database, ILogger<RegisterUpgrade> log) : IHostedService
{
    public const string Table = AuditRegisters.Schema + ".register_upgrades";

    /// <summary>The upgrade that wrote the first-seen subject counters (a loader that writes them itself marks it done).</summary>
    public const string FirstSeenCounters = "first-seen-subjects-v1";

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
        if (await Run(connection, tx, $"select count(*) from {Table} where name = '{FirstSeenCounters}'", ct) > 0)
        {
            return;
        }

        // The same lock, in the same order, as the appender takes for ingestion: the tenants' writers wait for us.
        await Run(connection, tx, $"""
            select count(pg_advisory_xact_lock(hashtextextended('ngrtc-audit-log ' || t, 0)))
            from (select distinct tenant_id as t from {AuditRegisters.SubjectsTable} order by 1) tenants
            """, ct);
        var tenants = $"(select distinct tenant_id from {AuditRegisters.SubjectsTable})";
        await Run(connection, tx, $"delete from {AuditRegisters.CountsTable} where metric = '{AuditRegisters.FirstSeenSubjects}' and tenant_id in {tenants}", ct);
        var counters = await Run(connection, tx, $"""
            with inserted as (
              insert into {AuditRegisters.CountsTable} (tenant_id, register, key, day, metric, label, n)
              select tenant_id, register, key, first_day, '{AuditRegisters.FirstSeenSubjects}', epoch, count(*)
              from (
                select tenant_id, register, key, min(day) as first_day,
                       {AuditRegisters.EpochOfPseudonymSql} as epoch
                from {AuditRegisters.SubjectsTable}
                group by tenant_id, register, key, pseudonym) firsts
              group by tenant_id, register, key, first_day, epoch
              returning 1)
            select count(*) from inserted
            """, ct);
        await Run(connection, tx, $"insert into {Table} (name, applied_at) values ('{FirstSeenCounters}', now())", ct);
        await tx.CommitAsync(ct);
        log.LogInformation("Register upgrade {Upgrade}: {Counters} first-seen subject counters written", FirstSeenCounters, counters);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    private static async Task<long> Run(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx) { CommandTimeout = 0 };
        return await command.ExecuteScalarAsync(ct) is long n ? n : 0;
    }
}
