using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ngrtc.Audit.Bench;
using Ngrtc.Audit.Integrity;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Integrity;
using Npgsql;
using NpgsqlTypes;

// The integrity benchmark's driver (ops/bench/verify). Each command prints one machine-readable line
//   BENCH {"kind":...,...}
// that the script collects; everything else (stderr) is for people. No personal data is ever printed:
// events are counted, hashed and timed, never shown.
if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("""
        VerifyBench load     --connection CS --events N [--key BASE64] [--seed S] [--chunk C]
        VerifyBench catchup  --connection CS --events N [--timeout-seconds T]   (time the running service's sealer to N)
        VerifyBench verify   --connection CS --jwks FILE [--rounds R]           (full verification vs raw SHA-256)
        VerifyBench proofs   --connection CS --url URL [--requests N] [--warmup W] [--seed S]
        VerifyBench lag      --connection CS --rate R --seconds S [--tenants K] [--key BASE64] [--batch-ms M] [--service-pid PID]
        """);
    return 0;
}

Output.Tag = "verify-bench";
var options = new Options(args[1..]);
try
{
    switch (args[0])
    {
        case "load":
            await Commands.LoadAsync(options);
            break;
        case "catchup":
            await Commands.CatchUpAsync(options);
            break;
        case "verify":
            await Commands.VerifyAsync(options);
            break;
        case "proofs":
            await Commands.ProofsAsync(options);
            break;
        case "lag":
            await Commands.LagAsync(options);
            break;
        default:
            Console.Error.WriteLine($"unknown command {args[0]}");
            return 2;
    }
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"VerifyBench: {e.Message}");
    return 2;
}

return 0;

namespace Ngrtc.Audit.Bench
{
    internal static class Commands
    {

        /// <summary>
        /// Realistic stored events: SimulatedTraffic through the service's CloudEventReader and EventProtection
        /// (pseudonyms, AES-GCM ciphertexts and their digests), serialised by the store's own serializer: the
        /// mt_events.data the service writes. Made in chunks with their own seeds (event ids sim-SEED-N stay unique).
        /// </summary>
        private static async IAsyncEnumerable<List<(string Tenant, string Json)>> StoredEventsAsync(WebApplication host, long events, int seed, int chunk)
        {
            var serializer = host.Services.GetRequiredService<IDocumentStore>().Options.Serializer();
            var protector = host.Services.GetRequiredService<Ngrtc.Audit.Protection.FieldProtector>();
            for (long made = 0, k = 0; made < events; k++)
            {
                var n = (int)Math.Min(chunk, events - made);
                var records = await Records.Generate(seed + (int)k, n, protector);
                yield return [.. records.Select(r => (r.Envelope.Tenant, serializer.ToJson(r)))];
                made += n;
            }
        }

        public static async Task LoadAsync(Options options)
        {
            var events = options.Long("events");
            var connection = options.String("connection");
            await using var host = BenchStore.Host(connection, options.String("key", BenchStore.DefaultKey));
            await host.Services.GetRequiredService<IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            await using var source = NpgsqlDataSource.Create(connection);
            var writer = new LogWriter(source);
            var stopwatch = Stopwatch.StartNew();
            double writing = 0;
            long bytes = 0;
            long written = 0;
            await foreach (var chunk in StoredEventsAsync(host, events, options.Int("seed", 1000), options.Int("chunk", 50_000)))
            {
                var started = Stopwatch.GetTimestamp();
                foreach (var tenant in chunk.GroupBy(e => e.Tenant))
                {
                    await writer.AppendAsync(tenant.Key, [.. tenant.Select(e => e.Json)]);
                }

                writing += Stopwatch.GetElapsedTime(started).TotalSeconds;
                bytes += chunk.Sum(e => (long)e.Json.Length);
                written += chunk.Count;
                Output.Say($"load: {written:N0} / {events:N0} events stored");
            }

            Output.Bench(new Dictionary<string, object?>
            {
                ["kind"] = "load",
                ["events"] = written,
                ["seconds"] = Math.Round(stopwatch.Elapsed.TotalSeconds, 1),
                ["copy_seconds"] = Math.Round(writing, 1),
                ["json_chars_avg"] = Math.Round(bytes / (double)Math.Max(1, written), 0),
            });
        }

