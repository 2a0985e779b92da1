using System.Globalization;

namespace Ngrtc.Audit.Protection;

/// <summary>
/// One pepper's window, by its label: <c>2026-11</c> (a calendar month), <c>2026-11-26d7</c> (seven days from
/// that date), optionally behind a lane (<c>t0-2026-11</c>). A label is 1–40 of <c>a-z 0-9 -</c>, so it sits
/// between the dots of a pseudonym and in a table column as it is.
/// </summary>
public sealed record Epoch
{
    public const int MaxLength = 40;

    public Epoch(string label)
    {
        if (!IsValidLabel(label))
        {
            throw new ArgumentException($"An epoch label is 1–{MaxLength} characters of a-z, 0-9 and '-'.", nameof(label));
        }

        Label = label;
    }

    public string Label { get; }

    public static bool IsValidLabel(string? label) =>
        label is { Length: > 0 and <= MaxLength } && label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    public override string ToString() => Label;
}

/// <summary>An epoch and the half-open interval [Start, End) of event times (UTC) it covers.</summary>
public sealed partial record EpochWindow(Epoch Epoch, DateTimeOffset Start, DateTimeOffset End)
{
    public bool Contains(DateTimeOffset time) => time >= Start && time < End;

    /// <summary>
    /// The window a label names, read back from the label alone (<see cref="EpochSchedule"/> writes them): so that
    /// whoever holds pseudonyms of an epoch knows its days without the schedule, which may have changed since.
    /// </summary>
    public static bool TryParse(string? label, out EpochWindow? window)
    {
        window = null;
        if (!Epoch.IsValidLabel(label) || LabelPattern().Match(label!) is not { Success: true } match)
        {
            return false;
        }

        var year = int.Parse(match.Groups["year"].ValueSpan, CultureInfo.InvariantCulture);
        var month = int.Parse(match.Groups["month"].ValueSpan, CultureInfo.InvariantCulture);
        if (year is < 1 or > 9998 || month is < 1 or > 12)
        {
            return false;
        }

        DateTime start, end;
        if (match.Groups["days"].Success)
        {
            var day = int.Parse(match.Groups["day"].ValueSpan, CultureInfo.InvariantCulture);
            if (!int.TryParse(match.Groups["days"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var days)
                || days is < 1 or > EpochSchedule.MaxDays || day < 1 || day > DateTime.DaysInMonth(year, month))
            {
                return false;
            }

            start = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc);
            end = start.AddDays(days);
        }
        else
        {
            start = new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Utc);
            end = start.AddMonths(1);
        }

        window = new EpochWindow(new Epoch(label!), new DateTimeOffset(start), new DateTimeOffset(end));
        return true;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:[a-z0-9]{1,8}-)?(?<year>[0-9]{4})-(?<month>[0-9]{2})(?:-(?<day>[0-9]{2})d(?<days>[0-9]{1,3}))?$")]
    private static partial System.Text.RegularExpressions.Regex LabelPattern();
}

/// <summary>
/// Which epoch an event time falls in: calendar months (UTC) by default, or windows of N days counted from
/// 1970-01-01 (UTC). A lane prefixes the labels, for peppers with different lives in one tenant: events of
/// retention class T0 (anonymised after days) and class A (pseudonymised for 24 months) must not share a pepper,
/// or destroying one would anonymise the other too early, or keeping it would keep the other linkable.
/// </summary>
public sealed class EpochSchedule
{
    /// <summary>The longest epoch: N-day windows go up to it, and a calendar month is shorter.</summary>
    public const int MaxDays = 366;

    private readonly int? _days;
    private readonly string _lanePrefix;
    private EpochWindow? _last;

    private EpochSchedule(int? days, string? lane)
    {
        if (days is <= 0 or > MaxDays)
        {
            throw new ArgumentOutOfRangeException(nameof(days), days, $"An epoch is 1–{MaxDays} days.");
        }

        if (lane is not null && (lane.Length is 0 or > 8 || !lane.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c))))
        {
            throw new ArgumentException("A lane is 1–8 characters of a-z and 0-9.", nameof(lane));
        }

        _days = days;
        _lanePrefix = lane is null ? "" : lane + "-";
        Lane = lane;
    }

    public string? Lane { get; }

    /// <summary>One epoch per calendar month (UTC): labels <c>2026-11</c>.</summary>
    public static EpochSchedule Monthly(string? lane = null) => new(null, lane);

    /// <summary>One epoch per <paramref name="days"/> days (1–366) from 1970-01-01 UTC: labels <c>2026-11-26d7</c>.</summary>
    public static EpochSchedule EveryDays(int days, string? lane = null) => new(days, lane);

    public Epoch EpochOf(DateTimeOffset time) => WindowOf(time).Epoch;

    public EpochWindow WindowOf(DateTimeOffset time)
    {
        // Nearly every event of a batch falls in the window of the one before: no new label string for each.
        if (_last is { } last && last.Contains(time))
        {
            return last;
        }

        var utc = time.UtcDateTime;
        DateTime start, end;
        string label;
        if (_days is { } days)
        {
            var day = (long)(utc.Date - DateTime.UnixEpoch).TotalDays;
            var first = day >= 0 ? day / days * days : ((day - days + 1) / days) * days;
            start = DateTime.UnixEpoch.AddDays(first);
            end = start.AddDays(days);
            label = start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "d" + days.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            start = new DateTime(utc.Year, utc.Month, 1, 0, 0, 0, DateTimeKind.Utc);
            end = start.AddMonths(1);
            label = start.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        }

        var window = new EpochWindow(new Epoch(_lanePrefix + label), new DateTimeOffset(start), new DateTimeOffset(end));
        _last = window;
        return window;
    }

    public override string ToString() => (_days is { } d ? $"every {d} days" : "monthly") + (Lane is null ? "" : $" (lane {Lane})");
}
