using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ngrtc.Audit.Integrity;

namespace Ngrtc.Audit.UnitTests.Integrity;

public class JsonCanonicalizerTests
{
    private static string Canonical(string json)
    {
        using var document = JsonDocument.Parse(json);
        return JsonCanonicalizer.CanonicalString(document.RootElement);
    }

    [Fact]
    public void the_rfc8785_example_canonicalizes_to_the_published_bytes()
    {
        // RFC 8785 §3.2.2 input and §3.2.4 output.
        const string input = """
            {
              "numbers": [333333333.33333329, 1E30, 4.50,
                          2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """;
        const string hex = """
            7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72
            75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 65 72 73 22 3a
            5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31
            65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37
            5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30
            30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d
            """;

        using var document = JsonDocument.Parse(input);
        var bytes = JsonCanonicalizer.Canonicalize(document.RootElement);

        Encoding.UTF8.GetString(bytes).ShouldBe("""{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}""");
        Convert.ToHexStringLower(bytes).ShouldBe(hex.Replace(" ", "").Replace("\n", ""));
    }

    [Fact]
    public void members_sort_by_utf16_code_units_as_in_the_rfc8785_example()
    {
        // RFC 8785 §3.2.3: U+1F600 (surrogates D83D DE00) sorts before U+FB33, although its UTF-8 sorts after.
        const string input = """
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """;

        Canonical(input).ShouldBe(
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\"," +
            "\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}");

        // The same names written as literal UTF-8 sort the same.
        Canonical("{\"\ufb33\":1,\"😀\":2,\"z\":3,\"é\":4}").ShouldBe("{\"z\":3,\"é\":4,\"😀\":2,\"\ufb33\":1}");
    }

    // RFC 8785 Appendix B: IEEE 754 bit patterns and the text ECMAScript writes for them.
    [Theory]
    [InlineData("0000000000000000", "0")]
    [InlineData("8000000000000000", "0")]
    [InlineData("0000000000000001", "5e-324")]
    [InlineData("8000000000000001", "-5e-324")]
    [InlineData("7fefffffffffffff", "1.7976931348623157e+308")]
    [InlineData("ffefffffffffffff", "-1.7976931348623157e+308")]
    [InlineData("4340000000000000", "9007199254740992")]
    [InlineData("c340000000000000", "-9007199254740992")]
    [InlineData("4430000000000000", "295147905179352830000")]
    [InlineData("44b52d02c7e14af5", "9.999999999999997e+22")]
    [InlineData("44b52d02c7e14af6", "1e+23")]
    [InlineData("44b52d02c7e14af7", "1.0000000000000001e+23")]
    [InlineData("444b1ae4d6e2ef4e", "999999999999999700000")]
    [InlineData("444b1ae4d6e2ef4f", "999999999999999900000")]
    [InlineData("444b1ae4d6e2ef50", "1e+21")]
    [InlineData("3eb0c6f7a0b5ed8c", "9.999999999999997e-7")]
    [InlineData("3eb0c6f7a0b5ed8d", "0.000001")]
    [InlineData("41b3de4355555553", "333333333.3333332")]
    [InlineData("41b3de4355555554", "333333333.33333325")]
    [InlineData("41b3de4355555555", "333333333.3333333")]
    [InlineData("41b3de4355555556", "333333333.3333334")]
    [InlineData("41b3de4355555557", "333333333.33333343")]
    [InlineData("becbf647612f3696", "-0.0000033333333333333333")]
    [InlineData("43143ff3c1cb0959", "1424953923781206.2")]
    public void numbers_are_written_as_in_rfc8785_appendix_b(string ieeeHex, string expected)
    {
        var value = BitConverter.Int64BitsToDouble(long.Parse(ieeeHex, NumberStyles.HexNumber, CultureInfo.InvariantCulture));

        JsonCanonicalizer.SerializeNumber(value).ShouldBe(expected);
        Canonical($"[{value.ToString("R", CultureInfo.InvariantCulture)}]").ShouldBe($"[{expected}]");
        Canonical($"[{expected}]").ShouldBe($"[{expected}]");
    }