        /// <summary>Sealer catch-up: the running service seals a backlog; throughput from its first sealed batch to the last.</summary>
        public static async Task CatchUpAsync(Options options)
        {
            var events = options.Long("events");
            var timeout = TimeSpan.FromSeconds(options.Long("timeout-seconds", 1800));
            await using var source = NpgsqlDataSource.Create(options.String("connection"));
            var clock = Stopwatch.StartNew();
            (double At, long Size)? first = null;
            (double At, long Size) last = (0, 0);
            while (clock.Elapsed < timeout)
            {
                var size = (await SealedSizesAsync(source)).Values.Sum();
                var at = clock.Elapsed.TotalSeconds;
                if (size > 0 && first is null)
                {
                    first = (at, size);
                }

                last = (at, size);
                if (size >= events)
                {
                    break;
                }

                await Task.Delay(50);
            }

            if (first is null || last.Size < events)
            {
                throw new InvalidOperationException($"the sealer reached {last.Size} of {events} events within {timeout}");
            }

            if (last.At <= first.Value.At)
            {
                throw new InvalidOperationException(
                    $"the sealer had sealed {first.Value.Size} of {events} events when first seen: nothing left to time (load more events)");
            }

            var sealedInWindow = last.Size - first.Value.Size;
            var seconds = last.At - first.Value.At;
            Output.Bench(new Dictionary<string, object?>
            {
                ["kind"] = "catchup",
                ["events"] = events,
                ["first_seen_size"] = first.Value.Size,
                ["seconds"] = Math.Round(seconds, 2),
                ["events_per_s"] = Math.Round(sealedInWindow / seconds, 0),
            });
        }

        /// <summary>
        /// Full verification (VerifyLog.RunAsync, what `verify --db` runs) against raw SHA-256 of the same leaves'
        /// canonical bytes, precomputed and hashed in memory on one thread; rounds interleave the two. Also, for
        /// where the time goes, the leaf computation alone from stored JSON already in memory: the two-pass
        /// definition (Leaves.Document, parsed again and canonicalized) and the one-pass path, on one thread, and
        /// the one-pass path on every core.
        /// </summary>
        public static async Task VerifyAsync(Options options)
        {
            var rounds = options.Int("rounds", 3);
            await using var source = NpgsqlDataSource.Create(options.String("connection"));
            var verifier = TreeHeadVerifier.FromJwks(await File.ReadAllTextAsync(options.String("jwks")));

            Output.Say("verify: reading the stored events and their canonical leaf bytes into memory (not timed)");
            var stored = new List<byte[]>();
            await using (var command = source.CreateCommand($"select data from {AuditStore.Schema}.mt_events where stream_id = 'audit-log' order by tenant_id, version"))
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    stored.Add(reader.GetFieldValue<byte[]>(0));
                }
            }

            var canonical = new System.Buffers.ArrayBufferWriter<byte>(stored.Count * 800);
            var offsets = new int[stored.Count + 1];
            for (var i = 0; i < stored.Count; i++)
            {
                using var document = JsonDocument.Parse(stored[i]);
                Leaves.CanonicalBytes(document.RootElement, canonical);
                offsets[i + 1] = canonical.WrittenCount;
            }

            var leafBytes = canonical.WrittenMemory;
            var events = stored.Count;
            Output.Say($"verify: {events:N0} events, {leafBytes.Length / (double)events:F0} canonical bytes per leaf on average");

