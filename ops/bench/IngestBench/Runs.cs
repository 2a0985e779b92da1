using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Service.Simulation;
using Npgsql;

namespace Ngrtc.Audit.Bench;

/// <summary>Publishes with the service's own simulator (SimulationRun + AuditPublishers) and times storage.</summary>
internal static class Runs
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(120);

    private static SimulationTargets Targets(Options o) => new(
        o.String("connection"),
        o.String("pg-queue", "audit_ingest"),
        new Uri(o.String("rabbitmq", "amqp://guest:guest@127.0.0.1:5672")),
        o.String("exchange", "ngrtc.audit.bench"),
        new Uri(o.String("url", "http://127.0.0.1:5090")))
    {
        // HTTP emitters' tokens: ops/bench/ingest gives the service and this driver the run's key (Ngrtc__Auth__*).
        Tokens = EmitterTokens.From(new ConfigurationBuilder().AddEnvironmentVariables().Build()),
    };

    public static async Task RunAsync(Options o)
    {
        var transport = o.String("transport");
        var batch = o.Int("batch");
        var rate = o.Int("rate", 0);
        var seconds = o.Optional("seconds") is null ? (int?)null : o.Int("seconds");
        var events = o.Optional("events") is null ? (long?)null : o.Long("events");
        if (events is null && seconds is null)
        {
            throw new ArgumentException("give --events or --seconds");
        }

        var publishers = o.Int("publishers", 8);
        // The JIT recompiles hot code in the background for tens of seconds after start-up (with 1,000 warm-up events,
        // ~20% of the service's CPU in a 50 s measurement went to it), so a run warms up on a tenth of its events, at
        // least 1,000: what it measures is sustained ingestion, as a long-running service does it.
        var warmupEvents = o.Long("warmup", Math.Max(1000, (events ?? 0) / 10));
        var servicePid = o.Optional("service-pid") is null ? (int?)null : o.Int("service-pid");

        await using var source = NpgsqlDataSource.Create(o.String("connection"));
        var inner = await AuditPublishers.CreateAsync(transport, Targets(o), CancellationToken.None);
        var publisher = new CountingPublisher(inner);
        try
        {
            // Events already there (none in the fresh database the script makes; counted in case).
            var before = await Db.CountAsync(source);

            // Warm-up (not timed): JIT, Wolverine's runtime code generation, connection pools, on both sides.
            var warm = await SimulationRun.RunAsync(
                new SimulationPlan(0, null, warmupEvents, batch, publishers, 1, 9), publisher, TimeProvider.System, CancellationToken.None);
            var warmWait = Stopwatch.StartNew();
            while (await Db.CountAsync(source) < before + warm.Events)
            {
                if (warmWait.Elapsed > StallLimit)
                {
                    throw new TimeoutException($"warm-up: {warm.Events} events not stored within {StallLimit.TotalSeconds} s");
                }

                await Task.Delay(Poll);
            }

            Output.Say($"{transport} batch {batch}: warm-up of {warm.Events} events stored in {warmWait.Elapsed.TotalSeconds:F1} s; measuring");
            publisher.Reset();

            var from = DateTimeOffset.UtcNow.AddMilliseconds(-1);
            var appendFunction = await Db.AppendFunctionAsync(source);
            var cpu = CpuSnapshot.Take();
            var plan = new SimulationPlan(rate, seconds is { } s ? TimeSpan.FromSeconds(s) : null, events, batch, publishers, 1, 1);
            // SimulationRun gives each publisher total / publishers events.
            long? expected = events is { } n ? Math.Max(1, n / publishers) * publishers : null;
            var publishing = SimulationRun.RunAsync(plan, publisher, TimeProvider.System, CancellationToken.None);

            var stall = Stopwatch.StartNew();
            long lastLogged = -1;
            double? publishedAt = null;
            long? backlogAtPublishEnd = null;
            var nextReport = TimeSpan.FromSeconds(5);
            double storedAt;
            long target;
            while (true)
            {
                await Task.Delay(Poll);
                if (publishing.IsFaulted)
                {
                    await publishing; // throws
                }

                var logged = await Db.LogCountAsync(source);
                long? known = expected ?? (publishing.IsCompletedSuccessfully ? publishing.Result.Events : null);
                if (publishing.IsCompletedSuccessfully && publishedAt is null)
                {
                    publishedAt = publisher.Elapsed.TotalSeconds;
                    backlogAtPublishEnd = Math.Max(0, before + warm.Events + publishing.Result.Events - logged);
                    known = publishing.Result.Events;
                }

                if (known is { } k && logged >= before + warm.Events + k)
                {
                    var probeAt = publisher.Elapsed.TotalSeconds; // the count's snapshot is taken at its start
                    if (await Db.CountAsync(source) >= before + warm.Events + k)
                    {
                        storedAt = probeAt;
                        target = k;
                        break;
                    }
                }

                if (logged != lastLogged)
                {
                    lastLogged = logged;
                    stall.Restart();
                }
                else if (stall.Elapsed > StallLimit)
                {
                    throw new TimeoutException($"no progress for {StallLimit.TotalSeconds} s at about {logged - before - warm.Events} events stored");
                }

                if (publisher.Elapsed > nextReport)
                {
                    nextReport += TimeSpan.FromSeconds(5);
                    Output.Say($"  t={publisher.Elapsed.TotalSeconds:F0} s published {publisher.Events} stored {Math.Max(0, logged - before - warm.Events)}");
                }
            }

            var used = CpuSnapshot.Take().Since(cpu, servicePid);
            await publishing;
            publishedAt ??= publisher.Elapsed.TotalSeconds;
            var result = new Dictionary<string, object?>
            {
                ["kind"] = "run",
                ["transport"] = transport,
                ["batch"] = batch,
                ["publishers"] = publishers,
                ["rate_target"] = rate,
                ["events"] = target,
                ["seconds"] = Math.Round(storedAt, 3),
                ["events_per_s"] = Math.Round(target / storedAt, 0),
                ["publish_seconds"] = publishedAt is { } p ? Math.Round(p, 3) : null,
                ["backlog_at_publish_end"] = backlogAtPublishEnd,
                ["warmup_events"] = warm.Events,
            };
            Output.Cpu(result, used);
            await Db.AppendFunctionSinceAsync(source, appendFunction, result);
            if (rate > 0)
            {
                await using var latency = source.CreateCommand(Db.LatencySql);
                latency.Parameters.AddWithValue(from);
                latency.CommandTimeout = 300;
                await using var reader = await latency.ExecuteReaderAsync();
                await reader.ReadAsync();
                result["latency_n"] = reader.GetInt64(0);
                result["p50_ms"] = Math.Round(reader.GetDouble(1), 1);
                result["p99_ms"] = Math.Round(reader.GetDouble(2), 1);
                result["max_ms"] = Math.Round(reader.GetDouble(3), 1);
                result["min_ms"] = Math.Round(reader.GetDouble(4), 1);
                result["achieved_rate"] = Math.Round(target / (publishedAt ?? storedAt), 0);
            }

            await Db.ProjectionCheckAsync(source, result);
            Output.Bench(result);
        }
        finally
        {
            await inner.DisposeAsync();
        }
    }

    /// <summary>Publishes only (for timing the service's drain of a pre-filled queue separately).</summary>
    public static async Task PublishOnlyAsync(Options o)
    {
        var transport = o.String("transport");
        var batch = o.Int("batch");
        var events = o.Long("events");
        var publishers = o.Int("publishers", 8);
        var inner = await AuditPublishers.CreateAsync(transport, Targets(o), CancellationToken.None);
        var publisher = new CountingPublisher(inner);
        SimulationResult result;
        var cpu = CpuSnapshot.Take();
        Dictionary<string, double> used;
        try
        {
            result = await SimulationRun.RunAsync(new SimulationPlan(0, null, events, batch, publishers, 1, 1), publisher, TimeProvider.System, CancellationToken.None);
            if (transport is "pg" or "postgresql")
            {
                // Wolverine's sender moves messages into the queue table in the background: wait until all are there.
                await using var source = NpgsqlDataSource.Create(o.String("connection"));
                var table = $"wolverine_queues.wolverine_queue_{o.String("pg-queue", "audit_ingest")}";
                var wait = Stopwatch.StartNew();
                while (true)
                {
                    await using var command = source.CreateCommand($"select count(*) from {table}");
                    var queued = (long)(await command.ExecuteScalarAsync())!;
                    if (queued >= result.Messages)
                    {
                        break;
                    }

                    if (wait.Elapsed > StallLimit)
                    {
                        throw new TimeoutException($"only {queued} of {result.Messages} messages reached {table}");
                    }

                    await Task.Delay(Poll);
                }
            }

            used = CpuSnapshot.Take().Since(cpu, null);
        }
        finally
        {
            await inner.DisposeAsync();
        }

        var elapsed = publisher.Elapsed.TotalSeconds;
        var output = new Dictionary<string, object?>
        {
            ["kind"] = "publish",
            ["transport"] = transport,
            ["batch"] = batch,
            ["events"] = result.Events,
            ["messages"] = result.Messages,
            ["seconds"] = Math.Round(elapsed, 3),
            ["events_per_s"] = Math.Round(result.Events / elapsed, 0),
        };
        Output.Cpu(output, used);
        Output.Bench(output);
    }

    /// <summary>
    /// Times a service draining a pre-filled queue: from the first stored event until all N are stored.
    /// Start it before the service; the script writes the service's pid to --service-pid-file once it runs.
    /// </summary>
    public static async Task DrainAsync(Options o)
    {
        var events = o.Long("events");
        var pidFile = o.Optional("service-pid-file");
        await using var source = NpgsqlDataSource.Create(o.String("connection"));
        var before = await Db.CountAsync(source);
        var appendFunction = await Db.AppendFunctionAsync(source);
        var cpu = CpuSnapshot.Take();
        var clock = Stopwatch.StartNew();
        Output.Say($"drain: waiting for the service to store {events} events");
        double? firstAt = null;
        var stall = Stopwatch.StartNew();
        long lastLogged = -1;
        while (true)
        {
            await Task.Delay(Poll);
            var probeAt = clock.Elapsed.TotalSeconds;
            var logged = await Db.LogCountAsync(source);
            if (logged > before && firstAt is null)
            {
                firstAt = probeAt;
                cpu = CpuSnapshot.Take();
            }

            if (logged >= before + events && await Db.CountAsync(source) >= before + events)
            {
                var seconds = probeAt - firstAt!.Value;
                int? servicePid = pidFile is not null && File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid) ? pid : null;
                var result = new Dictionary<string, object?>
                {
                    ["kind"] = "drain",
                    ["events"] = events,
                    ["seconds"] = Math.Round(seconds, 3),
                    ["events_per_s"] = Math.Round(events / seconds, 0),
                };
                Output.Cpu(result, CpuSnapshot.Take().Since(cpu, servicePid));
                await Db.AppendFunctionSinceAsync(source, appendFunction, result);
                await Db.ProjectionCheckAsync(source, result);
                Output.Bench(result);
                return;
            }

            if (logged != lastLogged)
            {
                lastLogged = logged;
                stall.Restart();
            }
            else if (stall.Elapsed > StallLimit + StallLimit)
            {
                throw new TimeoutException($"drain: no progress for {2 * StallLimit.TotalSeconds} s at about {logged - before} events");
            }
        }
    }
}

