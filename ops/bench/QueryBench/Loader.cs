using System.Diagnostics;
using System.Text;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Projections;
using Ngrtc.Audit.Protection;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Ingestion;
using Ngrtc.Audit.Service.Protection;
using Ngrtc.Audit.Service.Registers;
using Ngrtc.Audit.Service.Simulation;
using Npgsql;
using NpgsqlTypes;

namespace Ngrtc.Audit.Bench;

/// <summary>
/// Fills an empty database the way the service would have, without the service's ~5k events/s: SimulatedTraffic
/// CloudEvents, spread evenly over the last D days, read by the service's CloudEventReader and protected by its
/// EventProtection (real pseudonyms and ciphertexts, keys in the key store) into AuditEventRecorded; these go by
/// binary COPY into ngrtc.mt_events (one log stream per tenant, versions in order, as AuditAppender appends them).
/// The register rows are written by the projection's own code, as the service writes them: RegisterWrites per
/// tenant for each generated batch (500 events, ~125 per tenant, about what one ingestion transaction of 100-event
/// messages carries), its statements run in order; the consent ledger and its epochs as their projections evolve
/// them (bulk-inserted). Not written: the Marten documents of the all-time
/// /api/v1/exposure/recipients view, the idempotency keys and the integrity log (the service runs with the sealer off).
/// </summary>
public static class Loader
{