    [Theory]
    [InlineData("4.50", "4.5")]
    [InlineData("2e-3", "0.002")]
    [InlineData("1E30", "1e+30")]
    [InlineData("1E+2", "100")]
    [InlineData("-0", "0")]
    [InlineData("-0.0", "0")]
    [InlineData("0", "0")]
    [InlineData("0.000001", "0.000001")]
    [InlineData("0.0000001", "1e-7")]
    [InlineData("0.00000123", "0.00000123")]
    [InlineData("1.5e-7", "1.5e-7")]
    [InlineData("100", "100")]
    [InlineData("-123", "-123")]
    [InlineData("123456789012345", "123456789012345")]
    [InlineData("1234567890123456", "1234567890123456")]
    [InlineData("12345678901234567890", "12345678901234567000")]
    [InlineData("999999999999999999999", "1e+21")]
    [InlineData("100000000000000000000", "100000000000000000000")]
    [InlineData("1e21", "1e+21")]
    [InlineData("0.1", "0.1")]
    [InlineData("-1.5", "-1.5")]
    [InlineData("1.5e300", "1.5e+300")]
    [InlineData("123.456e-10", "1.23456e-8")]
    [InlineData("0.30000000000000004", "0.30000000000000004")]
    public void json_numbers_are_rewritten_the_ecmascript_way(string input, string expected)
    {
        Canonical($"[{input}]").ShouldBe($"[{expected}]");
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    public void numbers_beyond_the_double_range_have_no_canonical_form(string input)
    {
        Should.Throw<ArgumentException>(() => Canonical($"[{input}]"));
        Should.Throw<ArgumentException>(() => JsonCanonicalizer.SerializeNumber(double.NaN));
        Should.Throw<ArgumentException>(() => JsonCanonicalizer.SerializeNumber(double.PositiveInfinity));
    }

    [Fact]
    public void random_doubles_are_written_as_an_independent_exact_reference_writes_them()
    {
        var random = new Random(8785);
        var values = new List<double>();
        for (var i = 0; i < 4000; i++)
        {
            values.Add(BitConverter.Int64BitsToDouble(random.NextInt64()));
            values.Add(random.Next() / Math.Pow(10, random.Next(0, 12)));
            values.Add(random.NextInt64(1L << 50, 1L << 53) + random.Next(4) / 4.0);
            values.Add(random.NextDouble() * Math.Pow(10, random.Next(-30, 30)));
        }

        foreach (var edge in new[] { 1e21, 1e-6, 1e-7, 1e20, 1e22 })
        {
            values.AddRange([edge, Math.BitDecrement(edge), Math.BitIncrement(edge), -edge]);
        }

        // Powers of two have a narrower gap below than above them, where "nearest digits" and "digits that read
        // back" part ways.
        values.AddRange(Enumerable.Range(-1074, 2098).Where(p => p % 7 == 0).Select(p => Math.Pow(2, p)));

        foreach (var value in values.Where(double.IsFinite))
        {
            var text = JsonCanonicalizer.SerializeNumber(value);

            text.ShouldBe(ReferenceEs6(value), $"bits {BitConverter.DoubleToInt64Bits(value):x16}");
            double.Parse(text, CultureInfo.InvariantCulture).ShouldBe(value);
        }
    }

    [Fact]
    public void strings_escape_only_what_json_requires_with_lower_case_hex()
    {
        var controls = string.Concat(Enumerable.Range(0, 0x20).Select(c => $"\\u{c:X4}"));
        const string expectedControls =
            "\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f" +
            "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f";

        Canonical($"\"{controls}\"").ShouldBe($"\"{expectedControls}\"");
        Canonical("\"\\\"\\\\\\/\\u007f\\u2028\\u00e9\\ud83d\\ude00\"").ShouldBe("\"\\\"\\\\/\u007f\u2028é😀\"");
        Canonical("\"plain é 😀 \u2028 / text\"").ShouldBe("\"plain é 😀 \u2028 / text\"");
        Canonical("{\"tab\\there\":\"\\u0041\"}").ShouldBe("{\"tab\\there\":\"A\"}");

        using var document = JsonDocument.Parse("\"\\u00e9\\ud83d\\ude00\"");
        Convert.ToHexStringLower(JsonCanonicalizer.Canonicalize(document.RootElement)).ShouldBe("22c3a9f09f988022");
    }

    [Theory]
    [InlineData("\"\\ud800\"")]
    [InlineData("\"x\\udc00y\"")]
    [InlineData("{\"\\ud800\":1}")]
    [InlineData("{\"a\":1,\"a\":2}")]
    [InlineData("{\"a\":1,\"\\u0061\":2}")]
    [InlineData("[{\"b\":{\"x\":1,\"x\":1}}]")]
    public void input_that_is_not_i_json_is_refused(string json)
    {
        Should.Throw<ArgumentException>(() => Canonical(json));
    }

    [Theory]
    [InlineData("22eda08022")] // "\ud800" encoded as UTF-8 bytes (CESU), not escaped
    [InlineData("22c0af22")] // an over-long "/"
    [InlineData("7b2261223a2278eda080227d")] // {"a":"x<encoded surrogate>"}
    public void strings_that_are_not_utf8_are_refused_not_copied(string hex)
    {
        Should.Throw<ArgumentException>(() => JsonCanonicalizer.Canonicalize(Convert.FromHexString(hex)));
    }

    [Fact]
    public void structure_is_kept_whitespace_dropped_and_members_sorted_at_every_depth()
    {
        const string input = """
            { "b" : [ 3, { "z": true, "a": null } , [] , {} , "" ],
              "a" : { "y": { "c": 1, "b": 2 }, "x": [ 1.0, -0 ] },
              "A" : false, "aa": 1, "a1": 2 }
            """;

        Canonical(input).ShouldBe("""{"A":false,"a":{"x":[1,0],"y":{"b":2,"c":1}},"a1":2,"aa":1,"b":[3,{"a":null,"z":true},[],{},""]}""");
        Canonical("{}").ShouldBe("{}");
        Canonical("[]").ShouldBe("[]");
        Canonical("\"\"").ShouldBe("\"\"");
        Canonical(" true ").ShouldBe("true");
    }

    [Fact]
    public void canonical_form_is_stable_and_ignores_member_order()
    {
        var random = new Random(7493);
        for (var i = 0; i < 300; i++)
        {
            var members = RandomMembers(random, depth: 3);
            var ordered = "{" + string.Join(",", members) + "}";
            var shuffled = "{" + string.Join(" , ", members.OrderBy(_ => random.Next())) + "}";
            var canonical = Canonical(ordered);

            Canonical(shuffled).ShouldBe(canonical);
            Canonical(canonical).ShouldBe(canonical);
        }
    }

    [Fact]
    public void the_writer_overload_appends_the_same_bytes()
    {
        using var document = JsonDocument.Parse("""{"b":"é","a":[1e21,0.5]}""");
        var buffer = new ArrayBufferWriter<byte>(1);
        buffer.Write("prefix"u8);

        JsonCanonicalizer.Canonicalize(document.RootElement, buffer);

        Encoding.UTF8.GetString(buffer.WrittenSpan).ShouldBe("""prefix{"a":[1e+21,0.5],"b":"é"}""");
        JsonCanonicalizer.Canonicalize("""{"b":"é","a":[1e21,0.5]}"""u8).ShouldBe(buffer.WrittenSpan[6..].ToArray());
        Should.Throw<ArgumentException>(() => JsonCanonicalizer.Canonicalize(default(JsonElement)));
    }

    [Fact]
    public void a_leaf_hash_is_sha256_of_zero_and_the_canonical_bytes_whatever_came_before()
    {
        var hasher = new LeafHasher();
        string[] leaves = ["""{"b":1,"a":"x"}""", $$"""{"big":"{{new string('x', 20_000)}}"}""", """{ "a" : "x", "b" : 1.0 }"""];

        var hashes = leaves.Select(json =>
        {
            using var document = JsonDocument.Parse(json);
            var hash = hasher.Hash(document.RootElement);
            var canonical = JsonCanonicalizer.Canonicalize(document.RootElement);
            hasher.LastCanonicalBytes.ToArray().ShouldBe(canonical);
            hash.ShouldBe(SHA256.HashData([0x00, .. canonical]));
            return hash;
        }).ToList();

        hashes[2].ShouldBe(hashes[0]);
        hashes[1].ShouldNotBe(hashes[0]);
    }

    private static List<string> RandomMembers(Random random, int depth)
    {
        string[] names = ["a", "b", "A", "é", "\\u00e9x", "ab", "😀", "\\ufb33", "_", "1", "\\n", "aa"];
        return [.. names.OrderBy(_ => random.Next()).Take(random.Next(1, 6)).Select(name => $"\"{name}\": {RandomValue(random, depth)}")];
    }

    private static string RandomValue(Random random, int depth) => random.Next(depth > 0 ? 7 : 5) switch
    {
        0 => random.Next(3) switch { 0 => "null", 1 => "true", _ => "false" },
        1 => (random.NextDouble() * Math.Pow(10, random.Next(-10, 25))).ToString("R", CultureInfo.InvariantCulture),
        2 => random.Next(-1000, 1000).ToString(CultureInfo.InvariantCulture),
        3 => "\"s\\u00e9\\t" + random.Next() + "\"",
        4 => "\"\"",
        5 => "[" + string.Join(",", Enumerable.Range(0, random.Next(3)).Select(_ => RandomValue(random, depth - 1))) + "]",
        _ => "{" + string.Join(",", RandomMembers(random, depth - 1)) + "}",
    };

    /// <summary>
    /// ECMA-262 Number::toString from first principles: the double's exact value as a BigInteger fraction, the fewest
    /// digits whose decimal reads back as the same double (nearest of those, even on a tie), then the layout rules.
    /// </summary>
    private static string ReferenceEs6(double value)
    {
        if (value == 0)
        {
            return "0";
        }

        var negative = value < 0;
        var bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        var exponentBits = (int)(bits >> 52);
        var mantissa = new BigInteger(bits & 0xFFFFFFFFFFFFF) + (exponentBits == 0 ? 0 : BigInteger.One << 52);
        var binaryExponent = (exponentBits == 0 ? 1 : exponentBits) - 1075;

        // value = numerator / denominator exactly.
        var numerator = binaryExponent >= 0 ? mantissa << binaryExponent : mantissa;
        var denominator = binaryExponent >= 0 ? BigInteger.One : BigInteger.One << -binaryExponent;

        var decimalExponent = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        while (Scaled(numerator, denominator, -decimalExponent) < 1) decimalExponent--;
        while (Scaled(numerator, denominator, -decimalExponent) >= 10) decimalExponent++;

        for (var precision = 1; precision <= 17; precision++)
        {
            // floor and ceiling of value at `precision` significant digits, and how far each is from it.
            var shift = precision - 1 - decimalExponent;
            var (scaledNumerator, scaledDenominator) = shift >= 0
                ? (numerator * BigInteger.Pow(10, shift), denominator)
                : (numerator, denominator * BigInteger.Pow(10, -shift));
            var low = BigInteger.DivRem(scaledNumerator, scaledDenominator, out var remainder);
            var high = low + 1;
            bool RoundTrips(BigInteger digits) =>
                double.Parse($"{digits}E{-shift}", CultureInfo.InvariantCulture) == Math.Abs(value);

            var lowOk = RoundTrips(low);
            var highOk = remainder != 0 && RoundTrips(high);
            if (!lowOk && !highOk)
            {
                continue;
            }

            var twice = remainder * 2;
            var chosen = lowOk && highOk
                ? (twice < scaledDenominator ? low : twice > scaledDenominator ? high : (low.IsEven ? low : high))
                : lowOk ? low : high;
            var digits = chosen.ToString(CultureInfo.InvariantCulture).TrimEnd('0');
            var n = -shift + chosen.ToString(CultureInfo.InvariantCulture).Length;
            return (negative ? "-" : "") + Layout(digits, n);
        }

        throw new InvalidOperationException("No 17-digit decimal reads back as the double.");

        static double Scaled(BigInteger numerator, BigInteger denominator, int power) => power >= 0
            ? (double)(numerator * BigInteger.Pow(10, power) * 1000 / denominator) / 1000
            : (double)(numerator * 1000 / (denominator * BigInteger.Pow(10, -power))) / 1000;
    }

    private static string Layout(string digits, int n)
    {
        var k = digits.Length;
        if (k <= n && n <= 21)
        {
            return digits + new string('0', n - k);
        }

        if (0 < n && n <= 21)
        {
            return digits[..n] + "." + digits[n..];
        }

        if (-6 < n && n <= 0)
        {
            return "0." + new string('0', -n) + digits;
        }

        var e = n - 1;
        var sign = e < 0 ? "-" : "+";
        return (k == 1 ? digits : digits[..1] + "." + digits[1..]) + "e" + sign + Math.Abs(e).ToString(CultureInfo.InvariantCulture);
    }
}
