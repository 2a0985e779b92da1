using Ngrtc.Audit.Integrity;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Ingestion;
using Npgsql;

namespace Ngrtc.Audit.Service.Integrity;

/// <summary>A signed tree head as served: the JWS is the head; the rest repeats its payload for convenience.</summary>
public sealed record TreeHeadView(string Tenant, long TreeSize, string RootHash, DateTimeOffset Timestamp, string KeyId, string Jws);

/// <summary>RFC 9162 inclusion proof, in the shape of the RFC 9162 test vectors (base64 hashes).</summary>
public sealed record InclusionProofView(string EventId, long LeafIdx, long TreeSize, string Root, string LeafHash, IReadOnlyList<string> Proof);

/// <summary>RFC 9162 consistency proof, in the shape of the test vectors.</summary>
public sealed record ConsistencyProofView(long Size1, long Size2, string Root1, string Root2, IReadOnlyList<string> Proof);

/// <summary>
/// <c>/api/v1/integrity/…</c>: signed tree heads, the JWKS that verifies them, inclusion and consistency proofs.
/// Roots in proofs are those of signed heads, so a proof is checked against a signature, not the server's word.
/// </summary>
public static class GetIntegrity
{
    public static IEndpointRouteBuilder MapIntegrity(this IEndpointRouteBuilder app)
    {
        // Tree heads, proofs and status name a tenant and its log's size (its traffic): the tenant's privacy officers,
        // regulator and admins read them. The JWKS holds public keys only and is public, for offline verifiers.
        var group = app.MapGroup("/api/v1/integrity").WithTags("Integrity").RequireAuthorization(AccessPolicies.IntegrityRead);
        group.MapGet("/jwks", (TreeHeadSigning signing) => Results.Text(signing.Jwks, "application/jwk-set+json")).AllowAnonymous();
        group.MapGet("/tree-heads/latest", Latest);
        group.MapGet("/tree-heads/{treeSize:long}", AtSize);
        group.MapGet("/proofs/inclusion", Inclusion);
        group.MapGet("/proofs/consistency", Consistency);
        group.MapGet("/status", VerificationJob.Status);
        return app;
    }

    private static async Task<IResult> Latest(string? tenant, NpgsqlDataSource database, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(tenant))
        {
            return Problems.InvalidParameter("tenant", "required query parameter is missing");
        }

