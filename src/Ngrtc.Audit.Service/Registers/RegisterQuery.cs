using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Ngrtc.Audit.Projections;
using Ngrtc.Audit.Protection;
using Ngrtc.Audit.Service.Hosting;
using Npgsql;

namespace Ngrtc.Audit.Service.Registers;

/// <summary>
/// The filters every register takes. <c>from</c> and <c>to</c> are UTC days (<c>yyyy-MM-dd</c>), both inclusive,
/// either may be left out; the register counts the events whose <c>time</c> falls on those days. Paging is by
/// item key in ordinal order: <c>limit</c> (1–500, default 50) items, and a <c>continuation</c> to pass back for the
/// next page while there is one.
/// </summary>
public sealed record RegisterFilter(string Tenant, DateOnly? From, DateOnly? To, int Limit, string? After)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public DateOnly FirstDay => From ?? DateOnly.MinValue;

    public DateOnly LastDay => To ?? DateOnly.MaxValue;

    /// <summary>The filter, or the problem (naming the parameter) that refuses it.</summary>
    public static (RegisterFilter? Filter, IResult? Problem) Parse(string? tenant, string? from, string? to, int? limit = null, string? continuation = null)
    {
        if (string.IsNullOrWhiteSpace(tenant))
        {
            return (null, Problems.InvalidParameter("tenant", "required query parameter is missing"));
        }

        if (!TryDay(from, out var first))
        {
            return (null, Problems.InvalidParameter("from", "must be a UTC day yyyy-MM-dd"));
        }

        if (!TryDay(to, out var last))
        {
            return (null, Problems.InvalidParameter("to", "must be a UTC day yyyy-MM-dd"));
        }

        if (first is not null && last is not null && last < first)
        {
            return (null, Problems.InvalidParameter("to", "must not be before from"));
        }

        if (limit is < 1 or > MaxLimit)
        {
            return (null, Problems.InvalidParameter("limit", $"must be 1–{MaxLimit}"));
        }

        string? after = null;
        if (continuation is not null && !Continuation.TryRead(continuation, out after))
        {
            return (null, Problems.InvalidParameter("continuation", "is not a continuation this API gave out"));
        }

        return (new RegisterFilter(tenant, first, last, limit ?? DefaultLimit, after), null);
    }

    private static bool TryDay(string? text, out DateOnly? day)
    {
        day = null;
        if (text is null)
        {
            return true;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            day = parsed;
            return true;
        }

        return false;
    }
}

