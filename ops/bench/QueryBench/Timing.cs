using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Ngrtc.Audit.Projections;
using Ngrtc.Audit.Service.Hosting;
using Npgsql;

namespace Ngrtc.Audit.Bench;

/// <summary>
/// Times GET requests against a running service, one at a time (latency, not throughput), each query of the file
/// in turn and the tenants round-robin. A query file line is <c>name path</c>; in the path, <c>{tenant}</c>,
/// <c>{today}</c>, <c>{from7}</c>, <c>{from30}</c> (UTC days) and, per tenant, <c>{recipient}</c> (the busiest DC AS
/// application), <c>{enterprise}</c>/<c>{trunk}</c> (the busiest), <c>{avatar}</c> (an avatar pseudonym) and
/// <c>{subject}</c> (a subject pseudonym an exposure went out about), <c>{consentSubject}</c> and <c>{consentRecipient}</c>
/// (the service-provision consent ledger with the longest history, and the application it names or the busiest) are filled in.
/// </summary>
public static class Timing
{
    public static async Task MeasureAsync(Options options)
    {
        var url = options.String("url").TrimEnd('/');
        var iterations = options.Int("iterations", 300);
        var warmup = options.Int("warmup", 30);
        var queries = File.ReadAllLines(options.String("queries"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(' ', 2, StringSplitOptions.TrimEntries))
            .Select(p => (Name: p[0], Path: p[1]))
            .ToList();

        await using var source = NpgsqlDataSource.Create(options.String("connection"));
        var tenants = await PlaceholdersAsync(source);
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        // A privacy officer of each tenant, with the run's token key (ops/bench/query exports Ngrtc__Auth__* to both sides).
        var auth = new ConfigurationBuilder().AddEnvironmentVariables().Build()
            .GetSection(Ngrtc.Audit.Service.Hosting.AuthOptions.Section).Get<Ngrtc.Audit.Service.Hosting.AuthOptions>()
            ?? throw new InvalidOperationException("no Ngrtc__Auth__* in the environment: run through ops/bench/query");
        var tokens = tenants.ToDictionary(
            t => t["tenant"],
            t => Ngrtc.Audit.Service.Hosting.AccessTokens.Mint(
                auth,
                new Ngrtc.Audit.Service.Hosting.TokenClaims("bench-officer", [Ngrtc.Audit.Service.Hosting.Roles.PrivacyOfficer], t["tenant"]),
                TimeSpan.FromHours(4),
                DateTimeOffset.UtcNow));

        foreach (var (name, template) in queries)
        {
            var paths = tenants.Select(t => (Path: Fill(template, t), Token: tokens[t["tenant"]])).ToList();
            for (var i = 0; i < warmup; i++)
            {
                await GetAsync(http, paths[i % paths.Count]);
            }

            var times = new List<double>(iterations);
            long rows = 0;
            for (var i = 0; i < iterations; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var (status, items) = await GetAsync(http, paths[i % paths.Count]);
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (status != 200)
                {
                    throw new InvalidOperationException($"{name}: {paths[i % paths.Count].Path} answered {status}");
                }

                rows += items;
            }

            times.Sort();
            Output.Bench(new Dictionary<string, object?>
            {
                ["kind"] = "query",
                ["name"] = name,
                ["path"] = template,
                ["n"] = iterations,
                ["p50_ms"] = Math.Round(Percentile(times, 0.50), 1),
                ["p95_ms"] = Math.Round(Percentile(times, 0.95), 1),
                ["p99_ms"] = Math.Round(Percentile(times, 0.99), 1),
                ["max_ms"] = Math.Round(times[^1], 1),
                ["items_avg"] = Math.Round(rows / (double)iterations, 1),
            });
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static async Task<(int Status, int Items)> GetAsync(HttpClient http, (string Path, string Token) request)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, request.Path);
        message.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", request.Token);
        message.Headers.Add(Ngrtc.Audit.Service.Hosting.AccessHeaders.Purpose, "query benchmark");
        using var response = await http.SendAsync(message);
        var body = await response.Content.ReadAsByteArrayAsync();
        var items = 1;
        if (response.IsSuccessStatusCode)
        {
            using var json = JsonDocument.Parse(body);
            foreach (var list in new[] { "items", "holds", "events" })
            {
                if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(list, out var array) && array.ValueKind == JsonValueKind.Array)
                {
                    items = array.GetArrayLength();
                }
            }
        }

        return ((int)response.StatusCode, items);
    }

    private static string Fill(string template, Dictionary<string, string> values)
    {
        foreach (var (name, value) in values)
        {
            template = template.Replace("{" + name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
        }

        return template;
    }

    private static async Task<List<Dictionary<string, string>>> PlaceholdersAsync(NpgsqlDataSource source)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var result = new List<Dictionary<string, string>>();
        await using var tenants = source.CreateCommand($"select distinct tenant_id from {AuditRegisters.CountsTable} order by 1");
        var names = new List<string>();
        await using (var reader = await tenants.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }
        }

        foreach (var tenant in names)
        {
            async Task<string> One(string sql)
            {
                await using var command = source.CreateCommand(sql);
                command.Parameters.AddWithValue(tenant);
                return (string?)await command.ExecuteScalarAsync() ?? "none";
            }

            string Busiest(string register) =>
                $"select key from {AuditRegisters.CountsTable} where tenant_id = $1 and register = '{register}' group by key order by sum(n) desc limit 1";

            var identity = IdentityRegister.Split(await One(Busiest(AuditRegisters.Identity)));
            var busiest = await One(Busiest(AuditRegisters.Exposure));
            string Ledger(string column) =>
                $"select {column} from {AuditStore.Schema}.mt_doc_consentledger where tenant_id = $1 and data ->> 'purpose' = 'dpv:ServiceProvision' " +
                "order by jsonb_array_length(data -> 'history') desc, id limit 1";
            result.Add(new Dictionary<string, string>
            {
                ["tenant"] = tenant,
                ["today"] = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["from7"] = today.AddDays(-7).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["from30"] = today.AddDays(-30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["recipient"] = busiest,
                ["enterprise"] = identity.Enterprise,
                ["trunk"] = identity.Trunk,
                ["avatar"] = await One($"select key from {AuditRegisters.CountsTable} where tenant_id = $1 and register = '{AuditRegisters.Avatars}' and day >= current_date - 30 order by day desc, key limit 1"),
                ["subject"] = await One($"select pseudonym from {AuditRegisters.SubjectsTable} where tenant_id = $1 and day >= current_date - 7 limit 1"),

                // The consent decision of the subject with the longest service-provision history, for the application it names.
                ["consentSubject"] = await One(Ledger("data ->> 'subjectPseudonym'")),
                ["consentRecipient"] = await One(Ledger($"coalesce(data ->> 'recipient', '{busiest}')")),
            });
        }

        return result;
    }
}