/// <summary>Counts what the simulator publishes and remembers when it first published.</summary>
internal sealed class CountingPublisher(IAuditPublisher inner) : IAuditPublisher
{
    private long _events;
    private long _firstTimestamp;

    public long Events => Interlocked.Read(ref _events);

    /// <summary>Time since the first publish (zero before it).</summary>
    public TimeSpan Elapsed => Interlocked.Read(ref _firstTimestamp) is var t and not 0 ? Stopwatch.GetElapsedTime(t) : TimeSpan.Zero;

    public void Reset()
    {
        Interlocked.Exchange(ref _events, 0);
        Interlocked.Exchange(ref _firstTimestamp, 0);
    }

    public async Task PublishAsync(AuditEventMessage message, CancellationToken ct)
    {
        Interlocked.CompareExchange(ref _firstTimestamp, Stopwatch.GetTimestamp(), 0);
        await inner.PublishAsync(message, ct);
        Interlocked.Add(ref _events, message.ContentType == CloudEventContentTypes.Single ? 1 : CountEvents(message.Body));
    }

    private static long CountEvents(string body)
    {
        long count = 0;
        for (var i = body.IndexOf("\"specversion\"", StringComparison.Ordinal); i >= 0; i = body.IndexOf("\"specversion\"", i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    // The inner publisher is disposed by whoever created it.
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
