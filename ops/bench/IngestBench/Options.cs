using System.Globalization;

namespace Ngrtc.Audit.Bench;

/// <summary>"--name value" pairs and bare "--flag"s.</summary>
public sealed class Options
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    public Options(IEnumerable<string> args)
    {
        string? pending = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending is not null)
                {
                    _values[pending] = null;
                }

                pending = arg[2..];
            }
            else if (pending is not null)
            {
                _values[pending] = arg;
                pending = null;
            }
            else
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }
        }

        if (pending is not null)
        {
            _values[pending] = null;
        }
    }

    public string String(string name, string? fallback = null) =>
        _values.TryGetValue(name, out var v) && v is not null ? v
        : fallback ?? throw new ArgumentException($"--{name} is required");

    public string? Optional(string name) => _values.TryGetValue(name, out var v) ? v : null;

    public long Long(string name, long? fallback = null) =>
        Optional(name) is { } v ? long.Parse(v, CultureInfo.InvariantCulture)
        : fallback ?? throw new ArgumentException($"--{name} is required");

    public int Int(string name, int? fallback = null) => checked((int)Long(name, fallback));

    public bool Flag(string name) => _values.ContainsKey(name);
}
