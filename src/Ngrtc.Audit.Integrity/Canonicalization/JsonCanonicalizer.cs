using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Ngrtc.Audit.Integrity;

/// <summary>
/// RFC 8785 JSON Canonicalization Scheme (JCS): the one byte sequence for a JSON value that hashes and
/// signatures are computed over.
/// <list type="bullet">
/// <item>No whitespace; UTF-8.</item>
/// <item>Object members sorted by the UTF-16 code units of their names (ordinal), recursively; array order kept.</item>
/// <item>Strings escaped as ECMAScript's JSON.stringify does: \" \\ \b \f \n \r \t, \u00xx (lower-case hex) for
/// other controls below U+0020, everything else (including U+007F, U+2028, "/" and non-ASCII) as literal UTF-8.</item>
/// <item>Numbers as IEEE 754 doubles, written as ECMAScript's Number.prototype.toString writes them.</item>
/// <item>true, false, null as themselves.</item>
/// </list>
/// Input that is not I-JSON (RFC 7493) has no canonical form and is refused with an <see cref="ArgumentException"/>:
/// a member name used twice in one object, a string that escapes a lone surrogate, a number beyond the double
/// range. Numbers are read as doubles, so integers beyond 2^53 lose precision, exactly as in ECMAScript.
/// </summary>
public static class JsonCanonicalizer
{
    private static readonly SearchValues<char> NeedsEscape = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f");


