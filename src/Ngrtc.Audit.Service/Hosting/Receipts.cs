using Marten;

namespace Ngrtc.Audit.Service.Hosting;

public static class Receipts
{
    /// <summary>Appends one receipt (a PII-free fact of the service's own doing) to a tenant's receipt stream.</summary>
    public static async Task AppendReceiptAsync(this IDocumentStore store, string tenant, string stream, object receipt, CancellationToken ct)
    {
        await using var session = store.LightweightSession(tenant);
        session.Events.Append(stream, receipt);
        await session.SaveChangesAsync(ct);
    }
}
