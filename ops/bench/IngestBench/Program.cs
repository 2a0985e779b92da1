using System.Diagnostics;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ngrtc.Audit.Bench;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Protection;
using Npgsql;
using NpgsqlTypes;

// The ingestion benchmark's driver. Each command prints one machine-readable line
//   BENCH {"kind":...,...}
// that ops/bench/ingest collects; everything else on stdout/stderr is for people.
if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("""
        IngestBench baseline-marten --connection CS --events N [--key BASE64] [--warmup W] [--events-per-stream K]
        IngestBench baseline-copy   --connection CS --events N [--key BASE64]
        IngestBench run --connection CS --transport pg|rabbitmq|http --batch B --events N
                        [--rate R --seconds S] [--publishers P] [--warmup W] [--service-pid PID]
                        [--rabbitmq URI] [--exchange NAME] [--queue NAME] [--url URL] [--label TEXT]
        IngestBench publish --connection CS --transport pg|rabbitmq --batch B --events N   (no waiting)
        IngestBench drain --connection CS --events N [--service-pid-file FILE]   (time a pre-filled queue's drain)
        """);
    return 0;
}

var options = new Options(args[1..]);
try
{
    switch (args[0])
    {
        case "baseline-marten":
            await Baselines.MartenAsync(options);
            break;
        case "baseline-copy":
            await Baselines.CopyAsync(options);
            break;
        case "run":
            await Runs.RunAsync(options);
            break;
        case "publish":
            await Runs.PublishOnlyAsync(options);
            break;
        case "drain":
            await Runs.DrainAsync(options);
            break;
        case "cpu-path":
            await Baselines.CpuPath(options);
            break;
        default:
            Console.Error.WriteLine($"unknown command {args[0]}");
            return 2;
    }
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"IngestBench: {e.Message}");
    return 2;
}

return 0;

namespace Ngrtc.Audit.Bench
{
    /// <summary>Marten's raw batched append and Npgsql binary COPY: the ceilings the transports are compared with.</summary>
    internal static class Baselines
    {

        public static async Task MartenAsync(Options options)
        {
            var events = options.Long("events");
            var warmup = options.Long("warmup", 1000);
            var perStream = options.Int("events-per-stream", 1);
            const int perSave = 1000;
            await using var app = BenchStore.Host(options.String("connection"), options.String("key", BenchStore.DefaultKey));
            var store = app.Services.GetRequiredService<IDocumentStore>();
            var protector = app.Services.GetRequiredService<Ngrtc.Audit.Protection.FieldProtector>();
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();

            Output.Say($"baseline-marten: generating {events} + {warmup} records (not timed)");
            var warm = await Records.Generate(9, warmup, protector);
            var records = await Records.Generate(1, events, protector);
            await AppendAsync(store, warm, perSave, perStream);
            GC.Collect();

            await using var source = NpgsqlDataSource.Create(options.String("connection"));
            var appendFunction = await Db.AppendFunctionAsync(source);
            var cpu = CpuSnapshot.Take();
            var stopwatch = Stopwatch.StartNew();
            await AppendAsync(store, records, perSave, perStream);
            var elapsed = stopwatch.Elapsed;
            var used = CpuSnapshot.Take().Since(cpu, null);

            var stored = await Db.CountAsync(source);
            var result = new Dictionary<string, object?>
            {
                ["kind"] = "baseline-marten",
                ["events"] = events,
                ["stored"] = stored - warmup,
                ["seconds"] = Math.Round(elapsed.TotalSeconds, 3),
                ["events_per_s"] = Math.Round(events / elapsed.TotalSeconds, 0),
                ["per_save"] = perSave,
                ["events_per_stream"] = perStream,
                ["writers"] = 1,
            };
            Output.Cpu(result, used);
            await Db.AppendFunctionSinceAsync(source, appendFunction, result);
            await Db.ProjectionCheckAsync(source, result, waitForDaemon: false);
            Output.Bench(result);
        }

        // One writer, one lightweight session and one SaveChanges per 1,000 events, appended to each
        // tenant's log stream: AuditAppender's write without its key claim, validation or bus.
        // (events-per-stream > 1 is a reference point only: K events per new stream.)
        private static async Task AppendAsync(IDocumentStore store, List<Domain.AuditEventRecorded> records, int perSave, int perStream)
        {
            for (var offset = 0; offset < records.Count; offset += perSave)
            {
                var chunk = records.GetRange(offset, Math.Min(perSave, records.Count - offset));
                foreach (var tenant in chunk.GroupBy(r => r.Envelope.Tenant))
                {
                    await using var session = store.LightweightSession(tenant.Key);
                    if (perStream <= 1)
                    {
                        session.Events.Append(Ngrtc.Audit.Service.Ingestion.AuditAppender.TenantLog, [.. tenant.Cast<object>()]);
                    }
                    else
                    {
                        foreach (var stream in tenant.Chunk(perStream))
                        {
                            session.Events.StartStream($"{stream[0].Envelope.Source} {stream[0].Envelope.Id}", [.. stream.Cast<object>()]);
                        }
                    }

                    await session.SaveChangesAsync();
                }
            }
        }

