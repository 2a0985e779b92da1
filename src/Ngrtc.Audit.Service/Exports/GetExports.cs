using System.Globalization;
using System.Security.Claims;
using Marten;
using Microsoft.Extensions.Options;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Service.Hosting;

namespace Ngrtc.Audit.Service.Exports;

public sealed record ExportSummary(DateOnly Period, int EventCount, string EventsSha256, DateTimeOffset WrittenAt, string Link);

public sealed record ExportList(string Tenant, IReadOnlyList<ExportSummary> Exports) : ICountedResult
{
    int ICountedResult.Rows => Exports.Count;
}

/// <summary>
/// <c>GET /api/v1/exports</c> and <c>GET /api/v1/exports/{period}/{file}</c>: the compliance exports written for the
/// token's tenant (their receipts, then the files), for the regulator of the tenant's jurisdiction
/// (the policy's jurisdiction of the tenant equal to the token's <c>jurisdiction</c> claim).
/// Writing exports stays an admin job (<c>POST /api/v1/jobs/export</c>).
/// </summary>
public static class GetExports
{
    private static readonly Dictionary<string, string> Files = new(StringComparer.Ordinal)
    {
        [RunExportHandler.EventsFile] = "application/jsonl",
        [RunExportHandler.ManifestFile] = "text/plain; charset=us-ascii",
    };

    public static async Task<IResult> List(ClaimsPrincipal user, IDocumentStore store, CancellationToken ct)
    {
        var tenant = user.Tenant()!;
        await using var session = store.QuerySession(tenant);
        var receipts = await session.Events.FetchStreamAsync(ReceiptStreams.Exports, token: ct);
        var latest = receipts
            .Select(e => e.Data).OfType<ComplianceExportWritten>()
            .GroupBy(r => r.Period).Select(g => g.Last())
            .OrderByDescending(r => r.Period)
            .Select(r => new ExportSummary(r.Period, r.EventCount, r.EventsSha256, r.At, $"/api/v1/exports/{r.Period:yyyy-MM-dd}/{RunExportHandler.EventsFile}"))
            .ToList();
        return Results.Ok(new ExportList(tenant, latest));
    }

    public static IResult File(string period, string file, ClaimsPrincipal user, IOptions<ExportOptions> options)
    {
        if (!DateOnly.TryParseExact(period, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return Problems.InvalidParameter("period", "must be a date yyyy-MM-dd (UTC day)");
        }

        if (!Files.TryGetValue(file, out var contentType))
        {
            return Problems.InvalidParameter("file", $"must be {RunExportHandler.EventsFile} or {RunExportHandler.ManifestFile}");
        }

        // The tenant id comes from a verified token; the folder is still checked to stay under the export root.
        var root = Path.GetFullPath(options.Value.Folder);
        var path = Path.GetFullPath(Path.Combine(root, user.Tenant()!, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), file));
        return path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && System.IO.File.Exists(path)
            ? Results.File(path, contentType, file)
            : Problems.NotFound("No export of this period was written for this tenant.");
    }

    public static IEndpointRouteBuilder MapExports(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/exports").WithTags("Exports").RequireAuthorization(AccessPolicies.RegulatorExport);
        group.MapGet("", List).WithName("ListExports").WithSummary("The compliance exports written for this tenant, newest first");
        group.MapGet("/{period}/{file}", File).WithName("GetExportFile").WithSummary("One export's events (JSON Lines) or its SHA-256 manifest");
        return app;
    }
}