    public static async Task LoadAsync(Options options)
    {
        var connection = options.String("connection");
        var events = options.Long("events");
        var tenants = options.Int("tenants", 4);
        var subscribers = options.Int("subscribers", 25_000);
        var days = options.Int("days", 90);
        var seed = options.Int("seed", 1);
        await using var app = BenchStore.Host(connection, options.String("key", BenchStore.DefaultKey));
        var store = app.Services.GetRequiredService<IDocumentStore>();
        var protector = app.Services.GetRequiredService<FieldProtector>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var serializer = store.Options.Serializer();
        var dotnetType = $"{typeof(AuditEventRecorded).FullName}, {typeof(AuditEventRecorded).Assembly.GetName().Name}";

        var traffic = new SimulatedTraffic(seed, tenants, subscribers);
        var end = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
        var start = end.AddDays(-days);
        var step = TimeSpan.FromTicks((end - start).Ticks / events);
        const int Chunk = 500;

        var ledgers = new Dictionary<(string Tenant, string Id), ConsentLedger>();
        var consentEpochs = new Dictionary<string, ConsentEpochs>(StringComparer.Ordinal);
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        long registerStatements = 0;

        // No command timeout: completing a COPY of millions of rows (their index updates) takes longer than Npgsql's 30 s
        // default, and a 10,000,000-event load failed there at its very end.
        await using var source = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connection) { CommandTimeout = 0 }.ConnectionString);
        await using var copyConnection = await source.OpenConnectionAsync();
        await using var sqlConnection = await source.OpenConnectionAsync();
        await using (var streams = copyConnection.CreateCommand())
        {
            // The tenants' log streams first: mt_events references them.
            streams.CommandText =
                $"insert into {AuditStore.Schema}.mt_streams (id, tenant_id, version, timestamp, created, is_archived) " +
                "select $1, t, 0, now(), now(), false from unnest($2::text[]) t";
            streams.Parameters.AddWithValue(AuditAppender.TenantLog);
            streams.Parameters.AddWithValue(traffic.Tenants.ToArray());
            await streams.ExecuteNonQueryAsync();
        }

        // The register statements run on their own connection while the next events are generated and COPYed: one
        // batch at a time, in order (the next waits for the one before).
        var batch = new NpgsqlBatch(sqlConnection);
        Task running = Task.CompletedTask;
        static async Task Run(NpgsqlBatch statements)
        {
            await statements.ExecuteNonQueryAsync();
            await statements.DisposeAsync();
        }
        await using (var copy = await copyConnection.BeginBinaryImportAsync(
            $"COPY {AuditStore.Schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived) FROM STDIN (FORMAT BINARY)"))
        {
            long seq = 0;
            while (seq < events)
            {
                var size = (int)Math.Min(Chunk, events - seq);
                var now = start + step * seq;
                var read = CloudEventReader.Read(CloudEventContentTypes.Batch, traffic.NextBatch(now, size));
                var records = await EventProtection.RecordAsync([.. read.Items.Select(i => i.Event!)], protector, CancellationToken.None);
                var writes = new Dictionary<string, RegisterWrites>(StringComparer.Ordinal);
                foreach (var record in records)
                {
                    var tenant = record.Envelope.Tenant;
                    var version = versions[tenant] = versions.GetValueOrDefault(tenant) + 1;
                    await copy.StartRowAsync();
                    await copy.WriteAsync(++seq, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(Guid.CreateVersion7(record.Envelope.Time), NpgsqlDbType.Uuid);
                    await copy.WriteAsync(AuditAppender.TenantLog, NpgsqlDbType.Varchar);
                    await copy.WriteAsync(version, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(serializer.ToJson(record), NpgsqlDbType.Jsonb);
                    await copy.WriteAsync("audit_event_recorded", NpgsqlDbType.Varchar);
                    await copy.WriteAsync(record.Envelope.Time, NpgsqlDbType.TimestampTz);
                    await copy.WriteAsync(tenant, NpgsqlDbType.Varchar);
                    await copy.WriteAsync(dotnetType, NpgsqlDbType.Varchar);
                    await copy.WriteAsync(false, NpgsqlDbType.Boolean);

                    if (!writes.TryGetValue(tenant, out var tenantWrites))
                    {
                        writes[tenant] = tenantWrites = new RegisterWrites(tenant);
                    }

                    tenantWrites.Add(record);

                    // The consent ledger and its epochs, as ConsentLedgerProjection and ConsentEpochsProjection evolve them.
                    if (ConsentRecord.From(record) is { } consent)
                    {
                        var id = ConsentLedger.IdFor(consent.SubjectPseudonym, consent.Purpose, consent.Recipient);
                        if (!ledgers.TryGetValue((tenant, id), out var ledger))
                        {
                            ledgers[(tenant, id)] = ledger = new ConsentLedger
                            {
                                Id = id, SubjectPseudonym = consent.SubjectPseudonym, Purpose = consent.Purpose, Recipient = consent.Recipient,
                            };
                        }

                        ledger.Add(consent);
                        if (ConsentEpochs.EpochOf(consent.SubjectPseudonym) is { } epoch)
                        {
                            if (!consentEpochs.TryGetValue(tenant, out var epochs))
                            {
                                consentEpochs[tenant] = epochs = new ConsentEpochs();
                            }

                            epochs.Add(epoch);
                        }
                    }
                }

                foreach (var (sql, parameters) in writes.Values.SelectMany(w => w.Statements()))
                {
                    batch.BatchCommands.Add(Numbered(sql, parameters));
                    registerStatements++;
                }

                if (batch.BatchCommands.Count >= 200)
                {
                    await running;
                    running = Run(batch);
                    batch = new NpgsqlBatch(sqlConnection);
                }

                if (seq % 500_000 < Chunk)
                {
                    Output.Say($"load: {seq:N0} events, {clock.Elapsed.TotalSeconds:F0} s");
                }
            }

            await copy.CompleteAsync();
        }

        await running;
        if (batch.BatchCommands.Count > 0)
        {
            await Run(batch);
        }
        var eventsSeconds = clock.Elapsed.TotalSeconds;

        await using (var streams = copyConnection.CreateCommand())
        {
            streams.CommandText =
                $"""
                update {AuditStore.Schema}.mt_streams s set version = e.version
                from (select stream_id, tenant_id, max(version) as version from {AuditStore.Schema}.mt_events group by stream_id, tenant_id) e
                where s.id = e.stream_id and s.tenant_id = e.tenant_id;
                select setval('{AuditStore.Schema}.mt_events_sequence', (select max(seq_id) from {AuditStore.Schema}.mt_events));
                """;
            await streams.ExecuteNonQueryAsync();
        }

        // The projection wrote the first-seen and month counters: the service's start-up upgrade has nothing to do.
        await using (var mark = copyConnection.CreateCommand())
        {
            mark.CommandText = $"insert into {RegisterUpgrade.Table} (name, applied_at) select unnest($1::text[]), now()";
            mark.Parameters.AddWithValue(RegisterUpgrade.All);
            await mark.ExecuteNonQueryAsync();
        }

        foreach (var tenant in traffic.Tenants)
        {
            var tenantLedgers = ledgers.Where(l => l.Key.Tenant == tenant).Select(l => l.Value).ToList();
            await store.BulkInsertAsync(tenant, tenantLedgers);
            if (consentEpochs.TryGetValue(tenant, out var epochs))
            {
                await store.BulkInsertAsync(tenant, new[] { epochs });
            }
        }

        await using (var vacuum = copyConnection.CreateCommand())
        {
            vacuum.CommandText = "vacuum analyze";
            vacuum.CommandTimeout = 0;
            await vacuum.ExecuteNonQueryAsync();
        }

        long Rows(string table)
        {
            using var command = copyConnection.CreateCommand();
            command.CommandText = $"select count(*) from {table}";
            return (long)command.ExecuteScalar()!;
        }

        Output.Bench(new Dictionary<string, object?>
        {
            ["kind"] = "load",
            ["events"] = events,
            ["tenants"] = tenants,
            ["subscribers_per_tenant"] = subscribers,
            ["days"] = days,
            ["from"] = start.ToString("yyyy-MM-dd"),
            ["to"] = end.AddDays(-1).ToString("yyyy-MM-dd"),
            ["register_count_rows"] = Rows(AuditRegisters.CountsTable),
            ["register_subject_rows"] = Rows(AuditRegisters.SubjectsTable),
            ["consent_ledgers"] = ledgers.Count,
            ["register_statements"] = registerStatements,
            ["events_seconds"] = Math.Round(eventsSeconds, 1),
            ["total_seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
        });
    }

    /// <summary>The projection's <c>?</c>-placeholder SQL as a positional Npgsql command.</summary>
    private static NpgsqlBatchCommand Numbered(string sql, object[] parameters)
    {
        var text = new StringBuilder(sql.Length + 16);
        var n = 0;
        foreach (var c in sql)
        {
            if (c == '?')
            {
                text.Append('$').Append(++n);
            }
            else
            {
                text.Append(c);
            }
        }

        var command = new NpgsqlBatchCommand(text.ToString());
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        }

        return command;
    }
}
