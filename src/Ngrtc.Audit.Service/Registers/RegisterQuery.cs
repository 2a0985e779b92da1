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

/// <summary>Reads register rows: sums of the per-day counters over the period, a page of keys at a time.</summary>
public static class RegisterRows
{
    /// <summary>Up to <see cref="RegisterFilter.Limit"/> items after the filter's key that have any count in the period, and the continuation if more may follow.</summary>
    public static async Task<(IReadOnlyList<RegisterItem> Items, string? Continuation)> PageAsync(
        NpgsqlDataSource database, string register, RegisterFilter filter, CancellationToken ct)
    {
        var items = await ReadAsync(database, register, filter, onlyKey: null, filter.Limit + 1, ct);
        return items.Count > filter.Limit
            ? (items.Take(filter.Limit).ToList(), Continuation.Of(items[filter.Limit - 1].Key))
            : (items, null);
    }

    public static async Task<RegisterItem?> OneAsync(NpgsqlDataSource database, string register, RegisterFilter filter, string key, CancellationToken ct) =>
        (await ReadAsync(database, register, filter, key, 1, ct)).SingleOrDefault();

    private static async Task<List<RegisterItem>> ReadAsync(
        NpgsqlDataSource database, string register, RegisterFilter filter, string? onlyKey, int keys, CancellationToken ct)
    {
        // The page's keys first (an ordered walk of the index), then their rows of the period, summed here: the
        // rows come in key order from the nested loop, where a GROUP BY in SQL sorted them again by text.
        var keyCondition = onlyKey is null ? "key > $5" : "key = $5";
        await using var command = database.CreateCommand(
            $"""
            with page as (
              select distinct key from {AuditRegisters.CountsTable}
              where tenant_id = $1 and register = $2 and day between $3 and $4 and {keyCondition}
              order by key limit $6)
            select c.key, c.metric, c.label, c.n, c.day
            from page p join {AuditRegisters.CountsTable} c on c.key = p.key
            where c.tenant_id = $1 and c.register = $2 and c.day between $3 and $4
            order by c.key
            """);
        command.Parameters.AddWithValue(filter.Tenant);
        command.Parameters.AddWithValue(register);
        command.Parameters.AddWithValue(filter.FirstDay);
        command.Parameters.AddWithValue(filter.LastDay);
        command.Parameters.AddWithValue(onlyKey ?? filter.After ?? "");
        command.Parameters.AddWithValue(keys);

        var items = new List<RegisterItem>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var key = reader.GetString(0);
            if (items.Count == 0 || items[^1].Key != key)
            {
                items.Add(new RegisterItem(key));
            }

            var item = items[^1];
            var metric = reader.GetString(1);
            if (!item.Metrics.TryGetValue(metric, out var labels))
            {
                item.Metrics[metric] = labels = new SortedDictionary<string, long>(StringComparer.Ordinal);
            }

            var label = reader.GetString(2);
            labels[label] = labels.GetValueOrDefault(label) + reader.GetInt64(3);
            var day = reader.GetFieldValue<DateOnly>(4);
            item.FirstDay = day < item.FirstDay ? day : item.FirstDay;
            item.LastDay = day > item.LastDay ? day : item.LastDay;
        }

        return items;
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
