using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ngrtc.Audit.Bench;
using Ngrtc.Audit.Contracts.Catalogue;
using Ngrtc.Audit.Protection;
using Ngrtc.Audit.Service.Protection;

// Protection micro-benchmark, single thread: per event of the catalogue's mix, what protecting its personal-data
// fields costs — normalise + pseudonym HMAC + subject HMAC + AES-256-GCM — next to today's HMAC-only pseudonyms,
// measured in the same process. Keys are cached (as they are at ingestion once a subscriber has been seen), so
// this is CPU only; fetching keys is a store round trip per batch and belongs to the ingestion benchmark.
// Prints a Markdown table on stdout; everything else goes to stderr.
var settings = Settings.Parse(args);
var events = Workload.Build(settings.Events, settings.Subscribers);
var fields = events.Sum(e => e.Fields.Length);
Console.Error.WriteLine($"[protect-bench] {events.Count} events, {fields} personal-data values ({(double)fields / events.Count:F2} per event), {settings.Subscribers} subscribers, {settings.Rounds} rounds after {settings.Warmup} warm-up rounds");

const string Tenant = "op-bench";
// The service's former Pseudonymizer (before per-subject encryption): HMAC-SHA256(key, tenant \n normalised value).
var todayKey = RandomNumberGenerator.GetBytes(32);
string TodayPseudonym(string tenant, string value, IdentifierKind kind) =>
    Convert.ToBase64String(HMACSHA256.HashData(todayKey, System.Text.Encoding.UTF8.GetBytes($"{tenant}\n{IdentifierNormalizer.Default.NormalizeValue(value, kind)}")));
var normalizer = IdentifierNormalizer.Default;
var pepper = RandomNumberGenerator.GetBytes(32);
var subjectIndexKey = RandomNumberGenerator.GetBytes(32);
var epochs = EpochSchedule.Monthly();
var keys = new Dictionary<SubjectEpoch, DataKey>();
foreach (var e in events)
{
    foreach (var f in e.Fields)
    {
        var slot = new SubjectEpoch(SubjectId.Compute(subjectIndexKey, normalizer.Normalize(f.Value, f.Kind)), epochs.EpochOf(e.Time));
        if (!keys.ContainsKey(slot))
        {
            keys[slot] = DataKey.Generate();
        }
    }
}

var stores = new BenchOnlyKeyStores();
var protector = new FieldProtector(stores, stores, new ProtectionOptions { MaxCachedKeys = 4 * keys.Count + 1000 });
var batches = events.Chunk(settings.Batch).Select(b => b.SelectMany(e => e.Fields.Select(f => new ProtectionRequest(Tenant, e.Id, e.Time, f.Path, f.Kind, f.Value))).ToArray()).ToArray();
long sink = 0;

var variants = new (string Name, string What, Action Run)[]
{
    ("today: HMAC only", "the service's former Pseudonymizer: normalise + one HMAC-SHA256 per value", () =>
    {
        foreach (var e in events)
        {
            foreach (var f in e.Fields)
            {
                sink += TodayPseudonym(Tenant, f.Value, f.Kind).Length;
            }
        }
    }),
    ("normalise only", "IdentifierNormalizer.Normalize by kind", () =>
    {
        foreach (var e in events)
        {
            foreach (var f in e.Fields)
            {
                sink += normalizer.Normalize(f.Value, f.Kind).Value.Length;
            }
        }
    }),
    ("normalise + 2 HMACs", "+ epoch pseudonym and subject id (HMAC-SHA256 each)", () =>
    {
        foreach (var e in events)
        {
            var epoch = epochs.EpochOf(e.Time);
            foreach (var f in e.Fields)
            {
                var n = normalizer.Normalize(f.Value, f.Kind);
                sink += Pseudonyms.Compute(pepper, epoch, n).Length + SubjectId.Compute(subjectIndexKey, n).Value.Length;
            }
        }
    }),
    ("protect: primitives", "+ AES-256-GCM of the value under the subject's cached key (enc1 string)", () =>
    {
        foreach (var e in events)
        {
            var epoch = epochs.EpochOf(e.Time);
            foreach (var f in e.Fields)
            {
                var n = normalizer.Normalize(f.Value, f.Kind);
                var pseudonym = Pseudonyms.Compute(pepper, epoch, n);
                var key = keys[new SubjectEpoch(SubjectId.Compute(subjectIndexKey, n), epoch)];
                sink += pseudonym.Length + FieldCipher.Encrypt(key, Tenant, e.Id, f.Path, f.Value).Length;
            }
        }
    }),
    ($"protect: FieldProtector", $"FieldProtector.ProtectAsync, batches of {settings.Batch} events, keys in its cache", () =>
    {
        foreach (var batch in batches)
        {
            var result = protector.ProtectAsync(batch).AsTask().GetAwaiter().GetResult();
            sink += result.Count;
        }
    }),
};

