using System.Security.Cryptography;
using Npgsql;

namespace Ngrtc.Audit.Protection.Postgres;

/// <summary>
/// <see cref="IPepperStore"/> on <c>&lt;schema&gt;.pseudonym_peppers</c> and <c>&lt;schema&gt;.subject_index_keys</c>
/// (<see cref="ProtectionTables"/>). Peppers are 32 random bytes, wrapped under the tenant's current KEK and bound
/// to their epoch (<c>pepper:&lt;epoch&gt;</c>).
/// </summary>
public sealed class PostgresPepperStore : IPepperStore
{
    private const int SecretSize = 32;

    private readonly NpgsqlDataSource _database;
    private readonly IKeyEncryptionKeyProvider _keks;
    private readonly TimeProvider _time;
    private readonly string _peppers;
    private readonly string _indexKeys;

    public PostgresPepperStore(NpgsqlDataSource database, IKeyEncryptionKeyProvider keks, string schema = ProtectionTables.DefaultSchema, TimeProvider? time = null)
    {
        _database = database;
        _keks = keks;
        _time = time ?? TimeProvider.System;
        _peppers = ProtectionTables.Schema(schema) + ".pseudonym_peppers";
        _indexKeys = schema + ".subject_index_keys";
    }

    public async ValueTask<PepperLookup> GetOrCreateAsync(string tenant, Epoch epoch, CancellationToken ct = default)
    {
        var select = $"select kek_id, wrapped, destroyed_at from {_peppers} where tenant_id = $1 and epoch = $2";
        if (await ReadPepperAsync(tenant, epoch, select, insert: null, ct) is { } existing)
        {
            return existing;
        }

        // None yet: offer one. Insert and re-read in one batch: the re-read's snapshot sees a concurrent winner.
        var pepper = RandomNumberGenerator.GetBytes(SecretSize);
        try
        {
            var wrapped = await _keks.WrapAsync(tenant, null, pepper, WrapContexts.Pepper(epoch), ct);
            var insert = new NpgsqlBatchCommand(
                $"insert into {_peppers} (tenant_id, epoch, kek_id, wrapped, created_at) values ($1, $2, $3, $4, $5) on conflict do nothing");
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = epoch.Label });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = wrapped.KekId });
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = wrapped.Bytes });
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = _time.GetUtcNow() });
            return await ReadPepperAsync(tenant, epoch, select, insert, ct)
                ?? throw new InvalidOperationException($"The pepper of epoch {epoch.Label} of tenant {tenant} vanished while it was created.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pepper);
        }
    }

    public async ValueTask<bool> DestroyAsync(string tenant, Epoch epoch, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var connection = await _database.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        bool wasLive;
        await using (var read = new NpgsqlCommand($"select wrapped is not null from {_peppers} where tenant_id = $1 and epoch = $2 for update", connection, tx))
        {
            read.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
            read.Parameters.Add(new NpgsqlParameter<string> { TypedValue = epoch.Label });
            wasLive = await read.ExecuteScalarAsync(ct) is true;
        }

        // A destroyed row also for an epoch that never had a pepper: it can never get one now.
        await using (var destroy = new NpgsqlCommand(
            $"""
            insert into {_peppers} (tenant_id, epoch, kek_id, wrapped, created_at, destroyed_at) values ($1, $2, null, null, $3, $3)
            on conflict (tenant_id, epoch) do update
              set kek_id = null, wrapped = null, destroyed_at = coalesce({_peppers}.destroyed_at, excluded.destroyed_at)
            """,
            connection,
            tx))
        {
            destroy.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
            destroy.Parameters.Add(new NpgsqlParameter<string> { TypedValue = epoch.Label });
            destroy.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = at });
            await destroy.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
        return wasLive;
    }

    public async ValueTask<byte[]> GetOrCreateSubjectIndexKeyAsync(string tenant, CancellationToken ct = default)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            await using (var read = _database.CreateCommand($"select kek_id, wrapped from {_indexKeys} where tenant_id = $1"))
            {
                read.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
                await using var reader = await read.ExecuteReaderAsync(ct);
                if (await reader.ReadAsync(ct))
                {
                    var wrapped = new WrappedKey(reader.GetString(0), reader.GetFieldValue<byte[]>(1));
                    return await _keks.UnwrapAsync(tenant, wrapped, WrapContexts.SubjectIndex, ct);
                }
            }

            var key = RandomNumberGenerator.GetBytes(SecretSize);
            try
            {
                var wrapped = await _keks.WrapAsync(tenant, null, key, WrapContexts.SubjectIndex, ct);
                await using var insert = _database.CreateCommand(
                    $"insert into {_indexKeys} (tenant_id, kek_id, wrapped, created_at) values ($1, $2, $3, $4) on conflict do nothing");
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = wrapped.KekId });
                insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = wrapped.Bytes });
                insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = _time.GetUtcNow() });
                if (await insert.ExecuteNonQueryAsync(ct) == 1)
                {
                    return key.ToArray();
                }

                // Another process won the race: read its key on the next turn.
            }
            finally
            {
                CryptographicOperations.ZeroMemory(key);
            }
        }

        throw new InvalidOperationException($"The subject-index key of tenant {tenant} could be neither read nor created.");
    }

    public async ValueTask<int> RewrapAsync(string tenant, string kekId, CancellationToken ct = default)
    {
        var rewrapped = 0;
        var peppers = new List<(string Epoch, WrappedKey Old)>();
        await using (var read = _database.CreateCommand(
            $"select epoch, kek_id, wrapped from {_peppers} where tenant_id = $1 and wrapped is not null and kek_id <> $2"))
        {
            read.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
            read.Parameters.Add(new NpgsqlParameter<string> { TypedValue = kekId });
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                peppers.Add((reader.GetString(0), new WrappedKey(reader.GetString(1), reader.GetFieldValue<byte[]>(2))));
            }
        }

        foreach (var (epoch, old) in peppers)
        {
            var wrapped = await RewrapOneAsync(tenant, old, kekId, WrapContexts.Pepper(new Epoch(epoch)), ct);
            await using var update = _database.CreateCommand(
                $"update {_peppers} set kek_id = $3, wrapped = $4 where tenant_id = $1 and epoch = $2 and kek_id = $5 and wrapped is not null");
            update.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
            update.Parameters.Add(new NpgsqlParameter<string> { TypedValue = epoch });
            update.Parameters.Add(new NpgsqlParameter<string> { TypedValue = kekId });
            update.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = wrapped });
            update.Parameters.Add(new NpgsqlParameter<string> { TypedValue = old.KekId });
            rewrapped += await update.ExecuteNonQueryAsync(ct);
        }

        WrappedKey? index = null;
        await using (var read = _database.CreateCommand($"select kek_id, wrapped from {_indexKeys} where tenant_id = $1 and kek_id <> $2"))
        {
            read.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
            read.Parameters.Add(new NpgsqlParameter<string> { TypedValue = kekId });
            await using var reader = await read.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                index = new WrappedKey(reader.GetString(0), reader.GetFieldValue<byte[]>(1));
            }
        }

        if (index is not null)
        {
            var wrapped = await RewrapOneAsync(tenant, index, kekId, WrapContexts.SubjectIndex, ct);
            await using var update = _database.CreateCommand(
                $"update {_indexKeys} set kek_id = $2, wrapped = $3 where tenant_id = $1 and kek_id = $4");
            update.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
            update.Parameters.Add(new NpgsqlParameter<string> { TypedValue = kekId });
            update.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = wrapped });
            update.Parameters.Add(new NpgsqlParameter<string> { TypedValue = index.KekId });
            rewrapped += await update.ExecuteNonQueryAsync(ct);
        }

        return rewrapped;
    }

    private async ValueTask<byte[]> RewrapOneAsync(string tenant, WrappedKey old, string kekId, string context, CancellationToken ct)
    {
        var secret = await _keks.UnwrapAsync(tenant, old, context, ct);
        try
        {
            return (await _keks.WrapAsync(tenant, kekId, secret, context, ct)).Bytes;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Runs <paramref name="insert"/> (if any) and then <paramref name="select"/> in one batch; null when there is no row.</summary>
    private async ValueTask<PepperLookup?> ReadPepperAsync(string tenant, Epoch epoch, string select, NpgsqlBatchCommand? insert, CancellationToken ct)
    {
        await using var batch = _database.CreateBatch();
        if (insert is not null)
        {
            batch.BatchCommands.Add(insert);
        }

        var read = new NpgsqlBatchCommand(select);
        read.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
        read.Parameters.Add(new NpgsqlParameter<string> { TypedValue = epoch.Label });
        batch.BatchCommands.Add(read);
        string? kekId;
        byte[]? wrapped;
        DateTimeOffset? destroyedAt;
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                return null;
            }

            kekId = reader.IsDBNull(0) ? null : reader.GetString(0);
            wrapped = reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1);
            destroyedAt = reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2);
        }

        if (destroyedAt is not null || wrapped is null || kekId is null)
        {
            return new PepperLookup.Destroyed(destroyedAt ?? DateTimeOffset.MinValue);
        }

        return new PepperLookup.Live(await _keks.UnwrapAsync(tenant, new WrappedKey(kekId, wrapped), WrapContexts.Pepper(epoch), ct));
    }
}