        await using var connection = await database.OpenConnectionAsync(ct);
        return await StoredHeads.LatestAsync(connection, null, tenant, ct) is { } head
            ? Results.Ok(View(head))
            : Problems.NotFound("No tree head has been signed for this tenant yet.");
    }

    private static async Task<IResult> AtSize(long treeSize, string? tenant, NpgsqlDataSource database, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(tenant))
        {
            return Problems.InvalidParameter("tenant", "required query parameter is missing");
        }

        await using var connection = await database.OpenConnectionAsync(ct);
        return await StoredHeads.AtSizeAsync(connection, tenant, treeSize, ct) is { } head
            ? Results.Ok(View(head))
            : Problems.NotFound("No tree head was signed at this tree size.");
    }

    private static async Task<IResult> Inclusion(string? tenant, string? eventId, string? source, long? treeSize, NpgsqlDataSource database, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(tenant))
        {
            return Problems.InvalidParameter("tenant", "required query parameter is missing");
        }

        if (string.IsNullOrWhiteSpace(eventId))
        {
            return Problems.InvalidParameter("eventId", "required query parameter is missing");
        }

        await using var connection = await database.OpenConnectionAsync(ct);
        var head = treeSize is { } size ? await StoredHeads.AtSizeAsync(connection, tenant, size, ct) : await StoredHeads.LatestAsync(connection, null, tenant, ct);
        if (head is null)
        {
            return treeSize is null ? Problems.NotFound("No tree head has been signed for this tenant yet.") : Problems.InvalidParameter("treeSize", "no tree head was signed at this size");
        }

        // Events through the id → leaf index table (an index lookup; the appender writes a row with each event), and
        // events stored without a row in the log's unsealed tail only (short while the sealer keeps up, and only
        // events stored by other means lack a row): never a scan of the whole log. One round trip for both.
        var found = await FindAsync(
            connection,
            $"""
            (select e.version, e.data from {IntegrityTables.LeafIds} l
             join {AuditStore.Schema}.mt_events e on e.tenant_id = l.tenant_id and e.stream_id = '{AuditAppender.TenantLog}' and e.version = l.leaf_index + 1
             where l.tenant_id = @tenant and l.event_id = @id and e.data->'envelope'->>'id' = @id
               and (@source::text is null or e.data->'envelope'->>'source' = @source)
             order by e.version limit 2)
            union all
            (select e.version, e.data from {AuditStore.Schema}.mt_events e
             where e.tenant_id = @tenant and e.stream_id = '{AuditAppender.TenantLog}'
               and e.version > coalesce((select size from {IntegrityTables.Trees} where tenant_id = @tenant), 0)
               and e.data->'envelope'->>'id' = @id and (@source::text is null or e.data->'envelope'->>'source' = @source)
               and not exists (select 1 from {IntegrityTables.LeafIds} l where l.tenant_id = @tenant and l.leaf_index = e.version - 1)
             order by e.version limit 2)
            """,
            tenant,
            eventId,
            source,
            ct);
        if (found.Count == 0)
        {
            return Problems.NotFound("No event with this id is stored for this tenant.");
        }

        if (found.Count > 1)
        {
            return Problems.InvalidParameter("source", "several sources used this event id: name the source");
        }

        var leafIndex = found[0].Version - 1;
        if (leafIndex >= head.Head.TreeSize)
        {
            return Problems.InvalidParameter("treeSize", "the event is not in the tree of that size yet (it is sealed shortly after it is stored)");
        }

        var plan = MerkleProofs.PlanInclusion(leafIndex, head.Head.TreeSize);
        var nodes = await TileNodeReader.ForAsync(connection, null, tenant, plan.Nodes, ct);
        var proof = plan.Rehash(nodes);
        return Results.Ok(new InclusionProofView(
            eventId, leafIndex, head.Head.TreeSize, Convert.ToBase64String(head.Head.RootHash), Convert.ToBase64String(Leaves.Hash(found[0].Data)), [.. proof.Select(Convert.ToBase64String)]));
    }

    private static async Task<IResult> Consistency(string? tenant, long? first, long? second, NpgsqlDataSource database, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(tenant))
        {
            return Problems.InvalidParameter("tenant", "required query parameter is missing");
        }

        if (first is not { } size1 || size1 < 0)
        {
            return Problems.InvalidParameter("first", "required: the smaller tree size");
        }

        if (second is not { } size2 || size2 < size1)
        {
            return Problems.InvalidParameter("second", "required: a tree size no smaller than first");
        }

        await using var connection = await database.OpenConnectionAsync(ct);
        var head1 = await StoredHeads.AtSizeAsync(connection, tenant, size1, ct);
        var head2 = await StoredHeads.AtSizeAsync(connection, tenant, size2, ct);
        if (head1 is null || head2 is null)
        {
            return Problems.InvalidParameter(head1 is null ? "first" : "second", "no tree head was signed at this size");
        }

        var plan = MerkleProofs.PlanConsistency(size1, size2);
        var nodes = await TileNodeReader.ForAsync(connection, null, tenant, plan.Nodes, ct);
        return Results.Ok(new ConsistencyProofView(
            size1, size2, Convert.ToBase64String(head1.Head.RootHash), Convert.ToBase64String(head2.Head.RootHash), [.. plan.Rehash(nodes).Select(Convert.ToBase64String)]));
    }

    private static async Task<List<(long Version, string Data)>> FindAsync(NpgsqlConnection connection, string sql, string tenant, string eventId, string? source, CancellationToken ct)
    {
        await using var find = new NpgsqlCommand(sql, connection);
        find.Parameters.AddWithValue("tenant", tenant);
        find.Parameters.AddWithValue("id", eventId);
        find.Parameters.AddWithValue("source", NpgsqlTypes.NpgsqlDbType.Text, (object?)source ?? DBNull.Value);
        var found = new List<(long Version, string Data)>();
        await using var reader = await find.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            found.Add((reader.GetInt64(0), reader.GetString(1)));
        }

        return found;
    }

    private static TreeHeadView View(StoredHead head) =>
        new(head.Head.Tenant, head.Head.TreeSize, Convert.ToBase64String(head.Head.RootHash), head.Head.Timestamp, head.Head.KeyId, head.Jws);
}
