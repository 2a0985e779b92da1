using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Marten;
using Microsoft.Extensions.Options;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Service.Hosting;
using Npgsql;

namespace Ngrtc.Audit.Service.Exports;

public sealed class ExportOptions
{
    public const string Section = "Ngrtc:Exports";

    /// <summary>Where exports are written: <c>{Folder}/{tenant}/{yyyy-MM-dd}/</c>.</summary>
    public string Folder { get; set; } = "exports";

    /// <summary>Cron expression (UTC) of the recurring export of the previous day.</summary>
    public string Schedule { get; set; } = "30 0 * * *";
}

/// <summary>Write, per tenant, the events recorded during <paramref name="Period"/> (a UTC day) as JSON Lines with a SHA-256 manifest.</summary>
public sealed record RunExport(DateOnly Period);

public sealed record ExportResult(DateOnly Period, IReadOnlyList<ExportedTenant> Tenants);

public sealed record ExportedTenant(string Tenant, string Folder, int EventCount, string EventsSha256);

public static partial class RunExportHandler
{
    public const string EventsFile = "events.jsonl";
    public const string ManifestFile = "manifest-sha256.txt";

    public static async Task<ExportResult> Handle(
        RunExport command,
        IDocumentStore store,
        NpgsqlDataSource database,
        IOptions<ExportOptions> options,
        TimeProvider clock,
        ILogger<RunExport> logger,
        CancellationToken ct)
    {
        var from = command.Period.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var to = from.AddDays(1);
        var root = Path.GetFullPath(options.Value.Folder);
        var serializer = store.Options.Serializer();
        var schema = store.Options.Events.DatabaseSchemaName;
        var exported = new List<ExportedTenant>();

        await using var connection = await database.OpenConnectionAsync(ct);
        var tenants = new List<string>();
        await using (var list = new NpgsqlCommand(
            $"select distinct tenant_id from {schema}.mt_events where type = 'audit_event_recorded' and timestamp >= @from and timestamp < @to order by 1",
            connection))
        {
            list.Parameters.AddWithValue("from", from);
            list.Parameters.AddWithValue("to", to);
            await using var reader = await list.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                tenants.Add(reader.GetString(0));
            }
        }

        foreach (var tenant in tenants)
        {
            if (!SafeName().IsMatch(tenant))
            {
                logger.LogWarning("Skipped the export of a tenant whose id cannot be a folder name");
                continue;
            }

            var folder = Path.Combine(root, tenant, command.Period.ToString("yyyy-MM-dd"));
            var staging = folder + ".partial";
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            Directory.CreateDirectory(staging);
            var count = 0;
            await using (var file = File.Create(Path.Combine(staging, EventsFile)))
            await using (var select = new NpgsqlCommand(
                $"""
                select seq_id, timestamp, data from {schema}.mt_events
                where type = 'audit_event_recorded' and tenant_id = @tenant and timestamp >= @from and timestamp < @to
                order by seq_id
                """,
                connection))
            {
                select.Parameters.AddWithValue("tenant", tenant);
                select.Parameters.AddWithValue("from", from);
                select.Parameters.AddWithValue("to", to);
                await using var reader = await select.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    var recorded = serializer.FromJson<AuditEventRecorded>(reader, 2);
                    ExportLine.Write(file, recorded, reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1));
                    count++;
                }
            }

            string digest;
            await using (var file = File.OpenRead(Path.Combine(staging, EventsFile)))
            {
                digest = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
            }

            // The format sha256sum -c reads: digest, two spaces, file name.
            await File.WriteAllTextAsync(Path.Combine(staging, ManifestFile), $"{digest}  {EventsFile}\n", Encoding.ASCII, ct);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            Directory.Move(staging, folder);

            await store.AppendReceiptAsync(
                tenant, ReceiptStreams.Exports, new ComplianceExportWritten(command.Period, count, digest, Path.GetRelativePath(root, folder), clock.GetUtcNow()), ct);
            exported.Add(new ExportedTenant(tenant, folder, count, digest));
        }

        logger.LogInformation("Export of {Period}: {Tenants} tenants, {Events} events", command.Period, exported.Count, exported.Sum(e => e.EventCount));
        return new ExportResult(command.Period, exported);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex SafeName();
}

/// <summary>One exported event: the CloudEvent as stored, plus its store sequence, recorded time and policy version as extensions.</summary>
public static class ExportLine
{
    public static void Write(Stream stream, AuditEventRecorded recorded, long sequence, DateTimeOffset recordedAt)
    {
        using var writer = new Utf8JsonWriter(stream);
        var e = recorded.Envelope;
        writer.WriteStartObject();
        writer.WriteString("specversion", "1.0");
        writer.WriteString("id", e.Id);
        writer.WriteString("source", e.Source);
        writer.WriteString("type", e.Type);
        writer.WriteString("time", Rfc3339(e.Time));
        writer.WriteString("datacontenttype", "application/json");
        if (e.Subject is not null)
        {
            writer.WriteString("subject", e.Subject);
        }

        writer.WriteString("tenant", e.Tenant);
        writer.WriteString("nftype", e.NfType);
        if (e.CorrelationId is not null)
        {
            writer.WriteString("correlationid", e.CorrelationId);
        }

        writer.WriteString("purpose", e.Purpose);
        writer.WriteString("legalbasis", e.LegalBasis);
        writer.WriteNumber("auditsequence", sequence);
        writer.WriteString("auditrecordedtime", Rfc3339(recordedAt));
        if (recorded.RedactedAt is { } redactedAt)
        {
            writer.WriteString("auditredactedtime", Rfc3339(redactedAt));
        }

        if (recorded.PolicyVersion is { } policyVersion)
        {
            writer.WriteString("auditpolicyversion", policyVersion);
        }

        writer.WritePropertyName("data");
        recorded.Data.WriteTo(writer);
        writer.WriteEndObject();
        writer.Flush();
        stream.WriteByte((byte)'\n');
    }

    private static string Rfc3339(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'");
}
