using System.Text.Json;

namespace Ngrtc.Audit.Bench;

/// <summary>What every bench driver prints: one BENCH line of JSON for its script, and progress on standard error.</summary>
internal static class Output
{
    /// <summary>The progress lines' tag (<c>[bench]</c>; a driver may name itself).</summary>
    public static string Tag { get; set; } = "bench";

    public static void Bench(Dictionary<string, object?> values) =>
        Console.WriteLine("BENCH " + JsonSerializer.Serialize(values));

    public static void Cpu(Dictionary<string, object?> into, Dictionary<string, double> cpu)
    {
        foreach (var (group, seconds) in cpu)
        {
            into[$"cpu_{group}_s"] = Math.Round(seconds, 2);
        }
    }

    public static void Say(string text) => Console.Error.WriteLine($"[{Tag}] {text}");

    /// <summary>Linear interpolation between the closest ranks of <paramref name="sorted"/> (ascending); NaN if empty.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = p * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }

    public static double Median(IEnumerable<double> values) => Percentile([.. values.Order()], 0.5);
}