/// <summary>An opaque continuation: base64url of the last key of the page before.</summary>
public static class Continuation
{
    public static string Of(string lastKey) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(lastKey));

    public static bool TryRead(string continuation, out string? lastKey)
    {
        lastKey = null;
        try
        {
            lastKey = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(continuation));
            return lastKey.Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>One register item over the period: per metric, the count of each label; and the first and last day with any.</summary>
public sealed class RegisterItem(string key)
{
    public string Key { get; } = key;

    public Dictionary<string, SortedDictionary<string, long>> Metrics { get; } = new(StringComparer.Ordinal);

    public DateOnly FirstDay { get; set; } = DateOnly.MaxValue;

    public DateOnly LastDay { get; set; } = DateOnly.MinValue;

    public IReadOnlyDictionary<string, long> Labels(string metric) =>
        Metrics.TryGetValue(metric, out var labels) ? labels : Empty;

    public long Total(string metric) => Metrics.TryGetValue(metric, out var labels) ? labels.Values.Sum() : 0;

    public long Count(string metric, string label) => Metrics.TryGetValue(metric, out var labels) ? labels.GetValueOrDefault(label) : 0;

    private static readonly SortedDictionary<string, long> Empty = new(StringComparer.Ordinal);
}

/// <summary>A page of a register, as every register endpoint answers.</summary>
public sealed record RegisterPage<T>(string Tenant, DateOnly? From, DateOnly? To, IReadOnlyList<T> Items, string? Continuation) : ICountedResult
{
    public int Rows => Items.Count;
}

/// <summary>
/// A period as the counters read it: whole UTC months from <see cref="AuditRegisters.MonthsTable"/> and single days
/// from <see cref="AuditRegisters.CountsTable"/>, each range added or (<see cref="Sign"/> −1) taken away. A month the
/// period covers in part is read as its days in the period, or as the month less its days outside the period,
/// whichever reads fewer days (the last 30 days are most of this month less the days still to come, and the end of
/// last month).
/// </summary>
public readonly record struct PeriodRange(bool Months, DateOnly From, DateOnly To, int Sign)
{
    private static readonly DateOnly LastMonth = AuditRegisters.MonthOf(DateOnly.MaxValue);

    /// <summary>The ranges of the period <paramref name="first"/> … <paramref name="last"/> (inclusive), months first.</summary>
    public static IReadOnlyList<PeriodRange> Of(DateOnly first, DateOnly last)
    {
        var firstMonth = AuditRegisters.MonthOf(first);
        var lastMonth = AuditRegisters.MonthOf(last);
        var days = new List<PeriodRange>();
        if (firstMonth == lastMonth)
        {
            // Inside one month: its days, or the month less the days before and after them.
            var before = first.DayNumber - firstMonth.DayNumber;
            var after = EndOf(lastMonth).DayNumber - last.DayNumber;
            if (before + after + 1 >= last.DayNumber - first.DayNumber + 1)
            {
                return [new PeriodRange(false, first, last, 1)];
            }

            days.Add(new PeriodRange(true, firstMonth, firstMonth, 1));
            if (before > 0)
            {
                days.Add(new PeriodRange(false, firstMonth, first.AddDays(-1), -1));
            }

            if (after > 0)
            {
                days.Add(new PeriodRange(false, last.AddDays(1), EndOf(lastMonth), -1));
            }

            return days;
        }

        // The first month: whole, its days from the first, or the month less the days before the first.
        var monthsFrom = firstMonth;
        if (first > firstMonth)
        {
            var inside = EndOf(firstMonth).DayNumber - first.DayNumber + 1;
            var before = first.DayNumber - firstMonth.DayNumber;
            if (before + 1 < inside)
            {
                days.Add(new PeriodRange(false, firstMonth, first.AddDays(-1), -1));
            }
            else
            {
                days.Add(new PeriodRange(false, first, EndOf(firstMonth), 1));
                monthsFrom = firstMonth.AddMonths(1);
            }
        }

        // The last month likewise, with the days after the last.
        var monthsTo = lastMonth;
        if (last < EndOf(lastMonth))
        {
            var inside = last.DayNumber - lastMonth.DayNumber + 1;
            var after = EndOf(lastMonth).DayNumber - last.DayNumber;
            if (after + 1 < inside)
            {
                days.Add(new PeriodRange(false, last.AddDays(1), EndOf(lastMonth), -1));
            }
            else
            {
                days.Add(new PeriodRange(false, lastMonth, last, 1));
                monthsTo = lastMonth.AddMonths(-1);
            }
        }

        return monthsFrom <= monthsTo ? [new PeriodRange(true, monthsFrom, monthsTo, 1), .. days] : days;
    }

    private static DateOnly EndOf(DateOnly month) => month == LastMonth ? DateOnly.MaxValue : month.AddMonths(1).AddDays(-1);
}

/// <summary>Reads register rows: sums of the month and day counters over the period, a page of keys at a time.</summary>
public static class RegisterRows
{
    /// <summary>
    /// The items after the filter's key that have any count in the period, of the next <see cref="RegisterFilter.Limit"/>
    /// keys, and the continuation if more may follow. A key counted in a month of the period but not on its days is
    /// left out, so a page may hold fewer items than the limit and still have a continuation.
    /// </summary>
    public static async Task<(IReadOnlyList<RegisterItem> Items, string? Continuation)> PageAsync(
        NpgsqlDataSource database, string register, RegisterFilter filter, CancellationToken ct)
    {
        var items = await ReadAsync(database, register, filter, onlyKey: null, filter.Limit + 1, ct);
        var continuation = items.Count > filter.Limit ? Continuation.Of(items[filter.Limit - 1].Key) : null;
        return ([.. items.Take(filter.Limit).Where(Counted)], continuation);
    }

    public static async Task<RegisterItem?> OneAsync(NpgsqlDataSource database, string register, RegisterFilter filter, string key, CancellationToken ct) =>
        (await ReadAsync(database, register, filter, key, 1, ct)).SingleOrDefault(Counted);

    private static bool Counted(RegisterItem item) => item.FirstDay != DateOnly.MaxValue;

    private static async Task<List<RegisterItem>> ReadAsync(
        NpgsqlDataSource database, string register, RegisterFilter filter, string? onlyKey, int keys, CancellationToken ct)
    {
        // The page's keys first (an ordered walk of each part's index, merged), then their rows of the period — whole
        // months from the month counters, the days around them from the day counters — summed here, and each key's
        // first and last day with any count (two index probes).
        // Only the ranges the period has (a range known empty only from its parameters would still walk the index);
        // the keys come from the ranges that add, so a key whose rows are all taken away answers with no first day.
        var ranges = PeriodRange.Of(filter.FirstDay, filter.LastDay);
        var keyCondition = onlyKey is null ? "key > $3" : "key = $3";
        // One month is asked as one day, so the month counters' (day, key) index gives its keys in order.
        string Between(int range) => ranges[range] is { Months: true } r && r.From == r.To
            ? $"day = ${7 + 2 * range}"
            : $"day between ${7 + 2 * range} and ${8 + 2 * range}";
        string Table(PeriodRange r) => r.Months ? AuditRegisters.MonthsTable : AuditRegisters.CountsTable;
        var keysOf = ranges.Select((r, i) => (r, i)).Where(x => x.r.Sign > 0).Select(x =>
            $"(select distinct key from {Table(x.r)} where tenant_id = $1 and register = $2 and {Between(x.i)} and {keyCondition} order by key limit $4)");
        var rowsOf = ranges.Select((r, i) =>
            $"select p.i, p.key, c.metric, c.label, {(r.Sign > 0 ? "" : "-")}c.n, null::date, null::date from page p " +
            $"join {Table(r)} c on c.tenant_id = $1 and c.register = $2 and c.key = p.key and c.{Between(i)}");
        await using var command = database.CreateCommand(
            $"""
            with page as (
              select key, row_number() over (order by key) as i from ({string.Join(" union ", keysOf)}) k order by key limit $4)
            {string.Join(" union all ", rowsOf)}
            union all
            select p.i, p.key, null, null, 0,
              (select min(f.day) from {AuditRegisters.CountsTable} f where f.tenant_id = $1 and f.register = $2 and f.key = p.key and f.day between $5 and $6),
              (select max(l.day) from {AuditRegisters.CountsTable} l where l.tenant_id = $1 and l.register = $2 and l.key = p.key and l.day between $5 and $6)
            from page p
            """);
        command.Parameters.AddWithValue(filter.Tenant);
        command.Parameters.AddWithValue(register);
        command.Parameters.AddWithValue(onlyKey ?? filter.After ?? "");
        command.Parameters.AddWithValue(keys);
        command.Parameters.AddWithValue(filter.FirstDay);
        command.Parameters.AddWithValue(filter.LastDay);
        foreach (var range in ranges)
        {
            command.Parameters.AddWithValue(range.From);
            command.Parameters.AddWithValue(range.To);
        }

        var items = new SortedDictionary<long, RegisterItem>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var index = reader.GetInt64(0);
            if (!items.TryGetValue(index, out var item))
            {
                items[index] = item = new RegisterItem(reader.GetString(1));
            }

            if (reader.IsDBNull(2))
            {
                item.FirstDay = reader.IsDBNull(5) ? item.FirstDay : reader.GetFieldValue<DateOnly>(5);
                item.LastDay = reader.IsDBNull(6) ? item.LastDay : reader.GetFieldValue<DateOnly>(6);
                continue;
            }

            var metric = reader.GetString(2);
            if (!item.Metrics.TryGetValue(metric, out var labels))
            {
                item.Metrics[metric] = labels = new SortedDictionary<string, long>(StringComparer.Ordinal);
            }

            var label = reader.GetString(3);
            labels[label] = labels.GetValueOrDefault(label) + reader.GetInt64(4);
        }

        return [.. items.Values];
    }

    /// <summary>
    /// Per item, how many distinct subjects (pseudonyms) it saw on the period's days, exactly, reading as few rows as
    /// it can. A pseudonym belongs to one epoch, so the count is a sum over epochs. For an epoch that began in the
    /// period (or before it, with none of its subjects seen before the period), its subjects seen in the period are
    /// those first seen in it: the <see cref="AuditRegisters.FirstSeenSubjects"/> counters the item already summed.
    /// Only for an epoch under way on the period's first day with subjects seen before it are the subject rows read,
    /// and only that epoch's days inside the period; a period with no first day reads none. The epochs under way are
    /// the labels of the keys' first-seen counters before the period (an epoch is at most <see cref="EpochSchedule.MaxDays"/> days); a label that
    /// names no window is read for the whole period, which is slower, never wrong.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, long>> DistinctSubjectsAsync(
        NpgsqlDataSource database, string register, RegisterFilter filter, IReadOnlyList<RegisterItem> items, CancellationToken ct)
    {
        var keys = items.Select(i => i.Key).ToArray();
        var underway = items.Count == 0 || filter.From is not { } from
            ? []
            : await EpochsUnderwayAsync(database, register, filter.Tenant, keys, from, ct);
        var distinct = items.ToDictionary(
            i => i.Key,
            i => i.Labels(AuditRegisters.FirstSeenSubjects).Where(l => !underway.ContainsKey(l.Key)).Sum(l => l.Value),
            StringComparer.Ordinal);
        if (underway.Count == 0)
        {
            return distinct;
        }

        var lastDay = underway.Values.Max();
        await using var command = database.CreateCommand(
            $"""
            select key collate "C", count(distinct pseudonym collate "C") from {AuditRegisters.SubjectsTable}
            where tenant_id = $1 and register = $2 and key = any($3) and day between $4 and $5 and {AuditRegisters.EpochOfPseudonymSql} = any($6)
            group by 1
            """);
        command.Parameters.AddWithValue(filter.Tenant);
        command.Parameters.AddWithValue(register);
        command.Parameters.AddWithValue(keys);
        command.Parameters.AddWithValue(filter.From!.Value);
        command.Parameters.AddWithValue(lastDay < filter.LastDay ? lastDay : filter.LastDay);
        command.Parameters.AddWithValue(underway.Keys.ToArray());
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var key = reader.GetString(0);
            distinct[key] = distinct.GetValueOrDefault(key) + reader.GetInt64(1);
        }

        return distinct;
    }

    /// <summary>
    /// The epochs (labels) of the keys' subjects seen before <paramref name="from"/> that had not ended by it, each with
    /// its last day (<see cref="DateOnly.MaxValue"/> for a label that names no window).
    /// </summary>
    private static async Task<Dictionary<string, DateOnly>> EpochsUnderwayAsync(
        NpgsqlDataSource database, string register, string tenant, string[] keys, DateOnly from, CancellationToken ct)
    {
        await using var command = database.CreateCommand(
            $"""
            select distinct label from {AuditRegisters.CountsTable}
            where tenant_id = $1 and register = $2 and key = any($3) and day >= $4 and day < $5 and metric = '{AuditRegisters.FirstSeenSubjects}'
            """);
        command.Parameters.AddWithValue(tenant);
        command.Parameters.AddWithValue(register);
        command.Parameters.AddWithValue(keys);
        command.Parameters.AddWithValue(from.AddDays(-EpochSchedule.MaxDays));
        command.Parameters.AddWithValue(from);
        var underway = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var label = reader.GetString(0);
            var lastDay = EpochWindow.TryParse(label, out var window)
                ? DateOnly.FromDateTime(window!.End.UtcDateTime).AddDays(-1)
                : DateOnly.MaxValue;
            if (lastDay >= from)
            {
                underway[label] = lastDay;
            }
        }

        return underway;
    }
}
