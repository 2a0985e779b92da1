using System.Globalization;

namespace Ngrtc.Audit.Integrity;

/// <summary>
/// ECMAScript's Number.prototype.toString for finite doubles (ECMA-262 Number::toString, as RFC 8785 §3.2.2.3
/// requires). .NET's "R" format already yields the shortest digits that round-trip; this only lays them out the
/// ECMAScript way: plain up to 21 integer digits, "0.000001"-style down to 1e-6, exponent form ("1e+21",
/// "1e-7") beyond, no trailing ".0", and -0 as "0".
/// </summary>
internal static class Es6Number
{
    /// <summary>The longest output: "-" + 17 digits + "." + "e-" + 3 exponent digits, or "-0.00000" + 17 digits.</summary>
    public const int MaxLength = 32;

    /// <summary>Writes <paramref name="value"/> as ASCII to <paramref name="destination"/> and returns the length. Requires a finite value.</summary>
    public static int Format(double value, Span<byte> destination)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException("NaN and infinities have no JSON form.", nameof(value));
        }

        if (value == 0)
        {
            destination[0] = (byte)'0';
            return 1;
        }

        Span<char> text = stackalloc char[MaxLength];
        value.TryFormat(text, out var length, "R", CultureInfo.InvariantCulture);
        text = text[..length];

        // Read "R" as sign, significant digits d1…dk and n, where the value is 0.d1…dk × 10^n
        // (ECMA-262's s, k and n).
        Span<byte> digits = stackalloc byte[24];
        int k = 0, seen = 0, pointAt = -1, leadingZeros = 0, at = 0;
        var negative = text[0] == '-';
        if (negative)
        {
            at++;
        }

        for (; at < text.Length && text[at] != 'E'; at++)
        {
            if (text[at] == '.')
            {
                pointAt = seen;
                continue;
            }

            seen++;
            if (k == 0 && text[at] == '0')
            {
                leadingZeros++;
            }
            else
            {
                digits[k++] = (byte)text[at];
            }
        }

        var n = (pointAt < 0 ? seen : pointAt) - leadingZeros;
        if (at < text.Length)
        {
            n += int.Parse(text[(at + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }

        while (k > 1 && digits[k - 1] == '0')
        {
            k--;
        }

        digits = digits[..k];
        var w = 0;
        if (negative)
        {
            destination[w++] = (byte)'-';
        }

        if (k <= n && n <= 21)
        {
            // 123000
            digits.CopyTo(destination[w..]);
            w += k;
            destination.Slice(w, n - k).Fill((byte)'0');
            w += n - k;
        }
        else if (0 < n && n <= 21)
        {
            // 123.45
            digits[..n].CopyTo(destination[w..]);
            w += n;
            destination[w++] = (byte)'.';
            digits[n..].CopyTo(destination[w..]);
            w += k - n;
        }
        else if (-6 < n && n <= 0)
        {
            // 0.00012345
            destination[w++] = (byte)'0';
            destination[w++] = (byte)'.';
            destination.Slice(w, -n).Fill((byte)'0');
            w += -n;
            digits.CopyTo(destination[w..]);
            w += k;
        }
        else
        {
            // 1.2345e+21, 1e-7
            destination[w++] = digits[0];
            if (k > 1)
            {
                destination[w++] = (byte)'.';
                digits[1..].CopyTo(destination[w..]);
                w += k - 1;
            }

            destination[w++] = (byte)'e';
            var exponent = n - 1;
            destination[w++] = exponent < 0 ? (byte)'-' : (byte)'+';
            Math.Abs(exponent).TryFormat(destination[w..], out var exponentLength, default, CultureInfo.InvariantCulture);
            w += exponentLength;
        }

        return w;
    }

    /// <summary><see cref="Format(double, Span{byte})"/> as a string.</summary>
    public static string Format(double value)
    {
        Span<byte> buffer = stackalloc byte[MaxLength];
        var length = Format(value, buffer);
        return System.Text.Encoding.ASCII.GetString(buffer[..length]);
    }
}