    /// <summary>The canonical UTF-8 bytes of <paramref name="value"/>.</summary>
    public static byte[] Canonicalize(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Canonicalize(value, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Appends the canonical UTF-8 bytes of <paramref name="value"/> to <paramref name="output"/>.</summary>
    public static void Canonicalize(JsonElement value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        WriteValue(value, output);
    }

    /// <summary>
    /// Appends the canonical UTF-8 bytes of the object <paramref name="obj"/> as <paramref name="members"/> shapes it:
    /// only the members it includes, each with the value it writes (which must itself be canonical JSON). Names are
    /// sorted and written as RFC 8785 requires. For a caller that derives a document from another in one pass
    /// instead of building the derived document and canonicalizing that. Requires an object.
    /// </summary>
    public static void CanonicalizeObject<TMembers>(JsonElement obj, IBufferWriter<byte> output, TMembers members)
        where TMembers : ICanonicalMembers
    {
        ArgumentNullException.ThrowIfNull(output);
        if (obj.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"Requires an object, got {obj.ValueKind}.", nameof(obj));
        }

        WriteObject(obj, output, members);
    }

    /// <summary>The canonical UTF-8 bytes of the JSON text <paramref name="utf8Json"/>.</summary>
    public static byte[] Canonicalize(ReadOnlySpan<byte> utf8Json)
    {
        using var document = JsonDocument.Parse(utf8Json.ToArray());
        return Canonicalize(document.RootElement);
    }

    /// <summary>The canonical JSON text of <paramref name="value"/>.</summary>
    public static string CanonicalString(JsonElement value) => Encoding.UTF8.GetString(Canonicalize(value));

    /// <summary>
    /// <paramref name="value"/> as ECMAScript's Number.prototype.toString writes it (RFC 8785 §3.2.2.3).
    /// Requires a finite value.
    /// </summary>
    public static string SerializeNumber(double value) => Es6Number.Format(value);

    private static void WriteValue(JsonElement value, IBufferWriter<byte> output)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(value, output, default(AllMembers));
                break;
            case JsonValueKind.Array:
                WriteArray(value, output);
                break;
            case JsonValueKind.String:
                WriteString(value, output);
                break;
            case JsonValueKind.Number:
                WriteNumber(value, output);
                break;
            case JsonValueKind.True:
                Write(output, "true"u8);
                break;
            case JsonValueKind.False:
                Write(output, "false"u8);
                break;
            case JsonValueKind.Null:
                Write(output, "null"u8);
                break;
            default:
                throw new ArgumentException("An undefined JsonElement has no JSON form.", nameof(value));
        }
    }

    private static void WriteArray(JsonElement array, IBufferWriter<byte> output)
    {
        Write(output, (byte)'[');
        var first = true;
        foreach (var item in array.EnumerateArray())
        {
            if (!first)
            {
                Write(output, (byte)',');
            }

            first = false;
            WriteValue(item, output);
        }

        Write(output, (byte)']');
    }

    private static void WriteObject<TMembers>(JsonElement obj, IBufferWriter<byte> output, TMembers shape)
        where TMembers : ICanonicalMembers
    {
        var members = ArrayPool<JsonProperty>.Shared.Rent(obj.GetPropertyCount());
        try
        {
            // Names that are plain ASCII as written sort the same by UTF-8 bytes as by UTF-16 code units, and
            // are their own canonical form: the common case needs no string per name.
            var i = 0;
            var plain = true;
            foreach (var member in obj.EnumerateObject())
            {
                if (!shape.Includes(member))
                {
                    continue;
                }

                members[i++] = member;
                var raw = JsonMarshal.GetRawUtf8PropertyName(member);
                plain &= Ascii.IsValid(raw) && !raw.Contains((byte)'\\');
            }

            var count = i;
            if (plain)
            {
                var sorted = members.AsSpan(0, count);
                SortByRawName(sorted);
                for (i = 0; i < count; i++)
                {
                    if (i > 0 && default(ByRawName).Compare(sorted[i - 1], sorted[i]) == 0)
                    {
                        throw Duplicate(sorted[i].Name);
                    }

                    Write(output, i == 0 ? (byte)'{' : (byte)',');
                    Write(output, (byte)'"');
                    Write(output, JsonMarshal.GetRawUtf8PropertyName(sorted[i]));
                    Write(output, "\":"u8);
                    shape.WriteValue(sorted[i], output);
                }
            }
            else
            {
                WriteByUtf16Names(members.AsSpan(0, count), output, shape);
            }

            if (count == 0)
            {
                Write(output, (byte)'{');
            }

            Write(output, (byte)'}');
        }
        finally
        {
            ArrayPool<JsonProperty>.Shared.Return(members, clearArray: true);
        }
    }

    private static void WriteByUtf16Names<TMembers>(ReadOnlySpan<JsonProperty> members, IBufferWriter<byte> output, TMembers shape)
        where TMembers : ICanonicalMembers
    {
        var named = new (string Name, JsonProperty Property)[members.Length];
        for (var i = 0; i < members.Length; i++)
        {
            named[i] = (NameOf(members[i]), members[i]);
        }

        named.AsSpan().Sort(default(ByUtf16Name));
        for (var i = 0; i < named.Length; i++)
        {
            if (i > 0 && string.Equals(named[i - 1].Name, named[i].Name, StringComparison.Ordinal))
            {
                throw Duplicate(named[i].Name);
            }

            Write(output, i == 0 ? (byte)'{' : (byte)',');
            WriteEscaped(named[i].Name, output);
            Write(output, (byte)':');
            shape.WriteValue(named[i].Property, output);
        }
    }

    private static void WriteString(JsonElement value, IBufferWriter<byte> output)
    {
        // The parser has refused raw control characters, so a string without escapes is already canonical,
        // quotes included, once its bytes are known to be UTF-8: the parser does not check that (an encoded
        // surrogate or an over-long form would pass through).
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (!raw.Contains((byte)'\\'))
        {
            if (!Utf8.IsValid(raw))
            {
                throw new ArgumentException("A string is not valid UTF-8; it has no canonical form (RFC 8785 §3.2.2.2).");
            }

            Write(output, raw);
            return;
        }

        string text;
        try
        {
            text = value.GetString() ?? string.Empty;
        }
        catch (InvalidOperationException e)
        {
            throw LoneSurrogate(e);
        }

        WriteEscaped(text, output);
    }

    private static void WriteEscaped(string text, IBufferWriter<byte> output)
    {
        Write(output, (byte)'"');
        ReadOnlySpan<char> rest = text;
        while (!rest.IsEmpty)
        {
            var next = rest.IndexOfAny(NeedsEscape);
            var run = next < 0 ? rest : rest[..next];
            if (!run.IsEmpty)
            {
                var destination = output.GetSpan(run.Length * 3);
                var status = Utf8.FromUtf16(run, destination, out _, out var written, replaceInvalidSequences: false);
                if (status != OperationStatus.Done)
                {
                    throw new ArgumentException("A string holds a lone surrogate; it has no UTF-8 form (RFC 8785 §3.2.2.2).");
                }

                output.Advance(written);
            }

            if (next < 0)
            {
                break;
            }

            WriteEscape(rest[next], output);
            rest = rest[(next + 1)..];
        }

        Write(output, (byte)'"');
    }

    private static void WriteEscape(char c, IBufferWriter<byte> output)
    {
        switch (c)
        {
            case '"': Write(output, "\\\""u8); break;
            case '\\': Write(output, "\\\\"u8); break;
            case '\b': Write(output, "\\b"u8); break;
            case '\f': Write(output, "\\f"u8); break;
            case '\n': Write(output, "\\n"u8); break;
            case '\r': Write(output, "\\r"u8); break;
            case '\t': Write(output, "\\t"u8); break;
            default:
                var escape = output.GetSpan(6);
                "\\u00"u8.CopyTo(escape);
                escape[4] = HexDigit(c >> 4);
                escape[5] = HexDigit(c & 0xF);
                output.Advance(6);
                break;
        }
    }

    private static byte HexDigit(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

    private static void WriteNumber(JsonElement value, IBufferWriter<byte> output)
    {
        // A JSON integer of up to 15 digits is exactly a double and ECMAScript prints it unchanged (JSON
        // grammar already forbids leading zeros); "-0" is the exception.
        var raw = JsonMarshal.GetRawUtf8Value(value);
        var digits = raw.Length > 0 && raw[0] == '-' ? raw[1..] : raw;
        if (digits.Length <= 15 && !digits.ContainsAnyExcept("0123456789"u8) && !raw.SequenceEqual("-0"u8))
        {
            Write(output, raw);
            return;
        }

        if (!value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            throw new ArgumentException($"The number {Encoding.UTF8.GetString(raw)} is beyond the IEEE 754 double range (RFC 8785 §3.2.2.3).");
        }

        var destination = output.GetSpan(Es6Number.MaxLength);
        output.Advance(Es6Number.Format(number, destination));
    }

    private static string NameOf(JsonProperty member)
    {
        try
        {
            return member.Name;
        }
        catch (InvalidOperationException e)
        {
            throw LoneSurrogate(e);
        }
    }

    private static ArgumentException LoneSurrogate(Exception inner) =>
        new("A string escapes a lone surrogate; it has no UTF-8 form (RFC 8785 §3.2.2.2).", inner);

    private static ArgumentException Duplicate(string name) =>
        new($"The member name \"{name}\" appears twice in one object; I-JSON (RFC 7493 §2.3) and so RFC 8785 forbid that.");

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    private static void Write(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }

    // Audit events have small objects, often already in order: an insertion sort is linear on those and, unlike
    // Span.Sort with a comparer, allocates nothing.
    private static void SortByRawName(Span<JsonProperty> members)
    {
        if (members.Length > 32)
        {
            members.Sort(default(ByRawName));
            return;
        }

        for (var i = 1; i < members.Length; i++)
        {
            var member = members[i];
            var name = JsonMarshal.GetRawUtf8PropertyName(member);
            var j = i - 1;
            for (; j >= 0 && JsonMarshal.GetRawUtf8PropertyName(members[j]).SequenceCompareTo(name) > 0; j--)
            {
                members[j + 1] = members[j];
            }

            members[j + 1] = member;
        }
    }

    // Every member, its value canonical: plain RFC 8785.
    private readonly struct AllMembers : ICanonicalMembers
    {
        public bool Includes(JsonProperty member) => true;

        public void WriteValue(JsonProperty member, IBufferWriter<byte> output) => JsonCanonicalizer.WriteValue(member.Value, output);
    }

    private readonly struct ByRawName : IComparer<JsonProperty>
    {
        public int Compare(JsonProperty x, JsonProperty y) =>
            JsonMarshal.GetRawUtf8PropertyName(x).SequenceCompareTo(JsonMarshal.GetRawUtf8PropertyName(y));
    }

    private readonly struct ByUtf16Name : IComparer<(string Name, JsonProperty Property)>
    {
        public int Compare((string Name, JsonProperty Property) x, (string Name, JsonProperty Property) y) =>
            string.CompareOrdinal(x.Name, y.Name);
    }
}

/// <summary>
/// Shapes the canonical form of one object for <see cref="JsonCanonicalizer.CanonicalizeObject{TMembers}"/>: which of
/// its members are in it and what each one's value is. A struct implementation costs no allocation or virtual call.
/// </summary>
public interface ICanonicalMembers
{
    /// <summary>Whether <paramref name="member"/> is in the canonical object (left out entirely when false).</summary>
    bool Includes(JsonProperty member);

    /// <summary>Appends the canonical JSON of the value <paramref name="member"/> has in the canonical object.</summary>
    void WriteValue(JsonProperty member, IBufferWriter<byte> output);
}