            var raw = new List<double>();
            var full = new List<double>();
            var legacy = new List<double>();
            var readAlone = new List<double>();
            var twoPass = new List<double>();
            var onePass = new List<double>();
            var onePassParallel = new List<double>();
            byte[] rawCheck = [];
            for (var round = 0; round < rounds + 1; round++)
            {
                var warm = round == 0;
                GC.Collect();

                var t = Stopwatch.StartNew();
                rawCheck = RawHash(leafBytes.Span, offsets);
                Record(raw, t, "raw SHA-256, 1 thread");

                GC.Collect();
                t.Restart();
                var results = await VerifyLog.RunAsync(source, verifier, CancellationToken.None);
                Record(full, t, "full verification");
                if (results.Any(r => !r.Clean) || results.Sum(r => r.Events) != events)
                {
                    throw new InvalidOperationException($"verification did not pass cleanly: {string.Join("; ", results.Select(r => r.Problem ?? $"{r.Events} events"))}");
                }

                GC.Collect();
                t.Restart();
                var read = await ReadAloneAsync(source);
                Record(readAlone, t, "reading the rows alone");
                if (read != events)
                {
                    throw new InvalidOperationException($"read {read} rows of {events}");
                }

                GC.Collect();
                t.Restart();
                var legacyEvents = await LegacyVerify.RunAsync(source);
                Record(legacy, t, "full verification as before this change");
                if (legacyEvents != events)
                {
                    throw new InvalidOperationException($"the earlier verification saw {legacyEvents} good leaves of {events}");
                }

                GC.Collect();
                t.Restart();
                var leaves = new byte[events * MerkleHash.Size];
                for (var i = 0; i < events; i++)
                {
                    using var document = JsonDocument.Parse(stored[i]);
                    using var leaf = JsonDocument.Parse(Leaves.Document(document.RootElement));
                    new LeafHasher().Hash(leaf.RootElement, leaves.AsSpan(i * MerkleHash.Size, MerkleHash.Size));
                }

                Record(twoPass, t, "leaves two-pass, 1 thread");
                CheckSame(leaves, rawCheck, "two-pass");

                GC.Collect();
                t.Restart();
                for (var i = 0; i < events; i++)
                {
                    Leaves.Hash(stored[i], leaves.AsSpan(i * MerkleHash.Size, MerkleHash.Size));
                }

                Record(onePass, t, "leaves one-pass, 1 thread");
                CheckSame(leaves, rawCheck, "one-pass");

                GC.Collect();
                t.Restart();
                Leaves.HashMany(stored, leaves, new string?[events]);
                Record(onePassParallel, t, $"leaves one-pass, {Environment.ProcessorCount} threads");
                CheckSame(leaves, rawCheck, "one-pass parallel");

                void Record(List<double> into, Stopwatch timer, string what)
                {
                    var seconds = timer.Elapsed.TotalSeconds;
                    Output.Say($"verify: round {round}{(warm ? " (warm-up)" : "")}: {what}: {seconds:F3} s, {events / seconds:N0} events/s");
                    if (!warm)
                    {
                        into.Add(seconds);
                    }
                }
            }