// Rounds interleave the variants (in a rotating order), so that a machine shared with other work slows them alike.
var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
foreach (var (_, _, run) in variants)
{
    for (var i = 0; i < settings.Warmup; i++)
    {
        run();
    }
}

var timings = variants.Select(_ => new double[settings.Rounds]).ToArray();
for (var round = 0; round < settings.Rounds; round++)
{
    for (var k = 0; k < variants.Length; k++)
    {
        var v = (k + round) % variants.Length;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var watch = Stopwatch.StartNew();
        variants[v].Run();
        timings[v][round] = watch.Elapsed.TotalSeconds;
    }
}

var results = new List<(string Name, string What, double[] Seconds)>();
for (var v = 0; v < variants.Length; v++)
{
    Array.Sort(timings[v]);
    results.Add((variants[v].Name, variants[v].What, timings[v]));
    Console.Error.WriteLine($"[protect-bench] {variants[v].Name}: median {Median(timings[v]) * 1e6 / events.Count:F2} µs/event");
}

var loadAfter = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
var baseline = Median(results[0].Seconds);
var sizes = Sizes();
var table = new StringBuilder();
table.AppendLine("| variant | events/s (median) | µs/event (median) | µs/event (min–max) | µs/value | × today | what it does |");
table.AppendLine("|---|---:|---:|---:|---:|---:|---|");
foreach (var (name, what, seconds) in results)
{
    var median = Median(seconds);
    table.AppendLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {events.Count / median:N0} | {median * 1e6 / events.Count:F2} | {seconds[0] * 1e6 / events.Count:F2}–{seconds[^1] * 1e6 / events.Count:F2} | {median * 1e6 / fields:F2} | {median / baseline:F1} | {what} |"));
}

Console.WriteLine(table.ToString().TrimEnd());
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Workload: {events.Count:N0} events cycling through the {Workload.ExampleCount} catalogue examples, {(double)fields / events.Count:F2} personal-data values per event, {settings.Subscribers:N0} distinct subscribers, one tenant, one monthly epoch; {settings.Rounds} timed rounds after {settings.Warmup} warm-up rounds, single thread; 1-minute load average {load} before, {loadAfter} after, on {Environment.ProcessorCount} cores. Stored size per value: plaintext {sizes.Plain:F1} B → pseudonym {sizes.Pseudonym:F1} + ciphertext {sizes.Cipher:F1} + key id 22 characters."));
Console.Error.WriteLine($"[protect-bench] (sink {sink})");
return 0;

static double Median(double[] sorted) => sorted[sorted.Length / 2];

(double Plain, double Pseudonym, double Cipher) Sizes()
{
    var sample = batches[0];
    var protectedValues = protector.ProtectAsync(sample).AsTask().GetAwaiter().GetResult();
    return (sample.Average(r => Encoding.UTF8.GetByteCount(r.Value)), protectedValues.Average(p => p.Pseudonym.Length), protectedValues.Average(p => p.Ciphertext.Length));
}

namespace Ngrtc.Audit.Bench
{
    internal sealed record Settings(int Events, int Subscribers, int Rounds, int Warmup, int Batch)
    {
        public static Settings Parse(string[] args)
        {
            var values = new Dictionary<string, int>(StringComparer.Ordinal) { ["--events"] = 22_000, ["--subscribers"] = 10_000, ["--rounds"] = 7, ["--warmup"] = 3, ["--batch"] = 100 };
            for (var i = 0; i < args.Length; i += 2)
            {
                if (!values.ContainsKey(args[i]) || i + 1 >= args.Length || !int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value) || value <= 0)
                {
                    throw new ArgumentException($"usage: ProtectBench [--events N] [--subscribers N] [--rounds N] [--warmup N] [--batch N] (at {args[i]})");
                }

                values[args[i]] = value;
            }

