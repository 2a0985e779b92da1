using System.Buffers;
using System.Text;
using System.Text.Json;
using Marten;
using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Integrity;
using Ngrtc.Audit.Protection;
using Ngrtc.Audit.Service.Ingestion;
using Ngrtc.Audit.Service.Integrity;
using Ngrtc.Audit.Service.Protection;
using Ngrtc.Audit.Service.Simulation;
using Ngrtc.Audit.UnitTests.Protection;
using Weasel.Core;

namespace Ngrtc.Audit.UnitTests.Integrity;

/// <summary>
/// The one-pass leaf bytes (straight from the stored JSON) are the two-pass definition's bytes (build the leaf
/// document, parse it, canonicalize it), byte for byte, for every shape a stored event can take.
/// </summary>
public class OnePassLeafTests
{
    private static byte[] TwoPass(string storedJson)
    {
        using var stored = JsonDocument.Parse(storedJson);
        using var leaf = JsonDocument.Parse(Leaves.Document(stored.RootElement));
        return JsonCanonicalizer.Canonicalize(leaf.RootElement);
    }

    private static byte[] OnePass(string storedJson)
    {
        using var stored = JsonDocument.Parse(storedJson);
        var buffer = new ArrayBufferWriter<byte>();
        Leaves.CanonicalBytes(stored.RootElement, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static void Same(string storedJson)
    {
        var expected = TwoPass(storedJson);
        Encoding.UTF8.GetString(OnePass(storedJson)).ShouldBe(Encoding.UTF8.GetString(expected));
        var hash = new byte[32];
        Leaves.Hash(Encoding.UTF8.GetBytes(storedJson), hash);
        hash.ShouldBe(MerkleHash.Leaf(expected));
        Leaves.Hash(storedJson).ShouldBe(MerkleHash.Leaf(expected));
    }

    [Fact]
    public async Task one_pass_bytes_equal_two_pass_bytes_for_simulated_stored_events()
    {
        // The service's path: simulated CloudEvents, read, protected (pseudonyms, ciphertexts, digests), serialised
        // by the store's serializer; the catalogue's every event type comes round in 3,000 events.
        var keks = ConfiguredKeyEncryptionKeys.For("operator-1", "v1", ("v1", new byte[32]));
        var stores = new InMemoryKeyStoresForTests(keks);
        var protector = new FieldProtector(stores, stores);
        var store = new StoreOptions();
        store.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
        var serializer = store.Serializer();
        var traffic = new SimulatedTraffic(7);
        var now = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
        var protectedValues = 0;
        for (var batch = 0; batch < 6; batch++)
        {
            var read = CloudEventReader.Read(CloudEventContentTypes.Batch, traffic.NextBatch(now, 500));
            // Half the batches stamped with a policy version, as the service stamps every record since policies exist.
            var records = await EventProtection.RecordAsync([.. read.Items.Select(i => i.Event!)], protector, CancellationToken.None, batch % 2 == 0 ? "eu-default.v1" : null);
            foreach (var record in records)
            {
                protectedValues += record.Protected.Count;
                Same(serializer.ToJson(record));
            }
        }

        protectedValues.ShouldBeGreaterThan(1000);
    }

    [Theory]
    [InlineData("""{"data":{},"envelope":{}}""")]
    [InlineData("""{"data":{"b":1,"a":2},"envelope":{"id":"x","subject":null,"correlationId":null},"protected":{}}""")]
    [InlineData("""{"data":{"n":[1.50,-0,1e21,1E-7,123456789012345678,0.1,-5e-324,9007199254740993]},"envelope":{"id":"n"}}""")]
    [InlineData("""{"data":{"s":"tab\tquote\" slash\/ u\u00e9 \u2028 emoji \ud83d\ude00 ctl \u001f del \u007f","é":1,"\u00e9x":2,"z\"q":3,"A":4,"a":5},"envelope":{"id":"u"}}""")]
    [InlineData("""{"data":{"nested":{"z":[{"b":null,"a":true}],"a":{"y":false}},"list":[[],{},null]},"envelope":{"id":"o","time":"2026-11-28T10:00:00+00:00"}}""")]
    [InlineData("""{"data":{"who":"p1.x","to":["p1.a",null,"p1.c",7]},"envelope":{"id":"p"},"protected":{"who":{"digest":"d+1/=","ciphertext":"enc1.k.x"},"to[0]":{"digest":"d0","ciphertext":"c"},"to[2]":{"digest":"d2","ciphertext":null},"to[9]":{"digest":"d9"}}}""")]
    [InlineData("""{"data":{"obj":{"k":1},"num":5,"arr":[1,2]},"envelope":{"id":"q"},"protected":{"obj":{"digest":"D1"},"num":{"digest":null},"arr":{"digest":"whole list: not an item path"}}}""")]
    [InlineData("""{"data":{"x[0]":"lit","x":["a","b"],"a[b":["c","d"],"y":["e","f"]},"envelope":{"id":"r"},"protected":{"x[0]":{"digest":"literal-name"},"a[b[1]":{"digest":"bracket-name"},"y[01]":{"digest":"leading zero: no item"},"y[]":{"digest":"empty"},"y[1":{"digest":"open"}}}""")]
    [InlineData("""{"data":{"na\u006De":["v"],"\u00fcber":"w"},"envelope":{"id":"s"},"protected":{"name[0]":{"digest":"escaped member name"},"über":{"digest":"non-ascii name"}}}""")]
    [InlineData("""{"data":{"a":"b"},"envelope":{"id":"t"},"protected":{"a":{"digest":"d\u0000\"\\ x"}},"pseudonyms":{"a":"p"},"retention":"A","redactedAt":"2026-11-28T10:00:00Z"}""")]
    [InlineData("""{"data":{"a":"b"},"envelope":{"id":"p2"},"policyVersion":"eu-default.v1"}""")]
    [InlineData("""{"data":{"a":"b"},"envelope":{"id":"p3"},"policyVersion":"v\u00e9\"1"}""")]
    [InlineData("""{"data":{"a":"b"},"envelope":{"id":"p4"},"policyVersion":null}""")]
    [InlineData("""{"data":{"a":"b"},"envelope":{"id":"v"},"protected":null}""")]
    [InlineData("""{"data":{"a":"b"},"envelope":{"id":"w"},"protected":[1,2]}""")]
    public void one_pass_bytes_equal_two_pass_bytes_for_every_shape(string storedJson) => Same(storedJson);

    [Fact]
    public void one_pass_bytes_equal_two_pass_bytes_for_random_documents()
    {
        var random = new Random(42);
        for (var n = 0; n < 2000; n++)
        {
            var data = new Dictionary<string, object?>();
            var protectedMap = new Dictionary<string, object?>();
            for (var f = random.Next(0, 9); f > 0; f--)
            {
                var name = RandomName(random);
                if (random.Next(3) == 0)
                {
                    var items = Enumerable.Range(0, random.Next(0, 5)).Select(_ => RandomValue(random, 2)).ToList();
                    data[name] = items;
                    for (var i = 0; i < items.Count + 1; i++)
                    {
                        if (random.Next(2) == 0)
                        {
                            protectedMap[$"{name}[{i}]"] = new Dictionary<string, object?> { ["digest"] = random.Next(8) == 0 ? null : Convert.ToBase64String(BitConverter.GetBytes(random.NextInt64())) };
                        }
                    }
                }
                else
                {
                    data[name] = RandomValue(random, 3);
                    if (random.Next(3) == 0)
                    {
                        protectedMap[name] = new Dictionary<string, object?> { ["digest"] = Convert.ToBase64String(BitConverter.GetBytes(random.NextInt64())), ["ciphertext"] = "enc1.k.x" };
                    }
                }
            }

            var envelope = new Dictionary<string, object?> { ["id"] = $"r-{n}", ["subject"] = random.Next(2) == 0 ? null : "s", ["tenant"] = "t" };
            var stored = new Dictionary<string, object?> { ["envelope"] = envelope, ["protected"] = protectedMap, ["data"] = data, ["retention"] = "A" };
            Same(JsonSerializer.Serialize(stored));
        }
    }

    private static string RandomName(Random random)
    {
        string[] parts = ["a", "B", "é", "z", "_", "ü", "\u2028", "x[1]", "[", "😀", "aa", "Ab"];
        return string.Concat(Enumerable.Range(0, random.Next(1, 4)).Select(_ => parts[random.Next(parts.Length)]));
    }

    private static object? RandomValue(Random random, int depth)
    {
        switch (random.Next(depth > 0 ? 9 : 6))
        {
            case 0: return null;
            case 1: return random.Next(2) == 0;
            case 2: return random.Next(-1000, 1000);
            case 3: return Math.Round(random.NextDouble() * Math.Pow(10, random.Next(-8, 25)), random.Next(0, 6));
            case 4: return RandomName(random) + "\"\\\n\t";
            case 5: return "plain";
            case 6: return Enumerable.Range(0, random.Next(0, 4)).Select(_ => RandomValue(random, depth - 1)).ToList();
            default:
                var obj = new Dictionary<string, object?>();
                for (var i = random.Next(0, 4); i > 0; i--)
                {
                    obj[RandomName(random)] = RandomValue(random, depth - 1);
                }

                return obj;
        }
    }

    [Fact]
    public void canonicalize_object_with_every_member_is_plain_canonicalization()
    {
        using var document = JsonDocument.Parse("""{"b":[1,{"y":2,"x":1}],"a":null,"é":"x","c":1.0}""");
        var buffer = new ArrayBufferWriter<byte>();
        JsonCanonicalizer.CanonicalizeObject(document.RootElement, buffer, new Everything());
        buffer.WrittenSpan.ToArray().ShouldBe(JsonCanonicalizer.Canonicalize(document.RootElement));
        Should.Throw<ArgumentException>(() => JsonCanonicalizer.CanonicalizeObject(document.RootElement.GetProperty("b"), buffer, new Everything()));
    }

    private readonly struct Everything : ICanonicalMembers
    {
        public bool Includes(JsonProperty member) => true;

        public void WriteValue(JsonProperty member, IBufferWriter<byte> output) => JsonCanonicalizer.Canonicalize(member.Value, output);
    }

    [Fact]
    public void many_leaves_hashed_on_every_core_are_the_leaves_hashed_one_by_one()
    {
        var stored = Enumerable.Range(0, 1000)
            .Select(i => Encoding.UTF8.GetBytes("""{"data":{"i":N,"who":["pN"]},"envelope":{"id":"e-N"},"protected":{"who[0]":{"digest":"dN"}}}""".Replace("N", $"{i}", StringComparison.Ordinal)))
            .ToList();
        stored.Add(Encoding.UTF8.GetBytes("""{"data":{},"envelope":{}}"""));
        var leaves = new byte[stored.Count * 32];
        var ids = new string?[stored.Count];
        Leaves.HashMany(stored, leaves, ids);
        for (var i = 0; i < stored.Count; i++)
        {
            var one = new byte[32];
            Leaves.Hash(stored[i], one);
            leaves.AsSpan(i * 32, 32).ToArray().ShouldBe(one);
        }

        ids[999].ShouldBe("e-999");
        ids[^1].ShouldBeNull();
    }
}