            double Rate(List<double> seconds) => Math.Round(events / Output.Median(seconds), 0);
            Output.Bench(new Dictionary<string, object?>
            {
                ["kind"] = "verify",
                ["events"] = events,
                ["rounds"] = rounds,
                ["canonical_bytes_avg"] = Math.Round(leafBytes.Length / (double)events, 0),
                ["stored_bytes_avg"] = Math.Round(stored.Average(s => (double)s.Length), 0),
                ["raw_events_per_s"] = Rate(raw),
                ["raw_mb_per_s"] = Math.Round(leafBytes.Length / Output.Median(raw) / 1e6, 0),
                ["verify_events_per_s"] = Rate(full),
                ["verify_seconds"] = Math.Round(Output.Median(full), 3),
                ["verify_seconds_all"] = full.Select(s => Math.Round(s, 3)).ToArray(),
                ["raw_seconds_all"] = raw.Select(s => Math.Round(s, 3)).ToArray(),
                ["ratio"] = Math.Round(Output.Median(raw) / Output.Median(full), 3),
                ["read_events_per_s"] = Rate(readAlone),
                ["read_seconds_all"] = readAlone.Select(s => Math.Round(s, 3)).ToArray(),
                ["legacy_events_per_s"] = Rate(legacy),
                ["legacy_seconds_all"] = legacy.Select(s => Math.Round(s, 3)).ToArray(),
                ["two_pass_events_per_s"] = Rate(twoPass),
                ["one_pass_events_per_s"] = Rate(onePass),
                ["one_pass_parallel_events_per_s"] = Rate(onePassParallel),
                ["threads"] = Environment.ProcessorCount,
            });
        }

        /// <summary>
        /// VerifyLog's own query per tenant, each row's data read as bytes and dropped: what reading the store costs
        /// before any leaf is computed — the most a verification from the store could reach.
        /// </summary>
        private static async Task<long> ReadAloneAsync(NpgsqlDataSource database)
        {
            await using var connection = await database.OpenConnectionAsync();
            long rows = 0;
            foreach (var tenant in await LegacyVerify.TenantsAsync(connection))
            {
                await using var select = new NpgsqlCommand(
                    $"select version, data from {AuditStore.Schema}.mt_events where tenant_id = @t and stream_id = 'audit-log' order by version",
                    connection);
                select.Parameters.AddWithValue("t", tenant);
                await using var reader = await select.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    _ = reader.GetInt64(0);
                    _ = reader.GetFieldValue<byte[]>(1);
                    rows++;
                }
            }

            return rows;
        }

        private static byte[] RawHash(ReadOnlySpan<byte> bytes, int[] offsets)
        {
            var leaves = new byte[(offsets.Length - 1) * MerkleHash.Size];
            for (var i = 0; i + 1 < offsets.Length; i++)
            {
                MerkleHash.Leaf(bytes[offsets[i]..offsets[i + 1]], leaves.AsSpan(i * MerkleHash.Size, MerkleHash.Size));
            }

            return leaves;
        }

        private static void CheckSame(byte[] leaves, byte[] expected, string what)
        {
            if (!leaves.AsSpan().SequenceEqual(expected))
            {
                throw new InvalidOperationException($"{what} leaves differ from SHA-256 of the canonical bytes");
            }
        }

        /// <summary>Inclusion proofs over HTTP for random sealed events at the latest signed tree size; each proof is also checked.</summary>
        public static async Task ProofsAsync(Options options)
        {
            var requests = options.Int("requests", 2000);
            var warmup = options.Int("warmup", 200);
            await using var source = NpgsqlDataSource.Create(options.String("connection"));
            using var http = new HttpClient { BaseAddress = new Uri(options.String("url")) };
            string tenant;
            await using (var command = source.CreateCommand($"select tenant_id from {IntegrityTables.Trees} order by size desc limit 1"))
            {
                tenant = (string)(await command.ExecuteScalarAsync())!;
            }

            // The tenant's privacy officer, with the run's token key (ops/bench/verify exports Ngrtc__Auth__* to both sides).
            var auth = new ConfigurationBuilder().AddEnvironmentVariables().Build().GetSection(AuthOptions.Section).Get<AuthOptions>()
                ?? throw new InvalidOperationException("no Ngrtc__Auth__* in the environment: run through ops/bench/verify");
            var token = AccessTokens.Mint(auth, new TokenClaims("bench-officer", [Roles.PrivacyOfficer], tenant), TimeSpan.FromHours(4), DateTimeOffset.UtcNow);
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            // A person's reads state their purpose (and each is recorded as an access event, as in production).
            http.DefaultRequestHeaders.Add(Ngrtc.Audit.Service.Hosting.AccessHeaders.Purpose, "integrity benchmark: inclusion proof latency");

            using var latest = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/integrity/tree-heads/latest?tenant={Uri.EscapeDataString(tenant)}"));
            var treeSize = latest.RootElement.GetProperty("treeSize").GetInt64();
            var root = Convert.FromBase64String(latest.RootElement.GetProperty("rootHash").GetString()!);
            var random = new Random(options.Int("seed", 5));
            var versions = Enumerable.Range(0, requests + warmup).Select(_ => random.NextInt64(1, treeSize + 1)).ToArray();
            var ids = new Dictionary<long, string>();
            await using (var command = source.CreateCommand(
                $"select version, data->'envelope'->>'id' from {AuditStore.Schema}.mt_events where tenant_id = $1 and stream_id = 'audit-log' and version = any($2)"))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = tenant });
                command.Parameters.Add(new NpgsqlParameter { Value = versions.Distinct().ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    ids[reader.GetInt64(0)] = reader.GetString(1);
                }
            }

            var latencies = new List<double>(requests);
            var invalid = 0;
            for (var i = 0; i < versions.Length; i++)
            {
                var url = $"/api/v1/integrity/proofs/inclusion?tenant={Uri.EscapeDataString(tenant)}&eventId={Uri.EscapeDataString(ids[versions[i]])}&treeSize={treeSize}";
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(url);
                var body = await response.Content.ReadAsByteArrayAsync();
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (i >= warmup)
                {
                    latencies.Add(ms);
                }

                if (!response.IsSuccessStatusCode || !ValidProof(body, versions[i] - 1, treeSize, root))
                {
                    invalid++;
                }
            }

            var sorted = latencies.Order().ToArray();
            Output.Bench(new Dictionary<string, object?>
            {
                ["kind"] = "proofs",
                ["tree_size"] = treeSize,
                ["requests"] = requests,
                ["warmup"] = warmup,
                ["invalid"] = invalid,
                ["p50_ms"] = Math.Round(Output.Percentile(sorted, 0.50), 2),
                ["p95_ms"] = Math.Round(Output.Percentile(sorted, 0.95), 2),
                ["p99_ms"] = Math.Round(Output.Percentile(sorted, 0.99), 2),
                ["max_ms"] = Math.Round(sorted[^1], 2),
            });
        }

        private static bool ValidProof(byte[] body, long leafIndex, long treeSize, byte[] root)
        {
            using var proof = JsonDocument.Parse(body);
            var r = proof.RootElement;
            if (r.GetProperty("leafIdx").GetInt64() != leafIndex || r.GetProperty("treeSize").GetInt64() != treeSize)
            {
                return false;
            }

            var path = r.GetProperty("proof").EnumerateArray().Select(p => Convert.FromBase64String(p.GetString()!)).ToList();
            return ProofVerifier.VerifyInclusion(leafIndex, treeSize, Convert.FromBase64String(r.GetProperty("leafHash").GetString()!), path, root).IsValid;
        }

        /// <summary>
        /// Sealing lag under a paced writer: events appended to the tenant's log at the offered rate (the store's
        /// rows as the service writes them, by COPY, one transaction per batch) while the running service's sealer
        /// seals them. A poller records the sealed size every 20 ms; an event's lag is the first poll that saw it
        /// sealed minus its batch's commit (so it errs long by up to one poll interval).
        /// </summary>
        public static async Task LagAsync(Options options)
        {
            var rate = options.Long("rate");
            var seconds = options.Long("seconds");
            var batchMs = options.Int("batch-ms", 50);
            var tenants = options.Int("tenants", 1);
            var connection = options.String("connection");
            await using var host = BenchStore.Host(connection, options.String("key", BenchStore.DefaultKey));
            await using var source = NpgsqlDataSource.Create(connection);
            var total = rate * seconds;
            var perBatch = (int)Math.Max(1, rate / tenants * batchMs / 1000);

            // Making realistic events costs far more CPU than storing them: at most --distinct are made beforehand
            // and offered in turn (a repeated event is a new leaf all the same; the sealer does not dedupe).
            var distinct = Math.Min(total, options.Long("distinct", 250_000));
            Output.Say($"lag: making {distinct:N0} stored events beforehand (not timed), offered {total:N0} times in turn to {tenants} tenant log(s)");
            var made = new List<string>();
            await foreach (var chunk in StoredEventsAsync(host, distinct, options.Int("seed", 500_000), 50_000))
            {
                made.AddRange(chunk.Select(e => e.Json));
            }

            // One writer per tenant log (a log's appends are ordered by its lock, so one tenant's writes are serial;
            // tenants' logs are written side by side), each paced at rate / tenants. Tenants after the first are
            // named lag-bench-<k> (their events keep the envelope they were made with; the sealer does not look).
            var firstTenant = (await StoredTenantsAsync(source)).FirstOrDefault() ?? "lag-bench-0";
            var names = Enumerable.Range(0, tenants).Select(k => k == 0 ? firstTenant : $"lag-bench-{k}").ToArray();
            var perTenant = total / tenants;
            var plans = names.Select((tenant, k) =>
            {
                var batches = new List<string[]>();
                for (long offered = 0; offered < perTenant;)
                {
                    var from = (int)((k * perTenant + offered) % made.Count);
                    var count = (int)Math.Min(perBatch, perTenant - offered);
                    batches.Add([.. Enumerable.Range(0, count).Select(j => made[(from + j) % made.Count])]);
                    offered += count;
                }

                return (Tenant: tenant, Batches: batches);
            }).ToList();

            GC.Collect();
            var startSizes = await SealedSizesAsync(source);
            var writer = new LogWriter(source);
            var polls = new List<(double At, Dictionary<string, long> Sizes)>();
            var clock = Stopwatch.StartNew();
            using var stopPolling = new CancellationTokenSource();
            var polling = Task.Run(async () =>
            {
                while (!stopPolling.IsCancellationRequested)
                {
                    var sizes = await SealedSizesAsync(source);
                    lock (polls)
                    {
                        polls.Add((clock.Elapsed.TotalSeconds, sizes));
                    }

                    await Task.Delay(20).ContinueWith(_ => { }, TaskScheduler.Default);
                }
            });

            var cpu = CpuSnapshot.Take();
            var behind = 0;
            var written = await Task.WhenAll(plans.Select(plan => Task.Run(async () =>
            {
                var commits = new List<(long LastVersion, int Count, double At)>();
                long done = 0;
                foreach (var json in plan.Batches)
                {
                    // Paced: batch k is due when k * batch events would have been offered at this writer's rate.
                    var wait = done / (rate / (double)tenants) - clock.Elapsed.TotalSeconds;
                    if (wait > 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(wait));
                    }
                    else if (wait < -0.5)
                    {
                        Interlocked.Increment(ref behind);
                    }

                    var (last, _) = await writer.AppendAsync(plan.Tenant, json);
                    commits.Add((last, json.Length, clock.Elapsed.TotalSeconds));
                    done += json.Length;
                }

                return (plan.Tenant, Commits: commits, Events: done);
            })));

            var offeredSeconds = clock.Elapsed.TotalSeconds;
            var used = CpuSnapshot.Take().Since(cpu, options.Optional("service-pid") is { } pid ? int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture) : null);
            var writtenEvents = written.Sum(w => w.Events);
            var targets = written.ToDictionary(w => w.Tenant, w => w.Commits.Count == 0 ? 0 : w.Commits[^1].LastVersion);
            bool AllSealed(Dictionary<string, long> sizes) => targets.All(t => sizes.GetValueOrDefault(t.Key) >= t.Value);
            while (clock.Elapsed.TotalSeconds < offeredSeconds + 120)
            {
                lock (polls)
                {
                    if (polls.Count > 0 && AllSealed(polls[^1].Sizes))
                    {
                        break;
                    }
                }

                await Task.Delay(50);
            }

            await stopPolling.CancelAsync();
            await polling;

            // Per event: the first poll at or after its commit that saw its tenant's sealed size reach its log position.
            var lags = new List<double>(checked((int)writtenEvents));
            foreach (var (tenant, commits, _) in written)
            {
                var p = 0;
                foreach (var (lastVersion, count, at) in commits)
                {
                    while (p < polls.Count && (polls[p].Sizes.GetValueOrDefault(tenant) < lastVersion || polls[p].At < at))
                    {
                        p++;
                    }

                    var lag = p < polls.Count ? polls[p].At - at : double.PositiveInfinity;
                    for (var i = 0; i < count; i++)
                    {
                        lags.Add(lag * 1000);
                    }
                }
            }

            var sorted = lags.Order().ToArray();
            var result = new Dictionary<string, object?>
            {
                ["kind"] = "lag",
                ["rate_target"] = rate,
                ["seconds"] = seconds,
                ["tenants"] = tenants,
                ["events"] = writtenEvents,
                ["offered_events_per_s"] = Math.Round(writtenEvents / offeredSeconds, 0),
                ["batch_events"] = perBatch,
                ["distinct_events"] = distinct,
                ["writer_behind_batches"] = behind,
                ["all_sealed"] = double.IsFinite(sorted[^1]),
                ["p50_ms"] = Math.Round(Output.Percentile(sorted, 0.50), 0),
                ["p99_ms"] = double.IsFinite(Output.Percentile(sorted, 0.99)) ? Math.Round(Output.Percentile(sorted, 0.99), 0) : null,
                ["max_ms"] = double.IsFinite(sorted[^1]) ? Math.Round(sorted[^1], 0) : null,
                ["poll_ms"] = 20,
                ["start_sealed"] = startSizes.Values.Sum(),
            };
            foreach (var (group, cpuSeconds) in used)
            {
                result[$"cpu_{group}_s"] = Math.Round(cpuSeconds, 1);
            }

            Output.Bench(result);
        }

        private static async Task<List<string>> StoredTenantsAsync(NpgsqlDataSource source)
        {
            await using var connection = await source.OpenConnectionAsync();
            return await LegacyVerify.TenantsAsync(connection);
        }

        /// <summary>Each tenant's sealed tree size (none before the service has created the table).</summary>
        private static async Task<Dictionary<string, long>> SealedSizesAsync(NpgsqlDataSource source)
        {
            var sizes = new Dictionary<string, long>();
            try
            {
                await using var command = source.CreateCommand($"select tenant_id, size from {IntegrityTables.Trees}");
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    sizes[reader.GetString(0)] = reader.GetInt64(1);
                }
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
            {
            }

            return sizes;
        }
    }

    /// <summary>
    /// Appends stored events to a tenant's log stream the way Marten's append leaves them (mt_events rows with the
    /// next sequence numbers and stream versions, the stream's version raised), by binary COPY, one transaction per
    /// call, under the same per-tenant log lock the service's appender takes, with their leaf rows (event id and leaf
    /// hash, computed from the JSON at the time of writing) as the appender writes them. Bench only: it bypasses
    /// validation, protection and the idempotency keys (the events were protected when they were made).
    /// </summary>
    internal sealed class LogWriter(NpgsqlDataSource source)
    {
        private static readonly string DotnetType = $"{typeof(Domain.AuditEventRecorded).FullName}, {typeof(Domain.AuditEventRecorded).Assembly.GetName().Name}";

        public async Task<(long LastVersion, DateTimeOffset CommittedAt)> AppendAsync(string tenant, IReadOnlyList<string> json)
        {
            // Hashed before the lock, as the appender does.
            var (leaves, eventIds) = Leaves.HashMany([.. json.Select(Encoding.UTF8.GetBytes)]);

            await using var connection = await source.OpenConnectionAsync();
            await using var tx = await connection.BeginTransactionAsync();
            await using (var lockLog = new NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended('ngrtc-audit-log ' || $1, 0))", connection, tx))
            {
                lockLog.Parameters.Add(new NpgsqlParameter { Value = tenant });
                await lockLog.ExecuteNonQueryAsync();
            }

            long version;
            await using (var stream = new NpgsqlCommand(
                $"""
                insert into {AuditStore.Schema}.mt_streams (tenant_id, id, version, timestamp, created) values ($1, 'audit-log', $2, now(), now())
                on conflict (tenant_id, id) do update set version = mt_streams.version + $2, timestamp = now()
                returning version
                """,
                connection,
                tx))
            {
                stream.Parameters.Add(new NpgsqlParameter { Value = tenant });
                stream.Parameters.Add(new NpgsqlParameter { Value = (long)json.Count });
                version = (long)(await stream.ExecuteScalarAsync())! - json.Count;
            }

            var sequence = new long[json.Count];
            await using (var next = new NpgsqlCommand($"select nextval('{AuditStore.Schema}.mt_events_sequence') from generate_series(1, $1)", connection, tx))
            {
                next.Parameters.Add(new NpgsqlParameter { Value = json.Count });
                await using var reader = await next.ExecuteReaderAsync();
                for (var i = 0; await reader.ReadAsync(); i++)
                {
                    sequence[i] = reader.GetInt64(0);
                }
            }

            var now = DateTimeOffset.UtcNow;
            await using (var copy = await connection.BeginBinaryImportAsync(
                $"COPY {AuditStore.Schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived) FROM STDIN (FORMAT BINARY)"))
            {
                for (var i = 0; i < json.Count; i++)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(sequence[i], NpgsqlDbType.Bigint);
                    await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                    await copy.WriteAsync(Ngrtc.Audit.Service.Ingestion.AuditAppender.TenantLog, NpgsqlDbType.Varchar);
                    await copy.WriteAsync(version + i + 1, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(json[i], NpgsqlDbType.Jsonb);
                    await copy.WriteAsync("audit_event_recorded", NpgsqlDbType.Varchar);
                    await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
                    await copy.WriteAsync(tenant, NpgsqlDbType.Varchar);
                    await copy.WriteAsync(DotnetType, NpgsqlDbType.Varchar);
                    await copy.WriteAsync(false, NpgsqlDbType.Boolean);
                }

                await copy.CompleteAsync();
            }

            await IntegrityTables.WriteLeavesAsync(connection, tenant, version, eventIds, leaves, CancellationToken.None);
            await tx.CommitAsync();
            return (version + json.Count, DateTimeOffset.UtcNow);
        }
    }

    /// <summary>
    /// Full verification as VerifyLog did it before the one-pass leaves and the pipeline (commit 674d84d), for a
    /// before/after in the same run: rows as strings with the event id extracted in SQL, the two-pass leaf, one
    /// thread, one tile query per 256 leaves on a second connection, a leaf-by-leaf tree. Heads are not checked
    /// here (a few hundred root computations, negligible next to the leaves). Returns the leaves that matched.
    /// </summary>
    internal static class LegacyVerify
    {
        public static async Task<long> RunAsync(NpgsqlDataSource database)
        {
            await using var connection = await database.OpenConnectionAsync();
            long good = 0;
            foreach (var tenant in await TenantsAsync(connection))
            {
                long sealedSize;
                await using (var size = new NpgsqlCommand($"select coalesce((select size from {IntegrityTables.Trees} where tenant_id = @t), 0)", connection))
                {
                    size.Parameters.AddWithValue("t", tenant);
                    sealedSize = (long)(await size.ExecuteScalarAsync())!;
                }

                var tree = new CompactMerkleTree();
                long index = 0;
                byte[]? tile = null;
                await using var select = new NpgsqlCommand(
                    $"select version, data, data->'envelope'->>'id' from {AuditStore.Schema}.mt_events where tenant_id = @t and stream_id = 'audit-log' order by version",
                    connection);
                select.Parameters.AddWithValue("t", tenant);
                await using var reader = await select.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    var version = reader.GetInt64(0);
                    _ = reader.GetString(2);
                    if (version != index + 1)
                    {
                        break;
                    }

                    using var stored = JsonDocument.Parse(reader.GetString(1));
                    using var document = JsonDocument.Parse(Leaves.Document(stored.RootElement));
                    var leaf = new LeafHasher().Hash(document.RootElement);
                    if (index < sealedSize)
                    {
                        if (index % MerkleTiles.Width == 0)
                        {
                            await using var other = await database.OpenConnectionAsync();
                            var tiles = await IntegrityTables.ReadTilesAsync(other, null, tenant, [(0, index / MerkleTiles.Width)], CancellationToken.None);
                            tile = tiles.GetValueOrDefault((0, index / MerkleTiles.Width));
                        }

                        if (tile is null || !tile.AsSpan((int)(index % MerkleTiles.Width) * MerkleTiles.HashSize, MerkleTiles.HashSize).SequenceEqual(leaf))
                        {
                            break;
                        }
                    }

                    tree.Append(leaf);
                    index++;
                    good++;
                }
            }

            return good;
        }

        internal static async Task<List<string>> TenantsAsync(NpgsqlConnection connection)
        {
            var tenants = new List<string>();
            await using var list = new NpgsqlCommand($"select tenant_id from {AuditStore.Schema}.mt_streams where id = 'audit-log' order by 1", connection);
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tenants.Add(reader.GetString(0));
            }

            return tenants;
        }
    }
}
