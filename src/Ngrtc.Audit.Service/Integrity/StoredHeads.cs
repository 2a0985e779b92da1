using Ngrtc.Audit.Integrity;
using Npgsql;

namespace Ngrtc.Audit.Service.Integrity;

/// <summary>A signed tree head as stored: its place in the tenant's chain and the JWS.</summary>
public sealed record StoredHead(long Seq, TreeHead Head, string Jws)
{
    public byte[] Hash() => TreeHeadChain.HashOf(Jws);
}

/// <summary>The tree_heads table. The JWS is the head; the other columns are for lookups only.</summary>
public static class StoredHeads
{
    private const string Columns = "seq, tree_size, root, issued_at, key_id, jws";

    public static async Task<StoredHead?> LatestAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string tenant, CancellationToken ct) =>
        (await QueryAsync(connection, tx, $"select {Columns} from {IntegrityTables.Heads} where tenant_id = @tenant order by seq desc limit 1", tenant, null, ct)).SingleOrDefault();

    /// <summary>The latest head signed at exactly <paramref name="treeSize"/>.</summary>
    public static async Task<StoredHead?> AtSizeAsync(NpgsqlConnection connection, string tenant, long treeSize, CancellationToken ct) =>
        (await QueryAsync(connection, null, $"select {Columns} from {IntegrityTables.Heads} where tenant_id = @tenant and tree_size = @size order by seq desc limit 1", tenant, treeSize, ct)).SingleOrDefault();

    public static Task<List<StoredHead>> AllAsync(NpgsqlConnection connection, string tenant, CancellationToken ct) =>
        QueryAsync(connection, null, $"select {Columns} from {IntegrityTables.Heads} where tenant_id = @tenant order by seq", tenant, null, ct);

    public static async Task AppendAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string tenant, long seq, SignedTreeHead signed, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"insert into {IntegrityTables.Heads} (tenant_id, seq, tree_size, root, issued_at, key_id, jws) values (@tenant, @seq, @size, @root, @at, @kid, @jws)",
            connection,
            tx);
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.AddWithValue("seq", seq);
        command.Parameters.AddWithValue("size", signed.Head.TreeSize);
        command.Parameters.AddWithValue("root", signed.Head.RootHash);
        command.Parameters.AddWithValue("at", signed.Head.Timestamp);
        command.Parameters.AddWithValue("kid", signed.Head.KeyId);
        command.Parameters.AddWithValue("jws", signed.Jws);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<List<StoredHead>> QueryAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, string tenant, long? size, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        command.Parameters.AddWithValue("tenant", tenant);
        if (size is { } s)
        {
            command.Parameters.AddWithValue("size", s);
        }

        var heads = new List<StoredHead>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            // The columns say what the JWS says (the sealer writes both); verification reads the JWS itself.
            var head = new TreeHead(tenant, reader.GetInt64(1), reader.GetFieldValue<byte[]>(2), reader.GetFieldValue<DateTimeOffset>(3), null, reader.GetString(4));
            heads.Add(new StoredHead(reader.GetInt64(0), head, reader.GetString(5)));
        }

        return heads;
    }
}