            return new Settings(values["--events"], values["--subscribers"], values["--rounds"], values["--warmup"], values["--batch"]);
        }
    }

    internal sealed record Field(string Path, IdentifierKind Kind, string Value);

    internal sealed record BenchEvent(string Id, DateTimeOffset Time, Field[] Fields);

    /// <summary>The catalogue's documented examples, in turn, with their subscriber numbers varied so that events name many people.</summary>
    internal static partial class Workload
    {
        private static readonly JsonObject[] Examples = [.. AuditCatalogue.Ordered.Select(d => d.Example.ToCloudEvent())];

        public static int ExampleCount => Examples.Length;

        public static List<BenchEvent> Build(int count, int subscribers)
        {
            var time = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
            var events = new List<BenchEvent>(count);
            for (var i = 0; i < count; i++)
            {
                var example = Examples[i % Examples.Length];
                var descriptor = AuditCatalogue.Get((string)example["type"]!);
                var data = (JsonObject)example["data"]!;
                var fields = new List<Field>();
                var party = 0;
                foreach (var field in descriptor.PersonalFields)
                {
                    var kind = IdentifierKinds.ForCategory(field.PersonalData!.Category);
                    switch (data[field.JsonName])
                    {
                        case JsonValue value:
                            fields.Add(new Field("/" + field.JsonName, kind, Vary(value.GetValue<string>(), (i + party++) % subscribers)));
                            break;
                        case JsonArray array:
                            for (var j = 0; j < array.Count; j++)
                            {
                                fields.Add(new Field($"/{field.JsonName}/{j}", kind, Vary(array[j]!.GetValue<string>(), (i + party++) % subscribers)));
                            }

                            break;
                    }
                }

                events.Add(new BenchEvent($"urn:ngrtc:nf:bench {i}", time.AddMilliseconds(i), [.. fields]));
            }

            return events;
        }

        /// <summary>Another subscriber's number in the example's own spelling (its 1555 0x xxxx numbers), other values as they are.</summary>
        private static string Vary(string value, int subscriber) =>
            SubscriberNumber().Replace(value, "1555" + subscriber.ToString("D6", CultureInfo.InvariantCulture));

        [GeneratedRegex("1555[0-9]{6}")]
        private static partial Regex SubscriberNumber();
    }

    /// <summary>BENCH ONLY: keys and peppers in memory; the timed rounds never reach it (everything is cached by then).</summary>
    internal sealed class BenchOnlyKeyStores : ISubjectKeyStore, IPepperStore
    {
        private readonly Dictionary<SubjectEpoch, DataKey> _keys = [];
        private readonly Dictionary<string, byte[]> _secrets = new(StringComparer.Ordinal);

        public ValueTask<IReadOnlyDictionary<SubjectEpoch, DataKey>> GetOrCreateAsync(string tenant, IReadOnlyCollection<SubjectEpoch> slots, CancellationToken ct = default)
        {
            var result = new Dictionary<SubjectEpoch, DataKey>();
            foreach (var slot in slots)
            {
                result[slot] = _keys.TryGetValue(slot, out var key) ? key : _keys[slot] = DataKey.Generate();
            }

            return ValueTask.FromResult<IReadOnlyDictionary<SubjectEpoch, DataKey>>(result);
        }

        public ValueTask<PepperLookup> GetOrCreateAsync(string tenant, Epoch epoch, CancellationToken ct = default) =>
            ValueTask.FromResult<PepperLookup>(new PepperLookup.Live(Secret("pepper:" + epoch.Label)));

        public ValueTask<byte[]> GetOrCreateSubjectIndexKeyAsync(string tenant, CancellationToken ct = default) => ValueTask.FromResult(Secret("subject-index"));

        public ValueTask<IReadOnlyDictionary<string, KeyLookup>> FindAsync(string tenant, IReadOnlyCollection<string> keyIds, CancellationToken ct = default) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<DestroyedKey>> DestroySubjectAsync(string tenant, SubjectId subject, DateTimeOffset at, CancellationToken ct = default) => throw new NotSupportedException();

        public ValueTask<int> DestroyEpochAsync(string tenant, Epoch epoch, DateTimeOffset at, CancellationToken ct = default) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<string>> ListWrappedUnderOtherKekAsync(string tenant, string kekId, int limit, CancellationToken ct = default) => throw new NotSupportedException();

        public ValueTask<int> RewrapAsync(string tenant, IReadOnlyCollection<string> keyIds, string kekId, CancellationToken ct = default) => throw new NotSupportedException();

        public ValueTask<bool> DestroyAsync(string tenant, Epoch epoch, DateTimeOffset at, CancellationToken ct = default) => throw new NotSupportedException();

        public ValueTask<int> RewrapAsync(string tenant, string kekId, CancellationToken ct = default) => throw new NotSupportedException();

        private byte[] Secret(string name) => _secrets.TryGetValue(name, out var secret) ? secret : _secrets[name] = RandomNumberGenerator.GetBytes(32);
    }
}
