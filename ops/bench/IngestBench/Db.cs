using Npgsql;

namespace Ngrtc.Audit.Bench;

/// <summary>The SQL the driver measures with.</summary>
internal static class Db
{
    /// <summary>The brief's definition of "stored": rows of the service's event type in mt_events.</summary>
    public const string CountSql = "select count(*) from ngrtc.mt_events where type = 'audit_event_recorded'";

    /// <summary>
    /// A cheap running count: the sum of the tenants' log stream versions, i.e. the audit events committed to the
    /// tenant logs (one index row per tenant). The exact count scans mt_events (hundreds of ms at a million rows),
    /// so it only runs once this says the target has been reached; polling it every 100 ms would load the database
    /// under test. (Until 2026-11-28 the bound was the event sequence, which other event types — consent
    /// violations — also advance: the scan then ran every poll for the last ~10% of a run.)
    /// </summary>
    public const string LogCountSql = $"select coalesce(sum(version), 0)::bigint from ngrtc.mt_streams where id = '{Ngrtc.Audit.Service.Ingestion.AuditAppender.TenantLog}'";

    /// <summary>mt_events' columns (conjoined tenancy, string stream keys), no keys, no indexes.</summary>
    public const string CopyTableDdl = """
        create schema if not exists bench_copy;
        drop table if exists bench_copy.mt_events;
        create table bench_copy.mt_events (
            seq_id bigint not null,
            id uuid not null,
            stream_id varchar not null,
            version bigint not null,
            data jsonb not null,
            type varchar(500) not null,
            timestamp timestamptz not null default now(),
            tenant_id varchar not null default '*DEFAULT*',
            mt_dotnet_type varchar,
            bdata bytea,
            is_archived bool default false);
        """;

    /// <summary>p50/p99 of publish→stored: mt_events.timestamp minus the envelope time the publisher set.</summary>
    public const string LatencySql = """
        with l as (
            select extract(epoch from (e.timestamp - (e.data -> 'envelope' ->> 'time')::timestamptz)) * 1000 as ms
            from ngrtc.mt_events e
            where e.type = 'audit_event_recorded' and (e.data -> 'envelope' ->> 'time')::timestamptz >= $1)
        select count(*),
               percentile_cont(0.5) within group (order by ms),
               percentile_cont(0.99) within group (order by ms),
               max(ms),
               min(ms)
        from l
        """;

    /// <summary>
    /// Calls of Marten's append function and the wall time spent inside it, when the database tracks
    /// function statistics (the script sets track_functions = 'pl' on the bench database). Cumulative.
    /// </summary>
    public static async Task<(long Calls, double Milliseconds)> AppendFunctionAsync(NpgsqlDataSource source)
    {
        await using var command = source.CreateCommand(
            "select coalesce(sum(calls), 0)::bigint, coalesce(sum(self_time), 0)::float8 from pg_stat_user_functions where funcname = 'mt_quick_append_events'");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetDouble(1));
    }

    /// <summary>Adds the append function's calls and time since <paramref name="before"/> (after letting backends report).</summary>
    public static async Task AppendFunctionSinceAsync(NpgsqlDataSource source, (long Calls, double Milliseconds) before, Dictionary<string, object?> into)
    {
        // Backends report function statistics at most once a second.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var after = await AppendFunctionAsync(source);
        if (after.Calls > before.Calls)
        {
            into["append_fn_calls"] = after.Calls - before.Calls;
            into["append_fn_s"] = Math.Round((after.Milliseconds - before.Milliseconds) / 1000, 2);
        }
    }

    public static async Task<long> CountAsync(NpgsqlDataSource source)
    {
        await using var command = source.CreateCommand(CountSql);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public static async Task<long> LogCountAsync(NpgsqlDataSource source)
    {
        try
        {
            await using var command = source.CreateCommand(LogCountSql);
            return (long)(await command.ExecuteScalarAsync())!;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0;
        }
    }

    /// <summary>
    /// The async projections' view of the run next to the events': disclosures counted by the exposure
    /// register (summed over recipients) against disclosure events stored. With a running service the
    /// daemon is given up to two minutes to catch up, and the wait is reported (projection_lag_s).
    /// </summary>
    public static async Task ProjectionCheckAsync(NpgsqlDataSource source, Dictionary<string, object?> into, bool waitForDaemon = true)
    {
        try
        {
            await using var events = source.CreateCommand(
                "select count(*) from ngrtc.mt_events where type = 'audit_event_recorded' and data -> 'envelope' ->> 'type' = 'ngrtc.exposure.disclosed.v1'");
            var disclosures = (long)(await events.ExecuteScalarAsync())!;
            into["disclosure_events"] = disclosures;
            var waited = System.Diagnostics.Stopwatch.StartNew();
            long counted;
            while (true)
            {
                await using var register = source.CreateCommand(
                    "select coalesce(sum((data ->> 'disclosures')::bigint), 0)::bigint from ngrtc.mt_doc_exposureregister");
                counted = (long)(await register.ExecuteScalarAsync())!;
                if (!waitForDaemon || counted >= disclosures || waited.Elapsed > TimeSpan.FromMinutes(2))
                {
                    break;
                }

                await Task.Delay(200);
            }

            into["register_disclosures"] = counted;
            into["projection_lag_s"] = waitForDaemon ? Math.Round(waited.Elapsed.TotalSeconds, 1) : null;
        }
        catch (PostgresException e)
        {
            into["projection_check_error"] = e.MessageText;
        }
    }
}