        /// <summary>The service's CPU per event outside the database and the bus: read (parse + validate), record (pseudonyms), serialise.</summary>
        public static async Task CpuPath(Options options)
        {
            var events = options.Int("events", 100_000);
            var batch = options.Int("batch", 100);
            await using var app = BenchStore.Host(options.String("connection"), options.String("key", BenchStore.DefaultKey));
            var serializer = app.Services.GetRequiredService<IDocumentStore>().Options.Serializer();
            var protector = app.Services.GetRequiredService<Ngrtc.Audit.Protection.FieldProtector>();
            await app.Services.GetRequiredService<IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            var traffic = new Ngrtc.Audit.Service.Simulation.SimulatedTraffic(3);
            var now = DateTimeOffset.UtcNow;
            var bodies = Enumerable.Range(0, events / batch).Select(_ => traffic.NextBatch(now, batch)).ToList();
            for (var round = 0; round < 3; round++)
            {
                var read = Stopwatch.StartNew();
                var items = new List<Ngrtc.Audit.Service.Ingestion.IncomingEvent>(events);
                foreach (var body in bodies)
                {
                    items.AddRange(Ngrtc.Audit.Service.Ingestion.CloudEventReader.Read(Ngrtc.Audit.Contracts.CloudEventContentTypes.Batch, body).Items.Select(i => i.Event!));
                }

                var readS = read.Elapsed.TotalSeconds;
                var record = Stopwatch.StartNew();
                var records = (await EventProtection.RecordAsync(items, protector, CancellationToken.None)).ToList();
                var recordS = record.Elapsed.TotalSeconds;
                var protect = Stopwatch.StartNew();
                var requests = new List<Ngrtc.Audit.Protection.ProtectionRequest>(events * 2);
                foreach (var e in items)
                {
                    var eventId = EventProtection.AssociatedEventId(e.Envelope);
                    foreach (var (path, kind, value) in EventProtection.PersonalValues(e.Descriptor, e.Data))
                    {
                        requests.Add(new(e.Envelope.Tenant, eventId, e.Envelope.Time, path, kind, value));
                    }
                }

                await protector.ProtectAsync(requests, CancellationToken.None);
                var protectS = protect.Elapsed.TotalSeconds;
                var serialize = Stopwatch.StartNew();
                long bytes = 0;
                foreach (var r in records)
                {
                    bytes += serializer.ToJson(r).Length;
                }

                var serializeS = serialize.Elapsed.TotalSeconds;
                Output.Say($"round {round}: read {readS * 1e6 / events:F1} us/event, record {recordS * 1e6 / events:F1} (of which protect alone {protectS * 1e6 / events:F1}, {requests.Count / (double)events:F1} values/event), serialize {serializeS * 1e6 / events:F1} ({bytes / events} chars)");
            }
        }

        public static async Task CopyAsync(Options options)
        {
            var events = options.Long("events");
            var connection = options.String("connection");
            await using var app = BenchStore.Host(connection, options.String("key", BenchStore.DefaultKey));
            var store = app.Services.GetRequiredService<IDocumentStore>();
            var serializer = store.Options.Serializer();
            var protector = app.Services.GetRequiredService<Ngrtc.Audit.Protection.FieldProtector>();

            await using var source = NpgsqlDataSource.Create(connection);
            await using (var create = source.CreateCommand(Db.CopyTableDdl))
            {
                await create.ExecuteNonQueryAsync();
            }

            // The protector keeps its keys in the store's schema: it must exist (the COPY itself goes to bench_copy).
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            Output.Say($"baseline-copy: generating {events} records (not timed)");
            var records = await Records.Generate(1, events, protector);
            var dotnetType = $"{typeof(Domain.AuditEventRecorded).FullName}, {typeof(Domain.AuditEventRecorded).Assembly.GetName().Name}";

            // The JSON as Marten writes it (the store's own serializer), made before the clock starts and
            // timed on its own: the COPY measures what PostgreSQL takes, not one client thread's serializer.
            var serializing = Stopwatch.StartNew();
            var rows = records.Select(r => (Key: Ngrtc.Audit.Service.Ingestion.AuditAppender.TenantLog, Tenant: r.Envelope.Tenant, Json: serializer.ToJson(r))).ToList();
            var serializeSeconds = serializing.Elapsed.TotalSeconds;
            records.Clear();
            GC.Collect();

            var cpu = CpuSnapshot.Take();
            var stopwatch = Stopwatch.StartNew();
            await using (var conn = await source.OpenConnectionAsync())
            {
                // One COPY for all rows.
                await using var copy = await conn.BeginBinaryImportAsync(
                    "COPY bench_copy.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived) FROM STDIN (FORMAT BINARY)");
                long seq = 0;
                var now = DateTimeOffset.UtcNow;
                foreach (var row in rows)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(++seq, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                    await copy.WriteAsync(row.Key, NpgsqlDbType.Varchar);
                    await copy.WriteAsync(seq, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(row.Json, NpgsqlDbType.Jsonb);
                    await copy.WriteAsync("audit_event_recorded", NpgsqlDbType.Varchar);
                    await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
                    await copy.WriteAsync(row.Tenant, NpgsqlDbType.Varchar);
                    await copy.WriteAsync(dotnetType, NpgsqlDbType.Varchar);
                    await copy.WriteAsync(false, NpgsqlDbType.Boolean);
                }

                await copy.CompleteAsync();
            }

            var elapsed = stopwatch.Elapsed;
            var used = CpuSnapshot.Take().Since(cpu, null);
            await using var count = source.CreateCommand("select count(*) from bench_copy.mt_events");
            var stored = (long)(await count.ExecuteScalarAsync())!;
            var result = new Dictionary<string, object?>
            {
                ["kind"] = "baseline-copy",
                ["events"] = events,
                ["stored"] = stored,
                ["seconds"] = Math.Round(elapsed.TotalSeconds, 3),
                ["events_per_s"] = Math.Round(events / elapsed.TotalSeconds, 0),
                ["serialize_s"] = Math.Round(serializeSeconds, 3),
                ["json_bytes_avg"] = Math.Round(rows.Average(r => (double)r.Json.Length), 0),
            };
            Output.Cpu(result, used);
            Output.Bench(result);
        }
    }
}
